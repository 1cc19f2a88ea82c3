/**
 * One integration suite for every Chat Completions adapter (openai, azure-openai,
 * openai-compatible), run against the real simulator over loopback sockets with the pooled
 * transport: chat, tools, streams, usage, rate limits, quota, cut streams, bad keys and aborts.
 * Test-only; each adapter's `index.test.ts` calls it with its own settings.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { SwitchyardError } from '../../src/errors.js';
import type { HttpTransport } from '../../src/http/transport.js';
import type { AdapterCall, AdapterFactory, AdapterStreamPart, ProviderAdapter, ProviderSettings, ProviderType } from '../../src/provider-spec.js';
import type { Simulator } from '../../src/testing/simulator.js';
import type { SimFormatName } from '../../src/testing/wire-format.js';
import type { ChatRequest } from '../../src/types.js';
import { useSimulatorWithTransport } from '../../test/support/simulator-fixture.js';
import { collect, collectUntilError } from './test-helpers.js';

/** What the suite needs to know about one adapter. */
export interface IntegrationTarget {
  readonly type: ProviderType;
  readonly factory: AdapterFactory;
  /** The base URL the adapter is configured with, from the simulator's origin. */
  readonly baseUrl: (simulatorUrl: string) => string;
  /** The simulator format that should answer. */
  readonly format: SimFormatName;
  /** The path the request should reach (without query). */
  readonly path: (model: string) => string;
  /** The header that carries the key, and its value for `key`. */
  readonly credential: (key: string) => readonly [name: string, value: string];
  /** Whether the body names the model. */
  readonly modelInBody: boolean;
  /** The field the output limit travels in. */
  readonly tokenLimitField: 'max_tokens' | 'max_completion_tokens';
  readonly apiVersion?: string;
}

const TOOLS: ChatRequest['tools'] = [
  { name: 'get_weather', description: 'Weather for a city', parameters: { type: 'object', properties: { query: { type: 'string' } } } },
  { name: 'get_time', parameters: { type: 'object', properties: {} } },
];

