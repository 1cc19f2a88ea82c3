/**
 * Where the per-key limits of key pools (`apiKeys[i].limits`) keep their state, reusing the rate
 * limiter's implementations: in this process (the in-memory limiter's state, answered without a
 * turn) or in Redis (one shared limiter per key, so every process spends the same quota).
 *
 * A key's state is named `<provider>:<position>:<digest>` (`keyStateName`), the digest being a
 * SHA-256 prefix of the key: never the key itself, and a key replaced at the same position starts
 * with a quota of its own. One store serves a router's every generation, so a reload that keeps a
 * key keeps its counters, whatever else of the provider changed.
 *
 * The Redis store's limiters share one client, so a Redis outage is reported once for all of them
 * (`outageReport`): the first limiter to fall back says why, the first to reach Redis again says so.
 */
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Redis } from 'ioredis';
import type { LimitSpec, RateLimitPolicy } from '../config/policy-types.js';
import { SwitchyardError } from '../errors.js';
import { limitChecks, refusalRetryAfterMs, type LimitCheck } from '../pipeline/rate-limit/limit-checks.js';
import { createLocalLimitState } from '../pipeline/rate-limit/local-limit-state.js';
import type { RateLimiter } from '../pipeline/rate-limit/rate-limiter.js';
import { createRedisRateLimiter, type RedisRateLimiterOptions } from '../pipeline/rate-limit/redis-rate-limiter.js';

/** A key's limits: requests per second and minute, tokens per minute (no concurrency). */
export type KeyLimits = Omit<LimitSpec, 'concurrency'>;

/** One try at taking room under a key's limits. */
export type KeyRoom =
  | { readonly admitted: true; readonly release: (tokensUsed: number) => void }
  | { readonly admitted: false; readonly retryAfterMs: number };

/** The state of every pooled key's limits. */
export interface KeyLimitStore {
  /** true when a try needs a round trip (Redis): `tryNow` is then unavailable. */
  readonly shared: boolean;
  /** Takes room now, in process. Throws when `shared`. */
  tryNow(name: string, limits: KeyLimits): KeyRoom;
  /** Takes room, without waiting for it. May throw a `server` error (Redis down, `failMode: closed`). */
  tryShared(name: string, limits: KeyLimits, signal: AbortSignal | undefined): Promise<KeyRoom>;
  /** Drops local state, waits for pending shared writes. */
  close(): Promise<void>;
}

/** Digits of the key digest in a state name: enough to tell keys apart, too few to say anything of them. */
const DIGEST_LENGTH = 12;

/** The name of one key's state: provider id, position in `apiKeys`, and a digest of the key. */
export function keyStateName(provider: string, index: number, key: string): string {
  return `${provider}:${index}:${createHash('sha256').update(key).digest('hex').slice(0, DIGEST_LENGTH)}`;
}

/** The policy a key's limits make: the key's own limiter sees them as its global limits, never waiting. */
function policyOf(limits: KeyLimits): RateLimitPolicy {
  return { global: limits, waitMs: 0 };
}

const DONE: KeyRoom = Object.freeze({ admitted: true, release: () => undefined });

/**
 * Creates the in-process store: one limit state for every key of every pool, each key's checks
 * named after it (the in-memory limiter's GCRA and token buckets, synchronous).
 * @param now The clock, ms; tests pass a fake one. @default performance.now
 */
export function createMemoryKeyLimitStore(now: () => number = () => performance.now()): KeyLimitStore {
  const state = createLocalLimitState(now);
  const checksByName = new Map<string, { readonly limits: KeyLimits; readonly checks: readonly LimitCheck[] }>();

  function checksOf(name: string, limits: KeyLimits): readonly LimitCheck[] {
    const known = checksByName.get(name);
    if (known?.limits === limits) return known.checks;
    const checks = limitChecks({}, policyOf(limits)).map((check) => ({ ...check, id: `key:${name}:${check.id}` }));
    checksByName.set(name, { limits, checks });
    return checks;
  }

  function tryNow(name: string, limits: KeyLimits): KeyRoom {
    const checks = checksOf(name, limits);
    if (checks.length === 0) return DONE;
    const attempt = state.tryAcquire(checks);
    return attempt.admitted ? { admitted: true, release: attempt.release } : { admitted: false, retryAfterMs: refusalRetryAfterMs(attempt.refusals) };
  }

  return {
    shared: false,
    tryNow,
    tryShared: (name, limits) => Promise.resolve(tryNow(name, limits)),
    close() {
      state.clear();
      checksByName.clear();
      return Promise.resolve();
    },
  };
}

/** Options of `createRedisKeyLimitStore`. */
export interface RedisKeyLimitStoreOptions {
  readonly redis: Redis;
  /** `state.redis.keyPrefix`; keys are `<prefix>key-pool:<name>:{rate-limit}:global:<kind>`. */
  readonly keyPrefix: string;
  readonly failMode: 'open' | 'closed';
  readonly logger?: (message: string) => void;
}

/**
 * The logger and `onDegraded` every key's limiter gets with `failMode: open`: the store is degraded
 * from the first limiter falling back to the first reaching Redis again (one client, one Redis),
 * and only those two changes are passed on, each with the message of the limiter that saw it.
 * A limiter logs only when its own state changes, right before calling `onDegraded`.
 */
function outageReport(logger: ((message: string) => void) | undefined): Pick<RedisRateLimiterOptions, 'logger' | 'onDegraded'> {
  const report = logger ?? ((message: string) => console.warn(`[switchyard] ${message}`));
  let degraded = false;
  let held: string | undefined;
  return {
    logger: (message) => (held = message),
    onDegraded(value) {
      const message = held;
      held = undefined;
      if (value === degraded) return;
      degraded = value;
      if (message !== undefined) report(message);
    },
  };
}

/**
 * Creates the shared store: one Redis rate limiter per key, so its counters are the same in every
 * process. Redis trouble is the limiters': `failMode: open` limits per process meanwhile, reported
 * once per outage for all keys.
 */
export function createRedisKeyLimitStore(options: RedisKeyLimitStoreOptions): KeyLimitStore {
  const limiters = new Map<string, RateLimiter>();
  // With `failMode: closed` a limiter never falls back: what it logs goes straight out.
  const reporting = options.failMode === 'open' ? outageReport(options.logger) : options.logger === undefined ? {} : { logger: options.logger };

  function limiterOf(name: string): RateLimiter {
    let limiter = limiters.get(name);
    if (limiter === undefined) {
      limiter = createRedisRateLimiter({
        redis: options.redis,
        keyPrefix: `${options.keyPrefix}key-pool:${name}:`,
        failMode: options.failMode,
        ...reporting,
      });
      limiters.set(name, limiter);
    }
    return limiter;
  }

  return {
    shared: true,
    tryNow() {
      throw new Error('a shared key limit store has no synchronous try: use tryShared');
    },
    async tryShared(name, limits, signal) {
      try {
        const lease = await limiterOf(name).acquire({}, policyOf(limits), signal);
        return { admitted: true, release: (tokensUsed) => lease.release(tokensUsed) };
      } catch (error) {
        // With `waitMs: 0` a full limit refuses at once, saying when it has room.
        if (SwitchyardError.isInstance(error) && error.category === 'rate_limit') return { admitted: false, retryAfterMs: error.retryAfterMs ?? 0 };
        throw error;
      }
    },
    async close() {
      await Promise.allSettled([...limiters.values()].map((limiter) => limiter.close()));
      limiters.clear();
    },
  };
}
