/**
 * The key store as the gateway's call path uses it: key records cached in memory, and a store
 * outage that does not stop calls of keys already verified.
 *
 * - `authenticate`: a record is trusted for `cacheTtlMs` (a key disabled on one instance stops
 *   working on all within it), then read again. While the store is down, a key verified before
 *   keeps working for `staleForMs` after it was last read; a key not seen before fails closed
 *   with a `server` error (503): it cannot be verified.
 * - `reserve`: an unlimited key holds nothing, so it is admitted from its cached record without a
 *   store round trip, outage or not. A key with a finite quota needs the store: while it is down
 *   the call fails closed (503). Admitting it from a local copy of the quota would let every
 *   instance spend the same remainder, and "at most N calls" across instances could no longer hold.
 * - `settle`: a settlement the store cannot take is queued in memory (bounded) and retried with
 *   backoff, in order, until the store answers; `settle` being idempotent, a retry after a
 *   failure whose commit did happen charges nothing twice.
 * - Group commit: the reservations and the settlements asked for in one turn of the event loop
 *   go to the store together, one `reserveBatch` and one `settleBatch` (one transaction each),
 *   dispatched by `setImmediate` while other calls are in flight (they may join the batch). A call
 *   alone does not wait for the turn's end: a hop through the event loop is a system call, dear on
 *   a busy machine, for a batch that would hold one call. A batch of settlements the store cannot
 *   take is queued and retried whole, under its id.
 */
import { checkReserveInput, checkSettlement, settlementBatchOf } from './group-commit.js';
import { hashKey, generateReservationId } from './key-format.js';
import { keyUsability } from './key-access.js';
import { SettlementQueue } from './settlement-queue.js';
import { isStoreUnavailable, storeUnavailableBecause } from './store-errors.js';
import type { KeyRecord, KeyStore, ReserveInput, ReserveResult, SettleInput, SettlementBatch } from './types.js';

/** Options of `createResilientKeyStore`. */
export interface ResilientKeyStoreOptions {
  /** How long a record read from the store is trusted before it is read again. @default 5_000 */
  readonly cacheTtlMs?: number;
  /** While the store is down, how long after its last read a verified key keeps working. @default 600_000 (10 minutes) */
  readonly staleForMs?: number;
  /** Settlements held in memory while the store is down; beyond it they are dropped and counted. @default 100_000 */
  readonly maxPendingSettlements?: number;
  /** The queue's first retry delay; it doubles per failure (with jitter). @default 100 */
  readonly retryMinDelayMs?: number;
  /** @default 5_000 */
  readonly retryMaxDelayMs?: number;
  /**
   * After the store failed, how long calls answer from the cache (or fail closed) without trying
   * it, so an outage does not make every call wait for a connect timeout.
   * @default 1_000
   */
  readonly probeIntervalMs?: number;
  /**
   * How often reservations past their expiry are released (`releaseExpired`); 0 = never (another
   * process does it). Skipped while this instance has settlements queued, so a returning store
   * takes their real usage first.
   * @default 30_000
   */
  readonly sweepIntervalMs?: number;
  /** Keys remembered (verified and unknown); the oldest read is forgotten first. @default 100_000 */
  readonly maxCachedKeys?: number;
  /** @default console.warn */
  readonly logger?: (message: string) => void;
  /** The clock for cache ages and expiry (epoch milliseconds). @default Date.now */
  readonly now?: () => number;
}

/** Why a key was not accepted. */
export type AuthenticationRefusal = 'unknown' | 'disabled' | 'expired';

/** The answer to `authenticate`. */
export type Authentication =
  | { readonly ok: true; readonly record: KeyRecord; /** True when served from the cache during a store outage. */ readonly stale: boolean }
  | { readonly ok: false; readonly reason: AuthenticationRefusal };

/** What became of a settlement handed to `settle`. */
export type SettlementFate = 'written' | 'queued' | 'dropped';

