/**
 * The cost guard: the ratio of mean cost per call, candidate over baseline. Its uncertainty comes
 * from the delta method on the log of each mean (`se² = s² / (n · mean²)`, the squared coefficient
 * of variation over n), the arms' errors added in quadrature; each bound is one-sided at the
 * confidence. Assumes independent calls and enough of them for the means to be roughly normal
 * (the guard needs at least 2 priced calls per arm; fewer is inconclusive).
 */
import { normalQuantile } from './normal-distribution.js';
import type { GuardVerdict, Interval } from './proportion-tests.js';

/** Running moments of a quantity. */
export interface Moments {
  readonly count: number;
  readonly sum: number;
  readonly sumOfSquares: number;
}

/** The comparison of mean values against a maximum ratio. */
export interface MeanRatioComparison {
  readonly candidateMean: number;
  readonly baselineMean: number;
  readonly ratio: number;
  /** Bounds of the ratio, each one-sided at the confidence (undefined when too few values). */
  readonly interval?: Interval;
  readonly maxRatio: number;
  readonly verdict: GuardVerdict;
}

/** The variance of the log of a mean (delta method), or undefined with fewer than 2 values or a mean ≤ 0. */
export function logMeanVariance(moments: Moments): number | undefined {
  if (moments.count < 2) return undefined;
  const mean = moments.sum / moments.count;
  if (!(mean > 0)) return undefined;
  const variance = Math.max(0, (moments.sumOfSquares - moments.count * mean * mean) / (moments.count - 1));
  return variance / (moments.count * mean * mean);
}

/** Compares `candidate` and `baseline` means against `maxRatio` at `confidence`. */
export function compareMeans(candidate: Moments, baseline: Moments, maxRatio: number, confidence: number): MeanRatioComparison {
  const candidateMean = candidate.count > 0 ? candidate.sum / candidate.count : Number.NaN;
  const baselineMean = baseline.count > 0 ? baseline.sum / baseline.count : Number.NaN;
  const ratio = candidateMean / baselineMean;
  const base = { candidateMean, baselineMean, ratio, maxRatio };
  const candidateVariance = logMeanVariance(candidate);
  const baselineVariance = logMeanVariance(baseline);
  if (candidateVariance === undefined || baselineVariance === undefined || !Number.isFinite(ratio)) return { ...base, verdict: 'inconclusive' };
  const spread = normalQuantile(confidence) * Math.sqrt(candidateVariance + baselineVariance);
  const interval = { low: ratio * Math.exp(-spread), high: ratio * Math.exp(spread) };
  const verdict: GuardVerdict = interval.low > maxRatio ? 'worse' : interval.high <= maxRatio ? 'within' : 'inconclusive';
  return { ...base, interval, verdict };
}
