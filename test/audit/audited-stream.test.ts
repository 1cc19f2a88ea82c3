/**
 * `AuditedStream` over in-memory events: the record is appended before the caller sees the
 * stream's end, in every way a stream can end, exactly once.
 */
import { describe, expect, it } from 'vitest';
import { AuditedStream, type AuditedStreamEnding } from '../../src/audit/audited-stream.js';
import type { ChatResponse, StreamEvent } from '../../src/types.js';
import { scriptedSource } from '../support/scripted-source.js';

const response = { text: 'Hi there', finishReason: 'stop' } as ChatResponse;
const EVENTS: StreamEvent[] = [
  { type: 'text-delta', text: 'Hi' },
  { type: 'text-delta', text: ' there' },
  { type: 'finish', response },
];

/** The events as a source, failing reads with 'cut' from `failAfter` on. */
function source(events: readonly StreamEvent[], options: { failAfter?: number; closeFails?: boolean } = {}): { events: AsyncIterable<StreamEvent>; reads: () => number; closed: () => boolean } {
  const scripted = scriptedSource(events, { ...options, failWith: new Error('cut') });
  return { events: scripted.iterable, reads: scripted.reads, closed: scripted.closed };
}

/** A record log whose appends finish a turn later, noting what the caller had seen by then. */
function log(seen: string[]): { endings: (AuditedStreamEnding & { seenBefore: string })[]; record: (ending: AuditedStreamEnding) => Promise<void> } {
  const endings: (AuditedStreamEnding & { seenBefore: string })[] = [];
  return {
    endings,
    record: async (ending) => {
      await new Promise((resolve) => setImmediate(resolve));
      endings.push({ ...ending, seenBefore: seen.join(',') });
    },
  };
}

describe('AuditedStream', () => {
  it('records a finished stream before its finish event is handed over, once', async () => {
    const seen: string[] = [];
    const { endings, record } = log(seen);
    const stream = new AuditedStream(source(EVENTS).events, undefined, 'r', record);
    for await (const event of stream) seen.push(event.type);
    expect(seen).toEqual(['text-delta', 'text-delta', 'finish']);
    expect(endings).toHaveLength(1);
    expect(endings[0]).toMatchObject({ response, seenBefore: 'text-delta,text-delta', firstOutputAt: expect.any(Number) });
  });

  it('takes the first output time from the stream when it knows it', async () => {
    const { endings, record } = log([]);
    for await (const _event of new AuditedStream(source(EVENTS).events, 12.5, 'r', record)) {
      // read to the end
    }
    expect(endings[0]?.firstOutputAt).toBe(12.5);
  });

  it('records a failure before it reaches the caller, and is done after', async () => {
    const seen: string[] = [];
    const { endings, record } = log(seen);
    const stream = new AuditedStream(source(EVENTS, { failAfter: 1 }).events, undefined, 'r', record);
    await expect((async () => {
      for await (const event of stream) seen.push(event.type);
    })()).rejects.toThrow('cut');
    expect(endings).toEqual([expect.objectContaining({ error: expect.objectContaining({ message: 'cut' }), seenBefore: 'text-delta' })]);
    expect(await stream.next()).toEqual({ done: true, value: undefined });
  });

  it('records a stream that ends without finish as an unknown error naming the route', async () => {
    const { endings, record } = log([]);
    for await (const _event of new AuditedStream(source(EVENTS.slice(0, 2)).events, undefined, 'claude', record)) {
      // read to the end
    }
    expect(endings).toEqual([expect.objectContaining({ error: expect.objectContaining({ category: 'unknown', route: 'claude' }) })]);
  });

  it('on return() before the end: ends the stream underneath, then records canceled before return() completes', async () => {
    const seen: string[] = [];
    const { endings, record } = log(seen);
    const { events, closed } = source(EVENTS);
    const stream = new AuditedStream(events, undefined, 'r', record);
    await stream.next();
    await stream.return();
    expect(closed()).toBe(true);
    expect(endings).toEqual([expect.objectContaining({ error: expect.objectContaining({ category: 'canceled' }) })]);
    expect(await stream.next()).toEqual({ done: true, value: undefined });
  });

  it('records canceled also when ending the stream underneath fails, then reports that failure', async () => {
    const { endings, record } = log([]);
    const stream = new AuditedStream(source(EVENTS, { closeFails: true }).events, undefined, 'r', record);
    await stream.next();
    await expect(stream.return()).rejects.toThrow('close failed');
    expect(endings).toEqual([expect.objectContaining({ error: expect.objectContaining({ category: 'canceled' }) })]);
  });

  it('does not read past the finish while its record is being appended, for next() calls that overlap', async () => {
    const seen: string[] = [];
    const { endings, record } = log(seen);
    const { events, reads } = source(EVENTS);
    const stream = new AuditedStream(events, undefined, 'r', record);
    const steps = await Promise.all(Array.from({ length: 5 }, () => stream.next()));
    expect(steps.map((step) => (step.done === true ? 'done' : step.value.type))).toEqual(['text-delta', 'text-delta', 'finish', 'done', 'done']);
    expect(endings).toHaveLength(1);
    expect(reads()).toBe(4);
  });

  it('hands a failed record write to the caller at the finish, and is done after (never stuck)', async () => {
    const stream = new AuditedStream(source(EVENTS).events, undefined, 'r', () => Promise.reject(new Error('disk full')));
    await stream.next();
    await stream.next();
    await expect(stream.next()).rejects.toThrow('disk full');
    expect(await stream.next()).toEqual({ done: true, value: undefined });
  });

  it('records nothing twice when return() comes after the finish', async () => {
    const { endings, record } = log([]);
    const stream = new AuditedStream(source(EVENTS).events, undefined, 'r', record);
    for await (const event of stream) if (event.type === 'finish') break;
    expect(endings).toHaveLength(1);
    expect(endings[0]?.response).toBe(response);
  });
});