/** The gateway's view of the key store. */
export interface ResilientKeyStore {
  /** The store underneath (the admin API uses it directly; call `forget` after changing a key). */
  readonly store: KeyStore;
  /**
   * Verifies a plain key. Fails with a `server` error (503, "key store unavailable") only when
   * the store is down and the key was not verified within `staleForMs`.
   */
  authenticate(plainKey: string): Promise<Authentication>;
  /** Holds quota for a call; see the module's notes for unlimited keys and outages. */
  reserve(input: ReserveInput): Promise<ReserveResult>;
  /** Writes a call's usage, or queues it while the store is down. Never fails for an outage. */
  settle(input: SettleInput): Promise<SettlementFate>;
  /** Drops a key's cached record, so the next call reads it again (after an admin change here). */
  forget(keyId: string): void;
  /** Settlements queued and not yet written. */
  readonly pendingSettlements: number;
  /** Settlements dropped because the queue was full (or the store refused them as invalid). */
  readonly droppedSettlements: number;
  /** False from a failed store operation until one succeeds. */
  readonly storeAvailable: boolean;
  /** Tries to write every queued settlement now; resolves how many are left when done or at the deadline. */
  flush(options?: { readonly timeoutMs?: number }): Promise<number>;
  /** Stops the sweeper, flushes (up to `flushTimeoutMs`, default 5 s), logs what is left, closes the store. */
  close(options?: { readonly flushTimeoutMs?: number }): Promise<void>;
}

/** A call waiting for the turn's batch, with how to answer it. */
interface Waiting<Input, Result> {
  readonly input: Input;
  readonly resolve: (result: Result) => void;
  readonly reject: (error: unknown) => void;
}

const FINITE_QUOTA_REFUSAL =
  'a key with a finite quota cannot reserve while the store is down (another instance may be spending the same quota, so no instance can admit calls exactly)';

interface CachedKey {
  readonly record: KeyRecord | undefined;
  readonly readAt: number;
}

/** Longest plain key looked up; anything longer is unknown without hashing it. */
const MAX_KEY_LENGTH = 1_024;

/**
 * Wraps a store for the call path.
 *
 * @example
 * const keys = createResilientKeyStore(await openKeyStore(config.gateway.store.url), { cacheTtlMs: 5_000, staleForMs: 600_000 });
 * const auth = await keys.authenticate(bearer);
 */
export function createResilientKeyStore(store: KeyStore, options: ResilientKeyStoreOptions = {}): ResilientKeyStore {
  return new CachingKeyStore(store, options);
}

class CachingKeyStore implements ResilientKeyStore {
  private readonly cacheTtlMs: number;
  private readonly staleForMs: number;
  private readonly retryMinDelayMs: number;
  private readonly retryMaxDelayMs: number;
  private readonly probeIntervalMs: number;
  private readonly maxCachedKeys: number;
  private readonly logger: (message: string) => void;
  private readonly now: () => number;

  private readonly byHash = new Map<string, CachedKey>();
  private readonly byId = new Map<string, string>();
  private readonly lookups = new Map<string, Promise<CachedKey>>();

  private readonly queue: SettlementQueue;
  /** Reservations and settlements asked for in this turn, written together at its end. */
  private reservesWaiting: Waiting<ReserveInput, ReserveResult>[] = [];
  private settlementsWaiting: Waiting<SettleInput, SettlementFate>[] = [];
  private batchScheduled = false;
  /** Calls admitted (`reserve` answered ok) and not yet settled: whether a batch is worth waiting for. */
  private callsInFlight = 0;
  /** Settlements handed to `settle` and not yet written or queued. */
  private readonly writing = new Set<Promise<SettlementFate>>();
  private dropped = 0;
  private draining = false;
  private closed = false;
  private wakeDrain: (() => void) | undefined;
  private drainedWaiters: (() => void)[] = [];

  /** When the current outage started (undefined while the store answers). */
  private downSince: number | undefined;
  private lastFailureAt = 0;
  private readonly sweeper: NodeJS.Timeout | undefined;

  constructor(
    readonly store: KeyStore,
    options: ResilientKeyStoreOptions,
  ) {
    this.cacheTtlMs = options.cacheTtlMs ?? 5_000;
    this.staleForMs = options.staleForMs ?? 600_000;
    this.retryMinDelayMs = options.retryMinDelayMs ?? 100;
    this.retryMaxDelayMs = options.retryMaxDelayMs ?? 5_000;
    this.probeIntervalMs = options.probeIntervalMs ?? 1_000;
    this.maxCachedKeys = options.maxCachedKeys ?? 100_000;
    this.logger = options.logger ?? ((message: string) => console.warn(message));
    this.now = options.now ?? Date.now;
    this.queue = new SettlementQueue(options.maxPendingSettlements ?? 100_000);
    const sweepIntervalMs = options.sweepIntervalMs ?? 30_000;
    if (sweepIntervalMs > 0) {
      this.sweeper = setInterval(() => void this.sweep(), sweepIntervalMs);
      this.sweeper.unref();
    }
  }

