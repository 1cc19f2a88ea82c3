/**
 * Reasoning end to end: the router against the simulator, which issues signed thinking blocks
 * (Anthropic), thought signatures (Gemini) and `reasoning_content` (DeepSeek-style), and refuses a
 * next turn that does not give them back as the real APIs do.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { SwitchyardError } from '../../src/errors.js';
import type { Simulator } from '../../src/testing/simulator.js';
import type { Router } from '../../src/router/router-api.js';
import type { ChatRequest, Message, StreamEvent, ToolDefinition } from '../../src/types.js';
import { callRouter, toolResultsFor, type CallMode } from '../support/router-calls.js';
import { FAST_POLICIES, nativeProviders } from '../support/sim-config.js';
import { useSimulatorRouter } from '../support/simulator-fixture.js';

let simulator: Simulator;
let router: Router;

const WEATHER: ToolDefinition = { name: 'weather', description: 'Current weather', parameters: { type: 'object', properties: { query: { type: 'string' } } } };

const fixture = useSimulatorRouter({}, ({ url, apiKey: key }) => ({
  providers: {
    ...nativeProviders({ url, apiKey: key }),
    deepseek: { type: 'openai-compatible', apiKey: key, baseUrl: `${url}/v1` },
  },
  routes: {
    claude: { targets: [{ provider: 'anthropic', model: 'claude-sonnet-4-5' }] },
    'claude-then-gemini': { targets: [{ provider: 'anthropic', model: 'claude-opus-4-1' }], fallbacks: ['gemini'] },
    gemini: { targets: [{ provider: 'gemini', model: 'gemini-2.5-flash' }] },
    'gemini-cached': { targets: [{ provider: 'gemini', model: 'gemini-2.5-pro' }], policies: { cache: { ttl: '1m', cacheSampled: true } } },
    deepseek: { targets: [{ provider: 'deepseek', model: 'deepseek-chat' }] },
    o3: { targets: [{ provider: 'openai', model: 'o3-mini' }] },
    gpt4o: { targets: [{ provider: 'openai', model: 'gpt-4o' }] },
  },
  policies: { ...FAST_POLICIES, retry: { ...FAST_POLICIES.retry, attempts: 1 } },
}));
beforeEach(() => {
  ({ simulator, router } = fixture);
});

const call = (mode: CallMode, request: ChatRequest): ReturnType<typeof callRouter> => callRouter(router, mode, request);

/** The body of the last request the simulator received for a model. */
function lastBody(model: string): Record<string, unknown> {
  const request = simulator.requests.filter((entry) => entry.model === model).at(-1);
  return request?.body as Record<string, unknown>;
}

describe.each<CallMode>(['chat', 'stream'])('a tool loop with Anthropic thinking (%s)', (mode) => {
  it('hands back a message with the signed thinking block, which the next turn sends unchanged', async () => {
    const messages: Message[] = [{ role: 'user', content: '!tool Paris' }];
    const request = { model: 'claude', tools: [WEATHER], reasoning: { effort: 'low' as const } };
    const first = await call(mode, { ...request, messages });
    expect(first.response.finishReason).toBe('tool_calls');
    expect(first.response.reasoning).toHaveLength(1);
    const [thinking] = first.response.reasoning;
    expect(thinking).toMatchObject({ type: 'reasoning', provider: 'anthropic', text: 'Thinking about "!tool Paris" before answering.' });
    expect(thinking?.signature).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(first.response.message).toEqual({ role: 'assistant', content: '', toolCalls: first.response.toolCalls, reasoning: first.response.reasoning });
    expect(lastBody('claude-sonnet-4-5').thinking).toEqual({ type: 'enabled', budget_tokens: 1024 });
    if (mode === 'stream') {
      // Reasoning streams first, then the complete part, then the tool call.
      const kinds = first.events.map((event) => event.type);
      expect(kinds.indexOf('reasoning-delta')).toBeGreaterThanOrEqual(0);
      expect(kinds.indexOf('reasoning')).toBeGreaterThan(kinds.lastIndexOf('reasoning-delta'));
      expect(kinds.indexOf('tool-call')).toBeGreaterThan(kinds.indexOf('reasoning'));
      const streamed = first.events.map((event) => (event.type === 'reasoning-delta' ? event.text : '')).join('');
      expect(streamed).toBe(thinking?.text);
    }

    messages.push(first.response.message, ...toolResultsFor(first.response));
    const second = await call(mode, { ...request, messages });
    expect(second.response.finishReason).toBe('stop');
    expect(second.response.text).toBe('Echo: 21 degrees');
    const sentBack = (lastBody('claude-sonnet-4-5').messages as { role: string; content: unknown[] }[])[1];
    expect(sentBack?.content[0]).toEqual({ type: 'thinking', thinking: thinking?.text, signature: thinking?.signature });
    expect(sentBack?.content[1]).toMatchObject({ type: 'tool_use' });
  });

  it('a changed thinking block is refused by the simulator, as Anthropic does (400, invalid_request)', async () => {
    const first = await call(mode, { model: 'claude', tools: [WEATHER], reasoning: { effort: 'low' }, messages: [{ role: 'user', content: '!tool Oslo' }] });
    const tampered: Message = { ...first.response.message, reasoning: first.response.reasoning.map((part) => ({ ...part, text: `${part.text} (edited)` })) };
    const failure = await call(mode, { model: 'claude', tools: [WEATHER], reasoning: { effort: 'low' }, messages: [{ role: 'user', content: '!tool Oslo' }, tampered, ...toolResultsFor(first.response)] }).catch((error: unknown) => error);
    expect(SwitchyardError.isInstance(failure) && failure.category).toBe('invalid_request');
    expect((failure as Error).message).toContain('Invalid `signature` in `thinking` block');
  });
});

