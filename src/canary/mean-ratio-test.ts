/**
 * The cost guard's variance: the ratio of mean cost per call, candidate over baseline, is judged
 * on the log scale, and the variance of the log of each mean comes from the delta method
 * (`se² = s² / (n · mean²)`, the squared coefficient of variation over n); the guard adds the
 * arms' variances and gives them to its confidence sequence (guards.ts). Assumes independent calls
 * and enough of them for the means to be roughly normal (the guard needs at least 2 priced calls
 * per arm; fewer is inconclusive).
 */

/** Running moments of a quantity. */
export interface Moments {
  readonly count: number;
  readonly sum: number;
  readonly sumOfSquares: number;
}

/** The variance of the log of a mean (delta method), or undefined with fewer than 2 values or a mean ≤ 0. */
export function logMeanVariance(moments: Moments): number | undefined {
  if (moments.count < 2) return undefined;
  const mean = moments.sum / moments.count;
  if (!(mean > 0)) return undefined;
  const variance = Math.max(0, (moments.sumOfSquares - moments.count * mean * mean) / (moments.count - 1));
  return variance / (moments.count * mean * mean);
}
