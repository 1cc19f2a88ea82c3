/**
 * The async-iterator contract that the stream path's layers share, written once: a subclass says
 * what to hand out next (`pull`), what a value it waited for gives (`received`), what a failure
 * it waited for gives (`failed`), and how to stop early (`stop`). This class keeps the contract an
 * async generator would: `next()` and `return()` calls made before the previous one settled wait
 * their turn, and after the end, a failure or `return()`, every `next()` reports done.
 *
 * Not async generators: every event of every stream passes each layer, and the three layers as
 * generators took 3.5–12 µs more client CPU per 9-event stream at 64 in flight, 4–11 %
 * (bench/NOTES.md, issue 17). Here an event already made costs one resolved promise, a wait one reaction.
 */

/** What a layer hands out now (a result), or a promise of the value it waits for, which goes to `received`. */
export type Pulled<T, Value> = IteratorResult<T> | Promise<Value>;

/** The iterator result that ends an iteration. */
export const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

/** An async iterator from a `pull` and the values it waits for; see the module's description. */
export abstract class PullIterator<T, Value> implements AsyncIterableIterator<T> {
  /** The step in progress, which a `next()` or `return()` arriving meanwhile waits for. */
  private pending: Promise<IteratorResult<T>> | undefined;
  /** Ended, failed or returned: every later `next()` reports done. */
  private ended = false;

  // Made once per iterator rather than once per wait.
  private readonly onValue = (value: Value): IteratorResult<T> | Promise<IteratorResult<T>> => {
    this.pending = undefined;
    let pulled: Pulled<T, Value>;
    try {
      pulled = this.received(value);
    } catch (error) {
      this.ended = true;
      throw error;
    }
    return this.handOut(pulled);
  };

  private readonly onFailure = (error: unknown): IteratorResult<T> | Promise<IteratorResult<T>> => {
    this.pending = undefined;
    this.ended = true;
    return this.handOut(this.failed(error));
  };

  /**
   * What to hand out next: a result, or a promise of a value to wait for (given to `received`).
   * Not called again once the iteration ended. Throws the error the caller sees.
   */
  protected abstract pull(): Pulled<T, Value>;

  /** What a value waited for gives: as `pull`. */
  protected abstract received(value: Value): Pulled<T, Value>;

  /** What a failure waited for gives (the iteration has ended): by default the failure itself. */
  protected failed(error: unknown): Pulled<T, Value> {
    throw error;
  }

  /** Stops early (`return()` before the end): ends whatever is read from underneath. */
  protected stop(): Promise<unknown> | undefined {
    return undefined;
  }

  /** `iterator.next()`, with a synchronous throw as a rejection (which goes to `failed`). */
  protected nextOf<V>(iterator: AsyncIterator<V>): Promise<IteratorResult<V>> {
    try {
      return iterator.next();
    } catch (error) {
      return Promise.reject(error);
    }
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** The next value, after any step in progress. */
  next(): Promise<IteratorResult<T>> {
    if (this.pending !== undefined) return this.pending.then(() => this.next(), () => this.next());
    if (this.ended) return Promise.resolve(DONE);
    let pulled: Pulled<T, Value>;
    try {
      pulled = this.pull();
    } catch (error) {
      this.ended = true;
      return Promise.reject(error);
    }
    const step = this.handOut(pulled);
    return isResult(step) ? Promise.resolve(step) : step;
  }

  /** Stops reading, after any step in progress: `stop()` unless the iteration had ended. */
  return(): Promise<IteratorResult<T>> {
    if (this.pending !== undefined) return this.pending.then(() => this.return(), () => this.return());
    if (this.ended) return Promise.resolve(DONE);
    this.ended = true;
    let stopping: Promise<unknown> | undefined;
    try {
      stopping = this.stop();
    } catch (error) {
      return Promise.reject(error);
    }
    if (stopping === undefined) return Promise.resolve(DONE);
    const stopped = stopping.then(
      () => {
        this.pending = undefined;
        return DONE;
      },
      (error: unknown) => {
        this.pending = undefined;
        throw error;
      },
    );
    this.pending = stopped;
    return stopped;
  }

  /** A result as it is (noting the end), or a wait that is now the step in progress. */
  private handOut(pulled: Pulled<T, Value>): IteratorResult<T> | Promise<IteratorResult<T>> {
    if (isResult(pulled)) {
      if (pulled.done === true) this.ended = true;
      return pulled;
    }
    const step = pulled.then(this.onValue, this.onFailure);
    this.pending = step;
    return step;
  }
}

function isResult<T>(pulled: IteratorResult<T> | PromiseLike<unknown>): pulled is IteratorResult<T> {
  return typeof (pulled as Partial<PromiseLike<unknown>>).then !== 'function';
}
