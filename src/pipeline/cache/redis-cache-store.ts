/**
 * A cache store in Redis, shared by every Switchyard process pointing at the same Redis. Each entry
 * is one string key holding the entry as JSON, written with `SET … PX ttl` so Redis expires it.
 *
 * A cache must never fail a call. When Redis errors, times out or returns something unreadable, the
 * store answers as a miss (and resolves `set` anyway); it counts the failure in `errors`, reports
 * `degraded`, and, like the breaker registry and the rate limiter, says once per outage that Redis
 * is unavailable and once that it answers again (never once per call). While degraded it leaves
 * Redis alone for `recheckMs`, so an outage does not add a timeout to every call.
 *
 * `failMode` (from `state.redis.failMode`) decides what happens to local state during an outage:
 * - `open`: keep serving from local state — reads and writes go to `fallback` (an in-memory store)
 *   when one is given; without one, calls are misses.
 * - `closed`: refuse local state — calls are misses and nothing is stored until Redis is back, so
 *   processes never serve answers the others cannot see.
 * In neither mode does a Redis failure reach the caller.
 */
import type { Redis } from 'ioredis';
import { redactSecrets } from '../../errors.js';
import type { CachedEntry, CacheLogger, CacheStore } from './store.js';

/** Options of `createRedisCacheStore`. */
export interface RedisCacheStoreOptions {
  /** A connected (or connecting) ioredis client. Keys are used as given: the prefix is in the key. */
  readonly redis: Redis;
  /** `open`: use `fallback` while Redis is down; `closed`: only misses while Redis is down. */
  readonly failMode: 'open' | 'closed';
  /**
   * Where the store says that Redis became unavailable or answers again (once per change).
   * @default console.warn
   */
  readonly logger?: CacheLogger;
  /** The local store used while Redis is down, with `failMode: 'open'`. Closed by `close()`. */
  readonly fallback?: CacheStore;
  /**
   * How long one Redis command may take before it counts as a failure.
   * @default 250
   */
  readonly operationTimeoutMs?: number;
  /**
   * After a failure, how long to skip Redis before trying it again.
   * @default 1000
   */
  readonly recheckMs?: number;
  /**
   * Whether `close()` also quits the Redis client (leave false when the client is shared).
   * @default false
   */
  readonly ownsClient?: boolean;
  /**
   * The clock for `recheckMs`, in milliseconds.
   * @default Date.now
   */
  readonly now?: () => number;
}

/** The Redis store, with its failure counters. */
export interface RedisCacheStore extends CacheStore {
  /** Redis operations that failed (errors, timeouts, unreadable values) since the store was created. */
  readonly errors: number;
  /** True from the first failure of an outage until Redis answers again. */
  readonly degraded: boolean;
}

/**
 * Creates a cache store on Redis.
 *
 * @example
 * const store = createRedisCacheStore({
 *   redis: new Redis(url, { enableOfflineQueue: false }),
 *   failMode: 'open',
 *   fallback: createMemoryCacheStore({ maxEntries: 1_000 }),
 * });
 */
export function createRedisCacheStore(options: RedisCacheStoreOptions): RedisCacheStore {
  const { redis } = options;
  const logger = options.logger ?? ((message: string) => console.warn(message));
  const fallback = options.failMode === 'open' ? options.fallback : undefined;
  const operationTimeoutMs = options.operationTimeoutMs ?? 250;
  const recheckMs = options.recheckMs ?? 1_000;
  const now = options.now ?? Date.now;
  const pendingWrites = new Set<Promise<void>>();
  let errors = 0;
  let degraded = false;
  let skipRedisUntil = 0;

  function log(message: string): void {
    try {
      logger(message);
    } catch {
      // A failing logger must not fail the call.
    }
  }

  function recordFailure(error: unknown): void {
    errors += 1;
    skipRedisUntil = now() + recheckMs;
    if (degraded) return;
    degraded = true;
    const reason = redactSecrets(error instanceof Error ? error.message : String(error));
    const serving = fallback === undefined ? 'serving cache misses' : 'using the process-local cache';
    log(`switchyard cache: Redis unavailable (${reason}); ${serving} until it answers again`);
  }

  function recordSuccess(): void {
    if (!degraded) return;
    degraded = false;
    log('switchyard cache: Redis answers again; using the shared cache');
  }

  function redisUsable(): boolean {
    return !degraded || now() >= skipRedisUntil;
  }

  async function fallbackGet(key: string): Promise<CachedEntry | undefined> {
    if (fallback === undefined) return undefined;
    try {
      return await fallback.get(key);
    } catch {
      return undefined;
    }
  }

  async function fallbackSet(key: string, entry: CachedEntry, ttlMs: number): Promise<void> {
    if (fallback === undefined) return;
    try {
      await fallback.set(key, entry, ttlMs);
    } catch {
      // The fallback is best effort too.
    }
  }

  async function write(key: string, json: string, entry: CachedEntry, ttlMs: number): Promise<void> {
    try {
      await withTimeout(redis.set(key, json, 'PX', Math.max(1, Math.ceil(ttlMs))), operationTimeoutMs);
      recordSuccess();
    } catch (error) {
      recordFailure(error);
      await fallbackSet(key, entry, ttlMs);
    }
  }

  return {
    get errors() {
      return errors;
    },
    get degraded() {
      return degraded;
    },
    async get(key) {
      if (!redisUsable()) return fallbackGet(key);
      let raw: string | null;
      try {
        raw = await withTimeout(redis.get(key), operationTimeoutMs);
      } catch (error) {
        recordFailure(error);
        return fallbackGet(key);
      }
      recordSuccess();
      if (raw === null) return undefined;
      const entry = parseEntry(raw);
      if (entry === undefined) errors += 1; // Unreadable (another version, or tampered): a miss; the next write replaces it.
      return entry;
    },
    async set(key, entry, ttlMs) {
      if (!(ttlMs > 0)) return;
      if (!redisUsable()) return fallbackSet(key, entry, ttlMs);
      let json: string;
      try {
        json = JSON.stringify(entry);
      } catch {
        errors += 1;
        return;
      }
      const pending = write(key, json, entry, ttlMs);
      pendingWrites.add(pending);
      try {
        await pending;
      } finally {
        pendingWrites.delete(pending);
      }
    },
    async close() {
      await Promise.allSettled([...pendingWrites]);
      await options.fallback?.close().catch(() => undefined);
      if (options.ownsClient === true) {
        await redis.quit().catch(() => redis.disconnect());
      }
    },
  };
}

/** Rejects when `promise` has not settled within `timeoutMs` (0 or less: no limit). */
function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  if (!(timeoutMs > 0)) return promise;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Redis did not answer within ${timeoutMs} ms`)), timeoutMs);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The entry in `raw`, or `undefined` when it is not one. */
function parseEntry(raw: string): CachedEntry | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const candidate = parsed as { storedAt?: unknown; response?: unknown };
  if (typeof candidate.storedAt !== 'number' || typeof candidate.response !== 'object' || candidate.response === null) return undefined;
  const response = candidate.response as { text?: unknown; toolCalls?: unknown; usage?: unknown };
  if (typeof response.text !== 'string' || !Array.isArray(response.toolCalls) || typeof response.usage !== 'object') return undefined;
  return parsed as CachedEntry;
}
