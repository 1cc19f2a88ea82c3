/**
 * The in-process rate limiter: limits hold per process. A call under no limit costs one map
 * lookup; an admitted call costs a few map updates and no timer (timers exist only while a call
 * waits for room).
 */
import type { RateLimitPolicy } from '../../config/types.js';
import { limitChecks, type LimitCheck } from './limit-checks.js';
import { createLocalLimitState } from './local-limit-state.js';
import type { RateLimitKeys, RateLimiter, RateLimitLease } from './rate-limiter.js';
import { createLease, NO_WAIT_LEASE, noLimitLease, waitForRoom } from './wait-for-room.js';

/** Options of `createMemoryRateLimiter`. */
export interface MemoryRateLimiterOptions {
  /**
   * The clock, ms; must never go backwards. Tests pass a fake clock.
   * @default performance.now
   */
  readonly now?: () => number;
}

/**
 * Creates a rate limiter whose state lives in this process.
 * @example
 * const limiter = createMemoryRateLimiter();
 * const lease = await limiter.acquire({ user: 'u1' }, { perUser: { concurrency: 5 }, waitMs: 500 }, signal);
 * try { ... } finally { lease.release(usage.totalTokens); }
 */
export function createMemoryRateLimiter(options: MemoryRateLimiterOptions = {}): RateLimiter {
  const now = options.now ?? (() => performance.now());
  const state = createLocalLimitState(now);

  /** A lease when every check has room now; `undefined` when one has none. */
  function admitNow(checks: readonly LimitCheck[]): RateLimitLease | undefined {
    if (checks.length === 0) return NO_WAIT_LEASE;
    const attempt = state.tryAcquire(checks);
    return attempt.admitted ? createLease(attempt.release, 0) : undefined;
  }
  return {
    degraded: false,
    acquire(keys: RateLimitKeys, policy: RateLimitPolicy, signal?: AbortSignal): Promise<RateLimitLease> {
      const checks = limitChecks(keys, policy);
      if (checks.length === 0) return noLimitLease();
      // Fast path: room right away (the common case) needs no async machinery.
      if (signal?.aborted !== true) {
        const lease = admitNow(checks);
        if (lease !== undefined) return Promise.resolve(lease);
      }
      return waitForRoom({
        checks,
        waitMs: policy.waitMs,
        signal,
        now,
        tryAcquire: state.tryAcquire,
        waitForSlot: state.waitForRelease,
      });
    },
    tryAcquireNow(keys: RateLimitKeys, policy: RateLimitPolicy): RateLimitLease | undefined {
      return admitNow(limitChecks(keys, policy));
    },
    async close() {
      state.clear();
    },
  };
}
