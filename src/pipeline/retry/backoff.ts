/**
 * Backoff between tries: exponential with full jitter (AWS's "full jitter": a uniform draw between
 * `minDelay` and the exponential ceiling), never shorter than what the provider asked for with
 * `retry-after`, never past the call's remaining time.
 */
import type { RetryPolicy } from '../../config/types.js';

/** Inputs of one delay computation. */
export interface BackoffInput {
  /** How many retries of this call came before this one (0 for the first retry). */
  readonly retryIndex: number;
  /** What the provider asked for, in ms. */
  readonly retryAfterMs?: number;
  /** Time left before the call's total timeout, in ms (Infinity when none). */
  readonly remainingMs: number;
}

/**
 * The delay before the next try, in ms, or `undefined` when the provider asked us to wait longer
 * than the call has left (retrying would only fail later).
 */
export function backoffDelay(policy: RetryPolicy, input: BackoffInput, random: () => number = Math.random): number | undefined {
  const ceiling = Math.min(policy.maxDelayMs, policy.minDelayMs * policy.factor ** input.retryIndex);
  const drawn = policy.jitter === 'full' ? policy.minDelayMs + random() * Math.max(0, ceiling - policy.minDelayMs) : ceiling;
  const delay = Math.max(drawn, input.retryAfterMs ?? 0);
  if (delay >= input.remainingMs) return undefined;
  return Math.round(delay);
}
