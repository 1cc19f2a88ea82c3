import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '../../src/errors.js';
import type { AdapterStreamPart } from '../../src/provider-spec.js';
import { parseChatCompletionStream } from './stream.js';
import { collect, collectUntilError, fromChunks, loadChunks, splitBytes, toSse } from './test-helpers.js';

function parse(sse: string, size?: number): AsyncIterableIterator<AdapterStreamPart> {
  const chunks = size === undefined ? [new TextEncoder().encode(sse)] : splitBytes(sse, size);
  return parseChatCompletionStream(fromChunks(chunks), { provider: 'test' });
}

function textOf(parts: readonly AdapterStreamPart[]): string {
  return parts.map((part) => (part.type === 'text-delta' ? part.text : '')).join('');
}

const TEXT_PARTS: AdapterStreamPart[] = [
  { type: 'response-metadata', id: 'chatcmpl-Fx1', servedModel: 'gpt-4.1-mini-2025-04-14' },
  { type: 'text-delta', text: 'Grüße' },
  { type: 'text-delta', text: ' aus' },
  { type: 'text-delta', text: ' 東京' },
  { type: 'text-delta', text: ' — ✓ 🚀' },
  { type: 'text-delta', text: '.\n\nDone' },
  { type: 'usage', usage: { inputTokens: 19, outputTokens: 10, totalTokens: 29, cacheReadInputTokens: 0, cachedInputTokens: 0 } },
  { type: 'finish', finishReason: 'stop', rawFinishReason: 'stop' },
];

describe('parseChatCompletionStream: golden transcripts', () => {
  it('OpenAI text with include_usage', async () => {
    expect(await collect(parse(toSse(loadChunks('openai-text.chunks.txt'))))).toEqual(TEXT_PARTS);
  });

  it.each([1, 7, 13])('gives the same parts when the bytes arrive %i at a time (cutting through UTF-8)', async (size) => {
    expect(await collect(parse(toSse(loadChunks('openai-text.chunks.txt')), size))).toEqual(TEXT_PARTS);
  });

  it.each([1, 7, 13])('gives the same parts with CRLF line ends and keep-alive comments, %i bytes at a time', async (size) => {
    const sse = toSse(loadChunks('openai-text.chunks.txt'), { crlf: true, comments: true });
    expect(await collect(parse(sse, size))).toEqual(TEXT_PARTS);
  });

  it.each([1, 7, 13])('assembles parallel tool calls from deltas, %i bytes at a time', async (size) => {
    const parts = await collect(parse(toSse(loadChunks('openai-tool-calls.chunks.txt')), size));
    expect(parts).toEqual([
      { type: 'response-metadata', id: 'chatcmpl-Tc7', servedModel: 'gpt-4o-2024-08-06' },
      { type: 'tool-call-delta', toolCallId: 'call_weather_1', toolName: 'get_weather', argumentsDelta: '{"ci' },
      { type: 'tool-call-delta', toolCallId: 'call_weather_1', toolName: 'get_weather', argumentsDelta: 'ty": "Zü' },
      { type: 'tool-call-delta', toolCallId: 'call_weather_1', toolName: 'get_weather', argumentsDelta: 'rich"}' },
      { type: 'tool-call-delta', toolCallId: 'call_time_2', toolName: 'get_time', argumentsDelta: '{"zone":' },
      { type: 'tool-call-delta', toolCallId: 'call_time_2', toolName: 'get_time', argumentsDelta: ' "Europe/Zurich"}' },
      { type: 'tool-call', toolCall: { id: 'call_weather_1', name: 'get_weather', arguments: { city: 'Zürich' } } },
      { type: 'tool-call', toolCall: { id: 'call_time_2', name: 'get_time', arguments: { zone: 'Europe/Zurich' } } },
      { type: 'usage', usage: { inputTokens: 88, outputTokens: 41, totalTokens: 129, cacheReadInputTokens: 64, cachedInputTokens: 64 } },
      { type: 'finish', finishReason: 'tool_calls', rawFinishReason: 'tool_calls' },
    ]);
  });

  it('Azure: skips the prompt-filter chunk when reading metadata', async () => {
    const parts = await collect(parse(toSse(loadChunks('azure-text.chunks.txt'))));
    expect(parts[0]).toEqual({ type: 'response-metadata', id: 'chatcmpl-Az3', servedModel: 'gpt-4o-2024-11-20' });
    expect(textOf(parts)).toBe('Bern is the capital.');
    expect(parts.at(-2)).toEqual({ type: 'usage', usage: { inputTokens: 14, outputTokens: 5, totalTokens: 19, cacheReadInputTokens: 0, cachedInputTokens: 0 } });
    expect(parts.at(-1)).toEqual({ type: 'finish', finishReason: 'stop', rawFinishReason: 'stop' });
  });

  it('Azure: a filtered completion finishes with content_filter', async () => {
    const parts = await collect(parse(toSse(loadChunks('azure-content-filter.chunks.txt'))));
    expect(textOf(parts)).toBe('The story begins');
    expect(parts.at(-1)).toEqual({ type: 'finish', finishReason: 'content_filter', rawFinishReason: 'content_filter' });
  });

  it('DeepSeek: reasoning_content is not text; usage on the finish chunk is kept', async () => {
    const parts = await collect(parse(toSse(loadChunks('deepseek-reasoning.chunks.txt')), 7));
    expect(textOf(parts)).toBe('4');
    expect(parts.filter((part) => part.type === 'usage')).toEqual([
      { type: 'usage', usage: { inputTokens: 12, outputTokens: 20, totalTokens: 32, cacheReadInputTokens: 0, cachedInputTokens: 0, reasoningTokens: 19 } },
    ]);
    // The reasoning streams as reasoning deltas, closed into one part before the answer's text.
    const reasoningParts = parts.filter((part) => part.type === 'reasoning-delta' || part.type === 'reasoning' || part.type === 'text-delta');
    expect(reasoningParts).toEqual([
      { type: 'reasoning-delta', text: 'The user asks 2+2.' },
      { type: 'reasoning-delta', text: ' That is 4.' },
      { type: 'reasoning', part: { type: 'reasoning', text: 'The user asks 2+2. That is 4.', provider: 'openai-compatible' } },
      { type: 'text-delta', text: '4' },
    ]);
  });

  it('a bare compatible server (no id, no usage, no finish_reason, then [DONE]) still finishes', async () => {
    const parts = await collect(parse(toSse(loadChunks('compatible-bare.chunks.txt'))));
    expect(textOf(parts)).toBe('Hello world');
    expect(parts.some((part) => part.type === 'usage')).toBe(false);
    const metadata = parts.find((part) => part.type === 'response-metadata');
    expect(metadata).toMatchObject({ type: 'response-metadata', id: expect.stringMatching(/^chatcmpl-/) });
    expect(parts.at(-1)).toEqual({ type: 'finish', finishReason: 'stop' });
  });
});

