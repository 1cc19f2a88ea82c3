import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '../../src/errors.js';
import type { AdapterStreamPart } from '../../src/provider-spec.js';
import { streamAnthropicBody } from './stream.js';
import { TEXT_PARTS, TOOL_PARTS } from './__fixtures__/expected-parts.js';

const context = { provider: 'anthropic', model: 'claude-sonnet-4-5' };

function fixture(name: string): string {
  return readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8');
}

/** The transcript as bytes cut every `size` bytes (so cuts fall inside lines and characters). */
async function* bytesIn(text: string, size: number): AsyncGenerator<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  for (let index = 0; index < bytes.length; index += size) yield bytes.subarray(index, index + size);
}

async function collect(text: string, size = 1 << 20): Promise<AdapterStreamPart[]> {
  const parts: AdapterStreamPart[] = [];
  for await (const part of streamAnthropicBody(bytesIn(text, size), context)) parts.push(part);
  return parts;
}

async function failure(text: string, size = 1 << 20): Promise<{ error: SwitchyardError; parts: AdapterStreamPart[] }> {
  const parts: AdapterStreamPart[] = [];
  try {
    for await (const part of streamAnthropicBody(bytesIn(text, size), context)) parts.push(part);
  } catch (error) {
    if (!SwitchyardError.isInstance(error)) throw error;
    return { error, parts };
  }
  throw new Error('the stream finished without an error');
}

function textOf(parts: readonly AdapterStreamPart[]): string {
  return parts.map((part) => (part.type === 'text-delta' ? part.text : '')).join('');
}


describe('streamAnthropicBody over the golden transcripts', () => {
  it('maps the text transcript', async () => {
    expect(await collect(fixture('text.chunks.txt'))).toEqual(TEXT_PARTS);
  });

  it('maps the tool-use transcript: the call is emitted once its arguments are complete', async () => {
    expect(await collect(fixture('tool-use.chunks.txt'))).toEqual(TOOL_PARTS);
  });

  it.each([1, 7, 13])('gives the same parts when the bytes arrive %i at a time', async (size) => {
    const text = await collect(fixture('text.chunks.txt'), size);
    expect(textOf(text)).toBe(textOf(TEXT_PARTS));
    expect(text.filter((part) => part.type !== 'text-delta')).toEqual(TEXT_PARTS.filter((part) => part.type !== 'text-delta'));
    expect(await collect(fixture('tool-use.chunks.txt'), size)).toEqual(TOOL_PARTS);
  });

  it.each([1, 7, 13])('reads CRLF line ends, %i bytes at a time', async (size) => {
    const crlf = fixture('tool-use.chunks.txt').replace(/\n/g, '\r\n');
    expect(await collect(crlf, size)).toEqual(TOOL_PARTS);
  });

  it('ignores comments, extra pings and unknown event types', async () => {
    const noisy = fixture('text.chunks.txt')
      .replace('event: content_block_stop', ': keep-alive\n\nevent: ping\ndata: {"type": "ping"}\n\nevent: brand_new_event\ndata: {"type": "brand_new_event", "x": 1}\n\nevent: content_block_stop')
      .replace('event: message_delta', 'event: ping\ndata: {"type": "ping"}\n\nevent: message_delta');
    expect(await collect(noisy, 7)).toEqual(TEXT_PARTS);
  });

  it('reads a stream whose events are named only by their data type', async () => {
    const unnamed = fixture('text.chunks.txt').replace(/^event: .*\n/gm, '');
    expect(await collect(unnamed, 13)).toEqual(TEXT_PARTS);
  });
});

describe('tool-call deltas', () => {
  it('sends input given whole in content_block_start as one delta', async () => {
    const frame = (event: string, data: unknown): string => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    const transcript = [
      frame('message_start', { type: 'message_start', message: { id: 'msg_whole', model: 'm', content: [], usage: { input_tokens: 1, output_tokens: 1 } } }),
      frame('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: 'toolu_whole', name: 'lookup', input: { q: 'x' } } }),
      frame('content_block_stop', { type: 'content_block_stop', index: 0 }),
      frame('message_delta', { type: 'message_delta', delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 3 } }),
      frame('message_stop', { type: 'message_stop' }),
    ].join('');
    const parts = await collect(transcript);
    expect(parts.filter((part) => part.type === 'tool-call-delta' || part.type === 'tool-call')).toEqual([
      { type: 'tool-call-delta', toolCallId: 'toolu_whole', toolName: 'lookup', argumentsDelta: '{"q":"x"}' },
      { type: 'tool-call', toolCall: { id: 'toolu_whole', name: 'lookup', arguments: { q: 'x' } } },
    ]);
  });
});

