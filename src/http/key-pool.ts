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
 *
 * Per-key gates (`key-gates.ts`), when configured: a key at its own limits (`apiKeys[i].limits`) or
 * whose own breaker is open (`keyPool.breaker`) is passed over for the next in turn; one refused by
 * a gate gains no turn meanwhile, so it gets no burst when it has room again. With every key
 * refused, `take()` fails with the same `rate_limit` error, its `retryAfterMs` the soonest any key
 * has room. Limits shared through Redis need a round trip: such a pool is `shared`, and keys are
 * taken with `acquire()`. Without gates `take()` is the plain round robin above, nothing more.
 */
import { performance } from 'node:perf_hooks';
import type { BreakerPolicy } from '../config/policy-types.js';
import { registerSecret, SwitchyardError } from '../errors.js';
import type { BreakerState } from '../pipeline/breaker/types.js';
import { createKeyGates, type KeyAdmission, type KeyGates } from './key-gates.js';
import { createMemoryKeyLimitStore, keyStateName, type KeyLimits, type KeyLimitStore } from './key-limit-store.js';

/** One key of a pool and its relative share of the calls. */
export interface PoolKey {
  readonly key: string;
  /** Relative share (> 0). */
  readonly weight: number;
  /** The key's own limits; absent: none. */
  readonly limits?: KeyLimits;
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
  /**
   * `removed`: refused (401/403), out for good; `cooling`: rate limited, skipped for `cooldownMs`;
   * `breaker-open`, `breaker-half-open`, `breaker-closed`: its own breaker (`keyPool.breaker`) changed.
   */
  readonly change: 'removed' | 'cooling' | 'breaker-open' | 'breaker-half-open' | 'breaker-closed';
  /** The HTTP status of the answer behind the change; absent for a breaker change no answer made (a timeout, the open period ending). */
  readonly status?: number;
  /** The category of the failure behind the change; absent when no failure made it. */
  readonly category?: SwitchyardError['category'];
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
  /** Its own breaker's state, when the pool has per-key breakers. */
  readonly breaker?: BreakerState;
}

/**
 * A provider's keys. Adapters ask for a key per request (`take`) and report how it fared (`report`);
 * `jsonEndpoint({ keys })` in `post-json.ts` does both.
 */
export interface KeyPool {
  readonly provider: string;
  /** Keys configured (removed ones included). */
  readonly size: number;
  /**
   * true when per-key limits are shared through Redis: a key is then taken with `acquire()`, and
   * `take()` throws.
   */
  readonly shared: boolean;
  /** The key for the next request; throws a `SwitchyardError` when none is usable (see the module's TSDoc). */
  take(): KeyLease;
  /** `take()`, asking shared per-key limits when the pool has them; never waits for room. */
  acquire(signal?: AbortSignal): Promise<KeyLease>;
  /**
   * Reports how a request fared: its failure (one without a status for a timeout or a network
   * error), or `undefined` for success. Returns whether the failure was the key's (refused or rate
   * limited) and another key is usable now: the same request may then be sent again at once with
   * the next key, since the provider did not process it.
   */
  report(lease: KeyLease, failure: SwitchyardError | undefined): boolean;
  /** Charges the tokens a request used to its key's `tpm` limit (nothing when the key has none). */
  charge(lease: KeyLease, tokensUsed: number): void;
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
  /** Told when a key is removed, starts cooling down, or its breaker changes state. */
  readonly onChange?: (change: KeyPoolChange) => void;
  /** A breaker per key; absent: none. */
  readonly breaker?: BreakerPolicy;
  /** Where keys' limits live (shared through Redis, or the router's). @default a store of the pool's own, in process */
  readonly limitStore?: KeyLimitStore;
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

/** A lease of a gated pool: the key, whether it probes its breaker, and where its tokens go. */
interface GatedLease extends KeyLease {
  readonly probe: boolean;
  readonly charge: ((tokensUsed: number) => void) | undefined;
}

function isGated(lease: KeyLease): lease is GatedLease {
  return 'probe' in lease;
}

/** Why a key could not take a request, for the error when none could. */
type Unavailable = { readonly index: number; readonly why: 'cooling' | 'limits' | 'breaker'; readonly waitMs: number };

const WHY: Readonly<Record<Unavailable['why'], string>> = {
  cooling: 'cooling down after a 429',
  limits: 'at its limits',
  breaker: 'held back by its breaker',
};

const BREAKER_CHANGES = { open: 'breaker-open', half_open: 'breaker-half-open', closed: 'breaker-closed' } as const;

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
  /** The failure being recorded, for the breaker change it may cause. */
  let recording: SwitchyardError | undefined;
  const gates = gatesOf(options, (index, to) => {
    const cause = recording;
    options.onChange?.({
      provider,
      index,
      change: BREAKER_CHANGES[to],
      ...(cause?.status === undefined ? {} : { status: cause.status }),
      ...(cause === undefined ? {} : { category: cause.category }),
      remaining,
      size: entries.length,
    });
  }, now);

