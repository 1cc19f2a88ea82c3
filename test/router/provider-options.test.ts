/**
 * `providerOptions`, `parallelToolCalls` and `providerMetadata` end to end: through the router to the
 * simulator, which records each request body, and back with the provider's id and headers.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { Router } from '../../src/router/router.js';
import type { Simulator } from '../../src/testing/simulator.js';
import type { ChatRequest, ChatResponse } from '../../src/types.js';
import { FAST_POLICIES, nativeProviders } from '../support/sim-config.js';
import { useSimulatorRouter } from '../support/simulator-fixture.js';

let simulator: Simulator;
let router: Router;

const fixture = useSimulatorRouter({ seed: 11 }, (sim) => ({
  providers: nativeProviders(sim),
  routes: {
    claude: { targets: [{ provider: 'anthropic', model: 'claude-sonnet-4-5' }] },
    gpt: { targets: [{ provider: 'openai', model: 'gpt-4o' }] },
    gemini: { targets: [{ provider: 'gemini', model: 'gemini-2.5-flash' }] },
    // Fails over from Anthropic to OpenAI: each attempt gets its own provider type's options.
    failover: { targets: [{ provider: 'anthropic', model: 'claude-flaky' }], fallbacks: ['gpt'] },
  },
  policies: { ...FAST_POLICIES, retry: { ...FAST_POLICIES.retry, attempts: 1 } },
}));
beforeEach(() => {
  ({ simulator, router } = fixture);
});

const OPTIONS: ChatRequest['providerOptions'] = {
  anthropic: { metadata: { user_id: 'u-42' }, top_k: 5, max_tokens: 77 },
  openai: { seed: 7, user: 'u-42', temperature: 0.1 },
  gemini: { generationConfig: { seed: 3, topK: 9 }, safetySettings: [{ category: 'HARM_CATEGORY_HARASSMENT', threshold: 'BLOCK_NONE' }] },
};
const TOOLS: ChatRequest['tools'] = [{ name: 'lookup', parameters: { type: 'object', properties: {} } }];

function ask(model: string, extra: Partial<ChatRequest> = {}): ChatRequest {
  return { model, messages: [{ role: 'user', content: 'hello' }], temperature: 0.5, maxTokens: 100, providerOptions: OPTIONS, ...extra };
}

function lastBody(): Record<string, unknown> {
  return simulator.requests.at(-1)?.body as Record<string, unknown>;
}

describe('providerOptions reach the serving provider, merged into its body', () => {
  it('anthropic: its own fields only; the explicit option wins over the adapter\'s max_tokens', async () => {
    await router.chat(ask('claude'));
    const body = lastBody();
    expect(body).toMatchObject({ model: 'claude-sonnet-4-5', metadata: { user_id: 'u-42' }, top_k: 5, max_tokens: 77, temperature: 0.5 });
    expect(body).not.toHaveProperty('seed');
    expect(body).not.toHaveProperty('generationConfig');
  });

  it('openai: seed and user sent; its temperature wins over the unified one', async () => {
    await router.chat(ask('gpt'));
    expect(lastBody()).toMatchObject({ model: 'gpt-4o', seed: 7, user: 'u-42', temperature: 0.1 });
  });

  it('gemini: generationConfig merged field by field with the adapter\'s', async () => {
    await router.chat(ask('gemini'));
    const body = lastBody();
    expect(body.generationConfig).toMatchObject({ seed: 3, topK: 9, maxOutputTokens: 100, temperature: 0.5 });
    expect(body.safetySettings).toEqual([{ category: 'HARM_CATEGORY_HARASSMENT', threshold: 'BLOCK_NONE' }]);
  });

  it('streams carry them too', async () => {
    for await (const _event of router.stream(ask('gpt'))) {
      // drain
    }
    expect(lastBody()).toMatchObject({ stream: true, seed: 7 });
  });

  it('a fallback to another provider type sends that type\'s options', async () => {
    simulator.enqueueFault('claude-flaky', { kind: 'status', status: 503 }, 5);
    const response = await router.chat(ask('failover'));
    expect(response.target.provider).toBe('openai');
    const [first, last] = [simulator.requests[0]?.body as Record<string, unknown>, lastBody()];
    expect(first).toMatchObject({ top_k: 5 });
    expect(first).not.toHaveProperty('seed');
    expect(last).toMatchObject({ seed: 7 });
    expect(last).not.toHaveProperty('top_k');
  });

  it('a reserved field is refused before any upstream request', async () => {
    await expect(router.chat(ask('gpt', { providerOptions: { openai: { stream: true } } }))).rejects.toMatchObject({ category: 'invalid_request', field: 'providerOptions.openai.stream' });
    expect(simulator.count()).toBe(0);
  });
});

describe('parallelToolCalls', () => {
  it('openai: parallel_tool_calls', async () => {
    await router.chat(ask('gpt', { tools: TOOLS, parallelToolCalls: false, providerOptions: undefined }));
    expect(lastBody()).toMatchObject({ parallel_tool_calls: false });
  });

  it('anthropic: tool_choice.disable_parallel_tool_use', async () => {
    await router.chat(ask('claude', { tools: TOOLS, toolChoice: 'required', parallelToolCalls: false, providerOptions: undefined }));
    expect(lastBody()).toMatchObject({ tool_choice: { type: 'any', disable_parallel_tool_use: true } });
  });

  it('gemini: no equivalent, nothing sent', async () => {
    await router.chat(ask('gemini', { tools: TOOLS, parallelToolCalls: false, providerOptions: undefined }));
    expect(JSON.stringify(lastBody())).not.toMatch(/parallel/i);
  });
});

async function streamed(request: ChatRequest): Promise<ChatResponse> {
  for await (const event of router.stream(request)) if (event.type === 'finish') return event.response;
  throw new Error('no finish event');
}

describe('providerMetadata', () => {
  it.each(['chat', 'stream'] as const)('anthropic (%s): response id, raw finish reason, request id and rate limits', async (mode) => {
    const request = ask('claude', { providerOptions: undefined });
    const response = mode === 'chat' ? await router.chat(request) : await streamed(request);
    expect(response.providerMetadata).toEqual({
      anthropic: {
        responseId: response.id,
        rawFinishReason: 'end_turn',
        headers: { 'request-id': expect.stringMatching(/^req_/) as unknown, 'anthropic-ratelimit-requests-remaining': '999', 'anthropic-ratelimit-tokens-remaining': '96000' },
      },
    });
  });

  it.each(['chat', 'stream'] as const)('openai (%s): x-request-id and rate limits', async (mode) => {
    const request = ask('gpt', { providerOptions: undefined });
    const response = mode === 'chat' ? await router.chat(request) : await streamed(request);
    expect(response.providerMetadata?.openai).toEqual({
      responseId: response.id,
      rawFinishReason: 'stop',
      headers: { 'x-request-id': expect.stringMatching(/^req_/) as unknown, 'x-ratelimit-remaining-requests': '4999', 'x-ratelimit-remaining-tokens': '799000' },
    });
  });

  it.each(['chat', 'stream'] as const)('gemini (%s): raw finish reason, no headers of interest', async (mode) => {
    const request = ask('gemini', { providerOptions: undefined });
    const response = mode === 'chat' ? await router.chat(request) : await streamed(request);
    expect(response.providerMetadata?.gemini).toMatchObject({ rawFinishReason: 'STOP' });
    expect(response.providerMetadata?.gemini?.headers).toBeUndefined();
  });

  it('never carries the key', async () => {
    const response = await router.chat(ask('gpt', { providerOptions: undefined }));
    expect(JSON.stringify(response.providerMetadata)).not.toContain(simulator.apiKey);
  });
});
