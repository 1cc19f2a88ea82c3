import { beforeEach, describe, expect, it } from 'vitest';
import { SwitchyardError } from '../../src/errors.js';
import type { HttpTransport } from '../../src/http/transport.js';
import type { AdapterCall, AdapterStreamPart, ProviderAdapter, ProviderSettings } from '../../src/provider-spec.js';
import type { Simulator, SimRequestRecord } from '../../src/testing/simulator.js';
import type { ChatRequest } from '../../src/types.js';
import { useSimulatorWithTransport } from '../../test/support/simulator-fixture.js';
import { createGeminiAdapter } from './index.js';

const MODEL = 'gemini-2.5-flash';
const searchTool = { name: 'search', description: 'Search the web', parameters: { type: 'object', properties: { query: { type: 'string' } } } };

const fixture = useSimulatorWithTransport();
let simulator: Simulator;
let transport: HttpTransport;
beforeEach(() => ({ simulator, transport } = fixture));

function adapterWith(settings: Partial<ProviderSettings> = {}): ProviderAdapter {
  return createGeminiAdapter({
    settings: { id: 'google', type: 'gemini', apiKey: simulator.apiKey, baseUrl: simulator.url, headers: {}, defaultMaxTokens: 1024, ...settings },
    transport,
  });
}

function call(request: Partial<ChatRequest>, options: { model?: string; signal?: AbortSignal } = {}): AdapterCall {
  return {
    request: { model: 'route', messages: [{ role: 'user', content: 'hello there world' }], ...request },
    model: options.model ?? MODEL,
    signal: options.signal ?? new AbortController().signal,
    firstByteTimeoutMs: 5_000,
    idleTimeoutMs: 5_000,
  };
}

async function collect(stream: AsyncIterable<AdapterStreamPart>): Promise<AdapterStreamPart[]> {
  const parts: AdapterStreamPart[] = [];
  for await (const part of stream) parts.push(part);
  return parts;
}

