/**
 * `mapSseStream`: SSE bytes to parts through a synchronous mapper, with the order, failure and
 * early-stop behaviour of an async generator.
 */
import { describe, expect, it } from 'vitest';
import type { SseEvent } from '../../src/streaming/sse.js';
import { mapSseStream, type SseEventMapper } from '../../src/streaming/sse-stream.js';
import { scriptedSource } from '../support/scripted-source.js';

/** The pieces' bytes as a source, failing with `failWith` after them when given. */
function bytes(pieces: readonly string[], failWith?: Error): { source: AsyncIterable<Uint8Array>; closed: () => boolean; reads: () => number } {
  const encoded = pieces.map((piece) => new TextEncoder().encode(piece));
  const scripted = scriptedSource(encoded, failWith === undefined ? {} : { failAfter: encoded.length, failWith });
  return { source: scripted.iterable, closed: scripted.closed, reads: scripted.reads };
}

/** Maps `data: word` events to the word, `data: twice word` to it twice, `data: fail` to a failure; `end` adds 'END'. */
class WordMapper implements SseEventMapper<string> {
  event(event: SseEvent, parts: string[]): void {
    if (event.data === 'fail') throw new Error(`bad event ${event.event}`);
    if (event.data.startsWith('twice ')) parts.push(event.data.slice(6), event.data.slice(6));
    else parts.push(event.data);
  }
  end(parts: string[]): void {
    parts.push('END');
  }
  fail(error: unknown): Error {
    return new Error(`mapped: ${error instanceof Error ? error.message : String(error)}`);
  }
}

async function drain(parts: AsyncIterable<string>): Promise<{ parts: string[]; error?: string }> {
  const seen: string[] = [];
  try {
    for await (const part of parts) seen.push(part);
  } catch (error) {
    return { parts: seen, error: (error as Error).message };
  }
  return { parts: seen };
}

describe('mapSseStream', () => {
  it('maps events split anywhere across chunks, several parts per event, then the end parts', async () => {
    const { source } = bytes(['\ufeffdata: a\n\nda', 'ta: twice b\r\n\r', '\ndata: c\n\n']);
    expect(await drain(mapSseStream(source, new WordMapper()))).toEqual({ parts: ['a', 'b', 'b', 'c', 'END'] });
  });

  it('hands out the parts of a chunk made before a failing event, then fails through the mapper, and ends the source', async () => {
    const { source, closed } = bytes(['data: a\n\ndata: b\n\nevent: oops\ndata: fail\n\ndata: never\n\n']);
    expect(await drain(mapSseStream(source, new WordMapper()))).toEqual({ parts: ['a', 'b'], error: 'mapped: bad event oops' });
    expect(closed()).toBe(true);
  });

  it('fails through the mapper when the source fails, after what it had delivered', async () => {
    const { source } = bytes(['data: a\n\n'], new Error('socket reset'));
    expect(await drain(mapSseStream(source, new WordMapper()))).toEqual({ parts: ['a'], error: 'mapped: socket reset' });
  });

  it('answers next() calls made before the previous one settled in order, then done', async () => {
    const { source } = bytes(['data: a\n\n', 'data: twice b\n\n']);
    const stream = mapSseStream(source, new WordMapper());
    const steps = await Promise.all(Array.from({ length: 6 }, () => stream.next()));
    expect(steps.map((step) => (step.done === true ? 'done' : step.value))).toEqual(['a', 'b', 'b', 'END', 'done', 'done']);
  });

  it('on return(): waits for a read in progress, ends the source, and is done after', async () => {
    const { source, closed } = bytes(['data: a\n\n', 'data: b\n\n', 'data: c\n\n']);
    const stream = mapSseStream(source, new WordMapper());
    expect(await stream.next()).toEqual({ done: false, value: 'a' });
    const reading = stream.next();
    const returned = stream.return?.();
    expect(await reading).toEqual({ done: false, value: 'b' });
    expect(await returned).toEqual({ done: true, value: undefined });
    expect(closed()).toBe(true);
    expect(await stream.next()).toEqual({ done: true, value: undefined });
  });

  it('reads nothing before the first next(), and nothing after return() before it', async () => {
    const { source, reads, closed } = bytes(['data: a\n\n']);
    const stream = mapSseStream(source, new WordMapper());
    expect(reads()).toBe(0);
    expect(await stream.return?.()).toEqual({ done: true, value: undefined });
    expect(await stream.next()).toEqual({ done: true, value: undefined });
    expect(reads()).toBe(0);
    expect(closed()).toBe(false);
  });
});
