import { describe, expect, it } from 'vitest';
import { QuantileSketch, SKETCH_RELATIVE_ACCURACY } from '../../src/canary/quantile-sketch.js';
import { createSeededRandom as seeded } from '../../src/testing/seeded-random.js';


function exactQuantile(sorted: readonly number[], q: number): number {
  return sorted[Math.floor(q * (sorted.length - 1))] as number;
}

const random = seeded(7);
const gaussian = (): number => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());

const DISTRIBUTIONS: Record<string, () => number> = {
  'log-normal latencies (median 800 ms)': () => 800 * Math.exp(0.6 * gaussian()),
  'uniform 0–50 ms': () => random() * 50,
  'bimodal with a 5% slow tail': () => (random() < 0.05 ? 20_000 + random() * 10_000 : 300 + random() * 100),
};

describe('quantile sketch', () => {
  it.each(Object.keys(DISTRIBUTIONS))('%s: every quantile is within 1 percent of the exact sample quantile', (name) => {
    const draw = DISTRIBUTIONS[name] as () => number;
    const sketch = new QuantileSketch();
    const values = Array.from({ length: 20_000 }, draw);
    for (const value of values) sketch.add(value);
    const sorted = [...values].sort((left, right) => left - right);
    for (const q of [0, 0.01, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1]) {
      const exact = exactQuantile(sorted, q);
      expect(Math.abs(sketch.quantile(q) - exact)).toBeLessThanOrEqual(exact * SKETCH_RELATIVE_ACCURACY + 1e-3);
    }
    expect(sketch.count).toBe(values.length);
    expect(sketch.mean).toBeCloseTo(values.reduce((sum, value) => sum + value, 0) / values.length, 6);
  });

  it('stores bins, not samples: a million values over a wide range use a bounded number of bins', () => {
    const sketch = new QuantileSketch();
    for (let index = 0; index < 1_000_000; index += 1) sketch.add(1 + (index % 100_000) * 3.7);
    expect(sketch.toData().bins.length).toBeLessThan(700);
  });

  it('merges exactly: two halves merged answer like one sketch of everything', () => {
    const whole = new QuantileSketch();
    const left = new QuantileSketch();
    const right = new QuantileSketch();
    for (let index = 0; index < 5_000; index += 1) {
      const value = 10 + ((index * 7919) % 4_000);
      whole.add(value);
      (index % 2 === 0 ? left : right).add(value);
    }
    const merged = QuantileSketch.fromData(left.toData());
    merged.mergeData(JSON.parse(JSON.stringify(right.toData())));
    for (const q of [0.1, 0.5, 0.95, 0.99]) expect(merged.quantile(q)).toBe(whole.quantile(q));
    expect(merged.count).toBe(whole.count);
  });

  it('handles zeros, tiny values, empty sketches and ignores invalid values', () => {
    const sketch = new QuantileSketch();
    expect(sketch.quantile(0.5)).toBeNaN();
    sketch.add(0);
    sketch.add(0.0001);
    sketch.add(-5);
    sketch.add(Number.NaN);
    sketch.add(Infinity);
    expect(sketch.count).toBe(2);
    expect(sketch.quantile(0.5)).toBe(0);
    sketch.add(100);
    expect(sketch.quantile(1)).toBeCloseTo(100, 6);
    expect(sketch.countAbove(50)).toBe(1);
    expect(sketch.valueAtRank(3)).toBeNaN();
  });
});
