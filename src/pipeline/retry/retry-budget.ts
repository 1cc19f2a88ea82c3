/**
 * A retry budget (as in Finagle and Envoy): retries may be at most `ratio` of recent calls, plus a
 * small floor so that a quiet service can still retry. When a provider is down, every call would
 * otherwise retry `attempts` times and multiply the load on it exactly when it can least take it.
 */

/** Counts calls and retries over a sliding window of one-second buckets. */
export interface RetryBudget {
  /** Records that a call started. */
  recordCall(): void;
  /** Takes permission for one retry; false when the budget is spent. */
  tryAcquireRetry(ratio: number): boolean;
}

/** Options of `createRetryBudget`. */
export interface RetryBudgetOptions {
  /** Window length in seconds (default 10). */
  readonly windowSeconds?: number;
  /** Retries always allowed per window, whatever the traffic (default 10). */
  readonly floor?: number;
  readonly now?: () => number;
}

/** Creates a retry budget shared by all calls of a router. */
export function createRetryBudget(options: RetryBudgetOptions = {}): RetryBudget {
  const windowSeconds = options.windowSeconds ?? 10;
  const floor = options.floor ?? 10;
  const now = options.now ?? Date.now;
  const calls = new Array<number>(windowSeconds).fill(0);
  const retries = new Array<number>(windowSeconds).fill(0);
  let currentSecond = Math.floor(now() / 1000);

  function advance(): number {
    const second = Math.floor(now() / 1000);
    if (second !== currentSecond) {
      const steps = Math.min(windowSeconds, second - currentSecond);
      for (let step = 1; step <= steps; step += 1) {
        const slot = (currentSecond + step) % windowSeconds;
        calls[slot] = 0;
        retries[slot] = 0;
      }
      currentSecond = second;
    }
    return second % windowSeconds;
  }

  function sum(values: number[]): number {
    let total = 0;
    for (const value of values) total += value;
    return total;
  }

  return {
    recordCall() {
      const slot = advance();
      calls[slot] = (calls[slot] ?? 0) + 1;
    },
    tryAcquireRetry(ratio) {
      const slot = advance();
      if (sum(retries) >= floor + ratio * sum(calls)) return false;
      retries[slot] = (retries[slot] ?? 0) + 1;
      return true;
    },
  };
}