  function usable(entry: Entry, at: number): boolean {
    return !entry.removed && entry.coolingUntil <= at;
  }

  function allRefused(): SwitchyardError {
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

  function exhausted(at: number): SwitchyardError {
    if (remaining === 0) return allRefused();
    const backAt = Math.min(...entries.filter((entry) => !entry.removed).map((entry) => entry.coolingUntil));
    const waitMs = Math.max(0, Math.ceil(backAt - at));
    return rateLimited(waitMs, `every key of provider "${provider}" is cooling down after 429 answers (${remaining} of ${entries.length} keys in the pool); the first is back in ${waitMs} ms`);
  }

  /** The error when the gates left no key: the same `rate_limit` as all cooling, saying why by position. */
  function noRoom(unavailable: readonly Unavailable[]): SwitchyardError {
    if (remaining === 0) return allRefused();
    const waitMs = Math.max(0, Math.ceil(Math.min(...unavailable.map((item) => item.waitMs))));
    const reasons = unavailable.map((item) => `apiKeys[${item.index}] ${WHY[item.why]}`).join(', ');
    return rateLimited(waitMs, `no key of provider "${provider}" can take a request now (${reasons}); the first has room in ${waitMs} ms`);
  }

  /**
   * The pool's own refusal: no request was sent, so no status and not the provider's breaker's
   * business (the 429s that made keys cool were counted when they came); retryable, after
   * `retryAfterMs` or on another target.
   */
  function rateLimited(waitMs: number, message: string): SwitchyardError {
    return new SwitchyardError({ category: 'rate_limit', code: 'rate_limit.key_pool', retryable: true, retryAfterMs: waitMs, provider, message });
  }

  /** The usable keys not offered yet, the one whose turn it is first (smooth weighted round robin order). */
  function inTurn(at: number, offered: ReadonlySet<Entry>): Entry[] {
    return entries
      .filter((entry) => usable(entry, at) && !offered.has(entry))
      .sort((left, right) => right.score + right.weight - (left.score + left.weight) || left.lease.index - right.lease.index);
  }

  /**
   * Gives `chosen` its turn among `candidates`: each gains its weight, `chosen` pays the total.
   * Returns the undo, exact whatever other picks happened meanwhile (the changes only add up).
   */
  function advance(candidates: readonly Entry[], chosen: Entry): () => void {
    let total = 0;
    for (const entry of candidates) {
      entry.score += entry.weight;
      total += entry.weight;
    }
    chosen.score -= total;
    return () => {
      for (const entry of candidates) entry.score -= entry.weight;
      chosen.score += total;
    };
  }

  function plainTake(): KeyLease {
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
  }

  /**
   * One gated pick. The key in turn gets its turn at once, before the gates answer, so concurrent
   * `acquire()` calls awaiting Redis interleave as `take()` calls do instead of all asking the same
   * key; one the gates refuse takes its turn back (it gains none while refused) and the next usable
   * key not offered yet is. Shared by `take()`, which asks the gates at once, and `acquire()`.
   */
  function gatedTurn() {
    const offered = new Set<Entry>();
    const refusals: Unavailable[] = [];
    return {
      /** The next key to offer, its turn taken, and the undo of that turn; undefined when none is left. */
      next(): { readonly entry: Entry; readonly undo: () => void } | undefined {
        const candidates = inTurn(now(), offered);
        const entry = candidates[0];
        if (entry === undefined) return undefined;
        offered.add(entry);
        return { entry, undo: advance(candidates, entry) };
      },
      /** The lease when `admission` admits the key; otherwise its turn is undone and why noted. */
      settle(turn: { readonly entry: Entry; readonly undo: () => void }, admission: KeyAdmission): GatedLease | undefined {
        const { lease } = turn.entry;
        if (admission.admitted) return { index: lease.index, key: lease.key, probe: admission.probe, charge: admission.charge };
        turn.undo();
        refusals.push({ index: lease.index, why: admission.reason, waitMs: admission.retryAfterMs });
        return undefined;
      },
      /** The error when no key was admitted: the keys cooling, then the gates' refusals. */
      noRoom(): SwitchyardError {
        const at = now();
        const cooling = entries
          .filter((entry) => !entry.removed && !offered.has(entry) && entry.coolingUntil > at)
          .map((entry): Unavailable => ({ index: entry.lease.index, why: 'cooling', waitMs: entry.coolingUntil - at }));
        return noRoom([...cooling, ...refusals]);
      },
    };
  }

  function gatedTake(gated: KeyGates): KeyLease {
    const turn = gatedTurn();
    for (let next = turn.next(); next !== undefined; next = turn.next()) {
      const lease = turn.settle(next, gated.admitNow(next.entry.lease.index));
      if (lease !== undefined) return lease;
    }
    throw turn.noRoom();
  }

  async function gatedAcquire(gated: KeyGates, signal: AbortSignal | undefined): Promise<KeyLease> {
    const turn = gatedTurn();
    for (let next = turn.next(); next !== undefined; next = turn.next()) {
      let admission: KeyAdmission;
      try {
        admission = await gated.admit(next.entry.lease.index, signal);
      } catch (error) {
        next.undo();
        throw error;
      }
      const lease = turn.settle(next, admission);
      if (lease !== undefined) return lease;
    }
    throw turn.noRoom();
  }

  function recordOutcome(lease: KeyLease, failure: SwitchyardError | undefined): void {
    if (gates === undefined || !isGated(lease)) return;
    recording = failure;
    try {
      gates.record(lease.index, failure, lease.probe);
    } finally {
      recording = undefined;
    }
  }

  return {
    provider,
    size: entries.length,
    shared: gates?.shared === true,

    take() {
      if (gates === undefined) return plainTake();
      if (gates.shared) {
        throw new SwitchyardError({ category: 'config', provider, message: `the key pool of provider "${provider}" keeps its per-key limits in Redis: an adapter takes its keys with await keyPool.acquire(signal), not take()` });
      }
      return gatedTake(gates);
    },

    acquire(signal) {
      try {
        if (gates === undefined) return Promise.resolve(plainTake());
        return gates.shared ? gatedAcquire(gates, signal) : Promise.resolve(gatedTake(gates));
      } catch (error) {
        return Promise.reject(error);
      }
    },

    report(lease, failure) {
      const entry = entries[lease.index];
      if (entry === undefined) return false;
      recordOutcome(lease, failure);
      // Only the provider's answers say something about a key; a network error does not.
      if (failure === undefined || failure.status === undefined) return false;
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

    charge(lease, tokensUsed) {
      if (isGated(lease)) lease.charge?.(tokensUsed);
    },

    state() {
      const at = now();
      return entries.map((entry) => {
        const breaker = gates?.breakerState(entry.lease.index);
        const base = { index: entry.lease.index, weight: entry.weight, ...(breaker === undefined ? {} : { breaker }) };
        if (entry.removed) return { ...base, state: 'removed' as const };
        if (entry.coolingUntil > at) return { ...base, state: 'cooling' as const, cooldownLeftMs: entry.coolingUntil - at };
        return { ...base, state: 'active' as const };
      });
    },
  };
}

/** The pool's gates, or undefined when no key has limits and there is no breaker (the plain pool). */
function gatesOf(options: KeyPoolOptions, onBreakerChange: (index: number, to: BreakerState) => void, now: () => number): KeyGates | undefined {
  const limited = options.keys.some((key) => key.limits !== undefined);
  if (!limited && options.breaker === undefined) return undefined;
  return createKeyGates({
    keys: options.keys.map((key, index) => ({ name: keyStateName(options.provider, index, key.key), limits: key.limits })),
    store: limited ? (options.limitStore ?? createMemoryKeyLimitStore(now)) : undefined,
    breaker: options.breaker,
    onBreakerChange: (index, change) => onBreakerChange(index, change.to),
    now,
  });
}

/** The tokens of answers not yet in, by the call they answer: which key's `tpm` to charge. */
const pendingCharges = new WeakMap<object, (tokensUsed: number) => void>();

/**
 * Remembers that `call` was answered on `lease`'s key, so that `chargeCallTokens(call, …)` charges
 * its tokens to that key's `tpm` limit once the usage is known (for a stream, at its end). Nothing
 * to remember for a key without a `tpm` limit.
 */
export function expectTokens(call: object, lease: KeyLease): void {
  if (isGated(lease) && lease.charge !== undefined) pendingCharges.set(call, lease.charge);
}

/** Charges `call`'s tokens to the key that answered it, if `expectTokens` was told of one. */
export function chargeCallTokens(call: object, tokensUsed: number): void {
  const charge = pendingCharges.get(call);
  if (charge === undefined) return;
  pendingCharges.delete(call);
  charge(tokensUsed);
}
