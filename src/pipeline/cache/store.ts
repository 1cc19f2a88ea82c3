/**
 * Where cached answers live. One small interface with two implementations: an in-process LRU
 * (`createMemoryCacheStore`) and a Redis store shared by every process (`createRedisCacheStore`).
 *
 * Contract for every implementation: a cache must never fail a call. `get` resolves `undefined`
 * when it cannot answer and `set` resolves even when it could not store; neither rejects because
 * the backing store is unwell.
 */
import type { ChatResponse } from '../../types.js';

/**
 * A response without the fields that belong to one call (`attempts`, `latencyMs`, `requestId`,
 * `cached`): those are the serving call's own. Leaving them out keeps entries small and cheap to
 * serialise (a fractional `latencyMs` alone is a slow number to print).
 */
export type CachedResponse = Omit<ChatResponse, 'attempts' | 'latencyMs' | 'requestId' | 'cached' | 'message' | 'reasoning'> & {
  /** The answer's reasoning parts; absent when there were none (and in entries older versions wrote). `message` is rebuilt from these fields when served. */
  readonly reasoning?: ChatResponse['reasoning'];
};

/** One cached answer. */
export interface CachedEntry {
  /** The response as first produced, without its per-call fields (entries written by older versions may still have them; they are ignored). */
  readonly response: CachedResponse;
  /** Epoch milliseconds when the entry was stored. */
  readonly storedAt: number;
}

/** A key–value store of cached answers with a lifetime per entry. */
export interface CacheStore {
  /** The entry under `key`, or `undefined` when absent, expired or unreadable. Never rejects. */
  get(key: string): Promise<CachedEntry | undefined>;
  /**
   * The same answer as `get`, given at once: for stores that hold their entries in this process, so
   * a lookup costs no promise. Stores whose entries live elsewhere leave it out. Never throws.
   */
  getNow?(key: string): CachedEntry | undefined;
  /** Stores `entry` for `ttlMs` milliseconds; a `ttlMs` of 0 or less stores nothing. Never rejects. */
  set(key: string, entry: CachedEntry, ttlMs: number): Promise<void>;
  /**
   * The same as `set`, done at once: for stores that hold their entries in this process, so a write
   * costs no promise. The store keeps its own copy of the fields `CachedEntry` names and nothing
   * else of `entry`. Stores whose entries live elsewhere leave it out. Never throws.
   */
  setNow?(key: string, entry: CachedEntry, ttlMs: number): void;
  /** Releases what the store owns and waits for writes still in flight. */
  close(): Promise<void>;
  /** True while the store's backend is failing and calls are answered as misses (or from a fallback). */
  readonly degraded?: boolean;
}

/**
 * Where a cache store says that its backend became unavailable and that it answers again, once per
 * change: the same one-function logger the breaker registry and the rate limiter take.
 */
export type CacheLogger = (message: string) => void;
