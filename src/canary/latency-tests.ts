/**
 * Latency statistics on quantile sketches (no stored samples), for the latency guards.
 *
 * - The standard error of a log-quantile, from the distribution-free order-statistic interval of
 *   the quantile: the ranks `n·q ± 1.96·√(n·q·(1 − q))` bracket the true q-quantile with ~95%
 *   probability, so `(ln v(high rank) − ln v(low rank)) / (2 · 1.96)` estimates it. Assumes calls
 *   are independent and the sample is large enough for those ranks to exist (otherwise: unknown).
 *   The guards give it to their confidence sequences (guards.ts).
 * - The Mann-Whitney U test (candidate slower than baseline overall) runs on the sketches' bins:
 *   values in one bin (within 2% of each other) count as ties, with the tie-corrected variance and
 *   a continuity correction. It is reported as evidence, and also tells a uniformly slower
 *   candidate from one whose tail alone got worse.
 */
import { normalUpperTail } from './normal-distribution.js';
import type { QuantileSketch } from './quantile-sketch.js';

/** The rank interval's z (95% two-sided), used only to estimate a quantile's standard error. */
const RANK_Z = 1.959963984540054;

/** The Mann-Whitney U test of "the first sample tends to be larger". */
export interface RankTestResult {
  /** U of the first sample: pairs where it is larger, ties counting one half. */
  readonly u: number;
  /** U / (n₁·n₂): the probability that a first-sample value beats a second-sample one (0.5 = no difference). */
  readonly superiority: number;
  readonly z: number;
  /** One-sided p-value (normal approximation). */
  readonly pValue: number;
}

/**
 * Mann-Whitney U over two samples given as `[value or bin, count]` pairs in ascending order
 * (equal keys are ties).
 */
export function mannWhitneyU(first: readonly (readonly [number, number])[], second: readonly (readonly [number, number])[]): RankTestResult {
  let n1 = 0;
  let n2 = 0;
  for (const [, count] of first) n1 += count;
  for (const [, count] of second) n2 += count;
  if (n1 === 0 || n2 === 0) return { u: 0, superiority: Number.NaN, z: Number.NaN, pValue: Number.NaN };
  let u = 0;
  let secondBelow = 0;
  let tieTerm = 0;
  let i = 0;
  let j = 0;
  while (i < first.length || j < second.length) {
    const key1 = i < first.length ? (first[i] as readonly [number, number])[0] : Infinity;
    const key2 = j < second.length ? (second[j] as readonly [number, number])[0] : Infinity;
    const key = Math.min(key1, key2);
    const count1 = key1 === key ? (first[i++] as readonly [number, number])[1] : 0;
    const count2 = key2 === key ? (second[j++] as readonly [number, number])[1] : 0;
    u += count1 * (secondBelow + count2 / 2);
    secondBelow += count2;
    const tied = count1 + count2;
    tieTerm += tied ** 3 - tied;
  }
  const total = n1 + n2;
  const mean = (n1 * n2) / 2;
  const variance = ((n1 * n2) / 12) * (total + 1 - tieTerm / (total * (total - 1)));
  if (!(variance > 0)) return { u, superiority: u / (n1 * n2), z: 0, pValue: 0.5 };
  const z = (u - mean - 0.5) / Math.sqrt(variance);
  return { u, superiority: u / (n1 * n2), z, pValue: normalUpperTail(z) };
}

/** Mann-Whitney U of two sketches (is `first` slower?). */
export function mannWhitneySketches(first: QuantileSketch, second: QuantileSketch): RankTestResult {
  return mannWhitneyU(first.entries(), second.entries());
}

/** The standard error of `ln(q-quantile)` from the order-statistic interval, or undefined when too few values. */
export function logQuantileStandardError(sketch: QuantileSketch, q: number): number | undefined {
  const n = sketch.count;
  if (n < 2) return undefined;
  const center = q * (n - 1);
  const half = RANK_Z * Math.sqrt(n * q * (1 - q));
  const lowRank = Math.floor(center - half);
  const highRank = Math.ceil(center + half);
  if (lowRank < 0 || highRank > n - 1) return undefined;
  const low = sketch.valueAtRank(lowRank);
  const high = sketch.valueAtRank(highRank);
  if (!(low > 0 && high > 0)) return undefined;
  return (Math.log(high) - Math.log(low)) / (2 * RANK_Z);
}
