/**
 * A provider's key pool (`apiKeys`): which key the next request carries, and what the provider's
 * answers say about each key.
 *
 * - **Spreading: smooth weighted round robin** (nginx's): each pick adds every usable key's weight
 *   to its score, takes the highest and lowers it by the total. Chosen over a weighted random draw
 *   because the shares are exact over any window (3:1 gives 3 and 1 in every 4 calls, interleaved
 *   `a a b a`, never bursts), so each key's share of its own rate limit is predictable and tests
 *   can assert it; there is no state shared between processes, each process spreads its own calls.
 * - **401/403** (an `auth` or `permission` answer): the key leaves the pool for the life of the
 *   router and is reported once (`onChange`, by its position, never its value).
 * - **429** (`rate_limit` or `quota` answers): the key is skipped until its `retry-after` (or the
 *   pool's cooldown) has passed.
 * - **Nothing usable**: `take()` fails at once, without a request. Every key refused: the last
 *   refusal (category `auth`/`permission`, as the provider answered). Some keys cooling: a
 *   `rate_limit` error whose `retryAfterMs` is when the first one is back, so the router's retry
 *   waits for it or its fallback answers now; a request on a cooling key would only earn another 429.
 *
 * Only answers with an HTTP status count (a network error says nothing about a key).
 */
import { performance } from 'node:perf_hooks';
import { registerSecret, SwitchyardError } from '../errors.js';

/** One key of a pool and its relative share of the calls. */
export interface PoolKey {
  readonly key: string;
  /** Relative share (> 0). */
  readonly weight: number;
}

/** A key handed out for one request: its position in `apiKeys` and the value to send. */
export interface KeyLease {
  readonly index: number;
  readonly key: string;
}

/** What happened to a key, by position (never the key itself). */
export interface KeyPoolChange {
  readonly provider: string;
  /** The key's position in `apiKeys` (0-based). */
  readonly index: number;
  /** `removed`: refused (401/403), out for good; `cooling`: rate limited, skipped for `cooldownMs`. */
  readonly change: 'removed' | 'cooling';
  /** The HTTP status the provider answered. */
  readonly status: number;
  readonly category: SwitchyardError['category'];
  /** For `cooling`: how long the key is skipped, ms. */
  readonly cooldownMs?: number;
  /** Keys still in the pool (cooling ones included). */
  readonly remaining: number;
  readonly size: number;
}

/** One key's state, for `KeyPool.state()`. */
export interface PoolKeyState {
  readonly index: number;
  readonly weight: number;
  readonly state: 'active' | 'cooling' | 'removed';
  /** For `cooling`: ms until the key is used again. */
  readonly cooldownLeftMs?: number;
}

/**
 * A provider's keys. Adapters ask for a key per request (`take`) and report how it fared (`report`);
 * `jsonEndpoint({ keys })` in `post-json.ts` does both.
 */
export interface KeyPool {
  readonly provider: string;
  /** Keys configured (removed ones included). */
  readonly size: number;
  /** The key for the next request; throws a `SwitchyardError` when none is usable (see the module's TSDoc). */
  take(): KeyLease;
  /**
   * Reports a request's failure (or `undefined` for success). Returns whether the failure was the
   * key's (refused or rate limited) and another key is usable now: the same request may then be
   * sent again at once with the next key, since the provider did not process it.
   */
  report(lease: KeyLease, failure: SwitchyardError | undefined): boolean;
  /** Each key's state, by position. */
  state(): readonly PoolKeyState[];
}

/** Options of `createKeyPool`. */
export interface KeyPoolOptions {
  /** The provider id, for errors and changes. */
  readonly provider: string;
  readonly keys: readonly PoolKey[];
  /** How long a rate-limited key is skipped when the provider gave no `retry-after`, ms. */
  readonly cooldownMs: number;
  /** Told when a key is removed or starts cooling down. */
  readonly onChange?: (change: KeyPoolChange) => void;
  /** The clock, ms. @default performance.now */
  readonly now?: () => number;
}

