/**
 * The shared rate limiter: every process pointing at one Redis shares the same limits. Each try
 * at taking room is one Lua script that checks and charges every limit of the call atomically;
 * a release is one more script when the call holds a concurrency slot or a token limit, and
 * nothing otherwise.
 *
 * When Redis fails: with `failMode: 'open'` the limiter carries on with the same limits held per
 * process (so a global limit of N becomes N per process), logs once, reports `degraded`, and
 * tries Redis again at most once a second until it answers. With `failMode: 'closed'` calls
 * are refused with a `server` error.
 *
 * The limiter never creates nor closes the Redis client. Recommended ioredis options so that a
 * dead Redis costs milliseconds, not seconds, per call:
 * `{ enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 1_000, commandTimeout: 500 }`
 * (with the offline queue off, wait for the client's `ready` event before serving traffic).
 */
import type { Redis } from 'ioredis';
import type { RateLimitPolicy } from '../../config/policy-types.js';
import { redactSecrets, SwitchyardError } from '../../errors.js';
import { randomUUID } from 'node:crypto';
import type { LimitCheck, Refusal, RoomAttempt } from './limit-checks.js';
import { limitChecks } from './limit-checks.js';
import { createLocalLimitState } from './local-limit-state.js';
import type { RateLimitKeys, RateLimiter, RateLimitLease } from './rate-limiter.js';
import { CONCURRENCY_LEASE_TTL_MS } from './rate-limiter.js';
import { ACQUIRE_SCRIPT, RELEASE_SCRIPT, runScript } from './redis-scripts.js';
import { noLimitLease, waitForRoom } from './wait-for-room.js';

/** Options of `createRedisRateLimiter`. */
export interface RedisRateLimiterOptions {
  /** A connected (or lazily connecting) ioredis client; the router owns it. */
  readonly redis: Redis;
  /** Prepended to every key (`state.redis.keyPrefix`), e.g. `switchyard:`. */
  readonly keyPrefix: string;
  /** `open`: keep limiting per process while Redis is down; `closed`: refuse calls. */
  readonly failMode: 'open' | 'closed';
  /**
   * Where to say that the shared store failed or recovered (once per change).
   * @default console.warn
   */
  readonly logger?: (message: string) => void;
  /** Called with `true` when the limiter falls back to local state, `false` when Redis answers again. */
  readonly onDegraded?: (degraded: boolean) => void;
}

/** How often a degraded limiter tries Redis again, ms. */
const PROBE_INTERVAL_MS = 1_000;
/** First and longest pause between checks of a shared concurrency slot held by another process, ms. */
const SLOT_POLL_MIN_MS = 25;
const SLOT_POLL_MAX_MS = 400;

