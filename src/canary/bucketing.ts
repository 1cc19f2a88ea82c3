/**
 * Canary assignment: a caller's sticky key and the rollout's salt hash into one of 10,000 buckets;
 * the caller is in the candidate arm when its bucket is below `weight × 100`. The bucket never
 * depends on the weight, so raising the weight only adds buckets to the candidate: callers move
 * from the baseline to the candidate and never back. The hash is the router's `hash32` (FNV-1a
 * with a murmur3 finaliser), the same in every process and after restarts; a new salt reshuffles.
 */
import type { CanaryConfig } from '../config/types.js';
import { hash32 } from '../router/target-selection.js';
import type { CallOptions } from '../types.js';

/** How many buckets traffic is split into (a weight's resolution is 0.01 percentage points). */
export const BUCKET_COUNT = 10_000;

/** Which key kept a caller in its arm: the configured one, or the request id when the caller had none. */
export type StickySource = 'user' | 'tenant' | 'request' | 'request-fallback';

/** The key a call is bucketed by, and where it came from. */
export interface StickyKey {
  readonly key: string;
  readonly source: StickySource;
}

/**
 * The key that keeps a caller in one arm. `sticky: user` (or `tenant`) uses the caller's id; a call
 * without one falls back to its request id, so such a caller is assigned anew on every call and
 * may see both versions across calls. `sticky: request` always uses the request id.
 */
export function canaryStickyKey(canary: Pick<CanaryConfig, 'sticky'>, options: Pick<CallOptions, 'user' | 'tenant'>, requestId: string): StickyKey {
  if (canary.sticky === 'user' && options.user !== undefined && options.user !== '') return { key: `user:${options.user}`, source: 'user' };
  if (canary.sticky === 'tenant' && options.tenant !== undefined && options.tenant !== '') return { key: `tenant:${options.tenant}`, source: 'tenant' };
  return { key: `request:${requestId}`, source: canary.sticky === 'request' ? 'request' : 'request-fallback' };
}

/** The bucket (0–9,999) of a sticky key under a salt. */
export function canaryBucket(salt: string, key: string): number {
  // Two independently seeded hashes give 53 well-mixed bits, so the bucket is unbiased to ~1e-12.
  const high = hash32(`${salt}\u0000${key}`);
  const low = hash32(`${key}\u0000${salt}`, 0x9747b28c) >>> 11;
  return Math.floor(((high * 2 ** 21 + low) / 2 ** 53) * BUCKET_COUNT);
}

/** The first bucket that stays with the baseline at a candidate weight (0–100 percent). */
export function candidateThreshold(weight: number): number {
  return Math.min(BUCKET_COUNT, Math.max(0, Math.round(weight * (BUCKET_COUNT / 100))));
}

/**
 * The bucket rule, the one copy routing and `explain()` share: a bucket belongs to the candidate
 * when it is below the weight's `candidateThreshold`. Routing keeps the threshold and calls this
 * per call; `isCandidateBucket` is the same rule from a weight.
 */
export function isBelowCandidateThreshold(bucket: number, threshold: number): boolean {
  return bucket < threshold;
}

/** Whether a bucket belongs to the candidate at a weight (0–100 percent). */
export function isCandidateBucket(bucket: number, weight: number): boolean {
  return isBelowCandidateThreshold(bucket, candidateThreshold(weight));
}
