/**
 * The dispatcher's committed stream as an iterator, over in-memory adapter parts: what it hands
 * out, what its completion settles with, and when it ends the adapter's iteration.
 */
import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '../../src/errors.js';
import type { AdapterStreamPart } from '../../src/provider-spec.js';
import { CommittedStream, type StreamEnding } from '../../src/router/committed-stream.js';
import type { ChatResponse } from '../../src/types.js';
import { scriptedSource } from '../support/scripted-source.js';

const usage = { inputTokens: 3, outputTokens: 2, totalTokens: 5 };
const PARTS: AdapterStreamPart[] = [
  { type: 'response-metadata', id: 'msg-1' },
  { type: 'text-delta', text: 'Hello' },
  { type: 'text-delta', text: ' world' },
  { type: 'usage', usage },
  { type: 'finish', finishReason: 'stop' },
];

/** The parts as an adapter's iterator, failing reads with 'connection reset' from `failAfter` on. */
function source(parts: readonly AdapterStreamPart[], failAfter = Infinity): { iterator: AsyncIterator<AdapterStreamPart>; closed: () => boolean } {
  const scripted = scriptedSource(parts, { failAfter, failWith: new Error('connection reset') });
  return { iterator: scripted.iterable[Symbol.asyncIterator](), closed: scripted.closed };
}

const ending: StreamEnding = {
  finish: (accumulator) => ({ ...accumulator.result('fallback'), route: 'r', target: { provider: 'p', model: 'm' }, attempts: [], latencyMs: 1, requestId: 'req', cached: false }) as unknown as ChatResponse,
  fail: (error) => new SwitchyardError({ category: 'network', message: `mapped: ${error instanceof Error ? error.message : String(error)}` }),
  stopped: () => new SwitchyardError({ category: 'canceled', message: 'the stream consumer stopped reading' }),
};

async function drain(stream: AsyncIterable<unknown>): Promise<unknown[]> {
  const all: unknown[] = [];
  for await (const event of stream) all.push(event);
  return all;
}

describe('CommittedStream', () => {
  it('hands out buffered parts first, then the rest, and completes with the accumulated answer', async () => {
    const { iterator, closed } = source(PARTS.slice(2));
    const stream = new CommittedStream(iterator, PARTS.slice(0, 2), ending);
    const events = await drain(stream);
    expect(events).toEqual([
      { type: 'text-delta', text: 'Hello' },
      { type: 'text-delta', text: ' world' },
      { type: 'usage', usage },
      { type: 'finish', response: expect.objectContaining({ id: 'msg-1', text: 'Hello world', usage, finishReason: 'stop' }) },
    ]);
    await expect(stream.completion).resolves.toMatchObject({ text: 'Hello world' });
    expect(closed()).toBe(true); // the adapter's iteration is ended once the finish was taken
  });

  it('answers next() calls made before the previous one settled in order, then done', async () => {
    const stream = new CommittedStream(source(PARTS).iterator, [], ending);
    const steps = await Promise.all(Array.from({ length: 6 }, () => stream.next()));
    expect(steps.map((step) => (step.done === true ? 'done' : step.value.type))).toEqual(['text-delta', 'text-delta', 'usage', 'finish', 'done', 'done']);
  });

  it('fails with the mapped error, rejects the completion with it, ends the adapter iteration, then is done', async () => {
    const { iterator, closed } = source(PARTS, 2);
    const stream = new CommittedStream(iterator, [], ending);
    await expect(drain(stream)).rejects.toMatchObject({ category: 'network', message: 'mapped: connection reset' });
    await expect(stream.completion).rejects.toMatchObject({ message: 'mapped: connection reset' });
    expect(closed()).toBe(true);
    expect(await stream.next()).toEqual({ done: true, value: undefined });
  });

  it('fails when the parts end without a finish (never a silent truncation)', async () => {
    const stream = new CommittedStream(source(PARTS.slice(0, 3)).iterator, [], ending);
    await expect(drain(stream)).rejects.toMatchObject({ category: 'network', message: 'mapped: the stream ended without a finish event' });
    await expect(stream.completion).rejects.toMatchObject({ category: 'network' });
  });

  it('on return() before the end: waits for a read in progress, rejects the completion as stopped, ends the adapter iteration', async () => {
    const { iterator, closed } = source(PARTS);
    const stream = new CommittedStream(iterator, [], ending);
    expect((await stream.next()).done).toBe(false);
    const reading = stream.next();
    const returned = stream.return();
    expect(await reading).toEqual({ done: false, value: { type: 'text-delta', text: ' world' } });
    expect(await returned).toEqual({ done: true, value: undefined });
    await expect(stream.completion).rejects.toMatchObject({ category: 'canceled' });
    expect(closed()).toBe(true);
    expect(await stream.next()).toEqual({ done: true, value: undefined });
  });

  it('keeps its completion after return() once the finish was handed out', async () => {
    const stream = new CommittedStream(source(PARTS).iterator, [], ending);
    for await (const event of stream) if (event.type === 'finish') break;
    await expect(stream.completion).resolves.toMatchObject({ text: 'Hello world' });
  });
});
