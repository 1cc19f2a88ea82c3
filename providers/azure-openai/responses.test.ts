/**
 * `type: azure-openai` with `api: responses` over real sockets against the simulator's Azure
 * Responses endpoints: the URL per `apiVersion`, the `api-key` header, the deployment as `model`,
 * chat, stream, a tool turn, Azure's errors, embeddings left on the deployment path, and the config
 * accepting the field through the router.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/config-error.js';
import { parseConfig } from '../../src/config/load.js';
import { createRouter } from '../../src/create-router.js';
import { SwitchyardError } from '../../src/errors.js';
import type { HttpTransport } from '../../src/http/transport.js';
import type { AdapterCall, ProviderSettings } from '../../src/provider-spec.js';
import type { Simulator } from '../../src/testing/simulator.js';
import type { ChatRequest } from '../../src/types.js';
import { useSimulatorWithTransport } from '../../test/support/simulator-fixture.js';
import { FAST_POLICIES } from '../../test/support/sim-config.js';
import { collect } from '../openai/test-helpers.js';
import { AZURE_DEFAULT_API_VERSION, createAzureOpenAIAdapter } from './index.js';
import { azureResponsesUrl } from './responses.js';

const KEY = 'azure-key-5f1e9c2b7d4a8e6f0b3c';
const TOOLS: ChatRequest['tools'] = [{ name: 'weather', description: 'Weather now', parameters: { type: 'object', properties: { query: { type: 'string' } } } }];

const fixture = useSimulatorWithTransport({ apiKey: KEY });
let simulator: Simulator;
let transport: HttpTransport;
beforeEach(() => ({ simulator, transport } = fixture));

function adapter(overrides: Partial<ProviderSettings> = {}) {
  const settings: ProviderSettings = { id: 'azure-resp', type: 'azure-openai', api: 'responses', apiKey: KEY, baseUrl: simulator.url, headers: {}, defaultMaxTokens: 256, ...overrides };
  return createAzureOpenAIAdapter({ settings, transport });
}

function call(request: Partial<ChatRequest> = {}, deployment = 'gpt41-eastus'): AdapterCall {
  return { request: { model: 'route', messages: [{ role: 'user', content: 'hello over azure' }], ...request }, model: deployment, signal: new AbortController().signal, firstByteTimeoutMs: 0, idleTimeoutMs: 0 };
}

async function rejection(promise: Promise<unknown>): Promise<SwitchyardError> {
  try {
    await promise;
  } catch (error) {
    if (SwitchyardError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('azureResponsesUrl', () => {
  it.each([
    [undefined, 'https://res.openai.azure.com/openai/v1/responses'],
    ['v1', 'https://res.openai.azure.com/openai/v1/responses'],
    ['preview', 'https://res.openai.azure.com/openai/v1/responses?api-version=preview'],
    ['2025-04-01-preview', 'https://res.openai.azure.com/openai/responses?api-version=2025-04-01-preview'],
  ])('apiVersion %s → %s', (apiVersion, url) => {
    expect(azureResponsesUrl('https://res.openai.azure.com', apiVersion)).toBe(url);
  });
});

describe('azure-openai with api: responses against the simulator', () => {
  it('posts to /openai/v1/responses with api-key and the deployment as model, and reads the answer', async () => {
    const result = await adapter().doChat(call({ system: 'Be brief.' }));
    const request = simulator.requests.at(-1);
    expect(request).toMatchObject({ format: 'azure-openai-responses', path: '/openai/v1/responses', model: 'gpt41-eastus', status: 200 });
    expect(request?.headers['api-key']).toBe(KEY);
    expect(request?.headers.authorization).toBeUndefined();
    expect(request?.body).toMatchObject({ model: 'gpt41-eastus', instructions: 'Be brief.', store: false, max_output_tokens: 256 });
    expect(result).toMatchObject({ text: 'Echo: hello over azure', finishReason: 'stop', rawFinishReason: 'completed', servedModel: 'gpt41-eastus' });
    expect(result.providerMetadata?.['azure-openai']).toMatchObject({ responseId: result.id, headers: { 'apim-request-id': expect.stringMatching(/-apim$/) as unknown } });
  });

  it('streams the answer as Responses events: text deltas, usage and finish', async () => {
    const parts = await collect(await adapter().doStream(call()));
    expect(simulator.requests.at(-1)).toMatchObject({ format: 'azure-openai-responses', stream: true, path: '/openai/v1/responses' });
    expect(parts[0]).toMatchObject({ type: 'response-metadata', servedModel: 'gpt41-eastus' });
    expect(parts.filter((part) => part.type === 'text-delta').map((part) => part.text).join('')).toBe('Echo: hello over azure');
    expect(parts.find((part) => part.type === 'usage')).toMatchObject({ usage: { outputTokens: 4 } });
    expect(parts.at(-1)).toEqual({ type: 'finish', finishReason: 'stop', rawFinishReason: 'completed' });
  });

  it('uses the older preview path with a dated apiVersion, which the simulator requires there', async () => {
    await adapter({ apiVersion: '2025-04-01-preview' }).doChat(call());
    expect(simulator.requests.at(-1)?.path).toBe('/openai/responses?api-version=2025-04-01-preview');
    const bare = await fetch(`${simulator.url}/openai/responses`, { method: 'POST', headers: { 'content-type': 'application/json', 'api-key': KEY }, body: JSON.stringify({ model: 'd', input: 'hi' }) });
    expect(bare.status).toBe(400);
    expect(await bare.text()).toContain("'api-version'");
  });

  it('hands back a tool call, and the next turn with its output is accepted (stream)', async () => {
    const parts = await collect(await adapter().doStream(call({ messages: [{ role: 'user', content: '!tool Oslo' }], tools: TOOLS })));
    const toolCalls = parts.flatMap((part) => (part.type === 'tool-call' ? [part.toolCall] : []));
    expect(toolCalls).toEqual([{ id: expect.stringMatching(/^call_/) as unknown, name: 'weather', arguments: { query: 'Oslo' } }]);
    const history: ChatRequest['messages'] = [
      { role: 'user', content: '!tool Oslo' },
      { role: 'assistant', content: '', toolCalls },
      { role: 'tool', toolCallId: toolCalls[0]?.id ?? '', content: 'snow' },
    ];
    expect(await adapter().doChat(call({ messages: history, tools: TOOLS }))).toMatchObject({ text: 'Echo: snow', finishReason: 'stop' });
  });

  it('maps Azure\'s errors: a wrong key, a prompt stopped by the content filter; never showing the key', async () => {
    const unauthorized = await rejection(adapter({ apiKey: 'azure-key-wrong-0000000000' }).doChat(call()));
    expect(unauthorized).toMatchObject({ category: 'auth', status: 401 });
    simulator.enqueueFault('dep-cf', { kind: 'status', status: 400, message: "The response was filtered due to the prompt triggering Azure OpenAI's content management policy." });
    const filtered = await rejection(adapter().doChat(call({}, 'dep-cf')));
    expect(filtered).toMatchObject({ category: 'content_filter', status: 400, providerCode: 'content_filter', retryable: false });
    for (const error of [unauthorized, filtered]) expect(JSON.stringify({ message: error.message, cause: String(error.cause) })).not.toContain(KEY);
  });

  it('keeps embeddings on the deployment path: the default api-version, or a dated configured one', async () => {
    await adapter().doEmbed?.({ inputs: ['a text'], model: 'embed-dep', signal: new AbortController().signal, firstByteTimeoutMs: 0, idleTimeoutMs: 0 });
    await adapter({ apiVersion: '2025-04-01-preview' }).doEmbed?.({ inputs: ['a text'], model: 'embed-dep', signal: new AbortController().signal, firstByteTimeoutMs: 0, idleTimeoutMs: 0 });
    expect(simulator.requests.map((request) => [request.format, request.path, request.headers['api-key']])).toEqual([
      ['azure-openai', `/openai/deployments/embed-dep/embeddings?api-version=${AZURE_DEFAULT_API_VERSION}`, KEY],
      ['azure-openai', '/openai/deployments/embed-dep/embeddings?api-version=2025-04-01-preview', KEY],
    ]);
  });
});

describe('api: responses for azure-openai in the config', () => {
  it('is accepted and routes chat and stream through the Responses API', async () => {
    const router = createRouter({
      providers: { azure: { type: 'azure-openai', api: 'responses', apiKey: KEY, baseUrl: simulator.url } },
      routes: { chat: { targets: [{ provider: 'azure', model: 'gpt41-deployment' }] } },
      policies: FAST_POLICIES,
    });
    try {
      const answer = await router.chat({ model: 'chat', messages: [{ role: 'user', content: 'via the router' }] });
      expect(answer.text).toBe('Echo: via the router');
      let streamed = '';
      for await (const event of router.stream({ model: 'chat', messages: [{ role: 'user', content: 'streamed too' }] })) if (event.type === 'finish') streamed = event.response.text;
      expect(streamed).toBe('Echo: streamed too');
      expect(simulator.requests.map((request) => [request.format, request.path, request.stream])).toEqual([
        ['azure-openai-responses', '/openai/v1/responses', false],
        ['azure-openai-responses', '/openai/v1/responses', true],
      ]);
    } finally {
      await router.close();
    }
  });

  it('sends each key of a pool in api-key, dropping one answered 401', async () => {
    const revoked = 'azure-key-revoked-99999999999';
    const router = createRouter({
      providers: { azure: { type: 'azure-openai', api: 'responses', apiKeys: [revoked, KEY], baseUrl: simulator.url } },
      routes: { chat: { targets: [{ provider: 'azure', model: 'gpt41-deployment' }] } },
      policies: FAST_POLICIES,
    });
    try {
      for (const text of ['one', 'two', 'three']) expect((await router.chat({ model: 'chat', messages: [{ role: 'user', content: text }] })).text).toBe(`Echo: ${text}`);
      const sent = simulator.requests.map((request) => [request.headers['api-key'], request.headers.authorization]);
      expect(sent.filter(([key]) => key === KEY)).toHaveLength(3);
      expect(sent.every(([key, authorization]) => (key === KEY || key === revoked) && authorization === undefined)).toBe(true);
    } finally {
      await router.close();
    }
  });

  it('refuses a dated apiVersion older than the Responses API at its YAML path, and takes newer or v1 names', () => {
    const problemsOf = (apiVersion: string, api = 'responses'): ConfigError['problems'] => {
      try {
        parseConfig(`providers:\n  az:\n    type: azure-openai\n    apiKey: k\n    baseUrl: https://res.openai.azure.com\n    api: ${api}\n    apiVersion: ${apiVersion}\n`, { env: {}, sourceName: 'test.yaml' });
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        return error.problems;
      }
      return [];
    };
    expect(problemsOf('2024-10-21')).toEqual([{ path: 'providers.az.apiVersion', message: expect.stringContaining('2025-03-01-preview') as unknown, line: 7 }]);
    expect(problemsOf('2025-02-01-preview')).toHaveLength(1);
    for (const accepted of ['2025-03-01-preview', '2025-04-01-preview', 'v1', 'preview']) expect(problemsOf(accepted)).toEqual([]);
    // Chat Completions has served dated versions for years: the floor is the Responses API's alone.
    expect(problemsOf('2024-10-21', 'chat-completions')).toEqual([]);
  });

  it('refuses an API Azure does not serve, naming the allowed ones at the YAML path', () => {
    let problems: ConfigError['problems'] = [];
    try {
      parseConfig('providers:\n  az:\n    type: azure-openai\n    apiKey: k\n    baseUrl: https://res.openai.azure.com\n    api: converse\n', { env: {}, sourceName: 'test.yaml' });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems = error.problems;
    }
    expect(problems).toEqual([{ path: 'providers.az.api', message: expect.stringContaining('chat-completions | responses') as unknown, line: 6 }]);
  });
});
