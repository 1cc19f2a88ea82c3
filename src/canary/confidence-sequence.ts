/**
 * Confidence sequences: intervals that stay valid however often they are looked at. The canary
 * recomputes its bounds after every few calls and acts on the first one that crosses a limit; a
 * fixed-sample interval looked at that often crosses by chance far more often than its level
 * says. A confidence sequence holds, with probability at least 1 − α, at every look at once.
 *
 * The method is the normal-mixture boundary (Robbins 1970; the mixture SPRT of Johari, Pekelis
 * and Walsh, "Always valid inference", 2017, which Optimizely, GrowthBook and LaunchDarkly use):
 * for an estimate θ̂ that is asymptotically normal with variance V around θ, and a mixing
 * variance τ², the half-width
 *
 *   h = √( V(V+τ²)/τ² · (2 ln(1/α) + ln((V+τ²)/V)) )
 *
 * gives P(|θ̂ − θ| ≥ h at any look) ≤ α (exactly for Gaussian increments, asymptotically
 * otherwise: Waudby-Smith et al., "Time-uniform central limit theory", 2021). τ² only moves where
 * the sequence is tightest: `tunedMixingVariance` puts that at the sample size where the decision
 * is expected (Howard et al. 2021, eq. 3.16).
 *
 * The canary needs one-sided bounds (is the candidate worse than the limit? is it shown within
 * it?), each at level α. Mixing over one direction only (a half-normal prior on θ − θ₀ ≥ 0) gives
 * the martingale M₊ = 2·√(V/(V+τ²))·exp(S²τ²/(2V(V+τ²)))·Φ(S·τ/√(V(V+τ²))) for S = θ̂ − θ₀,
 * and the bound is the S at which M₊ reaches 1/α: about 9% narrower than the two-sided one.
 */
import { normalCdf } from './normal-distribution.js';

/**
 * The mixing variance that makes the sequence narrowest when the estimate's variance has fallen to
 * `targetVariance` (the variance expected at the planned sample size).
 */
export function tunedMixingVariance(targetVariance: number, alpha: number): number {
  const logTerm = -2 * Math.log(alpha);
  return targetVariance * (logTerm + Math.log(1 + logTerm));
}

/**
 * Distance from the estimate of the one-sided normal-mixture bound at level 1 − `alpha`: the S > 0
 * where the half-normal mixture martingale reaches 1/α (solved by a few fixed-point steps; the
 * normal tail factor is close to 1 there).
 */
export function oneSidedMixtureHalfWidth(variance: number, mixingVariance: number, alpha: number): number {
  if (!(variance > 0) || !(mixingVariance > 0)) return variance === 0 ? 0 : Number.POSITIVE_INFINITY;
  const k = mixingVariance / (variance * (variance + mixingVariance));
  const target = Math.log(1 / alpha) - Math.LN2 + 0.5 * Math.log((variance + mixingVariance) / variance);
  let distance = Math.sqrt((2 * Math.max(target, 0)) / k);
  for (let step = 0; step < 8; step += 1) {
    distance = Math.sqrt((2 * (target - Math.log(normalCdf(distance * Math.sqrt(k))))) / k);
  }
  return distance;
}

/**
 * Always-valid bounds of an estimate whose variance shrinks as 1/n in `n` (calls of the
 * constraining arm), tuned for `plannedN` calls: `low` and `high` are each a one-sided bound at
 * level 1 − `alpha`, valid at every look.
 */
export function confidenceSequence(estimate: number, variance: number, n: number, plannedN: number, alpha: number): { readonly low: number; readonly high: number } {
  const targetVariance = (variance * n) / Math.max(1, plannedN);
  const half = oneSidedMixtureHalfWidth(variance, tunedMixingVariance(targetVariance, alpha), alpha);
  return { low: estimate - half, high: estimate + half };
}
