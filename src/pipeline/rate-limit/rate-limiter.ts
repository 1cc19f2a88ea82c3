/**
 * The rate limiter's contract: take room for one call under every configured limit (global,
 * per user, per tenant; requests per second and per minute, concurrency, tokens per minute),
 * and give it back through a lease. Two implementations: in process
 * (`createMemoryRateLimiter`) and shared across processes through Redis
 * (`createRedisRateLimiter`).
 */
import type { RateLimitPolicy } from '../../config/policy-types.js';

/** Who a call is for. A call without a user (or tenant) is not subject to the per-user (or per-tenant) limits. */
export interface RateLimitKeys {
  /** The end user, for `perUser` limits. */
  readonly user?: string;
  /** The tenant or application, for `perTenant` limits. */
  readonly tenant?: string;
}

/** The room one admitted call holds. */
export interface RateLimitLease {
  /** Releases concurrency slots and charges the tokens the call used (for tpm). Idempotent. */
  release(tokensUsed?: number): void;
  /** How long this call waited for room, ms. */
  readonly waitedMs: number;
}

/** Takes and gives back room for calls under a `RateLimitPolicy`. */
export interface RateLimiter {
  /**
   * Takes room for one call under every configured limit, all or nothing: when one limit refuses,
   * no other limit is charged. When a limit refuses, waits until the room is due (never polling
   * faster than needed) for at most `policy.waitMs`; when the room is due later than that, fails
   * at once with a `SwitchyardError` of category `rate_limit`, `retryable: false` (our own retry
   * stage would only wait longer), `retryAfterMs` (when the room will be free) and a message
   * naming the limit, e.g. `perTenant rpm limit of 30 reached for tenant t1`.
   * Fails with category `canceled` when `signal` fires while waiting.
   * Callers without a user/tenant are not subject to that per-key limit.
   */
  acquire(keys: RateLimitKeys, policy: RateLimitPolicy, signal?: AbortSignal): Promise<RateLimitLease>;
  /**
   * A lease at once when every limit has room now and the limiter can tell without waiting or a
   * round trip (the in-memory limiter); `undefined` otherwise, and then `acquire` decides. Saves the
   * common case a promise.
   */
  tryAcquireNow?(keys: RateLimitKeys, policy: RateLimitPolicy): RateLimitLease | undefined;
  /** true when running on local state because the shared store failed (failMode open). */
  readonly degraded: boolean;
  /** Waits for releases still being written to the shared store. Does not close a Redis client it was given. */
  close(): Promise<void>;
}

/**
 * How long a concurrency slot held in Redis lives when its process never releases it (it crashed):
 * 10 minutes. A call that runs longer than this stops counting against the concurrency limit.
 */
export const CONCURRENCY_LEASE_TTL_MS = 600_000;

/**
 * The `retryAfterMs` reported when a concurrency limit refuses: no schedule says when a running
 * call ends, so this is an estimate, not a promise.
 */
export const CONCURRENCY_RETRY_HINT_MS = 1_000;
