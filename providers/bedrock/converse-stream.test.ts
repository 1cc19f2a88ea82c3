import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '../../src/errors.js';
import type { AdapterStreamPart } from '../../src/provider-spec.js';
import { streamConverseBody } from './converse-stream.js';
import { loadEventStreamDecoder } from './event-stream.js';

// ConverseStream events as the Bedrock Runtime API reference describes them:
// https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ConverseStreamOutput.html and its
// members (ContentBlockStartEvent, ContentBlockDeltaEvent with ContentBlockDelta text | toolUse.input |
// reasoningContent {text | signature | redactedContent}, ContentBlockStopEvent, MessageStopEvent,
// ConverseStreamMetadataEvent with TokenUsage and ConverseStreamMetrics.latencyMs). Each is one
// event-stream message: `:event-type` the member name, the payload its JSON.
const codec = new EventStreamCodec(toUtf8, fromUtf8);
const context = { provider: 'aws', model: 'amazon.nova-pro-v1:0', id: 'req-1' };

function event(type: string, payload: unknown): Uint8Array {
  return codec.encode({
    headers: { ':event-type': { type: 'string', value: type }, ':content-type': { type: 'string', value: 'application/json' }, ':message-type': { type: 'string', value: 'event' } },
    body: fromUtf8(JSON.stringify(payload)),
  });
}

function exception(type: string, message: string): Uint8Array {
  return codec.encode({
    headers: { ':exception-type': { type: 'string', value: type }, ':content-type': { type: 'string', value: 'application/json' }, ':message-type': { type: 'string', value: 'exception' } },
    body: fromUtf8(JSON.stringify({ message })),
  });
}

/** The frames as one byte stream cut into small pieces, as a network delivers it. */
async function* chunked(frames: readonly Uint8Array[], size = 7): AsyncGenerator<Uint8Array> {
  const all = Buffer.concat(frames);
  for (let offset = 0; offset < all.length; offset += size) yield all.subarray(offset, offset + size);
}

async function parts(frames: readonly Uint8Array[]): Promise<AdapterStreamPart[]> {
  const collected: AdapterStreamPart[] = [];
  for await (const part of streamConverseBody(chunked(frames), await loadEventStreamDecoder(), context)) collected.push(part);
  return collected;
}

async function failure(frames: readonly Uint8Array[]): Promise<{ error: SwitchyardError; before: AdapterStreamPart[] }> {
  const before: AdapterStreamPart[] = [];
  try {
    for await (const part of streamConverseBody(chunked(frames), await loadEventStreamDecoder(), context)) before.push(part);
  } catch (error) {
    if (SwitchyardError.isInstance(error)) return { error, before };
    throw error;
  }
  throw new Error('expected a failure');
}

