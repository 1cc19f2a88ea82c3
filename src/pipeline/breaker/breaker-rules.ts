/**
 * The decisions both registries share, so the in-memory and the Redis breaker open, probe and
 * answer by the same rules.
 */
import type { BreakerPolicy } from '../../config/policy-types.js';
import type { WindowCounts } from './sliding-window.js';
import type { Admission } from './types.js';

/** Whether a window's counts open a closed breaker: enough calls, at least one failure, rate reached. */
export function shouldOpen(counts: WindowCounts, policy: BreakerPolicy): boolean {
  return (
    counts.calls >= Math.max(1, policy.minRequests) &&
    counts.failures > 0 &&
    counts.failures / counts.calls >= policy.errorRate
  );
}

/** How many probe calls the half-open state lets through (at least one, or it could never close). */
export function probeSlots(policy: BreakerPolicy): number {
  return Math.max(1, Math.floor(policy.halfOpenProbes));
}

/**
 * How long a probe slot stays reserved when its outcome is never recorded (the caller was
 * canceled, the process died): one more open period, after which another call may probe.
 */
export function probeLeaseMs(policy: BreakerPolicy): number {
  return Math.max(1, policy.openForMs);
}

const ADMITTED: Admission = Object.freeze({ allowed: true, probe: false });

/** An ordinary admission, already resolved: the closed breaker's hot path allocates nothing. */
export const ADMITTED_NOW: Promise<Admission> = Promise.resolve(ADMITTED);

/** An ordinary admission (not a probe). */
export function admitted(): Admission {
  return ADMITTED;
}

/** A refusal saying when to come back (at least 1 ms, so callers never busy-loop on 0). */
export function refused(retryAfterMs: number): Admission {
  return { allowed: false, retryAfterMs: Math.max(1, Math.ceil(retryAfterMs)) };
}
