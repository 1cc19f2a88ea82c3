/**
 * An in-memory async source for iterator tests: hands out its items one per turn of the event
 * loop, can fail after some of them, counts its reads and notes whether it was ended early.
 */

/** What a scripted source does besides handing out its items. */
export interface ScriptOptions {
  /** Fail every read from this many items on (default: never). */
  readonly failAfter?: number;
  /** The error reads fail with. */
  readonly failWith?: Error;
  /** Make `return()` fail, after noting it. */
  readonly closeFails?: boolean;
}

/** A scripted source and what was done to it. */
export interface ScriptedSource<T> {
  /** Each iteration starts at the first item. */
  readonly iterable: AsyncIterable<T>;
  /** `next()` calls so far, over all iterations. */
  reads(): number;
  /** Whether `return()` was called. */
  closed(): boolean;
}

/** A source of `items`; see the module's description. */
export function scriptedSource<T>(items: readonly T[], options: ScriptOptions = {}): ScriptedSource<T> {
  let reads = 0;
  let closed = false;
  const failAfter = options.failAfter ?? Infinity;
  return {
    reads: () => reads,
    closed: () => closed,
    iterable: {
      [Symbol.asyncIterator]: () => {
        let index = 0;
        return {
          next: async (): Promise<IteratorResult<T>> => {
            reads += 1;
            await new Promise((resolve) => setImmediate(resolve));
            if (index >= failAfter) throw options.failWith ?? new Error('the source failed');
            const item = items[index];
            if (index >= items.length) return { done: true, value: undefined };
            index += 1;
            return { done: false, value: item as T };
          },
          return: async (): Promise<IteratorResult<T>> => {
            closed = true;
            if (options.closeFails === true) throw new Error('close failed');
            return { done: true, value: undefined };
          },
        };
      },
    },
  };
}
