/**
 * A committed stream's completion settles in every way the stream can end, also when the consumer
 * stops before it read anything, and nothing is read after a stop.
 */
import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '../../src/errors.js';
import type { AdapterStreamPart } from '../../src/provider-spec.js';
import { CommittedStream, type StreamEnding } from '../../src/router/committed-stream.js';
import type { ChatResponse } from '../../src/types.js';
import { scriptedSource } from '../support/scripted-source.js';

const PARTS: AdapterStreamPart[] = [
  { type: 'text-delta', text: 'Hello' },
  { type: 'usage', usage: { inputTokens: 3, outputTokens: 1, totalTokens: 4 } },
  { type: 'finish', finishReason: 'stop' },
];

/** An ending that counts how often the stream asked it to finish, fail or stop. */
function countingEnding(): { ending: StreamEnding; asked: { finish: number; fail: number; stopped: number } } {
  const asked = { finish: 0, fail: 0, stopped: 0 };
  const ending: StreamEnding = {
    finish: (accumulator) => {
      asked.finish += 1;
      return { ...accumulator.result('req'), route: 'r', target: { provider: 'p', model: 'm' }, attempts: [], latencyMs: 1, requestId: 'req', cached: false } as unknown as ChatResponse;
    },
    fail: (error) => {
      asked.fail += 1;
      return new SwitchyardError({ category: 'network', message: `mapped: ${(error as Error).message}` });
    },
    stopped: () => {
      asked.stopped += 1;
      return new SwitchyardError({ category: 'canceled', message: 'the stream consumer stopped reading' });
    },
  };
  return { ending, asked };
}

describe('CommittedStream completion', () => {
  it('fails as stopped when return() comes before the first next(), reading nothing and ending the adapter iteration', async () => {
    const scripted = scriptedSource(PARTS);
    const { ending, asked } = countingEnding();
    const stream = new CommittedStream(scripted.iterable[Symbol.asyncIterator](), [], ending);
    expect(await stream.return()).toEqual({ done: true, value: undefined });
    await expect(stream.completion).rejects.toMatchObject({ category: 'canceled' });
    expect(await stream.next()).toEqual({ done: true, value: undefined });
    expect(scripted.reads()).toBe(0);
    expect(scripted.closed()).toBe(true);
    expect(asked).toEqual({ finish: 0, fail: 0, stopped: 1 });
  });

  it('keeps the failure as its completion when return() follows a failure', async () => {
    const scripted = scriptedSource(PARTS, { failAfter: 1, failWith: new Error('connection reset') });
    const { ending, asked } = countingEnding();
    const stream = new CommittedStream(scripted.iterable[Symbol.asyncIterator](), [], ending);
    expect(await stream.next()).toMatchObject({ done: false, value: { type: 'text-delta' } });
    await expect(stream.next()).rejects.toMatchObject({ category: 'network', message: 'mapped: connection reset' });
    expect(await stream.return()).toEqual({ done: true, value: undefined });
    await expect(stream.completion).rejects.toMatchObject({ category: 'network' });
    expect(asked).toEqual({ finish: 0, fail: 1, stopped: 0 });
  });

  it('answers a next() made while return() is under way with done, after it', async () => {
    const scripted = scriptedSource(PARTS);
    const { ending } = countingEnding();
    const stream = new CommittedStream(scripted.iterable[Symbol.asyncIterator](), [], ending);
    const reading = stream.next();
    const returned = stream.return();
    const afterReturn = stream.next();
    expect(await reading).toMatchObject({ done: false, value: { type: 'text-delta', text: 'Hello' } });
    expect(await returned).toEqual({ done: true, value: undefined });
    expect(await afterReturn).toEqual({ done: true, value: undefined });
    expect(scripted.reads()).toBe(1);
    await expect(stream.completion).rejects.toMatchObject({ category: 'canceled' });
  });
});
