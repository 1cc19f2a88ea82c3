/**
 * The Responses API adapter (`type: openai`, `api: responses`) over real sockets against the
 * simulator's Responses format: requests it accepts, answers, streams, errors, embeddings, and the
 * simulator's own checks of encrypted reasoning given back.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { beforeEach, describe, expect, it } from 'vitest';
import type { HttpTransport } from '../../../src/http/transport.js';
import type { AdapterCall, AdapterResult, ProviderAdapter, ProviderSettings } from '../../../src/provider-spec.js';
import type { Simulator } from '../../../src/testing/simulator.js';
import type { ChatRequest, ReasoningPart } from '../../../src/types.js';
import { useSimulatorWithTransport } from '../../../test/support/simulator-fixture.js';
import { collect } from '../test-helpers.js';
import { createOpenAIAdapter } from '../index.js';
import { failure } from '../../../test/support/failure.js';
import { responsesFixture } from './test-fixtures.js';

const KEY = 'sk-proj-Rx8mQ2vN7kL4pW9tY3bH6jF1';
const TOOLS: ChatRequest['tools'] = [{ name: 'weather', description: 'Weather now', parameters: { type: 'object', properties: { query: { type: 'string' } } } }];

let simulator: Simulator;
let transport: HttpTransport;
let adapter: ProviderAdapter;

function settings(overrides: Partial<ProviderSettings> = {}): ProviderSettings {
  return { id: 'openai-responses', type: 'openai', api: 'responses', apiKey: KEY, baseUrl: `${simulator.url}/v1`, headers: {}, defaultMaxTokens: 256, ...overrides };
}

function call(request: Partial<ChatRequest>, model = 'gpt-4.1'): AdapterCall {
  return { request: { model: 'route', messages: [{ role: 'user', content: 'hello there friend' }], ...request }, model, signal: new AbortController().signal, firstByteTimeoutMs: 0, idleTimeoutMs: 0 };
}

function lastBody(): Record<string, unknown> {
  return simulator.requests.at(-1)?.body as Record<string, unknown>;
}

const fixture = useSimulatorWithTransport({ apiKey: KEY });
beforeEach(() => {
  ({ simulator, transport } = fixture);
  adapter = createOpenAIAdapter({ settings: settings(), transport });
});

describe('the Responses adapter against the simulator', () => {
  it('posts to /v1/responses with the bearer key and reads the answer, metadata included', async () => {
    const result = await adapter.doChat(call({ system: 'Be brief.' }));
    const request = simulator.requests.at(-1);
    expect(request).toMatchObject({ format: 'openai-responses', path: '/v1/responses', status: 200 });
    expect(request?.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(lastBody()).toMatchObject({ model: 'gpt-4.1', instructions: 'Be brief.', store: false, max_output_tokens: 256 });
    expect(result).toMatchObject({ text: 'Echo: hello there friend', finishReason: 'stop', rawFinishReason: 'completed', servedModel: 'gpt-4.1', usage: { outputTokens: 4 } });
    expect(result.id).toMatch(/^resp_/);
    expect(result.providerMetadata?.openai).toMatchObject({ responseId: result.id, rawFinishReason: 'completed', headers: { 'x-request-id': expect.stringMatching(/^req_/) as unknown } });
  });

  it('streams the same answer as text deltas, usage and finish', async () => {
    const parts = await collect(await adapter.doStream(call({})));
    expect(parts[0]).toMatchObject({ type: 'response-metadata', servedModel: 'gpt-4.1', providerMetadata: { openai: { headers: { 'x-request-id': expect.any(String) as unknown } } } });
    expect(parts.filter((part) => part.type === 'text-delta').map((part) => part.text).join('')).toBe('Echo: hello there friend');
    expect(parts.at(-1)).toEqual({ type: 'finish', finishReason: 'stop', rawFinishReason: 'completed' });
    expect(lastBody()).toMatchObject({ stream: true });
  });

  it.each(['chat', 'stream'] as const)('hands back a tool call with its reasoning, and the next turn with both is accepted (%s)', async (mode) => {
    const first: AdapterResult | undefined =
      mode === 'chat'
        ? await adapter.doChat(call({ messages: [{ role: 'user', content: '!tool Paris' }], tools: TOOLS, reasoning: { effort: 'low' } }, 'o4-mini'))
        : undefined;
    let toolCalls = first?.toolCalls ?? [];
    let reasoning: readonly ReasoningPart[] = first?.reasoning ?? [];
    if (mode === 'stream') {
      const parts = await collect(await adapter.doStream(call({ messages: [{ role: 'user', content: '!tool Paris' }], tools: TOOLS, reasoning: { effort: 'low' } }, 'o4-mini')));
      toolCalls = parts.flatMap((part) => (part.type === 'tool-call' ? [part.toolCall] : []));
      reasoning = parts.flatMap((part) => (part.type === 'reasoning' ? [part.part] : []));
      expect(parts.filter((part) => part.type === 'reasoning-delta').map((part) => part.text).join('')).toBe(reasoning[0]?.text);
    }
    expect(lastBody()).toMatchObject({ reasoning: { effort: 'low', summary: 'auto' }, include: ['reasoning.encrypted_content'], store: false });
    expect(toolCalls).toEqual([{ id: expect.stringMatching(/^call_/) as unknown, name: 'weather', arguments: { query: 'Paris' } }]);
    expect(reasoning).toEqual([{ type: 'reasoning', text: 'Thinking about "!tool Paris" before answering.', signature: expect.any(String) as unknown, provider: 'openai-responses' }]);
    const history: ChatRequest['messages'] = [
      { role: 'user', content: '!tool Paris' },
      { role: 'assistant', content: '', toolCalls, reasoning },
      { role: 'tool', toolCallId: toolCalls[0]?.id ?? '', content: '21 degrees' },
    ];
    const second = await adapter.doChat(call({ messages: history, tools: TOOLS, reasoning: { effort: 'low' } }, 'o4-mini'));
    expect(second).toMatchObject({ text: 'Echo: 21 degrees', finishReason: 'stop' });
    expect((lastBody().input as unknown[])[1]).toMatchObject({ type: 'reasoning', id: expect.stringMatching(/^rs_/) as unknown, encrypted_content: expect.stringMatching(/^gAAAAA/) as unknown });
  });

  it('is refused by the simulator when the reasoning of a tool turn is dropped, altered or sent without encrypted content', async () => {
    const first = await adapter.doChat(call({ messages: [{ role: 'user', content: '!tool Rome' }], tools: TOOLS, reasoning: { effort: 'medium' } }, 'o3'));
    const toolCall = first.toolCalls[0];
    const part = first.reasoning?.[0];
    if (toolCall === undefined || part?.signature === undefined) throw new Error('expected a tool call with reasoning');
    const turn = (reasoning: ReasoningPart[] | undefined): ChatRequest['messages'] => [
      { role: 'user', content: '!tool Rome' },
      { role: 'assistant', content: '', toolCalls: [toolCall], ...(reasoning === undefined ? {} : { reasoning }) },
      { role: 'tool', toolCallId: toolCall.id, content: 'sunny' },
    ];
    const next = (reasoning: ReasoningPart[] | undefined): Promise<AdapterResult> => adapter.doChat(call({ messages: turn(reasoning), tools: TOOLS, reasoning: { effort: 'medium' } }, 'o3'));

    const dropped = await failure(next(undefined));
    expect(dropped).toMatchObject({ category: 'invalid_request', status: 400 });
    expect(dropped.message).toMatch(/without its required 'reasoning' item/);

    const packed = JSON.parse(part.signature) as { id: string; encrypted_content: string };
    const altered = await failure(next([{ ...part, signature: JSON.stringify({ ...packed, encrypted_content: `${packed.encrypted_content.slice(0, -4)}AAAA` }) }]));
    expect(altered).toMatchObject({ category: 'invalid_request', status: 400, providerCode: 'invalid_encrypted_content' });
    expect(altered.message).toContain(`The encrypted content for item ${packed.id} could not be verified.`);

    // A part from another provider type is never sent: the turn then lacks its reasoning item.
    expect((await failure(next([{ ...part, provider: 'anthropic' }]))).message).toMatch(/without its required 'reasoning' item/);
    expect(await next([part])).toMatchObject({ text: 'Echo: sunny', finishReason: 'stop' });
  });

  it('answers structured output with JSON following the schema', async () => {
    const schema = { type: 'object', properties: { city: { type: 'string' }, degrees: { type: 'number' } }, required: ['city', 'degrees'], additionalProperties: false };
    const result = await adapter.doChat(call({ responseFormat: { type: 'json_schema', name: 'weather', schema, strict: true } }));
    expect(lastBody()).toMatchObject({ text: { format: { type: 'json_schema', name: 'weather', schema, strict: true } } });
    expect(JSON.parse(result.text)).toEqual({ city: expect.any(String) as unknown, degrees: expect.any(Number) as unknown });
  });

  it('maps an answer cut by max_output_tokens to length', async () => {
    const words = Array.from({ length: 30 }, (_, index) => `word${index}`).join(' ');
    const result = await adapter.doChat(call({ messages: [{ role: 'user', content: words }], maxTokens: 16 }));
    expect(result).toMatchObject({ finishReason: 'length', rawFinishReason: 'max_output_tokens' });
  });

  it('maps HTTP errors through the OpenAI error mapping, without the key', async () => {
    simulator.enqueueFault('gpt-4.1', { kind: 'status', status: 429, retryAfterSeconds: 2 });
    const limited = await failure(adapter.doChat(call({})));
    expect(limited).toMatchObject({ category: 'rate_limit', status: 429, retryAfterMs: 2000, provider: 'openai-responses', model: 'gpt-4.1' });
    const wrongKey = createOpenAIAdapter({ settings: settings({ apiKey: 'sk-proj-Wrong7kL4pW9tY3bH6jF1xQ2' }), transport });
    const auth = await failure(wrongKey.doChat(call({})));
    expect(auth).toMatchObject({ category: 'auth', status: 401 });
    expect(auth.message).not.toContain('sk-proj-Wrong7kL4pW9tY3bH6jF1xQ2');
  });

  it('ends a stream with the error event it carries, and a cut stream with a network error', async () => {
    simulator.enqueueFault('gpt-4.1', { kind: 'stream-error', status: 500, afterChunks: 3 });
    const failed = await failure(collect(await adapter.doStream(call({}))));
    expect(failed).toMatchObject({ category: 'server', provider: 'openai-responses' });
    simulator.enqueueFault('gpt-4.1', { kind: 'cut-stream', afterChunks: 4 });
    const cut = await failure(collect(await adapter.doStream(call({}))));
    expect(cut).toMatchObject({ category: 'network' });
  });

  it('passes provider options through and refuses stop sequences before sending', async () => {
    await adapter.doChat(call({ providerOptions: { openai: { truncation: 'auto', metadata: { ticket: '42' } } } }));
    expect(lastBody()).toMatchObject({ truncation: 'auto', metadata: { ticket: '42' } });
    const count = simulator.requests.length;
    expect(await failure(adapter.doChat(call({ stop: ['END'] })))).toMatchObject({ category: 'invalid_request', field: 'stop' });
    expect(simulator.requests).toHaveLength(count);
  });

  it('replays a whole JSON answer to a stream request (a proxy that ignored stream: true) as a stream', async () => {
    const server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(responsesFixture('function-call.response.json'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const proxy = createOpenAIAdapter({ settings: settings({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1` }), transport });
      const parts = await collect(await proxy.doStream(call({})));
      expect(parts.map((part) => part.type)).toEqual(['response-metadata', 'tool-call-delta', 'tool-call', 'usage', 'finish']);
      expect(parts.at(-1)).toEqual({ type: 'finish', finishReason: 'tool_calls', rawFinishReason: 'completed' });
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('keeps embeddings on /v1/embeddings', async () => {
    const result = await adapter.doEmbed?.({ inputs: ['a', 'b'], model: 'text-embedding-3-small', signal: new AbortController().signal, firstByteTimeoutMs: 0, idleTimeoutMs: 0 });
    expect(result?.embeddings).toHaveLength(2);
    expect(simulator.requests.at(-1)?.path).toBe('/v1/embeddings');
  });
});

describe('the simulated Responses API', () => {
  async function post(body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
    const response = await fetch(`${simulator.url}/v1/responses`, { method: 'POST', headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  }

  it('refuses what the API refuses: unknown parameters, encrypted reasoning for models without it, a reasoning item it cannot find', async () => {
    expect(await post({ model: 'gpt-4.1', input: 'hi', stop: ['x'] })).toMatchObject({ status: 400, json: { error: { message: "Unknown parameter: 'stop'." } } });
    expect(await post({ model: 'gpt-4.1', input: 'hi', include: ['reasoning.encrypted_content'] })).toMatchObject({ status: 400, json: { error: { message: 'Encrypted content is not supported with this model.' } } });
    const missing = await post({ model: 'o3', store: false, input: [{ type: 'reasoning', id: 'rs_1', summary: [] }, { role: 'user', content: 'hi' }] });
    expect(missing.status).toBe(404);
    expect(missing.json).toMatchObject({ error: { message: expect.stringMatching(/^Item with id 'rs_1' not found\. Items are not persisted when `store` is set to false/) as unknown } });
    expect(await post({ model: 'gpt-4.1', input: 'hi', text: { format: { type: 'json_object' } } })).toMatchObject({ status: 400, json: { error: { message: expect.stringMatching(/must contain the word 'json'/) as unknown } } });
  });
});