describe('parseChatCompletionStream: edges', () => {
  it('assembles tool-call arguments larger than 64 KiB split over many frames', async () => {
    const big = 'x'.repeat(200 * 1024);
    const argumentsText = JSON.stringify({ blob: big });
    const pieces: string[] = [];
    for (let offset = 0; offset < argumentsText.length; offset += 50_000) pieces.push(argumentsText.slice(offset, offset + 50_000));
    const payloads = [
      JSON.stringify({ id: 'c1', choices: [{ index: 0, delta: { tool_calls: [{ index: 0, id: 'call_big', type: 'function', function: { name: 'store', arguments: '' } }] } }] }),
      ...pieces.map((piece) => JSON.stringify({ id: 'c1', choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: piece } }] } }] })),
      JSON.stringify({ id: 'c1', choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] }),
      '[DONE]',
    ];
    const parts = await collect(parse(toSse(payloads), 8192));
    const call = parts.find((part) => part.type === 'tool-call');
    expect(call?.type === 'tool-call' && (call.toolCall.arguments.blob as string).length).toBe(big.length);
  });

  it('takes one 100 KiB frame as one line, even arriving 13 bytes at a time', async () => {
    const big = 'y'.repeat(100 * 1024);
    const payloads = [
      JSON.stringify({ id: 'c2', choices: [{ index: 0, delta: { tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'store', arguments: JSON.stringify({ big }) } }] } }] }),
      JSON.stringify({ id: 'c2', choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] }),
      '[DONE]',
    ];
    const parts = await collect(parse(toSse(payloads), 13));
    expect(parts.find((part) => part.type === 'tool-call')).toMatchObject({ toolCall: { name: 'store', arguments: { big } } });
  });

  it('matches index-less tool deltas by id and sets a repeated name once', async () => {
    const payloads = [
      JSON.stringify({ id: 'c3', choices: [{ delta: { tool_calls: [{ id: 'a', function: { name: 'first', arguments: '{"n":' } }] } }] }),
      JSON.stringify({ id: 'c3', choices: [{ delta: { tool_calls: [{ id: 'a', function: { name: 'first', arguments: '1}' } }] } }] }),
      JSON.stringify({ id: 'c3', choices: [{ delta: { tool_calls: [{ id: 'b', function: { name: 'second', arguments: '{}' } }] } }] }),
      JSON.stringify({ id: 'c3', choices: [{ delta: {}, finish_reason: 'tool_calls' }] }),
      '[DONE]',
    ];
    const calls = (await collect(parse(toSse(payloads)))).filter((part) => part.type === 'tool-call');
    expect(calls).toEqual([
      { type: 'tool-call', toolCall: { id: 'a', name: 'first', arguments: { n: 1 } } },
      { type: 'tool-call', toolCall: { id: 'b', name: 'second', arguments: {} } },
    ]);
  });

  it('holds argument deltas back until the call has an id, and gives an id-less call one id throughout', async () => {
    const payloads = [
      JSON.stringify({ id: 'c6', choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { name: 'anon', arguments: '{"k":' } }] } }] }),
      JSON.stringify({ id: 'c6', choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '"v"}' } }] } }] }),
      JSON.stringify({ id: 'c6', choices: [{ index: 0, delta: { tool_calls: [{ index: 1, id: 'call_empty', type: 'function', function: { name: 'noargs', arguments: '' } }] } }] }),
      JSON.stringify({ id: 'c6', choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] }),
      '[DONE]',
    ];
    const parts = (await collect(parse(toSse(payloads)))).filter((part) => part.type === 'tool-call' || part.type === 'tool-call-delta');
    const generatedId = parts.find((part) => part.type === 'tool-call' && part.toolCall.name === 'anon');
    expect(generatedId?.type === 'tool-call' && generatedId.toolCall.id.startsWith('call_')).toBe(true);
    const id = generatedId?.type === 'tool-call' ? generatedId.toolCall.id : '';
    expect(parts).toEqual([
      // Without an id, the text waits for the finish and goes as one delta under the generated id.
      { type: 'tool-call-delta', toolCallId: id, toolName: 'anon', argumentsDelta: '{"k":"v"}' },
      // A call with no arguments text still gets its one delta.
      { type: 'tool-call-delta', toolCallId: 'call_empty', toolName: 'noargs', argumentsDelta: '{}' },
      { type: 'tool-call', toolCall: { id, name: 'anon', arguments: { k: 'v' } } },
      { type: 'tool-call', toolCall: { id: 'call_empty', name: 'noargs', arguments: {} } },
    ]);
  });

  it('accepts a finish_reason without [DONE] (servers that just close)', async () => {
    const payloads = [JSON.stringify({ id: 'c4', choices: [{ index: 0, delta: { content: 'ok' }, finish_reason: null }] }), JSON.stringify({ id: 'c4', choices: [{ index: 0, delta: {}, finish_reason: 'length' }] })];
    const parts = await collect(parse(toSse(payloads)));
    expect(parts.at(-1)).toEqual({ type: 'finish', finishReason: 'length', rawFinishReason: 'length' });
  });

  it('ignores what follows [DONE]', async () => {
    const payloads = [...loadChunks('compatible-bare.chunks.txt'), JSON.stringify({ choices: [{ delta: { content: ' ignored' } }] })];
    expect(textOf(await collect(parse(toSse(payloads))))).toBe('Hello world');
  });

  it('throws network when the stream stops with neither finish_reason nor [DONE], after yielding what came', async () => {
    const payloads = loadChunks('openai-text.chunks.txt').slice(0, 3);
    const { items, error } = await collectUntilError(parse(toSse(payloads)));
    expect(textOf(items)).toBe('Grüße aus');
    expect(items.some((part) => part.type === 'finish')).toBe(false);
    expect(SwitchyardError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ category: 'network', retryable: true });
  });

  it.each([
    ['an error frame before any output', [JSON.stringify({ error: { message: 'The server had an error', type: 'server_error', param: null, code: null } })], 'server', ''],
    ['an error frame after some text', [loadChunks('openai-text.chunks.txt')[1] ?? '', JSON.stringify({ error: { message: 'Rate limit reached', type: 'tokens', code: 'rate_limit_exceeded' } })], 'rate_limit', 'Grüße'],
    ['an `event: error` frame', ['__EVENT_ERROR__'], 'overloaded', ''],
  ])('throws the mapped error for %s', async (_name, payloads, category, text) => {
    let sse = toSse(payloads.filter((payload) => payload !== '__EVENT_ERROR__'));
    if (payloads.includes('__EVENT_ERROR__')) sse += `event: error\ndata: ${JSON.stringify({ error: { message: 'Overloaded', type: 'overloaded_error' } })}\n\n`;
    const { items, error } = await collectUntilError(parse(sse));
    expect(textOf(items)).toBe(text);
    expect(error).toMatchObject({ category });
  });

  it('throws server on a frame that is not JSON, instead of skipping it', async () => {
    const { error } = await collectUntilError(parse(toSse(['{"id":"x","choices":[{"delta":{"content":"a"}}]}', '{not json', '[DONE]'])));
    expect(error).toMatchObject({ category: 'server' });
  });

  it('throws server on tool arguments that are not JSON', async () => {
    const payloads = [
      JSON.stringify({ id: 'c5', choices: [{ index: 0, delta: { tool_calls: [{ index: 0, id: 'c', type: 'function', function: { name: 'f', arguments: '{"a":' } }] } }] }),
      JSON.stringify({ id: 'c5', choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] }),
      '[DONE]',
    ];
    const { error } = await collectUntilError(parse(toSse(payloads)));
    expect(error).toMatchObject({ category: 'server' });
  });

  it('propagates an error from the byte source, stamped with the provider', async () => {
    const failure = new SwitchyardError({ category: 'timeout', message: 'idle timeout' });
    async function* source(): AsyncGenerator<Uint8Array> {
      yield new TextEncoder().encode(toSse(loadChunks('openai-text.chunks.txt').slice(0, 2)));
      throw failure;
    }
    const { error } = await collectUntilError(parseChatCompletionStream(source(), { provider: 'test', model: 'gpt-test' }));
    expect(error).toMatchObject({ category: 'timeout', message: 'idle timeout', provider: 'test', model: 'gpt-test' });
  });
});
