import { describe, expect, it } from 'vitest';
import { logQuantileStandardError, mannWhitneyU } from '../../src/canary/latency-tests.js';
import { logMeanVariance } from '../../src/canary/mean-ratio-test.js';
import { normalCdf, normalQuantile, normalUpperTail } from '../../src/canary/normal-distribution.js';
import { pooledProportionTest, wilsonInterval } from '../../src/canary/proportion-tests.js';
import { QuantileSketch } from '../../src/canary/quantile-sketch.js';

const counts = (values: readonly number[]): [number, number][] => {
  const map = new Map<number, number>();
  for (const value of values) map.set(value, (map.get(value) ?? 0) + 1);
  return [...map].sort((left, right) => left[0] - right[0]);
};

describe('normal distribution', () => {
  it('matches tabulated values', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.96)).toBeCloseTo(0.9750021, 6);
    expect(normalCdf(-1.644854)).toBeCloseTo(0.05, 6);
    expect(normalUpperTail(3)).toBeCloseTo(0.0013499, 6);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
    expect(normalQuantile(0.95)).toBeCloseTo(1.644854, 5);
    expect(normalQuantile(0.995)).toBeCloseTo(2.575829, 5);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232, 5);
    expect(normalQuantile(0)).toBe(-Infinity);
  });
});

describe('proportions', () => {
  it('Wilson interval: 81 of 263 at 95% is 0.2553–0.3662 (Wilson 1927, as tabulated by Brown, Cai & DasGupta)', () => {
    const interval = wilsonInterval({ events: 81, trials: 263 }, 1.959964);
    expect(interval.low).toBeCloseTo(0.2553, 3);
    expect(interval.high).toBeCloseTo(0.3662, 3);
    expect(wilsonInterval({ events: 0, trials: 0 }, 1.96)).toEqual({ low: 0, high: 1 });
    expect(wilsonInterval({ events: 0, trials: 20 }, 1.96).high).toBeCloseTo(0.1611, 3);
  });

  it('pooled two-proportion z-test: 45/100 vs 30/100 gives z = 2.191, one-sided p = 0.0142', () => {
    const result = pooledProportionTest({ events: 45, trials: 100 }, { events: 30, trials: 100 });
    expect(result.z).toBeCloseTo(2.191, 3);
    expect(result.pValue).toBeCloseTo(0.01423, 4);
  });
});

describe('latency', () => {
  it('Mann-Whitney U: 1–5 against 6–10 gives U = 0 and one-sided p = 0.0061 (scipy, asymptotic with continuity)', () => {
    const result = mannWhitneyU(counts([6, 7, 8, 9, 10]), counts([1, 2, 3, 4, 5]));
    expect(result.u).toBe(25);
    expect(result.superiority).toBe(1);
    expect(result.z).toBeCloseTo(2.5067, 3);
    expect(result.pValue).toBeCloseTo(0.00609, 4);
    const reverse = mannWhitneyU(counts([1, 2, 3, 4, 5]), counts([6, 7, 8, 9, 10]));
    expect(reverse.u).toBe(0);
    expect(reverse.pValue).toBeGreaterThan(0.99);
  });

  it('Mann-Whitney U with ties: [1,2,2,3] against [2,3,3,4] matches the tie-corrected formula', () => {
    const result = mannWhitneyU(counts([2, 3, 3, 4]), counts([1, 2, 2, 3]));
    // U = 2 + 3.5 + 3.5 + 4 = 13 (pairs won, ties half); ties of 3 at values 2 and 3:
    // σ² = 16/12 · (9 − 2·(3³ − 3)/(8·7)) = 10.857; z = (13 − 8 − 0.5)/√10.857 = 1.3657
    expect(result.u).toBe(13);
    expect(result.z).toBeCloseTo(1.3657, 3);
  });

  it('the log-quantile standard error needs enough values for the rank interval', () => {
    const sketch = new QuantileSketch();
    for (let index = 1; index <= 10; index += 1) sketch.add(index * 10);
    expect(logQuantileStandardError(sketch, 0.95)).toBeUndefined();
    for (let index = 1; index <= 1_000; index += 1) sketch.add(index);
    expect(logQuantileStandardError(sketch, 0.95)).toBeGreaterThan(0);
  });
});

describe('cost', () => {
  it('the variance of the log of a mean (delta method) is s² / (n · mean²)', () => {
    // 1, 2, 3: mean 2, sample variance 1.
    expect(logMeanVariance({ count: 3, sum: 6, sumOfSquares: 14 })).toBeCloseTo(1 / 12, 12);
    expect(logMeanVariance({ count: 4, sum: 8, sumOfSquares: 16 })).toBe(0);
    expect(logMeanVariance({ count: 1, sum: 2, sumOfSquares: 4 })).toBeUndefined();
    expect(logMeanVariance({ count: 3, sum: 0, sumOfSquares: 0 })).toBeUndefined();
  });
});