/** The Redis key holding one limit's state. */
export function rateLimitRedisKey(keyPrefix: string, check: LimitCheck): string {
  return `${keyPrefix}{rate-limit}:${check.id}`;
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Reads the acquire script's reply (see `ACQUIRE_SCRIPT`); throws on a reply it does not expect. */
function readAcquireReply(reply: unknown, checks: readonly LimitCheck[], release: (tokensUsed: number) => void): RoomAttempt {
  const values = Array.isArray(reply) ? reply.map(Number) : [];
  if (values[0] === 1) return { admitted: true, release };
  const refusals: Refusal[] = [];
  for (let index = 1; index + 1 < values.length; index += 2) {
    const check = checks[(values[index] as number) - 1];
    const retryAfterMs = values[index + 1] as number;
    if (check !== undefined) refusals.push({ check, retryAfterMs: retryAfterMs < 0 ? undefined : retryAfterMs });
  }
  if (values[0] !== 0 || refusals.length === 0) throw new Error(`unexpected reply from the rate-limit script: ${JSON.stringify(reply)}`);
  return { admitted: false, refusals };
}

/**
 * Creates a rate limiter shared across processes through Redis.
 * @example
 * const limiter = createRedisRateLimiter({ redis, keyPrefix: 'switchyard:', failMode: 'open', logger: console.warn });
 */
export function createRedisRateLimiter(options: RedisRateLimiterOptions): RateLimiter {
  const { redis, keyPrefix, failMode } = options;
  const logger = options.logger ?? ((message: string) => console.warn(`[switchyard] ${message}`));
  const now = (): number => performance.now();
  const local = createLocalLimitState(now);
  const pendingReleases = new Set<Promise<void>>();
  let degraded = false;
  let nextProbeAt = 0;

  function log(message: string): void {
    try {
      logger(redactSecrets(message));
    } catch {
      // A failing logger must not fail the call.
    }
  }

  function setDegraded(value: boolean, error?: unknown): void {
    if (degraded === value) return;
    degraded = value;
    log(
      value
        ? `rate-limit store (Redis) unavailable (${reasonOf(error)}); limiting per process until it answers again (state.redis.failMode is open)`
        : 'rate-limit store (Redis) answers again; shared rate limits restored',
    );
    try {
      options.onDegraded?.(value);
    } catch {
      // A failing listener must not fail the call.
    }
  }

  function storeFailed(error: unknown): void {
    nextProbeAt = now() + PROBE_INTERVAL_MS;
    setDegraded(true, error);
  }

  function unavailable(error: unknown): SwitchyardError {
    return new SwitchyardError({
      category: 'server',
      code: 'server.state_store',
      retryable: false,
      message: `rate-limit store (Redis) unavailable and state.redis.failMode is closed (${reasonOf(error)})`,
      cause: error,
    });
  }

  function releaseShared(checks: readonly LimitCheck[], leaseId: string, tokensUsed: number): void {
    const slots = checks.filter((check) => check.algorithm === 'slot');
    const tokens = tokensUsed > 0 ? checks.filter((check) => check.algorithm === 'tokens') : [];
    if (slots.length === 0 && tokens.length === 0) return;
    const keys = [...slots, ...tokens].map((check) => rateLimitRedisKey(keyPrefix, check));
    const args: (string | number)[] = [leaseId, slots.length, tokensUsed];
    for (const check of tokens) args.push(check.limit, check.periodMs);
    const pending: Promise<void> = runScript(redis, RELEASE_SCRIPT, keys, args).then(
      () => local.notifyRelease(),
      (error: unknown) => {
        // The slot expires with its lease TTL; the tokens are lost to the shared count.
        if (failMode === 'open') storeFailed(error);
        else log(`rate-limit store (Redis) failed to record a release (${reasonOf(error)}); the slot frees when its lease expires`);
      },
    );
    pendingReleases.add(pending);
    void pending.finally(() => pendingReleases.delete(pending));
  }

  async function tryShared(checks: readonly LimitCheck[]): Promise<RoomAttempt> {
    if (degraded) {
      if (now() < nextProbeAt) return local.tryAcquire(checks);
      nextProbeAt = now() + PROBE_INTERVAL_MS;
    }
    const leaseId = randomUUID();
    const args: (string | number)[] = [leaseId, CONCURRENCY_LEASE_TTL_MS];
    for (const check of checks) args.push(check.algorithm, check.limit, check.periodMs);
    let attempt: RoomAttempt;
    try {
      const reply = await runScript(
        redis,
        ACQUIRE_SCRIPT,
        checks.map((check) => rateLimitRedisKey(keyPrefix, check)),
        args,
      );
      attempt = readAcquireReply(reply, checks, (tokensUsed) => releaseShared(checks, leaseId, tokensUsed));
    } catch (error) {
      if (failMode === 'closed') throw unavailable(error);
      storeFailed(error);
      return local.tryAcquire(checks);
    }
    setDegraded(false);
    return attempt;
  }

  /** A slot held elsewhere frees without telling us: look again soon, then less often. */
  function slotPoller(): (ms: number, signal: AbortSignal | undefined) => Promise<void> {
    let pauseMs = SLOT_POLL_MIN_MS;
    return (ms, signal) => {
      const wait = local.waitForRelease(Math.min(ms, pauseMs), signal);
      pauseMs = Math.min(SLOT_POLL_MAX_MS, pauseMs * 2);
      return wait;
    };
  }

  return {
    get degraded() {
      return degraded;
    },
    acquire(keys: RateLimitKeys, policy: RateLimitPolicy, signal?: AbortSignal): Promise<RateLimitLease> {
      const checks = limitChecks(keys, policy);
      if (checks.length === 0) return noLimitLease();
      return waitForRoom({ checks, waitMs: policy.waitMs, signal, now, tryAcquire: tryShared, waitForSlot: slotPoller() });
    },
    async close() {
      await Promise.allSettled([...pendingReleases]);
    },
  };
}
