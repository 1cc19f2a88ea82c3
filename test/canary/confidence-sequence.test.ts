import { describe, expect, it } from 'vitest';
import { confidenceSequence, oneSidedMixtureHalfWidth, tunedMixingVariance } from '../../src/canary/confidence-sequence.js';
import { normalQuantile } from '../../src/canary/normal-distribution.js';
import { seeded } from './support.js';

const ALPHA = 0.05;
const LOOKS = 2_000;
const RUNS = 2_000;
const PLANNED = 500;

/** Half-width of the sequence for the mean of n unit-variance draws. */
const halfWidth = (n: number, plannedN = PLANNED, alpha = ALPHA): number => confidenceSequence(0, 1 / n, n, plannedN, alpha).high;

describe('confidence sequences', () => {
  it('keep their (one-sided) coverage under a look after every sample, where a fixed-sample bound does not', () => {
    // Both boundaries for n = 1…LOOKS, computed once.
    const sequence = Float64Array.from({ length: LOOKS + 1 }, (_, n) => (n === 0 ? Infinity : halfWidth(n)));
    const z = normalQuantile(1 - ALPHA);
    const fixed = Float64Array.from({ length: LOOKS + 1 }, (_, n) => (n === 0 ? Infinity : z / Math.sqrt(n)));
    const random = seeded(20_250_101);
    const gaussian = (): number => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    let sequenceMisses = 0;
    let fixedMisses = 0;
    for (let run = 0; run < RUNS; run += 1) {
      let sum = 0;
      let sequenceMissed = false;
      let fixedMissed = false;
      for (let n = 1; n <= LOOKS && !(sequenceMissed && fixedMissed); n += 1) {
        sum += gaussian();
        const mean = sum / n;
        // The true mean is 0: a miss is a look at which the lower bound is above it.
        if (mean > (sequence[n] as number)) sequenceMissed = true;
        if (mean > (fixed[n] as number)) fixedMissed = true;
      }
      if (sequenceMissed) sequenceMisses += 1;
      if (fixedMissed) fixedMisses += 1;
    }
    expect(sequenceMisses / RUNS).toBeLessThanOrEqual(ALPHA);
    expect(fixedMisses / RUNS).toBeGreaterThan(0.2);
  });

  it('is centred on the estimate and narrows as n grows', () => {
    const interval = confidenceSequence(0.3, 0.01, 100, 100, ALPHA);
    expect((interval.low + interval.high) / 2).toBeCloseTo(0.3, 12);
    let previous = Infinity;
    for (const n of [10, 30, 100, 300, 1_000, 3_000, 10_000, 100_000]) {
      const width = halfWidth(n);
      expect(width).toBeLessThan(previous);
      previous = width;
    }
    expect(halfWidth(100_000)).toBeLessThan(0.02);
  });

  it('is wider than the fixed-sample interval at every n, and tightest relative to it near the planned n', () => {
    const z = normalQuantile(1 - ALPHA / 2);
    // The half-width in units of the standard error: its minimum over n is where the sequence was tuned.
    const relative = (n: number): number => halfWidth(n) * Math.sqrt(n);
    const ns = [5, 10, 20, 50, 100, 200, 300, 400, 500, 600, 800, 1_000, 2_000, 5_000, 20_000, 100_000];
    for (const n of ns) expect(relative(n)).toBeGreaterThan(z);
    const tightest = ns.reduce((best, n) => (relative(n) < relative(best) ? n : best));
    expect(tightest).toBeGreaterThanOrEqual(PLANNED / 2);
    expect(tightest).toBeLessThanOrEqual(PLANNED * 2);
    // About 1.5× the fixed-sample width at the tuning point, far more far from it.
    expect(relative(PLANNED)).toBeLessThan(1.6 * z);
    expect(relative(5)).toBeGreaterThan(relative(PLANNED) * 1.2);
    expect(relative(100_000)).toBeGreaterThan(relative(PLANNED) * 1.2);
    // At a given n, the tuning that puts the planned n there gives the narrowest interval.
    const n = 1_000;
    for (const planned of [n / 10, n / 3, 3 * n, 10 * n]) expect(halfWidth(n, planned)).toBeGreaterThan(halfWidth(n, n));
  });

  it('is wider at a stricter level', () => {
    expect(halfWidth(500, PLANNED, 0.01)).toBeGreaterThan(halfWidth(500, PLANNED, 0.05));
    expect(halfWidth(500, PLANNED, 0.05)).toBeGreaterThan(halfWidth(500, PLANNED, 0.2));
  });

  it('handles degenerate variances', () => {
    expect(oneSidedMixtureHalfWidth(0, 1, ALPHA)).toBe(0);
    expect(oneSidedMixtureHalfWidth(1, 0, ALPHA)).toBe(Infinity);
    expect(oneSidedMixtureHalfWidth(Number.NaN, 1, ALPHA)).toBe(Infinity);
    expect(confidenceSequence(0.1, 0, 100, 100, ALPHA)).toEqual({ low: 0.1, high: 0.1 });
    // The mixing variance scales with the target variance.
    expect(tunedMixingVariance(2, ALPHA)).toBeCloseTo(2 * tunedMixingVariance(1, ALPHA), 12);
  });
});
