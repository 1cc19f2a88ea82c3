import { beforeEach, describe, expect, it } from 'vitest';
import type { HttpTransport } from '../../src/http/transport.js';
import type { AdapterCall, AdapterStreamPart, ProviderAdapter, ProviderSettings } from '../../src/provider-spec.js';
import type { Simulator } from '../../src/testing/simulator.js';
import type { ChatRequest } from '../../src/types.js';
import { useSimulatorWithTransport } from '../../test/support/simulator-fixture.js';
import { failure } from '../../test/support/failure.js';
import { createAnthropicAdapter } from './index.js';

const MODEL = 'claude-sim';
const KEY = 'sk-ant-sim-0123456789abcdef';

let simulator: Simulator;
let transport: HttpTransport;
let adapter: ProviderAdapter;

function settings(overrides: Partial<ProviderSettings> = {}): ProviderSettings {
  return { id: 'anthropic-main', type: 'anthropic', apiKey: KEY, baseUrl: simulator.url, headers: {}, defaultMaxTokens: 256, ...overrides };
}

function call(request: Partial<ChatRequest> = {}, signal: AbortSignal = new AbortController().signal): AdapterCall {
  return {
    request: { model: 'chat', messages: [{ role: 'user', content: 'hello there friend' }], ...request },
    model: MODEL,
    signal,
    firstByteTimeoutMs: 0,
    idleTimeoutMs: 0,
  };
}

const TOOLS: ChatRequest['tools'] = [{ name: 'search', description: 'Search the web', parameters: { type: 'object', properties: { query: { type: 'string' } } } }];

async function collect(stream: AsyncIterable<AdapterStreamPart>): Promise<AdapterStreamPart[]> {
  const parts: AdapterStreamPart[] = [];
  for await (const part of stream) parts.push(part);
  return parts;
}

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const fixture = useSimulatorWithTransport({ apiKey: KEY });
beforeEach(() => {
  ({ simulator, transport } = fixture);
  adapter = createAnthropicAdapter({ settings: settings(), transport });
});

