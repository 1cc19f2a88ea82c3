import { describe, expect, it } from 'vitest';
import { BUCKETS_PER_WINDOW, bucketSizeMs, createSlidingWindow, oldestBucketIndex } from '../../../src/pipeline/breaker/sliding-window.js';

/** A small seeded generator, so a failing case can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1_664_525 + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

describe('sliding window', () => {
  it('uses ten buckets of a tenth of the window, at least 1 ms', () => {
    expect(BUCKETS_PER_WINDOW).toBe(10);
    expect(bucketSizeMs(10_000)).toBe(1_000);
    expect(bucketSizeMs(1_005)).toBe(101);
    expect(bucketSizeMs(3)).toBe(1);
  });

  it('agrees with stored samples counted by the same bucket rule (property check)', () => {
    const mismatches: string[] = [];
    for (let seed = 1; seed <= 40; seed += 1) {
      const next = random(seed);
      const windowMs = 100 + Math.floor(next() * 20_000);
      const bucketMs = bucketSizeMs(windowMs);
      const window = createSlidingWindow(windowMs);
      const samples: { at: number; failure: boolean }[] = [];
      let at = Math.floor(next() * 1e12);
      for (let step = 0; step < 200; step += 1) {
        at += Math.floor(next() * next() * windowMs * 0.5);
        const failure = next() < 0.4;
        window.add(at, failure);
        samples.push({ at, failure });
        const oldest = oldestBucketIndex(at, windowMs) * bucketMs;
        let calls = 0;
        let failures = 0;
        for (const sample of samples) {
          if (sample.at < oldest) continue;
          calls += 1;
          if (sample.failure) failures += 1;
        }
        const counts = window.counts(at);
        if (counts.calls !== calls || counts.failures !== failures) {
          mismatches.push(`seed ${seed} step ${step}: ${JSON.stringify(counts)} ≠ ${calls}/${failures}`);
        }
        // The window never reaches further back than windowMs, and always covers 90 % of it.
        if (at - oldest >= windowMs + bucketMs || at - oldest < windowMs - bucketMs) {
          mismatches.push(`seed ${seed} step ${step}: window reaches back ${at - oldest} ms`);
        }
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('forgets everything on reset', () => {
    const window = createSlidingWindow(1_000);
    window.add(5, true);
    window.reset();
    expect(window.counts(5)).toEqual({ calls: 0, failures: 0 });
  });
});