describe('the simulator holds the tool-loop rule itself', () => {
  it('answers 400 to a thinking request whose last assistant turn lacks its thinking block', async () => {
    const response = await fetch(`${simulator.url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': simulator.apiKey, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'claude-sonnet-4-5',
        max_tokens: 4096,
        thinking: { type: 'enabled', budget_tokens: 1024 },
        tools: [{ name: 'weather', input_schema: { type: 'object' } }],
        messages: [
          { role: 'user', content: 'Weather?' },
          { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'weather', input: {} }] },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'sunny' }] },
        ],
      }),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { type: string; message: string } };
    expect(body.error.type).toBe('invalid_request_error');
    expect(body.error.message).toContain('Expected `thinking` or `redacted_thinking`, but found `tool_use`');
  });
});

describe.each<CallMode>(['chat', 'stream'])('Gemini thinking (%s)', (mode) => {
  it('shows thought summaries, counts thinking tokens and sends the signature back on the function call', async () => {
    const request = { model: 'gemini', tools: [WEATHER], reasoning: { budgetTokens: 2048 } };
    const messages: Message[] = [{ role: 'user', content: '!tool Rome' }];
    const first = await call(mode, { ...request, messages });
    expect(lastBody('gemini-2.5-flash').generationConfig).toEqual({ thinkingConfig: { thinkingBudget: 2048, includeThoughts: true } });
    expect(first.response.reasoning).toHaveLength(1);
    expect(first.response.reasoning[0]).toMatchObject({ type: 'reasoning', text: 'Thinking about "!tool Rome" before answering.', provider: 'gemini' });
    expect(typeof first.response.reasoning[0]?.signature).toBe('string');
    expect(first.response.usage.reasoningTokens).toBe(6);
    expect(first.response.usage.outputTokens).toBe(12 + 6);
    if (mode === 'stream') expect(first.events.filter((event) => event.type === 'reasoning-delta').map((event) => (event as { text: string }).text).join('')).toBe(first.response.reasoning[0]?.text);

    messages.push(first.response.message, ...toolResultsFor(first.response));
    const second = await call(mode, { ...request, messages });
    expect(second.response.target.provider).toBe('gemini');
    const modelTurn = (lastBody('gemini-2.5-flash').contents as { role: string; parts: Record<string, unknown>[] }[])[1];
    expect(modelTurn?.parts[0]).toMatchObject({ functionCall: { name: 'weather' }, thoughtSignature: first.response.reasoning[0]?.signature });
  });
});

describe.each<CallMode>(['chat', 'stream'])('DeepSeek reasoning_content (%s)', (mode) => {
  it('becomes reasoning, not text, and goes back on the tool-call turn (the simulator refuses the turn without it)', async () => {
    let calls = 0;
    simulator.setBehavior('deepseek-chat', {
      reply: () => {
        calls += 1;
        return calls % 2 === 1
          ? { text: '', toolCalls: [{ id: `call_ds${calls}`, name: 'weather', arguments: { query: 'Lima' } }], finishReason: 'tool_calls' }
          : { text: 'It is 21 degrees in Lima.', toolCalls: [], finishReason: 'stop' };
      },
    });
    const request = { model: 'deepseek', tools: [WEATHER], reasoning: { effort: 'high' as const } };
    const messages: Message[] = [{ role: 'user', content: 'Weather in Lima?' }];
    const first = await call(mode, { ...request, messages });
    expect(lastBody('deepseek-chat').reasoning_effort).toBe('high');
    expect(first.response.text).toBe('');
    expect(first.response.reasoning).toEqual([{ type: 'reasoning', text: 'Thinking about "Weather in Lima?" before answering.', provider: 'openai-compatible' }]);

    messages.push(first.response.message, ...toolResultsFor(first.response));
    const second = await call(mode, { ...request, messages });
    expect(second.response.text).toBe('It is 21 degrees in Lima.');
    const assistant = (lastBody('deepseek-chat').messages as Record<string, unknown>[])[1];
    expect(assistant?.reasoning_content).toBe(first.response.reasoning[0]?.text);

    // Without the reasoning the simulator answers as DeepSeek documents: 400.
    const bare: Message = { role: 'assistant', content: '', toolCalls: first.response.toolCalls };
    const failure = await call(mode, { ...request, messages: [messages[0] as Message, bare, ...toolResultsFor(first.response)] }).catch((error: unknown) => error);
    expect(SwitchyardError.isInstance(failure) && failure.category).toBe('invalid_request');
  });
});

describe('OpenAI reasoning effort and reasoning tokens', () => {
  it('reports reasoning tokens from a reasoning model, and ignores reasoning for a model without it', async () => {
    const o3 = await router.chat({ model: 'o3', reasoning: { effort: 'medium' }, messages: [{ role: 'user', content: 'Think hard' }] });
    expect(lastBody('o3-mini').reasoning_effort).toBe('medium');
    expect(o3.usage.reasoningTokens).toBeGreaterThan(0);
    expect(o3.reasoning).toEqual([]); // Chat Completions shows no reasoning text
    // The simulator, like OpenAI, answers 400 to reasoning_effort for gpt-4o; the adapter leaves it out.
    const gpt4o = await router.chat({ model: 'gpt4o', reasoning: { effort: 'high' }, messages: [{ role: 'user', content: 'Hi' }] });
    expect(gpt4o.text).toBe('Echo: Hi');
    expect(lastBody('gpt-4o')).not.toHaveProperty('reasoning_effort');
    expect(gpt4o.message).toEqual({ role: 'assistant', content: 'Echo: Hi' });
  });
});

describe('a fallback to another provider', () => {
  it('drops the first provider’s reasoning and the conversation goes on', async () => {
    const request = { model: 'claude-then-gemini', tools: [WEATHER], reasoning: { effort: 'low' as const } };
    const messages: Message[] = [{ role: 'user', content: '!tool Madrid' }];
    const first = await router.chat({ ...request, messages });
    expect(first.target.provider).toBe('anthropic');
    messages.push(first.message, ...toolResultsFor(first));

    simulator.enqueueFault('claude-opus-4-1', { kind: 'status', status: 529 }, 3);
    const second = await router.chat({ ...request, messages });
    expect(second.target.provider).toBe('gemini');
    expect(second.route).toBe('gemini');
    const sent = JSON.stringify(lastBody('gemini-2.5-flash'));
    expect(sent).not.toContain(first.reasoning[0]?.signature as string);
    expect(sent).not.toContain('Thinking about');
  });
});

describe('the response cache', () => {
  it('keeps reasoning, so a cached answer hands back the same message; reasoning options are part of the key', async () => {
    const request = { model: 'gemini-cached', tools: [WEATHER], reasoning: { effort: 'low' as const }, messages: [{ role: 'user' as const, content: '!tool Kyiv' }] };
    const fresh = await router.chat(request);
    const cached = await router.chat(request);
    expect(cached.cached).toBe(true);
    expect(cached.reasoning).toEqual(fresh.reasoning);
    expect(cached.message).toEqual(fresh.message);
    expect(simulator.count('gemini-2.5-pro')).toBe(1);
    // A stream served from the cache replays the reasoning as a provider would stream it.
    const replayed: StreamEvent[] = [];
    for await (const event of router.stream(request)) replayed.push(event);
    expect(replayed.map((event) => event.type)).toEqual(['reasoning-delta', 'reasoning', 'tool-call-delta', 'tool-call', 'usage', 'finish']);
    expect(simulator.count('gemini-2.5-pro')).toBe(1);
    // Another effort is another key: the upstream is asked again.
    const other = await router.chat({ ...request, reasoning: { effort: 'high' } });
    expect(other.cached).toBe(false);
    expect(simulator.count('gemini-2.5-pro')).toBe(2);
  });
});
