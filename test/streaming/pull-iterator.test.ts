/**
 * `PullIterator`, the stream layers' shared base, over in-memory sources: the async-generator
 * contract it keeps for every layer built on it (turns for overlapping calls, done after an end, a
 * failure or a return, stopping what is read from underneath).
 */
import { describe, expect, it } from 'vitest';
import { PullIterator, type Pulled } from '../../src/streaming/pull-iterator.js';
import { scriptedSource } from '../support/scripted-source.js';

/** Passes on a source's even numbers, doubled; a source failure becomes `relayed: <message>`; counts its pulls and stops. */
class EvenRelay extends PullIterator<number, IteratorResult<number>> {
  pulls = 0;
  stops = 0;
  private source: AsyncIterator<number> | undefined;

  constructor(
    private readonly items: AsyncIterable<number>,
    private readonly options: { readonly pullThrows?: boolean } = {},
  ) {
    super();
  }

  protected pull(): Pulled<number, IteratorResult<number>> {
    this.pulls += 1;
    if (this.options.pullThrows === true) throw new Error('pull failed');
    this.source ??= this.items[Symbol.asyncIterator]();
    return this.nextOf(this.source);
  }

  protected received(step: IteratorResult<number>): Pulled<number, IteratorResult<number>> {
    if (step.done === true) return step;
    // An odd number hands out nothing: wait for the next one.
    return step.value % 2 === 0 ? { done: false, value: step.value * 2 } : this.nextOf(this.source as AsyncIterator<number>);
  }

  protected override failed(error: unknown): never {
    throw new Error(`relayed: ${(error as Error).message}`);
  }

  protected override stop(): Promise<unknown> | undefined {
    this.stops += 1;
    return this.source?.return?.();
  }
}

const done = { done: true, value: undefined };
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function relay(items: readonly number[], options: { failAfter?: number; closeFails?: boolean; pullThrows?: boolean } = {}) {
  const scripted = scriptedSource(items, { failAfter: options.failAfter ?? Infinity, failWith: new Error('socket reset'), closeFails: options.closeFails === true });
  return { iterator: new EvenRelay(scripted.iterable, { pullThrows: options.pullThrows === true }), scripted };
}

describe('PullIterator', () => {
  it('answers next() calls made before the previous one settled in order, then done', async () => {
    const { iterator } = relay([1, 2, 3, 4, 5, 6]);
    const steps = await Promise.all(Array.from({ length: 6 }, () => iterator.next()));
    expect(steps).toEqual([{ done: false, value: 4 }, { done: false, value: 8 }, { done: false, value: 12 }, done, done, done]);
  });

  it('after the end reports done without pulling again', async () => {
    const { iterator, scripted } = relay([2]);
    expect(await iterator.next()).toEqual({ done: false, value: 4 });
    expect(await iterator.next()).toEqual(done);
    const pulls = iterator.pulls;
    expect(await iterator.next()).toEqual(done);
    expect(await iterator.return()).toEqual(done);
    expect(iterator.pulls).toBe(pulls);
    expect(iterator.stops).toBe(0); // nothing to stop once the source ended
    expect(scripted.closed()).toBe(false);
  });

  it('hands a failure it waited for to failed(), then is done and stops nothing', async () => {
    const { iterator } = relay([2, 4], { failAfter: 1 });
    expect(await iterator.next()).toEqual({ done: false, value: 4 });
    await expect(iterator.next()).rejects.toThrow('relayed: socket reset');
    expect(await iterator.next()).toEqual(done);
    expect(await iterator.return()).toEqual(done);
    expect(iterator.stops).toBe(0);
  });

  it('rejects the next() whose pull throws, then is done', async () => {
    const { iterator } = relay([2], { pullThrows: true });
    await expect(iterator.next()).rejects.toThrow('pull failed');
    expect(await iterator.next()).toEqual(done);
    expect(iterator.pulls).toBe(1);
  });

  it('on return(): waits for a next() in progress, stops the source once, then is done', async () => {
    const { iterator, scripted } = relay([2, 4, 6]);
    expect(await iterator.next()).toEqual({ done: false, value: 4 });
    const reading = iterator.next();
    const returned = iterator.return();
    const afterReturn = iterator.next();
    expect(await reading).toEqual({ done: false, value: 8 });
    expect(await returned).toEqual(done);
    expect(await afterReturn).toEqual(done);
    expect(scripted.closed()).toBe(true);
    expect(await iterator.return()).toEqual(done);
    expect(iterator.stops).toBe(1);
    expect(scripted.reads()).toBe(2);
  });

  it('stops the source only after a read in progress has settled, and settles a next() made meanwhile after the stop', async () => {
    const log: string[] = [];
    const source: AsyncIterable<number> = {
      [Symbol.asyncIterator]: () => ({
        next: async () => {
          await sleep(10);
          log.push('read settled');
          return { done: false, value: 2 };
        },
        return: async () => {
          log.push('return called');
          await sleep(10);
          return { done: true, value: undefined };
        },
      }),
    };
    const iterator = new EvenRelay(source);
    const reading = iterator.next().then(() => log.push('next answered'));
    const returned = iterator.return().then(() => log.push('return answered'));
    const afterReturn = iterator.next().then((step) => log.push(`next after return answered ${String(step.done)}`));
    await Promise.all([reading, returned, afterReturn]);
    expect(log).toEqual(['read settled', 'next answered', 'return called', 'return answered', 'next after return answered true']);
  });

  it('lets the layer decide what return() before the first next() stops', async () => {
    const { iterator, scripted } = relay([2]);
    expect(await iterator.return()).toEqual(done);
    expect(iterator.stops).toBe(1);
    expect(scripted.reads()).toBe(0);
    expect(await iterator.next()).toEqual(done);
    expect(iterator.pulls).toBe(0);
  });

  it('rejects return() when stopping fails, and a next() waiting on it reports done', async () => {
    const { iterator } = relay([2, 4], { closeFails: true });
    expect(await iterator.next()).toEqual({ done: false, value: 4 });
    const returned = iterator.return();
    const waiting = iterator.next();
    await expect(returned).rejects.toThrow('close failed');
    expect(await waiting).toEqual(done);
  });

  it('works with for await, break included', async () => {
    const seen: number[] = [];
    const { iterator, scripted } = relay([1, 2, 3, 4, 5, 6]);
    for await (const value of iterator) {
      seen.push(value);
      if (value === 8) break;
    }
    expect(seen).toEqual([4, 8]);
    expect(scripted.closed()).toBe(true);
  });
});
