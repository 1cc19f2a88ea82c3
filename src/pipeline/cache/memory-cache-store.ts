/**
 * An in-process LRU cache with a lifetime per entry. The `Map`'s insertion order is the recency
 * order: a read moves the entry to the end, a write past `maxEntries` evicts from the front. Both
 * are O(1).
 *
 * Entries are copied in and out (`packEntry` / `unpackEntry`, which give what a JSON round trip
 * gives, as the Redis store's text does): every reader gets its own copy, so a caller editing a tool
 * call's `arguments` cannot change what the next caller is served, and both stores round-trip
 * values the same way. What is held is packed into one flat object per entry, which a full cache
 * holds `maxEntries` of.
 */
import { SwitchyardError } from '../../errors.js';
import { packEntry, unpackEntry, type PackedEntry } from './copy-entry.js';
import type { CachedEntry, CacheStore } from './store.js';

/** Options of `createMemoryCacheStore`. */
export interface MemoryCacheStoreOptions {
  /** The most entries kept; the least recently used is evicted beyond it. A positive integer. */
  readonly maxEntries: number;
  /**
   * The clock for expiry, in milliseconds.
   * @default Date.now
   */
  readonly now?: () => number;
}

/** The in-memory store; `size` counts entries held, expired ones not yet dropped included. */
export interface MemoryCacheStore extends CacheStore {
  readonly size: number;
}

/**
 * Creates an in-memory LRU cache store.
 *
 * @throws SwitchyardError (`config`) when `maxEntries` is not a positive integer.
 * @example
 * const store = createMemoryCacheStore({ maxEntries: 1_000 });
 */
export function createMemoryCacheStore(options: MemoryCacheStoreOptions): MemoryCacheStore {
  const { maxEntries } = options;
  if (!Number.isInteger(maxEntries) || maxEntries < 1) {
    throw new SwitchyardError({ category: 'config', message: `cache maxEntries must be a positive integer, got ${String(maxEntries)}` });
  }
  const now = options.now ?? Date.now;
  /** The store's own copies, never handed out, least recently used first. */
  const slots = new Map<string, PackedEntry>();
  // Evicting one entry per insert made every insert start a fresh `keys()` walk over the holes
  // that earlier deletions leave at the front of V8's hash table: 20+ µs per insert once full.
  // One walk evicts a batch (1/64 of the capacity), so the walk is paid once per batch.
  const batch = Math.max(1, Math.ceil(maxEntries / 64));
  function evictOldest(): void {
    let surplus = slots.size - maxEntries + batch - 1;
    for (const key of slots.keys()) {
      if (surplus <= 0) break;
      slots.delete(key);
      surplus -= 1;
    }
  }

  function getNow(key: string): CachedEntry | undefined {
    const slot = slots.get(key);
    if (slot === undefined) return undefined;
    slots.delete(key);
    if (slot.expiresAt <= now()) return undefined;
    slots.set(key, slot);
    return unpackEntry(slot);
  }

  function setNow(key: string, entry: CachedEntry, ttlMs: number): void {
    if (!(ttlMs > 0)) return;
    let packed: PackedEntry;
    try {
      packed = packEntry(entry, now() + ttlMs);
    } catch {
      return; // Not representable as JSON (never the case for a provider's answer): not cached.
    }
    slots.delete(key);
    slots.set(key, packed);
    if (slots.size > maxEntries) evictOldest();
  }

  return {
    get size() {
      return slots.size;
    },
    getNow,
    get(key) {
      return Promise.resolve(getNow(key));
    },
    async set(key, entry, ttlMs) {
      setNow(key, entry, ttlMs);
    },
    setNow,
    async close() {
      slots.clear();
    },
  };
}