interface Entry {
  readonly lease: KeyLease;
  readonly weight: number;
  /** The round robin's running score. */
  score: number;
  removed: boolean;
  /** Skipped until this time (ms on the pool's clock). */
  coolingUntil: number;
}

/** Creates a key pool; registers every key as a secret. */
export function createKeyPool(options: KeyPoolOptions): KeyPool {
  const { provider, cooldownMs } = options;
  const now = options.now ?? (() => performance.now());
  const entries: Entry[] = options.keys.map((key, index) => {
    registerSecret(key.key);
    return { lease: { index, key: key.key }, weight: key.weight, score: 0, removed: false, coolingUntil: 0 };
  });
  let remaining = entries.length;
  let lastRefusal: SwitchyardError | undefined;

  function usable(entry: Entry, at: number): boolean {
    return !entry.removed && entry.coolingUntil <= at;
  }

  function exhausted(at: number): SwitchyardError {
    if (remaining === 0) {
      const last = lastRefusal;
      return new SwitchyardError({
        category: last?.category ?? 'auth',
        ...(last === undefined ? {} : { code: last.code, status: last.status, providerCode: last.providerCode }),
        retryable: false,
        provider,
        message: `every key of provider "${provider}" was refused (401/403) and is out of its pool${last === undefined ? '' : `; the last refusal: ${last.message}`}`,
        ...(last === undefined ? {} : { cause: last }),
      });
    }
    const backAt = Math.min(...entries.filter((entry) => !entry.removed).map((entry) => entry.coolingUntil));
    const waitMs = Math.max(0, Math.ceil(backAt - at));
    return new SwitchyardError({
      category: 'rate_limit',
      code: 'rate_limit.provider',
      status: 429,
      retryable: true,
      retryAfterMs: waitMs,
      provider,
      message: `every key of provider "${provider}" is cooling down after 429 answers (${remaining} of ${entries.length} keys in the pool); the first is back in ${waitMs} ms`,
    });
  }

  return {
    provider,
    size: entries.length,

    take() {
      const at = now();
      let best: Entry | undefined;
      let total = 0;
      for (const entry of entries) {
        if (!usable(entry, at)) continue;
        entry.score += entry.weight;
        total += entry.weight;
        if (best === undefined || entry.score > best.score) best = entry;
      }
      if (best === undefined) throw exhausted(at);
      best.score -= total;
      return best.lease;
    },

    report(lease, failure) {
      const entry = entries[lease.index];
      // Only the provider's answers say something about a key; a network error does not.
      if (entry === undefined || failure === undefined || failure.status === undefined) return false;
      const { category, status } = failure;
      if (category === 'auth' || category === 'permission') {
        if (!entry.removed) {
          entry.removed = true;
          remaining -= 1;
          lastRefusal = failure;
          options.onChange?.({ provider, index: lease.index, change: 'removed', status, category, remaining, size: entries.length });
        }
      } else if (category === 'rate_limit' || category === 'quota') {
        if (entry.removed) return false;
        const waitMs = failure.retryAfterMs ?? cooldownMs;
        entry.coolingUntil = Math.max(entry.coolingUntil, now() + waitMs);
        options.onChange?.({ provider, index: lease.index, change: 'cooling', status, category, cooldownMs: waitMs, remaining, size: entries.length });
      } else {
        return false;
      }
      const at = now();
      return entries.some((other) => usable(other, at));
    },

    state() {
      const at = now();
      return entries.map((entry) => {
        const base = { index: entry.lease.index, weight: entry.weight };
        if (entry.removed) return { ...base, state: 'removed' as const };
        if (entry.coolingUntil > at) return { ...base, state: 'cooling' as const, cooldownLeftMs: entry.coolingUntil - at };
        return { ...base, state: 'active' as const };
      });
    },
  };
}