describe('anthropic adapter against the simulator', () => {
  it('answers a chat with text, usage and the Messages wire headers', async () => {
    const result = await adapter.doChat(call());
    expect(result.text).toBe('Echo: hello there friend');
    expect(result.finishReason).toBe('stop');
    expect(result.rawFinishReason).toBe('end_turn');
    expect(result.id).toMatch(/^msg_/);
    expect(result.servedModel).toBe(MODEL);
    expect(result.usage.outputTokens).toBe(4);
    expect(result.usage.totalTokens).toBe(result.usage.inputTokens + 4);
    const [record] = simulator.requests;
    expect(record?.path).toBe('/v1/messages');
    expect(record?.headers['x-api-key']).toBe(KEY);
    expect(record?.headers['anthropic-version']).toBe('2023-06-01');
    expect(record?.body).toMatchObject({ model: MODEL, max_tokens: 256 });
    expect(record?.body).not.toHaveProperty('stream');
  });

  it('returns the tool call the simulator makes for "!tool"', async () => {
    const result = await adapter.doChat(call({ messages: [{ role: 'user', content: '!tool weather in Paris' }], tools: TOOLS, toolChoice: 'auto' }));
    expect(result.finishReason).toBe('tool_calls');
    expect(result.rawFinishReason).toBe('tool_use');
    expect(result.text).toBe('');
    expect(result.toolCalls).toEqual([{ id: expect.any(String), name: 'search', arguments: { query: 'weather in Paris' } }]);
    expect(simulator.requests[0]?.body).toMatchObject({ tools: [{ name: 'search', input_schema: { type: 'object' } }], tool_choice: { type: 'auto' } });
  });

  it('streams the same text doChat returns, then usage and finish', async () => {
    const request = { messages: [{ role: 'user' as const, content: 'the quick brown fox jumps' }] };
    const chat = await adapter.doChat(call(request));
    const parts = await collect(await adapter.doStream(call(request)));
    const deltas = parts.filter((part) => part.type === 'text-delta');
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.map((part) => part.text).join('')).toBe(chat.text);
    expect(parts[0]).toMatchObject({ type: 'response-metadata', servedModel: MODEL });
    expect(parts.at(-2)).toEqual({ type: 'usage', usage: chat.usage });
    expect(parts.at(-1)).toEqual({ type: 'finish', finishReason: 'stop', rawFinishReason: 'end_turn' });
    expect(simulator.requests[1]?.body).toMatchObject({ stream: true });
  });

  it('streams a tool call with its arguments reassembled from several pieces', async () => {
    const parts = await collect(await adapter.doStream(call({ messages: [{ role: 'user', content: '!tool a fairly long query string' }], tools: TOOLS })));
    const calls = parts.filter((part) => part.type === 'tool-call');
    expect(calls).toEqual([{ type: 'tool-call', toolCall: { id: expect.any(String), name: 'search', arguments: { query: 'a fairly long query string' } } }]);
    expect(parts.at(-1)).toEqual({ type: 'finish', finishReason: 'tool_calls', rawFinishReason: 'tool_use' });
  });

  it('maps a 529 to overloaded with retryAfterMs from retry-after', async () => {
    simulator.enqueueFault(MODEL, { kind: 'status', status: 529, retryAfterSeconds: 3, message: 'Overloaded' });
    const error = await failure(adapter.doChat(call()));
    expect(error).toMatchObject({ category: 'overloaded', status: 529, retryAfterMs: 3000, providerCode: 'overloaded_error', provider: 'anthropic-main', model: MODEL, retryable: true });
    expect(error.message).toBe('anthropic 529 overloaded_error: Overloaded');
  });

  it('rejects doStream itself on an HTTP error status', async () => {
    simulator.enqueueFault(MODEL, { kind: 'status', status: 429, retryAfterMs: 250 });
    const error = await failure(adapter.doStream(call()));
    expect(error).toMatchObject({ category: 'rate_limit', status: 429, retryAfterMs: 250 });
  });

  it('throws overloaded from the iterator for an error event before any output', async () => {
    simulator.enqueueFault(MODEL, { kind: 'stream-error', status: 529, afterChunks: 1 });
    const stream = await adapter.doStream(call());
    const parts: AdapterStreamPart[] = [];
    const error = await failure(
      (async () => {
        for await (const part of stream) parts.push(part);
      })(),
    );
    expect(error).toMatchObject({ category: 'overloaded', providerCode: 'overloaded_error', provider: 'anthropic-main', model: MODEL });
    expect(parts.filter((part) => part.type === 'text-delta' || part.type === 'finish')).toEqual([]);
  });

  it('throws network from the iterator when the stream is cut mid-way', async () => {
    // A small gap between frames lets the frames before the cut reach the socket before it is destroyed.
    simulator.setBehavior(MODEL, { interTokenMs: 20 });
    simulator.enqueueFault(MODEL, { kind: 'cut-stream', afterChunks: 5 });
    const stream = await adapter.doStream(call({ messages: [{ role: 'user', content: 'one two three four five six seven' }] }));
    const parts: AdapterStreamPart[] = [];
    const error = await failure(
      (async () => {
        for await (const part of stream) parts.push(part);
      })(),
    );
    expect(error.category).toBe('network');
    expect(parts.some((part) => part.type === 'text-delta')).toBe(true);
    expect(parts.some((part) => part.type === 'finish')).toBe(false);
  });

  it('maps a wrong key to auth without ever showing the key', async () => {
    const wrongKey = 'sk-ant-wrong-key-do-not-leak-42';
    const wrong = createAnthropicAdapter({ settings: settings({ apiKey: wrongKey }), transport });
    const error = await failure(wrong.doChat(call()));
    expect(error).toMatchObject({ category: 'auth', status: 401, providerCode: 'authentication_error', retryable: false });
    expect(error.message).not.toContain(wrongKey);
    expect(JSON.stringify(error.toJSON())).not.toContain(wrongKey);
    expect(JSON.stringify(error.toJSON())).not.toContain(KEY);
  });

  it('cancels a chat when the signal aborts, and the upstream request is dropped', async () => {
    simulator.setBehavior(MODEL, { latencyMs: 10_000 });
    const controller = new AbortController();
    const pending = adapter.doChat(call({}, controller.signal));
    await waitFor(() => simulator.requests.length === 1);
    controller.abort();
    const error = await failure(pending);
    expect(error.category).toBe('canceled');
    await waitFor(() => simulator.requests[0]?.aborted === true);
  });

  it('cancels a stream mid-way when the signal aborts', async () => {
    simulator.setBehavior(MODEL, { interTokenMs: 200 });
    const controller = new AbortController();
    const stream = await adapter.doStream(call({ messages: [{ role: 'user', content: 'one two three four five six seven eight' }] }, controller.signal));
    const parts: AdapterStreamPart[] = [];
    const error = await failure(
      (async () => {
        for await (const part of stream) {
          parts.push(part);
          if (part.type === 'text-delta') controller.abort();
        }
      })(),
    );
    expect(error.category).toBe('canceled');
    expect(parts.some((part) => part.type === 'finish')).toBe(false);
    await waitFor(() => simulator.requests[0]?.aborted === true);
  });

  it('sends the configured anthropic-version and extra headers', async () => {
    const custom = createAnthropicAdapter({ settings: settings({ apiVersion: '2024-10-22', headers: { 'anthropic-beta': 'tools-2024' } }), transport });
    await custom.doChat(call());
    expect(simulator.requests[0]?.headers).toMatchObject({ 'anthropic-version': '2024-10-22', 'anthropic-beta': 'tools-2024' });
  });
});