describe('large tool-call arguments', () => {
  it('assembles arguments larger than 64 KiB, split across many deltas and odd chunks', async () => {
    const document = 'ü€ '.repeat(30_000); // multi-byte characters, ~210 KB of UTF-8
    const json = JSON.stringify({ document, count: 3 });
    expect(Buffer.byteLength(json)).toBeGreaterThan(64 * 1024);
    const pieces: string[] = [];
    for (let index = 0; index < json.length; index += 50_000) pieces.push(json.slice(index, index + 50_000));
    const frame = (event: string, data: unknown): string => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    const transcript = [
      frame('message_start', { type: 'message_start', message: { id: 'msg_big', model: 'm', content: [], usage: { input_tokens: 1, output_tokens: 1 } } }),
      frame('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: 'toolu_big', name: 'save', input: {} } }),
      ...pieces.map((partial) => frame('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: partial } })),
      frame('content_block_stop', { type: 'content_block_stop', index: 0 }),
      frame('message_delta', { type: 'message_delta', delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 9000 } }),
      frame('message_stop', { type: 'message_stop' }),
    ].join('');
    for (const size of [13, 1021, 65_537]) {
      const parts = await collect(transcript, size);
      const call = parts.find((part) => part.type === 'tool-call');
      expect(call).toEqual({ type: 'tool-call', toolCall: { id: 'toolu_big', name: 'save', arguments: { document, count: 3 } } });
      const deltas = parts.flatMap((part) => (part.type === 'tool-call-delta' ? [part.argumentsDelta] : []));
      expect(deltas).toEqual(pieces);
      expect(parts.at(-1)).toEqual({ type: 'finish', finishReason: 'tool_calls', rawFinishReason: 'tool_use' });
    }
  });
});

describe('streams that fail', () => {
  it('throws the mapped error for an error event', async () => {
    const { error, parts } = await failure(fixture('error.chunks.txt'), 7);
    expect(parts).toEqual([]);
    expect(error).toMatchObject({ category: 'overloaded', providerCode: 'overloaded_error', provider: 'anthropic', model: 'claude-sonnet-4-5' });
  });

  it('throws for an error event after output, keeping what came before', async () => {
    const transcript = fixture('text.chunks.txt').replace(/event: content_block_stop[\s\S]*$/, fixture('error.chunks.txt'));
    const { error, parts } = await failure(transcript);
    expect(textOf(parts)).toBe(textOf(TEXT_PARTS));
    expect(parts.some((part) => part.type === 'finish')).toBe(false);
    expect(error.category).toBe('overloaded');
  });

  it('never finishes cleanly when message_stop is missing', async () => {
    const truncated = fixture('tool-use.chunks.txt').replace(/event: message_stop[\s\S]*$/, '');
    const { error, parts } = await failure(truncated, 7);
    expect(error).toMatchObject({ category: 'network', provider: 'anthropic', model: 'claude-sonnet-4-5' });
    expect(error.message).toContain('stream ended before message_stop');
    expect(parts.some((part) => part.type === 'finish')).toBe(false);
  });

  it('treats an empty body as a stream that ended early', async () => {
    expect((await failure('')).error.category).toBe('network');
  });

  it('surfaces malformed tool-call JSON as a server error instead of an empty object', async () => {
    const broken = fixture('tool-use.chunks.txt').replace('renheit\\"}', 'renheit');
    const { error } = await failure(broken);
    expect(error.category).toBe('server');
    expect(error.message).toContain('get_weather');
  });

  it('surfaces an event whose data is not JSON as a server error', async () => {
    const broken = fixture('text.chunks.txt').replace('{"type": "content_block_stop", "index": 0}', '{"type": "content_block_st');
    expect((await failure(broken)).error.category).toBe('server');
  });

  it('stamps errors thrown by the byte source with the provider and model', async () => {
    async function* source(): AsyncGenerator<Uint8Array> {
      const text = fixture('text.chunks.txt');
      yield new TextEncoder().encode(text.slice(0, text.indexOf('event: content_block_start')));
      throw new SwitchyardError({ category: 'network', message: 'socket closed' });
    }
    const parts: AdapterStreamPart[] = [];
    await expect(
      (async () => {
        for await (const part of streamAnthropicBody(source(), context)) parts.push(part);
      })(),
    ).rejects.toMatchObject({ category: 'network', provider: 'anthropic', model: 'claude-sonnet-4-5' });
    expect(parts[0]?.type).toBe('response-metadata');
  });
});
