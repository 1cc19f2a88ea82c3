/**
 * Single-flight: concurrent calls for the same key share one run of the work. The first caller
 * starts it; callers arriving while it runs join the same promise. The key is forgotten as soon as
 * the run settles, so a failure reaches everyone who was waiting but is never remembered: the next
 * caller starts a fresh run.
 */

/** One caller's share of a run. */
export interface Flight<T> {
  /** The run's result, the same promise for every caller that shared it. */
  readonly promise: Promise<T>;
  /** False for the caller that started the run, true for callers that joined it. */
  readonly shared: boolean;
}

/** Runs work at most once at a time per key. */
export interface SingleFlight<T> {
  /**
   * Starts `fn` for `key`, or joins the run of `key` already in flight (then `fn` and `settle` are
   * not called). `settle`, when given, takes the run's value in the same reaction that forgets the
   * key, before any caller sees it, and what it returns is what every caller gets: work done there
   * (storing an answer, say) is done before a new run of the key can start, with no promise of its
   * own.
   */
  run(key: string, fn: () => Promise<T>, settle?: (value: T) => T): Flight<T>;
  /** Keys currently in flight. */
  readonly size: number;
}

/**
 * Creates a single-flight group.
 *
 * @example
 * const flights = createSingleFlight<ChatResponse>();
 * const { promise, shared } = flights.run(key, () => callUpstream());
 */
export function createSingleFlight<T>(): SingleFlight<T> {
  const inFlight = new Map<string, Promise<T>>();
  const forget = (key: string, promise: Promise<T>): void => {
    if (inFlight.get(key) === promise) inFlight.delete(key);
  };
  return {
    get size() {
      return inFlight.size;
    },
    run(key, fn, settle) {
      const running = inFlight.get(key);
      if (running !== undefined) return { promise: running, shared: true };
      let started: Promise<T>;
      try {
        started = fn();
      } catch (error) {
        started = Promise.reject(error);
      }
      // The key is forgotten (and `settle` applied) inside the one promise every caller gets, so
      // both are done before any caller's continuation runs; one derived promise per run.
      const promise: Promise<T> = Promise.resolve(started).then(
        (value) => {
          forget(key, promise);
          return settle === undefined ? value : settle(value);
        },
        (error: unknown) => {
          forget(key, promise);
          throw error;
        },
      );
      inFlight.set(key, promise);
      return { promise, shared: false };
    },
  };
}
