/**
 * The OpenAI Responses API (`type: openai`, `api: responses`) through the router, against the
 * simulator: a tool loop with encrypted reasoning written as `messages.push(res.message, ...)`,
 * which the simulator refuses when the reasoning item does not come back; reasoning that crosses
 * provider types; structured output; usage and cost; and the config field's checks.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/config-error.js';
import { parseConfig } from '../../src/config/load.js';
import type { SwitchyardConfigInput } from '../../src/config/index.js';
import { costOf } from '../../src/pricing.js';
import type { Router } from '../../src/router/router-api.js';
import type { Simulator } from '../../src/testing/simulator.js';
import type { ChatRequest, Message, ToolDefinition } from '../../src/types.js';
import { failure } from '../support/failure.js';
import { callRouter, toolResultsFor, type CallMode } from '../support/router-calls.js';
import { FAST_POLICIES } from '../support/sim-config.js';
import { useSimulatorRouter } from '../support/simulator-fixture.js';

let simulator: Simulator;
let router: Router;
let config: SwitchyardConfigInput;

const WEATHER: ToolDefinition = { name: 'weather', description: 'Current weather', parameters: { type: 'object', properties: { query: { type: 'string' } } } };

const fixture = useSimulatorRouter({}, ({ url, apiKey: key }) => {
  config = {
    providers: {
      responses: { type: 'openai', api: 'responses', apiKey: key, baseUrl: `${url}/v1` },
      anthropic: { type: 'anthropic', apiKey: key, baseUrl: url },
    },
    routes: {
      o4: { targets: [{ provider: 'responses', model: 'o4-mini' }] },
      gpt41: { targets: [{ provider: 'responses', model: 'gpt-4.1' }] },
      claude: { targets: [{ provider: 'anthropic', model: 'claude-sonnet-4-5' }] },
    },
    pricing: { 'responses/o4-mini': { input: 1.1, output: 4.4, cacheRead: 0.275 } },
    policies: { ...FAST_POLICIES, retry: { ...FAST_POLICIES.retry, attempts: 1 } },
  };
  return config;
});
beforeEach(() => {
  ({ simulator, router } = fixture);
});

const call = (mode: CallMode, request: ChatRequest): ReturnType<typeof callRouter> => callRouter(router, mode, request);

function lastBody(model: string): Record<string, unknown> {
  return simulator.requests.filter((entry) => entry.model === model).at(-1)?.body as Record<string, unknown>;
}

describe.each<CallMode>(['chat', 'stream'])('a Responses API tool loop with reasoning (%s)', (mode) => {
  it('hands back a message whose encrypted reasoning the next turn sends unchanged', async () => {
    const request = { model: 'o4', tools: [WEATHER], reasoning: { effort: 'low' as const } };
    const messages: Message[] = [{ role: 'user', content: '!tool Paris' }];
    const first = await call(mode, { ...request, messages });
    expect(first.response.finishReason).toBe('tool_calls');
    expect(first.response.reasoning).toEqual([{ type: 'reasoning', text: 'Thinking about "!tool Paris" before answering.', signature: expect.any(String) as unknown, provider: 'openai-responses' }]);
    expect(first.response.message).toEqual({ role: 'assistant', content: '', toolCalls: first.response.toolCalls, reasoning: first.response.reasoning });
    expect(first.response.usage.reasoningTokens).toBeGreaterThan(0);
    expect(first.response.providerMetadata?.openai?.responseId).toMatch(/^resp_/);
    if (mode === 'stream') {
      const kinds = first.events.map((event) => event.type);
      expect(kinds.indexOf('reasoning')).toBeGreaterThan(kinds.lastIndexOf('reasoning-delta'));
      expect(kinds.indexOf('tool-call')).toBeGreaterThan(kinds.indexOf('reasoning'));
    }

    messages.push(first.response.message, ...toolResultsFor(first.response));
    const second = await call(mode, { ...request, messages });
    expect(second.response).toMatchObject({ text: 'Echo: 21 degrees', finishReason: 'stop' });
    const input = lastBody('o4-mini').input as Record<string, unknown>[];
    expect(input.map((item) => item.type ?? item.role)).toEqual(['message', 'reasoning', 'function_call', 'function_call_output']);
    expect(input[1]).toMatchObject({ type: 'reasoning', id: expect.stringMatching(/^rs_/) as unknown, encrypted_content: expect.stringMatching(/^gAAAAA/) as unknown });
    expect(lastBody('o4-mini')).toMatchObject({ store: false, include: ['reasoning.encrypted_content'] });
  });

  it('is refused (invalid_request, from the simulator) when the next turn drops the reasoning', async () => {
    const request = { model: 'o4', tools: [WEATHER], reasoning: { effort: 'low' as const } };
    const first = await call(mode, { ...request, messages: [{ role: 'user', content: '!tool Oslo' }] });
    const { reasoning: _dropped, ...withoutReasoning } = first.response.message;
    const error = await failure(call(mode, { ...request, messages: [{ role: 'user', content: '!tool Oslo' }, withoutReasoning, ...toolResultsFor(first.response)] }));
    expect(error.category).toBe('invalid_request');
    expect(error.message).toMatch(/without its required 'reasoning' item/);
  });
});

describe('reasoning across provider types', () => {
  it('never sends Anthropic thinking to the Responses API, nor Responses reasoning to Anthropic', async () => {
    const claude = await router.chat({ model: 'claude', reasoning: { effort: 'low' }, messages: [{ role: 'user', content: 'Think first.' }] });
    expect(claude.reasoning[0]?.provider).toBe('anthropic');
    await router.chat({ model: 'gpt41', messages: [{ role: 'user', content: 'Think first.' }, claude.message, { role: 'user', content: 'And now?' }] });
    const toResponses = lastBody('gpt-4.1');
    expect((toResponses.input as Record<string, unknown>[]).some((item) => item.type === 'reasoning')).toBe(false);
    expect(toResponses).not.toHaveProperty('include');

    const o4 = await router.chat({ model: 'o4', reasoning: { effort: 'low' }, messages: [{ role: 'user', content: 'Think first.' }] });
    expect(o4.reasoning[0]?.provider).toBe('openai-responses');
    const answer = await router.chat({ model: 'claude', messages: [{ role: 'user', content: 'Think first.' }, o4.message, { role: 'user', content: 'And now?' }] });
    expect(answer.finishReason).toBe('stop');
    const assistant = (lastBody('claude-sonnet-4-5').messages as { role: string; content: unknown }[])[1];
    expect(JSON.stringify(assistant?.content)).not.toContain('thinking');
  });
});

describe('structured output, usage and cost through the Responses API', () => {
  it('returns the parsed object of a json_schema answer', async () => {
    const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false };
    const response = await router.chat({ model: 'gpt41', responseFormat: { type: 'json_schema', name: 'place', schema, strict: true }, messages: [{ role: 'user', content: 'Where?' }] });
    expect(response.object).toEqual({ city: expect.any(String) as unknown });
    expect(lastBody('gpt-4.1').text).toEqual({ format: { type: 'json_schema', name: 'place', schema, strict: true } });
  });

  it('asks for JSON mode with json_object, which the API allows only when the input mentions JSON', async () => {
    const response = await router.chat({ model: 'gpt41', responseFormat: { type: 'json' }, messages: [{ role: 'user', content: 'Answer in JSON: Paris' }] });
    expect(typeof response.object).toBe('object');
    expect(lastBody('gpt-4.1').text).toEqual({ format: { type: 'json_object' } });
    const error = await failure(router.chat({ model: 'gpt41', responseFormat: { type: 'json' }, messages: [{ role: 'user', content: 'Paris' }] }));
    expect(error.category).toBe('invalid_request');
  });

  it('reports the simulator usage and prices it, reasoning as output', async () => {
    const response = await router.chat({ model: 'o4', reasoning: { effort: 'high' }, messages: [{ role: 'user', content: 'one two three' }] });
    const { usage } = response;
    expect(usage.outputTokens).toBeGreaterThan(usage.reasoningTokens ?? 0);
    expect(usage.totalTokens).toBe(usage.inputTokens + usage.outputTokens);
    const pricing = parseConfig(JSON.stringify(config), { env: {} }).pricing;
    expect(costOf(pricing, response.target, usage)).toBeCloseTo((usage.inputTokens * 1.1 + usage.outputTokens * 4.4) / 1e6, 12);
  });
});

describe('provider options on the Responses API', () => {
  it('refuses input, which carries the conversation, naming the field', async () => {
    const error = await failure(router.chat({ model: 'gpt41', messages: [{ role: 'user', content: 'hi' }], providerOptions: { openai: { input: [] } } }));
    expect(error).toMatchObject({ category: 'invalid_request', field: 'providerOptions.openai.input' });
  });
});

describe('the api field', () => {
  function problems(yaml: string): ConfigError['problems'] {
    try {
      parseConfig(yaml, { env: {}, sourceName: 'test.yaml' });
    } catch (error) {
      if (error instanceof ConfigError) return error.problems;
      throw error;
    }
    throw new Error('expected the config to be refused');
  }

  it('is refused for types other than openai and bedrock, and for values of another type, at its YAML path', () => {
    expect(problems('providers:\n  claude:\n    type: anthropic\n    apiKey: k\n    api: responses\n')).toEqual([{ path: 'providers.claude.api', message: expect.stringMatching(/^only for type/) as unknown, line: 5 }]);
    expect(problems('providers:\n  oa:\n    type: openai\n    apiKey: k\n    api: converse\n')).toEqual([{ path: 'providers.oa.api', message: expect.stringContaining('chat-completions | responses') as unknown, line: 5 }]);
  });
});