  get pendingSettlements(): number {
    return this.queue.size;
  }

  get droppedSettlements(): number {
    return this.dropped;
  }

  get storeAvailable(): boolean {
    return this.downSince === undefined;
  }

  async authenticate(plainKey: string): Promise<Authentication> {
    if (plainKey.length === 0 || plainKey.length > MAX_KEY_LENGTH) return { ok: false, reason: 'unknown' };
    const hash = hashKey(plainKey);
    const now = this.now();
    const cached = this.byHash.get(hash);
    if (cached !== undefined && now - cached.readAt < this.cacheTtlMs) return judge(cached.record, now, false);
    if (this.recentlyDown(now)) return this.fromStaleCache(cached, now, undefined);
    try {
      const fresh = await this.lookup(hash);
      return judge(fresh.record, this.now(), false);
    } catch (error) {
      if (!isStoreUnavailable(error)) throw error;
      return this.fromStaleCache(cached, this.now(), error);
    }
  }

  async reserve(input: ReserveInput): Promise<ReserveResult> {
    const now = this.now();
    const hash = this.byId.get(input.keyId);
    const record = hash === undefined ? undefined : this.byHash.get(hash);
    if (record?.record !== undefined && record.record.quota === 'unlimited' && now - record.readAt <= this.staleForMs) {
      const unusable = keyUsability(record.record, now);
      if (unusable !== undefined) return { ok: false, reason: unusable };
      if (this.queue.full) throw storeUnavailableBecause('the queue of settlements waiting for the store is full; unlimited keys are refused until it drains, so no call goes unrecorded');
      this.callsInFlight += 1;
      return { ok: true, reservationId: generateReservationId('unheld') };
    }
    if (this.recentlyDown(now)) throw storeUnavailableBecause(FINITE_QUOTA_REFUSAL);
    checkReserveInput(input);
    return new Promise<ReserveResult>((resolve, reject) => {
      this.reservesWaiting.push({ input, resolve, reject });
      this.scheduleBatch();
    });
  }

  /** Writes the turn's reservations and settlements once the turn's other calls have joined them. */
  private scheduleBatch(): void {
    if (this.batchScheduled) return;
    this.batchScheduled = true;
    const write = (): void => {
      this.batchScheduled = false;
      const reserves = this.reservesWaiting;
      const settlements = this.settlementsWaiting;
      this.reservesWaiting = [];
      this.settlementsWaiting = [];
      if (reserves.length > 0) void this.reserveTogether(reserves);
      if (settlements.length > 0) void this.settleTogether(settlements);
    };
    // Alone, a call goes at once (calls asked for in the same run of code still share the batch).
    if (this.callsInFlight > 1) setImmediate(write);
    else queueMicrotask(write);
  }

  private async reserveTogether(waiting: readonly Waiting<ReserveInput, ReserveResult>[]): Promise<void> {
    try {
      const results = await this.store.reserveBatch(waiting.map((call) => call.input));
      this.markUp();
      waiting.forEach((call, index) => {
        const result = results[index] as ReserveResult;
        if (result.ok) this.callsInFlight += 1;
        call.resolve(result);
      });
    } catch (error) {
      if (!isStoreUnavailable(error)) {
        for (const call of waiting) call.reject(error);
        return;
      }
      this.markDown(error);
      for (const call of waiting) call.reject(storeUnavailableBecause(FINITE_QUOTA_REFUSAL, error));
    }
  }

  private async settleTogether(waiting: readonly Waiting<SettleInput, SettlementFate>[]): Promise<void> {
    const batch = settlementBatchOf(waiting.map((call) => call.input));
    try {
      const fates = await this.writeBatch(batch);
      waiting.forEach((call, index) => call.resolve(fates[index] ?? 'dropped'));
    } catch (error) {
      for (const call of waiting) call.reject(error);
    }
  }