describe('ConverseStream body', () => {
  it('streams text, then usage (cache reads and writes added to the input) and the finish', async () => {
    expect(
      await parts([
        event('messageStart', { role: 'assistant', p: 'abcd' }),
        event('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'Hello' }, p: 'abcdefgh' }),
        event('contentBlockDelta', { contentBlockIndex: 0, delta: { text: ' there' } }),
        event('contentBlockStop', { contentBlockIndex: 0 }),
        event('messageStop', { stopReason: 'end_turn' }),
        event('metadata', { usage: { inputTokens: 12, outputTokens: 2, totalTokens: 1514, cacheReadInputTokens: 1000, cacheWriteInputTokens: 500 }, metrics: { latencyMs: 321 } }),
      ]),
    ).toEqual([
      { type: 'response-metadata', id: 'req-1' },
      { type: 'text-delta', text: 'Hello' },
      { type: 'text-delta', text: ' there' },
      { type: 'usage', usage: { inputTokens: 1512, outputTokens: 2, totalTokens: 1514, cacheReadInputTokens: 1000, cachedInputTokens: 1000, cacheWriteInputTokens: 500 } },
      { type: 'finish', finishReason: 'stop', rawFinishReason: 'end_turn' },
    ]);
  });

  it('collects a tool call from its toolUse input deltas', async () => {
    const collected = await parts([
      event('messageStart', { role: 'assistant' }),
      event('contentBlockStart', { contentBlockIndex: 0, start: { toolUse: { toolUseId: 'tooluse_abc', name: 'top_song' } } }),
      event('contentBlockDelta', { contentBlockIndex: 0, delta: { toolUse: { input: '{"sign":' } } }),
      event('contentBlockDelta', { contentBlockIndex: 0, delta: { toolUse: { input: '"WZPZ"}' } } }),
      event('contentBlockStop', { contentBlockIndex: 0 }),
      event('messageStop', { stopReason: 'tool_use' }),
      event('metadata', { usage: { inputTokens: 5, outputTokens: 9, totalTokens: 14 }, metrics: { latencyMs: 10 } }),
    ]);
    expect(collected.filter((part) => part.type === 'tool-call-delta').map((part) => part.argumentsDelta).join('')).toBe('{"sign":"WZPZ"}');
    expect(collected.find((part) => part.type === 'tool-call')).toEqual({ type: 'tool-call', toolCall: { id: 'tooluse_abc', name: 'top_song', arguments: { sign: 'WZPZ' } } });
    expect(collected.at(-1)).toEqual({ type: 'finish', finishReason: 'tool_calls', rawFinishReason: 'tool_use' });
  });

  it('streams reasoning, then keeps the signed part; redacted reasoning is kept as data', async () => {
    const collected = await parts([
      event('messageStart', { role: 'assistant' }),
      event('contentBlockDelta', { contentBlockIndex: 0, delta: { reasoningContent: { text: 'Let me ' } } }),
      event('contentBlockDelta', { contentBlockIndex: 0, delta: { reasoningContent: { text: 'think.' } } }),
      event('contentBlockDelta', { contentBlockIndex: 0, delta: { reasoningContent: { signature: 'EqoBCkgIARABGAIiQ' } } }),
      event('contentBlockStop', { contentBlockIndex: 0 }),
      event('contentBlockDelta', { contentBlockIndex: 1, delta: { reasoningContent: { redactedContent: 'ZW5jcnlwdGVk' } } }),
      event('contentBlockStop', { contentBlockIndex: 1 }),
      event('contentBlockDelta', { contentBlockIndex: 2, delta: { text: '42' } }),
      event('contentBlockStop', { contentBlockIndex: 2 }),
      event('messageStop', { stopReason: 'max_tokens' }),
      event('metadata', { usage: { inputTokens: 1, outputTokens: 30, totalTokens: 31 }, metrics: { latencyMs: 1 } }),
    ]);
    expect(collected.filter((part) => part.type !== 'usage' && part.type !== 'response-metadata')).toEqual([
      { type: 'reasoning-delta', text: 'Let me ' },
      { type: 'reasoning-delta', text: 'think.' },
      { type: 'reasoning', part: { type: 'reasoning', text: 'Let me think.', signature: 'EqoBCkgIARABGAIiQ', provider: 'bedrock' } },
      { type: 'reasoning', part: { type: 'reasoning', text: '', redactedData: 'ZW5jcnlwdGVk', provider: 'bedrock' } },
      { type: 'text-delta', text: '42' },
      { type: 'finish', finishReason: 'length', rawFinishReason: 'max_tokens' },
    ]);
  });

  it('finishes a stream that stopped without metadata when the body ends', async () => {
    const collected = await parts([event('messageStart', { role: 'assistant' }), event('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'x' } }), event('messageStop', { stopReason: 'guardrail_intervened' })]);
    expect(collected.at(-1)).toEqual({ type: 'finish', finishReason: 'content_filter', rawFinishReason: 'guardrail_intervened' });
  });

  it('throws a stream exception mapped by its type, after the text before it, stamped with provider and model', async () => {
    const { error, before } = await failure([event('messageStart', { role: 'assistant' }), event('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'partial' } }), exception('throttlingException', 'Too many tokens, please wait before trying again.')]);
    expect(before).toContainEqual({ type: 'text-delta', text: 'partial' });
    expect([error.category, error.providerCode, error.provider, error.model]).toEqual(['rate_limit', 'ThrottlingException', 'aws', 'amazon.nova-pro-v1:0']);
    expect((await failure([exception('modelStreamErrorException', 'boom')])).error.category).toBe('server');
    expect((await failure([exception('serviceUnavailableException', 'busy')])).error.category).toBe('overloaded');
  });

  it('a body that ends before messageStop, or inside a message, is a network error', async () => {
    expect((await failure([event('messageStart', { role: 'assistant' }), event('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'x' } })])).error.category).toBe('network');
    const frame = event('messageStop', { stopReason: 'end_turn' });
    expect((await failure([event('messageStart', { role: 'assistant' }), frame.subarray(0, frame.length - 3)])).error.category).toBe('network');
  });

  it('malformed tool input JSON is a server error', async () => {
    const { error } = await failure([
      event('contentBlockStart', { contentBlockIndex: 0, start: { toolUse: { toolUseId: 't', name: 'n' } } }),
      event('contentBlockDelta', { contentBlockIndex: 0, delta: { toolUse: { input: '{"a":' } } }),
      event('contentBlockStop', { contentBlockIndex: 0 }),
    ]);
    expect(error.category).toBe('server');
  });
});
