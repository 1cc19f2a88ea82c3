/**
 * Counts calls and failures over a sliding time window, in a fixed number of time buckets rather
 * than one stored sample per call: memory stays constant under any load, and the same bucket
 * numbering is used by the shared Redis window so that processes add into the same buckets.
 */

/** Buckets per window; the window slides one bucket (a tenth of the window) at a time. */
export const BUCKETS_PER_WINDOW = 10;

/** The width of one bucket, in milliseconds, for a window of `windowMs`. */
export function bucketSizeMs(windowMs: number): number {
  return Math.max(1, Math.ceil(windowMs / BUCKETS_PER_WINDOW));
}

/** The number of the bucket that holds time `at` (buckets are numbered from the clock's epoch). */
export function bucketIndex(at: number, bucketMs: number): number {
  return Math.floor(at / bucketMs);
}

/** The oldest bucket number still inside the window that ends in the bucket holding `at`. */
export function oldestBucketIndex(at: number, windowMs: number): number {
  return bucketIndex(at, bucketSizeMs(windowMs)) - BUCKETS_PER_WINDOW + 1;
}

/** Calls and failures inside a window. */
export interface WindowCounts {
  readonly calls: number;
  readonly failures: number;
}

/**
 * A bucketed window of outcomes. The window at time `t` covers the bucket holding `t` and the nine
 * before it, so it reaches between 90 % and 100 % of `windowMs` into the past.
 */
export interface SlidingWindow {
  /** The window length this instance was built for. */
  readonly windowMs: number;
  /** Adds one outcome at time `at`. */
  add(at: number, failure: boolean): void;
  /** The calls and failures inside the window that ends at `at`. */
  counts(at: number): WindowCounts;
  /** Forgets every outcome. */
  reset(): void;
}

/** A sliding window of `windowMs` milliseconds in `BUCKETS_PER_WINDOW` buckets. */
export function createSlidingWindow(windowMs: number): SlidingWindow {
  const bucketMs = bucketSizeMs(windowMs);
  const indexes = new Array<number>(BUCKETS_PER_WINDOW).fill(Number.NEGATIVE_INFINITY);
  const calls = new Array<number>(BUCKETS_PER_WINDOW).fill(0);
  const failures = new Array<number>(BUCKETS_PER_WINDOW).fill(0);
  const slotOf = (index: number): number => ((index % BUCKETS_PER_WINDOW) + BUCKETS_PER_WINDOW) % BUCKETS_PER_WINDOW;

  return {
    windowMs,
    add(at, failure) {
      const index = bucketIndex(at, bucketMs);
      const slot = slotOf(index);
      if (indexes[slot] !== index) {
        indexes[slot] = index;
        calls[slot] = 0;
        failures[slot] = 0;
      }
      calls[slot] = (calls[slot] ?? 0) + 1;
      if (failure) failures[slot] = (failures[slot] ?? 0) + 1;
    },
    counts(at) {
      const newest = bucketIndex(at, bucketMs);
      const oldest = newest - BUCKETS_PER_WINDOW + 1;
      let callTotal = 0;
      let failureTotal = 0;
      for (let slot = 0; slot < BUCKETS_PER_WINDOW; slot += 1) {
        const index = indexes[slot] ?? Number.NEGATIVE_INFINITY;
        if (index >= oldest && index <= newest) {
          callTotal += calls[slot] ?? 0;
          failureTotal += failures[slot] ?? 0;
        }
      }
      return { calls: callTotal, failures: failureTotal };
    },
    reset() {
      indexes.fill(Number.NEGATIVE_INFINITY);
      calls.fill(0);
      failures.fill(0);
    },
  };
}