  settle(input: SettleInput): Promise<SettlementFate> {
    try {
      checkSettlement(input);
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.callsInFlight > 0) this.callsInFlight -= 1;
    // Tracked until written or queued, so `close()` waits for it before flushing the queue.
    const writing = new Promise<SettlementFate>((resolve, reject) => {
      this.settlementsWaiting.push({ input, resolve, reject });
      this.scheduleBatch();
    });
    this.writing.add(writing);
    const done = (): void => void this.writing.delete(writing);
    writing.then(done, done);
    return writing;
  }

  /** Writes a batch, or queues it (whole) while the store is down; each settlement's fate. */
  private async writeBatch(batch: SettlementBatch): Promise<readonly SettlementFate[]> {
    if (this.queue.size > 0 || this.recentlyDown(this.now())) return this.enqueue(batch);
    try {
      await this.store.settleBatch(batch);
      this.markUp();
      return batch.settlements.map(() => 'written');
    } catch (error) {
      if (!isStoreUnavailable(error)) throw error;
      this.markDown(error);
      return this.enqueue(batch);
    }
  }

  forget(keyId: string): void {
    const hash = this.byId.get(keyId);
    if (hash === undefined) return;
    this.byId.delete(keyId);
    this.byHash.delete(hash);
  }

  async flush(options: { readonly timeoutMs?: number } = {}): Promise<number> {
    if (this.queue.size === 0) return 0;
    const drained = new Promise<void>((resolve) => this.drainedWaiters.push(resolve));
    this.wakeDrain?.();
    void this.drain();
    let deadline: NodeJS.Timeout | undefined;
    await Promise.race([drained, new Promise<void>((resolve) => (deadline = setTimeout(resolve, options.timeoutMs ?? 5_000)))]);
    clearTimeout(deadline);
    return this.queue.size;
  }

  async close(options: { readonly flushTimeoutMs?: number } = {}): Promise<void> {
    if (this.sweeper !== undefined) clearInterval(this.sweeper);
    // Settlements on their way to the store land (or join the queue) before the queue is flushed.
    await Promise.allSettled([...this.writing]);
    const left = await this.flush({ timeoutMs: options.flushTimeoutMs ?? 5_000 });
    this.closed = true;
    this.wakeDrain?.();
    if (left > 0) this.log(`closing with ${left} settlement(s) not written (store unavailable); their reservations are charged their reserved amount when they expire`);
    await this.store.close();
  }

  /** One read of the store per hash at a time: callers arriving while it runs share it. */
  private lookup(hash: string): Promise<CachedKey> {
    let pending = this.lookups.get(hash);
    if (pending === undefined) {
      pending = this.store
        .findByHash(hash)
        .then(
          (record) => {
            const entry = { record, readAt: this.now() };
            this.remember(hash, entry);
            this.markUp();
            return entry;
          },
          (error: unknown) => {
            if (isStoreUnavailable(error)) this.markDown(error);
            throw error;
          },
        )
        .finally(() => this.lookups.delete(hash));
      this.lookups.set(hash, pending);
    }
    return pending;
  }

  private remember(hash: string, entry: CachedKey): void {
    const previous = this.byHash.get(hash);
    if (previous?.record !== undefined && previous.record.id !== entry.record?.id) this.byId.delete(previous.record.id);
    this.byHash.delete(hash);
    if (this.byHash.size >= this.maxCachedKeys) {
      const oldest = this.byHash.keys().next();
      if (oldest.done !== true) {
        const evicted = this.byHash.get(oldest.value);
        this.byHash.delete(oldest.value);
        if (evicted?.record !== undefined) this.byId.delete(evicted.record.id);
      }
    }
    this.byHash.set(hash, entry);
    if (entry.record !== undefined) this.byId.set(entry.record.id, hash);
  }

  private fromStaleCache(cached: CachedKey | undefined, now: number, cause: unknown): Authentication {
    if (cached?.record !== undefined && now - cached.readAt <= this.staleForMs) return judge(cached.record, now, true);
    throw storeUnavailableBecause('a key not verified in the last ' + formatDuration(this.staleForMs) + ' cannot be verified now', cause);
  }

  private recentlyDown(now: number): boolean {
    return this.downSince !== undefined && now - this.lastFailureAt < this.probeIntervalMs;
  }