/** Polls until `check` passes (for effects that arrive on another socket event). */
async function eventually(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function textOf(parts: readonly AdapterStreamPart[]): string {
  return parts.map((part) => (part.type === 'text-delta' ? part.text : '')).join('');
}

/** Registers the suite for one adapter type. */
export function describeChatCompletionsIntegration(target: IntegrationTarget): void {
  describe(`${target.type} adapter against the simulator`, () => {
    const fixture = useSimulatorWithTransport({ apiKey: 'sim-key-0123456789' });
    let simulator: Simulator;
    let transport: HttpTransport;
    let model: string; // faults and behaviours never leak between tests
    beforeEach(() => ({ simulator, transport, model } = fixture));

    function settings(overrides: Partial<ProviderSettings> = {}): ProviderSettings {
      return {
        id: `${target.type}-test`,
        type: target.type,
        apiKey: simulator.apiKey,
        baseUrl: target.baseUrl(simulator.url),
        ...(target.apiVersion === undefined ? {} : { apiVersion: target.apiVersion }),
        headers: {},
        defaultMaxTokens: 1024,
        ...overrides,
      };
    }

    function adapter(overrides: Partial<ProviderSettings> = {}): ProviderAdapter {
      return target.factory({ settings: settings(overrides), transport });
    }

    function call(request: Partial<ChatRequest>, signal: AbortSignal = new AbortController().signal): AdapterCall {
      return {
        request: { model: 'route', messages: [{ role: 'user', content: 'hello there' }], ...request },
        model,
        signal,
        firstByteTimeoutMs: 0,
        idleTimeoutMs: 0,
      };
    }

    it('answers a chat with text, usage and the served model, on the expected wire', async () => {
      const result = await adapter().doChat(call({ system: 'Be brief.', temperature: 0.3 }));
      expect(result).toMatchObject({ text: 'Echo: hello there', finishReason: 'stop', rawFinishReason: 'stop', toolCalls: [], servedModel: model });
      expect(result.id).toMatch(/^chatcmpl-/);
      expect(result.usage.inputTokens).toBeGreaterThan(0);
      expect(result.usage.totalTokens).toBe(result.usage.inputTokens + result.usage.outputTokens);
      const [record] = simulator.requests;
      expect(record?.format).toBe(target.format);
      expect(record?.path.split('?')[0]).toBe(target.path(model));
      const [header, value] = target.credential(simulator.apiKey);
      expect(record?.headers[header]).toBe(value);
      const body = record?.body as Record<string, unknown>;
      expect('model' in body).toBe(target.modelInBody);
      expect(body[target.tokenLimitField]).toBe(1024);
      expect(body.messages).toEqual([
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'hello there' },
      ]);
    });

    it('calls the first tool when asked with !tool, in chat and in stream', async () => {
      const request = { messages: [{ role: 'user' as const, content: '!tool weather in Paris' }], tools: TOOLS };
      const result = await adapter().doChat(call(request));
      expect(result.finishReason).toBe('tool_calls');
      expect(result.toolCalls).toEqual([{ id: expect.any(String), name: 'get_weather', arguments: { query: 'weather in Paris' } }]);
      const parts = await collect(await adapter().doStream(call(request)));
      expect(parts.filter((part) => part.type === 'tool-call')).toEqual([
        { type: 'tool-call', toolCall: { id: expect.any(String), name: 'get_weather', arguments: { query: 'weather in Paris' } } },
      ]);
      expect(parts.at(-1)).toEqual({ type: 'finish', finishReason: 'tool_calls', rawFinishReason: 'tool_calls' });
    });

    it('sends a tool round trip the upstream accepts', async () => {
      const result = await adapter().doChat(
        call({
          tools: TOOLS,
          messages: [
            { role: 'user', content: 'weather?' },
            { role: 'assistant', content: '', toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: { query: 'Paris' } }] },
            { role: 'tool', toolCallId: 'call_1', content: '{"temp":21}' },
            { role: 'user', content: 'thanks' },
          ],
        }),
      );
      expect(result.text).toBe('Echo: thanks');
    });

    it('streams the same text as chat, with usage (include_usage) and then finish', async () => {
      simulator.setBehavior('*', { wordsPerChunk: 1 });
      const request = { messages: [{ role: 'user' as const, content: 'the quick brown fox jumps' }] };
      const chat = await adapter().doChat(call(request));
      const parts = await collect(await adapter().doStream(call(request)));
      expect(textOf(parts)).toBe(chat.text);
      expect(parts.filter((part) => part.type === 'text-delta').length).toBeGreaterThan(1);
      expect(parts[0]).toMatchObject({ type: 'response-metadata', servedModel: model });
      expect(parts.at(-2)).toEqual({ type: 'usage', usage: { ...chat.usage } });
      expect(parts.at(-1)).toEqual({ type: 'finish', finishReason: 'stop', rawFinishReason: 'stop' });
      const streamed = simulator.requests.at(-1)?.body as Record<string, unknown>;
      expect(streamed).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    });

    it('reports length when the limit cuts the answer', async () => {
      const result = await adapter().doChat(call({ maxTokens: 2, messages: [{ role: 'user', content: 'one two three four' }] }));
      expect(result).toMatchObject({ finishReason: 'length', text: 'Echo: one ' });
    });

    it('maps 429 with retry-after to rate_limit with retryAfterMs, stamped with provider and model', async () => {
      simulator.enqueueFault(model, { kind: 'status', status: 429, retryAfterSeconds: 2 });
      const error = await adapter().doChat(call({})).catch((caught: unknown) => caught);
      expect(SwitchyardError.isInstance(error)).toBe(true);
      expect(error).toMatchObject({ category: 'rate_limit', retryable: true, status: 429, retryAfterMs: 2000, provider: `${target.type}-test`, model });
    });

    it('maps insufficient quota to quota (not retryable), in chat and when opening a stream', async () => {
      const fault = { kind: 'status', status: 429, message: 'You exceeded your current quota, please check your plan and billing details.' } as const;
      simulator.enqueueFault(model, fault, 2);
      await expect(adapter().doChat(call({}))).rejects.toMatchObject({ category: 'quota', retryable: false, status: 429 });
      await expect(adapter().doStream(call({}))).rejects.toMatchObject({ category: 'quota', status: 429 });
    });

    it.each([
      [500, 'server'],
      [503, 'overloaded'],
      [404, 'not_found'],
    ] as const)('maps %i to %s', async (status, category) => {
      simulator.enqueueFault(model, { kind: 'status', status });
      await expect(adapter().doChat(call({}))).rejects.toMatchObject({ category, status });
    });

    it('throws network from the iterator when the stream is cut, after what had arrived', async () => {
      simulator.enqueueFault(model, { kind: 'cut-stream', afterChunks: 3 });
      const stream = await adapter().doStream(call({ messages: [{ role: 'user', content: 'one two three four five six' }] }));
      const { items, error } = await collectUntilError(stream);
      expect(items.some((part) => part.type === 'finish')).toBe(false);
      expect(SwitchyardError.isInstance(error)).toBe(true);
      expect(error).toMatchObject({ category: 'network', provider: `${target.type}-test`, model });
    });

    it('throws the mapped error when the upstream sends an error frame mid-stream', async () => {
      simulator.enqueueFault(model, { kind: 'stream-error', status: 429, afterChunks: 3 });
      const stream = await adapter().doStream(call({ messages: [{ role: 'user', content: 'one two three four five six' }] }));
      const { items, error } = await collectUntilError(stream);
      expect(textOf(items).length).toBeGreaterThan(0);
      expect(error).toMatchObject({ category: 'rate_limit', model });
    });

    it('maps a wrong key to auth without repeating the key', async () => {
      const wrongKey = 'wrong-key-abcdef0123456789';
      const error = await adapter({ apiKey: wrongKey }).doChat(call({})).catch((caught: unknown) => caught);
      expect(error).toMatchObject({ category: 'auth', status: 401, retryable: false });
      expect((error as Error).message).not.toContain(wrongKey);
      expect(JSON.stringify((error as SwitchyardError).toJSON())).not.toContain(wrongKey);
    });

    it('cancels a chat when the signal aborts, and the upstream sees the request go away', async () => {
      simulator.setBehavior(model, { latencyMs: 10_000 });
      const controller = new AbortController();
      const pending = adapter().doChat(call({}, controller.signal));
      await eventually(() => simulator.requests.length === 1);
      controller.abort();
      await expect(pending).rejects.toMatchObject({ category: 'canceled' });
      await eventually(() => simulator.requests[0]?.aborted === true);
    });

    it('cancels a stream mid-way, and the upstream sees the request go away', async () => {
      simulator.setBehavior(model, { interTokenMs: 200 });
      const controller = new AbortController();
      const stream = await adapter().doStream(call({ messages: [{ role: 'user', content: 'a b c d e f g h i j k l m n o p' }] }, controller.signal));
      const iterator = stream[Symbol.asyncIterator]();
      let first = await iterator.next();
      while (!first.done && first.value.type !== 'text-delta') first = await iterator.next();
      expect(first.done).toBe(false);
      controller.abort();
      const error = await (async () => {
        for (;;) {
          const next = await iterator.next();
          if (next.done) return undefined;
        }
      })().catch((caught: unknown) => caught);
      expect(error).toMatchObject({ category: 'canceled' });
      await eventually(() => simulator.requests[0]?.aborted === true);
    });
  });
}
