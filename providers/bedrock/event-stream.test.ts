import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '../../src/errors.js';
import type { AdapterStreamPart } from '../../src/provider-spec.js';
import { loadEventStreamDecoder, streamBedrockBody } from './event-stream.js';

const codec = new EventStreamCodec(toUtf8, fromUtf8);
const context = { provider: 'aws', model: 'anthropic.claude-3-haiku-20240307-v1:0' };

/** A `chunk` event carrying one Anthropic event, as InvokeModelWithResponseStream sends it. */
function chunk(event: unknown): Uint8Array {
  const bytes = Buffer.from(JSON.stringify(event)).toString('base64');
  return codec.encode({
    headers: { ':event-type': { type: 'string', value: 'chunk' }, ':content-type': { type: 'string', value: 'application/json' }, ':message-type': { type: 'string', value: 'event' } },
    body: fromUtf8(JSON.stringify({ bytes })),
  });
}

// The Anthropic events of a short answer, per Anthropic's streaming reference.
const EVENTS = [
  { type: 'message_start', message: { id: 'msg_bdrk_01', type: 'message', role: 'assistant', model: 'claude-3-haiku-20240307', content: [], usage: { input_tokens: 9, output_tokens: 1 } } },
  { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
  { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hello' } },
  { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: ' there' } },
  { type: 'content_block_stop', index: 0 },
  { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 2 } },
  { type: 'message_stop', 'amazon-bedrock-invocationMetrics': { inputTokenCount: 9, outputTokenCount: 2, invocationLatency: 300, firstByteLatency: 120 } },
];

function concat(parts: readonly Uint8Array[]): Uint8Array {
  return Uint8Array.from(parts.flatMap((part) => [...part]));
}

async function* pieces(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let index = 0; index < bytes.length; index += size) yield bytes.subarray(index, index + size);
}

async function collect(body: AsyncIterable<Uint8Array>): Promise<AdapterStreamPart[]> {
  const decode = await loadEventStreamDecoder();
  const parts: AdapterStreamPart[] = [];
  for await (const part of streamBedrockBody(body, decode, context)) parts.push(part);
  return parts;
}

describe('bedrock event stream', () => {
  it.each([1, 7, 64, 100_000])('gives the same parts whatever the chunking (%i-byte chunks)', async (size) => {
    const parts = await collect(pieces(concat(EVENTS.map(chunk)), size));
    expect(parts).toEqual([
      { type: 'response-metadata', id: 'msg_bdrk_01', servedModel: 'claude-3-haiku-20240307' },
      { type: 'text-delta', text: 'Hello' },
      { type: 'text-delta', text: ' there' },
      { type: 'usage', usage: expect.objectContaining({ inputTokens: 9, outputTokens: 2 }) as unknown },
      { type: 'finish', finishReason: 'stop', rawFinishReason: 'end_turn' },
    ]);
  });

  it('a corrupt message (checksum mismatch) is a server error, after the parts before it', async () => {
    const frames = EVENTS.map(chunk);
    const broken = Uint8Array.from(frames[3]!);
    broken[broken.length - 1] = (broken[broken.length - 1] ?? 0) ^ 0xff;
    const parts: AdapterStreamPart[] = [];
    const decode = await loadEventStreamDecoder();
    let failure: unknown;
    try {
      for await (const part of streamBedrockBody(pieces(concat([...frames.slice(0, 3), broken, ...frames.slice(4)]), 100_000), decode, context)) parts.push(part);
    } catch (error) {
      failure = error;
    }
    expect(parts).toContainEqual({ type: 'text-delta', text: 'Hello' });
    expect(SwitchyardError.isInstance(failure) && [failure.category, failure.code, failure.provider]).toEqual(['server', 'server.malformed_response', 'aws']);
  });

  it('a body that ends inside a message, or before message_stop, is a network error', async () => {
    const whole = concat(EVENTS.map(chunk));
    await expect(collect(pieces(whole.subarray(0, whole.length - 5), 50))).rejects.toMatchObject({ category: 'network' });
    await expect(collect(pieces(concat(EVENTS.slice(0, 4).map(chunk)), 50))).rejects.toMatchObject({ category: 'network' });
  });
});
