/**
 * The sample-ratio (split) check as a sequential test, so that looking at it after every call does
 * not raise false alarms. Under the configured weight each unit lands in the candidate arm with
 * probability p. The beta-binomial mixture likelihood ratio
 *
 *   M = [B(a + x_c, b + x_b) / B(a, b)] / [p^x_c · (1 − p)^x_b],   a = k·p, b = k·(1 − p)
 *
 * is a nonnegative martingale under that hypothesis, so by Ville's inequality it ever reaches 1/α
 * with probability at most α (Lindon and Malek, "Anytime-valid inference for multinomial count
 * data", 2022; the test behind Optimizely's and Eppo's sample-ratio alarms). The prior concentration
 * k = 100 makes the test sensitive to shifts of a few points of share.
 */

/** The split check of the observed units against the configured candidate share. */
export interface SampleRatioCheck {
  readonly candidate: number;
  readonly baseline: number;
  /** Configured candidate share, 0–1. */
  readonly expectedShare: number;
  readonly observedShare: number;
  /** Pearson's chi-square statistic of the split (one degree of freedom), reported for reading only. */
  readonly chiSquare: number;
  /** The always-valid p-value. */
  readonly pValue: number;
  /** True when the split is too unlikely under the configured weight (p < alpha). */
  readonly mismatch: boolean;
}

const PRIOR_CONCENTRATION = 100;

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
  1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos, g = 7: about 15 significant digits). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let sum = LANCZOS[0] as number;
  for (let index = 1; index < LANCZOS.length; index += 1) sum += (LANCZOS[index] as number) / (z + index);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

function logBeta(a: number, b: number): number {
  return logGamma(a) + logGamma(b) - logGamma(a + b);
}

/**
 * The sequential sample-ratio check of `candidate` and `baseline` units against the expected
 * candidate share. `pValue` is the always-valid p-value min(1, 1/M); a mismatch is flagged when it
 * falls below `alpha`.
 */
export function sequentialSampleRatioTest(candidate: number, baseline: number, expectedShare: number, alpha: number): SampleRatioCheck {
  const total = candidate + baseline;
  const observedShare = total > 0 ? candidate / total : Number.NaN;
  if (total <= 0) return { candidate, baseline, expectedShare, observedShare, chiSquare: 0, pValue: 1, mismatch: false };
  if (expectedShare <= 0 || expectedShare >= 1) {
    const impossible = (expectedShare <= 0 && candidate > 0) || (expectedShare >= 1 && baseline > 0);
    return { candidate, baseline, expectedShare, observedShare, chiSquare: impossible ? Infinity : 0, pValue: impossible ? 0 : 1, mismatch: impossible };
  }
  const a = PRIOR_CONCENTRATION * expectedShare;
  const b = PRIOR_CONCENTRATION * (1 - expectedShare);
  const logRatio = logBeta(a + candidate, b + baseline) - logBeta(a, b) - candidate * Math.log(expectedShare) - baseline * Math.log(1 - expectedShare);
  const pValue = Math.min(1, Math.exp(-logRatio));
  const expectedCandidate = total * expectedShare;
  const chiSquare = (candidate - expectedCandidate) ** 2 / expectedCandidate + (baseline - (total - expectedCandidate)) ** 2 / (total - expectedCandidate);
  return { candidate, baseline, expectedShare, observedShare, chiSquare, pValue, mismatch: pValue < alpha };
}
