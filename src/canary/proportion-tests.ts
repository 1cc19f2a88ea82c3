/**
 * Proportions: what the canary's status and rate guards read from counts of events.
 *
 * - The Wilson score interval of one arm's rate, for the status report (it stays sensible with
 *   few events, where the textbook Wald interval collapses to a point).
 * - The classic pooled two-proportion z-test (candidate rate higher than the baseline's at all),
 *   reported beside the rate guards' always-valid bounds, for reading only.
 */
import { normalUpperTail } from './normal-distribution.js';

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
