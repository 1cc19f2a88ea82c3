import { describe, expect, it } from 'vitest';
import { normalUpperTail } from '../../src/canary/normal-distribution.js';
import { logGamma, sequentialSampleRatioTest } from '../../src/canary/sequential-sample-ratio.js';
import { seeded } from './support.js';

/** The fixed-sample p-value of the check's chi-square (one degree of freedom): what a chi-square test looked at once would say. */
function chiSquarePValue(chiSquare: number): number {
  return 2 * normalUpperTail(Math.sqrt(chiSquare));
}

/** Units drawn one by one with candidate probability `share`; the first count at which the sequential test flags, or undefined. */
function firstFlag(random: () => number, share: number, expectedShare: number, alpha: number, units: number): number | undefined {
  let candidate = 0;
  let baseline = 0;
  for (let unit = 1; unit <= units; unit += 1) {
    if (random() < share) candidate += 1;
    else baseline += 1;
    if (sequentialSampleRatioTest(candidate, baseline, expectedShare, alpha).mismatch) return unit;
  }
  return undefined;
}

describe('logGamma', () => {
  it('matches known values', () => {
    expect(logGamma(1)).toBeCloseTo(0, 12);
    expect(logGamma(2)).toBeCloseTo(0, 12);
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 12);
    expect(logGamma(1.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI) / 2), 12);
    // The reflection branch (x < 0.5): Γ(0.1) = 9.513507698668732.
    expect(logGamma(0.1)).toBeCloseTo(Math.log(9.513507698668732), 11);
    // ln Γ(100) = ln 99!
    expect(logGamma(100)).toBeCloseTo(359.1342053695754, 9);
    expect(logGamma(10_000.5) - logGamma(10_000)).toBeCloseTo(0.5 * Math.log(10_000) - 1 / (8 * 10_000), 6);
  });
});

describe('sequential sample-ratio test', () => {
  it('keeps its false-alarm rate under a look after every unit, where the chi-square test looked at as often does not', () => {
    const alpha = 0.01;
    const runs = 500;
    const units = 5_000;
    const expectedShare = 0.05;
    const random = seeded(20_250_101);
    let sequentialAlarms = 0;
    let fixedAlarms = 0;
    for (let run = 0; run < runs; run += 1) {
      let candidate = 0;
      let baseline = 0;
      let sequentialAlarm = false;
      let fixedAlarm = false;
      for (let unit = 0; unit < units; unit += 1) {
        if (random() < expectedShare) candidate += 1;
        else baseline += 1;
        const check = sequentialSampleRatioTest(candidate, baseline, expectedShare, alpha);
        if (check.mismatch) sequentialAlarm = true;
        if (chiSquarePValue(check.chiSquare) < alpha) fixedAlarm = true;
      }
      if (sequentialAlarm) sequentialAlarms += 1;
      if (fixedAlarm) fixedAlarms += 1;
    }
    expect(sequentialAlarms / runs).toBeLessThanOrEqual(alpha);
    expect(fixedAlarms / runs).toBeGreaterThan(10 * alpha);
  });

  it('flags a 6.5% share against an expected 50% within a few dozen units', () => {
    const flaggedAt = firstFlag(seeded(3), 0.065, 0.5, 0.001, 1_000);
    expect(flaggedAt).toBeDefined();
    expect(flaggedAt).toBeLessThanOrEqual(100);
  });

  it('flags shifts of a few points of share at a 5% weight', () => {
    expect(firstFlag(seeded(3), 0.1, 0.05, 0.001, 2_000)).toBeLessThanOrEqual(1_000);
    expect(firstFlag(seeded(3), 0.065, 0.05, 0.001, 20_000)).toBeDefined();
  });

  it('reports the split, an always-valid p-value and the chi-square beside it', () => {
    const skewed = sequentialSampleRatioTest(1_000, 9_000, 0.05, 0.001);
    expect(skewed).toMatchObject({ candidate: 1_000, baseline: 9_000, expectedShare: 0.05, observedShare: 0.1, mismatch: true });
    expect(skewed.pValue).toBeLessThan(1e-20);
    expect(skewed.chiSquare).toBeCloseTo(500 ** 2 / 500 + 500 ** 2 / 9_500, 6);
    const even = sequentialSampleRatioTest(100, 100, 0.5, 0.001);
    expect(even).toMatchObject({ pValue: 1, mismatch: false, chiSquare: 0 });
    // Always-validity has a price: a split the chi-square test calls significant at one look (p ≈ 0.005) is not yet flagged at 1%.
    const borderline = sequentialSampleRatioTest(544, 456, 0.5, 0.01);
    expect(chiSquarePValue(borderline.chiSquare)).toBeLessThan(0.01);
    expect(borderline.mismatch).toBe(false);
    expect(borderline.pValue).toBeGreaterThan(0.05);
  });

  it('handles no units and weights of 0 or 100', () => {
    const none = sequentialSampleRatioTest(0, 0, 0.05, 0.001);
    expect(none).toMatchObject({ pValue: 1, mismatch: false });
    expect(none.observedShare).toBeNaN();
    expect(sequentialSampleRatioTest(3, 100, 0, 0.001)).toMatchObject({ mismatch: true, pValue: 0 });
    expect(sequentialSampleRatioTest(0, 100, 0, 0.001)).toMatchObject({ mismatch: false, pValue: 1 });
    expect(sequentialSampleRatioTest(100, 1, 1, 0.001).mismatch).toBe(true);
    expect(sequentialSampleRatioTest(100, 0, 1, 0.001).mismatch).toBe(false);
  });
});