async function caught(run: () => Promise<unknown>): Promise<SwitchyardError> {
  try {
    await run();
  } catch (error) {
    if (SwitchyardError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function lastRequest(): SimRequestRecord {
  const record = simulator.requests.at(-1);
  if (record === undefined) throw new Error('the simulator recorded no request');
  return record;
}

describe('Gemini adapter against the simulator', () => {
  it('answers a chat with text, usage, id and served model', async () => {
    const result = await adapterWith().doChat(call({ system: 'Be brief.', maxTokens: 100 }));
    expect(result.text).toBe('Echo: hello there world');
    expect(result.finishReason).toBe('stop');
    expect(result.rawFinishReason).toBe('STOP');
    expect(result.toolCalls).toEqual([]);
    expect(result.id).toMatch(/^sim-\d+$/);
    expect(result.servedModel).toBe(MODEL);
    expect(result.usage.outputTokens).toBe(4);
    expect(result.usage.totalTokens).toBe(result.usage.inputTokens + 4);

    const record = lastRequest();
    expect(record.format).toBe('gemini');
    expect(record.path).toBe(`/v1beta/models/${MODEL}:generateContent`);
    expect(record.headers['x-goog-api-key']).toBe(simulator.apiKey);
    expect(record.body).toMatchObject({ systemInstruction: { parts: [{ text: 'Be brief.' }] }, generationConfig: { maxOutputTokens: 100 } });
  });

  it('never puts the key in the URL', async () => {
    await adapterWith().doChat(call({}));
    await collect(await adapterWith().doStream(call({})));
    for (const record of simulator.requests) expect(record.path).not.toContain(simulator.apiKey);
  });

  it('returns the tool call the simulator makes for "!tool" with a positional id', async () => {
    const result = await adapterWith().doChat(call({ messages: [{ role: 'user', content: '!tool cats in hats' }], tools: [searchTool] }));
    expect(result.finishReason).toBe('tool_calls');
    expect(result.toolCalls).toEqual([{ id: 'call_0', name: 'search', arguments: { query: 'cats in hats' } }]);
    expect(lastRequest().body).toMatchObject({ tools: [{ functionDeclarations: [{ name: 'search' }] }] });
  });

  it('completes a tool round trip: the result goes back as a functionResponse named from history', async () => {
    const adapter = adapterWith();
    const first = await adapter.doChat(call({ messages: [{ role: 'user', content: '!tool cats' }], tools: [searchTool] }));
    const toolCall = first.toolCalls[0];
    if (toolCall === undefined) throw new Error('expected a tool call');
    const second = await adapter.doChat(
      call({
        tools: [searchTool],
        messages: [
          { role: 'user', content: 'find cats' },
          { role: 'assistant', content: '', toolCalls: [toolCall] },
          { role: 'tool', toolCallId: toolCall.id, content: '{"hits":3}' },
        ],
      }),
    );
    expect(second.text).toBe('Echo: find cats');
    expect(lastRequest().body).toMatchObject({
      contents: [{ role: 'user' }, { role: 'model' }, { role: 'user', parts: [{ functionResponse: { name: 'search', response: { hits: 3 } } }] }],
    });
  });

  it('streams the same text chat returns, then usage and finish', async () => {
    const adapter = adapterWith();
    const chat = await adapter.doChat(call({}));
    const parts = await collect(await adapter.doStream(call({})));
    expect(lastRequest().path).toBe(`/v1beta/models/${MODEL}:streamGenerateContent?alt=sse`);
    expect(parts[0]).toMatchObject({ type: 'response-metadata', servedModel: MODEL });
    const deltas = parts.filter((part) => part.type === 'text-delta');
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.map((part) => part.text).join('')).toBe(chat.text);
    expect(parts.slice(-2)).toEqual([
      { type: 'usage', usage: chat.usage },
      { type: 'finish', finishReason: 'stop', rawFinishReason: 'STOP' },
    ]);
  });

  it('streams a tool call whole', async () => {
    const parts = await collect(await adapterWith().doStream(call({ messages: [{ role: 'user', content: '!tool dogs' }], tools: [searchTool] })));
    expect(parts.filter((part) => part.type === 'tool-call')).toEqual([{ type: 'tool-call', toolCall: { id: 'call_0', name: 'search', arguments: { query: 'dogs' } } }]);
    expect(parts.at(-1)).toEqual({ type: 'finish', finishReason: 'tool_calls', rawFinishReason: 'STOP' });
  });

  it('reports length when maxTokens cuts the answer', async () => {
    const result = await adapterWith().doChat(call({ maxTokens: 2 }));
    expect(result.finishReason).toBe('length');
    expect(result.rawFinishReason).toBe('MAX_TOKENS');
  });

  it('maps 429 RESOURCE_EXHAUSTED to rate_limit with retryAfterMs, for chat and for a stream', async () => {
    simulator.enqueueFault(MODEL, { kind: 'status', status: 429, retryAfterSeconds: 7 }, 2);
    const chatError = await caught(() => adapterWith().doChat(call({})));
    expect(chatError.category).toBe('rate_limit');
    expect(chatError.retryAfterMs).toBe(7_000);
    expect(chatError.status).toBe(429);
    expect(chatError.providerCode).toBe('RESOURCE_EXHAUSTED');
    expect(chatError.provider).toBe('google');
    expect(chatError.model).toBe(MODEL);
    // An HTTP error rejects doStream itself, before any iteration.
    const streamError = await caught(() => adapterWith().doStream(call({})));
    expect(streamError.category).toBe('rate_limit');
    expect(streamError.retryAfterMs).toBe(7_000);
  });

  it('maps 503 UNAVAILABLE to overloaded', async () => {
    simulator.enqueueFault(MODEL, { kind: 'status', status: 503 });
    const error = await caught(() => adapterWith().doChat(call({})));
    expect(error.category).toBe('overloaded');
    expect(error.retryable).toBe(true);
  });

  it('throws network from the iterator when the stream is cut', async () => {
    simulator.enqueueFault(MODEL, { kind: 'cut-stream', afterChunks: 2 });
    const stream = await adapterWith().doStream(call({ messages: [{ role: 'user', content: 'one two three four five six' }] }));
    const parts: AdapterStreamPart[] = [];
    const error = await caught(async () => {
      for await (const part of stream) parts.push(part);
    });
    expect(error.category).toBe('network');
    expect(error.provider).toBe('google');
    expect(parts.some((part) => part.type === 'finish')).toBe(false);
  });

  it('throws the in-stream error from the iterator', async () => {
    simulator.enqueueFault(MODEL, { kind: 'stream-error', status: 503, afterChunks: 1 });
    const stream = await adapterWith().doStream(call({}));
    const error = await caught(() => collect(stream));
    expect(error.category).toBe('overloaded');
    expect(error.status).toBe(503);
  });

  it('maps a wrong key to auth without the key in the error', async () => {
    const wrongKey = 'wrong-secret-gemini-key-1234';
    const error = await caught(() => adapterWith({ apiKey: wrongKey }).doChat(call({})));
    expect(error.category).toBe('auth');
    expect(error.status).toBe(401);
    expect(error.message).not.toContain(wrongKey);
    expect(JSON.stringify(error.toJSON())).not.toContain(wrongKey);
  });

  it('maps an abort before the answer to canceled, and the simulator sees the client leave', async () => {
    simulator.setBehavior('slow-model', { latencyMs: 3_000 });
    const controller = new AbortController();
    const pending = caught(() => adapterWith().doChat(call({}, { model: 'slow-model', signal: controller.signal })));
    await waitFor(() => simulator.requests.length === 1, 'the request to arrive');
    controller.abort();
    const error = await pending;
    expect(error.category).toBe('canceled');
    await waitFor(() => lastRequest().aborted, 'the simulator to record the abort');
  });

  it('maps an abort in the middle of a stream to canceled', async () => {
    simulator.setBehavior('drip-model', { interTokenMs: 200 });
    const controller = new AbortController();
    const stream = await adapterWith().doStream(call({ messages: [{ role: 'user', content: 'a b c d e f g h i j' }] }, { model: 'drip-model', signal: controller.signal }));
    const error = await caught(async () => {
      for await (const part of stream) if (part.type === 'text-delta') controller.abort();
    });
    expect(error.category).toBe('canceled');
    await waitFor(() => lastRequest().aborted, 'the simulator to record the abort');
  });

  it('accepts a base URL that already names the API version and a model given as models/…', async () => {
    const result = await adapterWith({ baseUrl: `${simulator.url}/v1beta/` }).doChat(call({}, { model: `models/${MODEL}` }));
    expect(result.text).toBe('Echo: hello there world');
    expect(lastRequest().path).toBe(`/v1beta/models/${MODEL}:generateContent`);
  });

  it('rejects an invalid request before sending anything', async () => {
    const error = await caught(() => adapterWith().doChat(call({ messages: [{ role: 'tool', toolCallId: 'x', content: '1' }] })));
    expect(error.category).toBe('invalid_request');
    expect(error.provider).toBe('google');
    expect(simulator.requests).toHaveLength(0);
  });
});