  private markDown(error: unknown): void {
    const now = this.now();
    this.lastFailureAt = now;
    if (this.downSince !== undefined) return;
    this.downSince = now;
    const reason = error instanceof Error ? error.message : String(error);
    this.log(
      `${reason}; keys verified in the last ${formatDuration(this.staleForMs)} keep working, other keys and finite quotas get 503, settlements are queued (up to ${this.queue.capacity})`,
    );
  }

  private markUp(): void {
    if (this.downSince === undefined) return;
    const seconds = Math.round((this.now() - this.downSince) / 1_000);
    this.downSince = undefined;
    this.log(`the store answers again after ${seconds} s; writing ${this.queue.size} queued settlement(s)`);
    this.wakeDrain?.();
    if (this.queue.size > 0) void this.drain();
  }

  private enqueue(batch: SettlementBatch): SettlementFate[] {
    const queued = this.queue.push(batch);
    if (queued > 0) void this.drain();
    const fates = batch.settlements.map((_, index): SettlementFate => (index < queued ? 'queued' : 'dropped'));
    const dropped = batch.settlements.length - queued;
    if (dropped === 0) return fates;
    const before = this.dropped;
    this.dropped += dropped;
    if (before === 0 || Math.floor(this.dropped / 1_000) > Math.floor(before / 1_000)) {
      this.log(
        `the settlement queue is full (${this.queue.capacity}): ${this.dropped} settlement(s) dropped so far. Their reservations are charged their reserved amount at expiry; unlimited keys are refused until the queue drains`,
      );
    }
    return fates;
  }

  /** Writes queued settlements in order, one at a time, backing off while the store fails. */
  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    let failures = 0;
    try {
      for (let head = this.queue.peek(); head !== undefined && !this.closed; head = this.queue.peek()) {
        try {
          await this.store.settleBatch(head);
          this.queue.shift();
          failures = 0;
          this.markUp();
        } catch (error) {
          if (!isStoreUnavailable(error)) {
            // Refused as invalid: retrying cannot help, and it must not block the ones behind it.
            this.queue.shift();
            this.dropped += head.settlements.length;
            this.log(`a queued settlement was refused by the store and dropped: ${error instanceof Error ? error.message : String(error)}`);
            continue;
          }
          this.markDown(error);
          failures += 1;
          await this.pause(this.backoff(failures));
        }
      }
    } finally {
      this.draining = false;
      if (this.queue.size === 0) {
        const waiters = this.drainedWaiters;
        this.drainedWaiters = [];
        for (const resolve of waiters) resolve();
      }
    }
  }

  /** Full jitter between half and all of min·2ⁿ, capped. */
  private backoff(failures: number): number {
    const ceiling = Math.min(this.retryMaxDelayMs, this.retryMinDelayMs * 2 ** Math.min(failures - 1, 20));
    return ceiling / 2 + (Math.random() * ceiling) / 2;
  }

  /** Waits `delayMs`, or less when woken (the store answered elsewhere, or a flush). */
  private pause(delayMs: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        if (this.wakeDrain === done) this.wakeDrain = undefined;
        resolve();
      };
      const timer = setTimeout(done, delayMs);
      timer.unref();
      this.wakeDrain = done;
    });
  }

  private async sweep(): Promise<void> {
    if (this.queue.size > 0 || this.recentlyDown(this.now())) return;
    try {
      await this.store.releaseExpired(this.now());
      this.markUp();
    } catch (error) {
      if (isStoreUnavailable(error)) this.markDown(error);
      else this.log(`releasing expired reservations failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private log(message: string): void {
    try {
      this.logger(`[switchyard] gateway key store: ${message}`);
    } catch {
      // A failing logger must not fail a call.
    }
  }
}

function judge(record: KeyRecord | undefined, now: number, stale: boolean): Authentication {
  if (record === undefined) return { ok: false, reason: 'unknown' };
  const unusable = keyUsability(record, now);
  return unusable === undefined ? { ok: true, record, stale } : { ok: false, reason: unusable };
}

function formatDuration(milliseconds: number): string {
  if (milliseconds % 60_000 === 0) return `${milliseconds / 60_000} min`;
  if (milliseconds % 1_000 === 0) return `${milliseconds / 1_000} s`;
  return `${milliseconds} ms`;
}
