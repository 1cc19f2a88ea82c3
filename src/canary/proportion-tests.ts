/**
 * Tests on error rates and traffic shares.
 *
 * - Error rate guard: the difference of two proportions (candidate − baseline) with Newcombe's
 *   hybrid score interval (Newcombe 1998, method 10: Wilson intervals per arm, combined), which
 *   stays sensible with few errors where the textbook Wald interval collapses to a point. Each
 *   bound is one-sided at `confidence`. The candidate is `worse` when the lower bound exceeds the
 *   allowed increase, `within` when the upper bound does not, and `inconclusive` otherwise (the
 *   step holds and keeps collecting).
 * - The classic pooled two-proportion z-test (candidate error rate higher than baseline's at all)
 *   is reported as evidence beside it.
 * - Sample-ratio mismatch: a chi-square goodness-of-fit test (one degree of freedom) of the observed
 *   split against the configured weight.
 */
import { normalQuantile, normalUpperTail } from './normal-distribution.js';

/** A count of events out of trials. */
export interface Proportion {
  readonly events: number;
  readonly trials: number;
}

/** A two-sided interval. */
export interface Interval {
  readonly low: number;
  readonly high: number;
}

/** The Wilson score interval of a proportion at normal quantile `z` (z = 1.96 for 95% two-sided). */
export function wilsonInterval({ events, trials }: Proportion, z: number): Interval {
  if (trials <= 0) return { low: 0, high: 1 };
  const p = events / trials;
  const z2 = z * z;
  const denominator = 1 + z2 / trials;
  const center = (p + z2 / (2 * trials)) / denominator;
  const half = (z / denominator) * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials));
  return { low: Math.max(0, center - half), high: Math.min(1, center + half) };
}

/** Newcombe's hybrid score interval for `first − second` at normal quantile `z`. */
export function proportionDifferenceInterval(first: Proportion, second: Proportion, z: number): Interval {
  const p1 = first.trials > 0 ? first.events / first.trials : 0;
  const p2 = second.trials > 0 ? second.events / second.trials : 0;
  const one = wilsonInterval(first, z);
  const two = wilsonInterval(second, z);
  const difference = p1 - p2;
  return {
    low: difference - Math.sqrt((p1 - one.low) ** 2 + (two.high - p2) ** 2),
    high: difference + Math.sqrt((one.high - p1) ** 2 + (p2 - two.low) ** 2),
  };
}

/** The pooled two-proportion z-test of `first > second`. */
export function pooledProportionTest(first: Proportion, second: Proportion): { readonly z: number; readonly pValue: number } {
  if (first.trials <= 0 || second.trials <= 0) return { z: Number.NaN, pValue: Number.NaN };
  const pooled = (first.events + second.events) / (first.trials + second.trials);
  const standardError = Math.sqrt(pooled * (1 - pooled) * (1 / first.trials + 1 / second.trials));
  const difference = first.events / first.trials - second.events / second.trials;
  if (standardError === 0) return { z: 0, pValue: 0.5 };
  const z = difference / standardError;
  return { z, pValue: normalUpperTail(z) };
}

/** How a guard's comparison came out. */
export type GuardVerdict = 'worse' | 'within' | 'inconclusive';

/** The error-rate comparison of a candidate with its baseline. */
export interface ErrorRateComparison {
  readonly candidateRate: number;
  readonly baselineRate: number;
  /** Candidate minus baseline. */
  readonly difference: number;
  /** Bounds of the difference, each one-sided at the confidence. */
  readonly interval: Interval;
  readonly maxIncrease: number;
  readonly verdict: GuardVerdict;
  /** The pooled z-test of "the candidate fails more often than the baseline". */
  readonly z: number;
  readonly pValue: number;
}

/** Compares error rates against the allowed increase at `confidence` (e.g. 0.95). */
export function compareErrorRates(candidate: Proportion, baseline: Proportion, maxIncrease: number, confidence: number): ErrorRateComparison {
  const z = normalQuantile(confidence);
  const interval = proportionDifferenceInterval(candidate, baseline, z);
  const candidateRate = candidate.trials > 0 ? candidate.events / candidate.trials : Number.NaN;
  const baselineRate = baseline.trials > 0 ? baseline.events / baseline.trials : Number.NaN;
  const pooled = pooledProportionTest(candidate, baseline);
  let verdict: GuardVerdict = 'inconclusive';
  if (candidate.trials > 0 && baseline.trials > 0) {
    if (interval.low > maxIncrease) verdict = 'worse';
    else if (interval.high <= maxIncrease) verdict = 'within';
  }
  return { candidateRate, baselineRate, difference: candidateRate - baselineRate, interval, maxIncrease, verdict, z: pooled.z, pValue: pooled.pValue };
}

/** The sample-ratio check of an observed split against the configured candidate share. */
export interface SampleRatioCheck {
  readonly candidate: number;
  readonly baseline: number;
  /** Configured candidate share, 0–1. */
  readonly expectedShare: number;
  readonly observedShare: number;
  readonly chiSquare: number;
  readonly pValue: number;
  /** True when the split is too unlikely under the configured weight (p < `threshold`). */
  readonly mismatch: boolean;
}

/**
 * Chi-square goodness of fit (one degree of freedom) of the split against `expectedShare`.
 * A mismatch is flagged at p < `threshold` (0.001 by default, the usual SRM alarm level: a real
 * mismatch shows up quickly, and with many checks a looser level would cry wolf).
 */
export function sampleRatioTest(candidate: number, baseline: number, expectedShare: number, threshold = 0.001): SampleRatioCheck {
  const total = candidate + baseline;
  const observedShare = total > 0 ? candidate / total : Number.NaN;
  if (total <= 0 || expectedShare <= 0 || expectedShare >= 1) {
    const impossible = total > 0 && ((expectedShare <= 0 && candidate > 0) || (expectedShare >= 1 && baseline > 0));
    return { candidate, baseline, expectedShare, observedShare, chiSquare: impossible ? Infinity : 0, pValue: impossible ? 0 : 1, mismatch: impossible };
  }
  const expectedCandidate = total * expectedShare;
  const expectedBaseline = total - expectedCandidate;
  const chiSquare = (candidate - expectedCandidate) ** 2 / expectedCandidate + (baseline - expectedBaseline) ** 2 / expectedBaseline;
  const pValue = 2 * normalUpperTail(Math.sqrt(chiSquare));
  return { candidate, baseline, expectedShare, observedShare, chiSquare, pValue, mismatch: pValue < threshold };
}
