/**
 * The gateway's key store: virtual key records, quota reservations and the daily usage ledger.
 * One interface, two backends (embedded SQLite, PostgreSQL) with one schema.
 *
 * Money is kept as integer nano-dollars in the store (sums and quota comparisons are exact and
 * identical in both databases); the API speaks US dollars.
 */
import type { KeyLimits, KeyQuota } from '../../config/types.js';

export type { KeyLimits, KeyQuota };

/** Tokens and US dollars, as a key has used or holds reserved. */
export interface TokensAndUsd {
  readonly tokens: number;
  readonly usd: number;
}

/** Free-form labels kept with a key. */
export type KeyMetadata = Readonly<Record<string, string>>;

/** Where a key was declared: created through the store (admin API), or in the config file. */
export type KeySource = 'store' | 'config';

/** A virtual key as the store keeps it. The plain key is never part of it. */
export interface KeyRecord {
  /** `key_…`, random, unrelated to the key itself. */
  readonly id: string;
  readonly name: string;
  /** The tenant its calls count against. */
  readonly tenant: string;
  /** SHA-256 of the plain key, hex (`hashKey`). */
  readonly hash: string;
  /** The key's first characters, for display (`sy-abcd…`). */
  readonly displayPrefix: string;
  /** Routes (and `provider/model` names) it may call; empty = every route. */
  readonly routes: readonly string[];
  /** Epoch milliseconds after which it stops working; undefined = never. */
  readonly expiresAt: number | undefined;
  readonly enabled: boolean;
  readonly quota: KeyQuota;
  /** Charged so far: settled calls' real usage, plus reservations released unsettled. */
  readonly used: TokensAndUsd;
  /** Held by calls in flight (zero for unlimited keys, which hold nothing). */
  readonly reserved: TokensAndUsd;
  readonly limits: KeyLimits;
  /** CIDR blocks its calls are accepted from; empty = any address. */
  readonly subnets: readonly string[];
  readonly metadata: KeyMetadata;
  /** Epoch milliseconds. */
  readonly createdAt: number;
  /** Epoch milliseconds of the last change to the key's settings (not of its usage). */
  readonly updatedAt: number;
  readonly source: KeySource;
}

/** What `createKey` needs; the key itself is generated. */
export interface CreateKeyInput {
  readonly name: string;
  /** @default the key's name */
  readonly tenant?: string;
  /** @default [] (every route) */
  readonly routes?: readonly string[];
  /** Epoch milliseconds. @default never */
  readonly expiresAt?: number;
  /** @default true */
  readonly enabled?: boolean;
  readonly quota: KeyQuota;
  /** @default {} */
  readonly limits?: KeyLimits;
  /** CIDR blocks or single addresses. @default [] (any address) */
  readonly subnets?: readonly string[];
  /** @default {} */
  readonly metadata?: KeyMetadata;
}

/** A key's settings to change; absent fields stay as they are. Usage counters are never patched. */
export interface KeyPatch {
  readonly name?: string;
  readonly tenant?: string;
  readonly routes?: readonly string[];
  /** Epoch milliseconds, or `null` for never. */
  readonly expiresAt?: number | null;
  readonly enabled?: boolean;
  readonly quota?: KeyQuota;
  readonly limits?: KeyLimits;
  readonly subnets?: readonly string[];
  readonly metadata?: KeyMetadata;
}

/** A key declared in the config, as the store receives it: its hash, never its plain value. */
export interface ConfigKeyInput extends CreateKeyInput {
  readonly hash: string;
  readonly displayPrefix: string;
}

/** What `syncConfigKeys` did. */
export interface ConfigKeySyncResult {
  /** The declared keys' records, in the order given. */
  readonly records: readonly KeyRecord[];
  readonly created: number;
  readonly updated: number;
  /** Config keys in the store that the config no longer declares, now disabled. */
  readonly disabled: number;
}

/** A reservation to make before a call. */
export interface ReserveInput {
  readonly keyId: string;
  /** The call's request id, kept with the reservation for tracing a charge back to a call. */
  readonly requestId: string;
  /** Tokens to hold (the call's largest possible use: prompt estimate plus `max_tokens`). */
  readonly tokens: number;
  /** US dollars to hold. */
  readonly usd: number;
  /**
   * Epoch milliseconds after which an unsettled reservation is charged (`releaseExpired`). Give
   * it the call's deadline plus the longest store outage to ride out (`staleForMs`): a settlement
   * queued during an outage must reach the store before its reservation expires, or the call is
   * charged its reserved amount instead of its real usage.
   */
  readonly expiresAt: number;
  /** The route called, for the ledger row of a reservation never settled. */
  readonly route?: string;
  /** The model called, likewise. */
  readonly model?: string;
}

/** Why a reservation was refused. */
export type ReserveRefusal = 'insufficient_quota' | 'disabled' | 'expired' | 'unknown';

/** The answer to `reserve`. */
export type ReserveResult = { readonly ok: true; readonly reservationId: string } | { readonly ok: false; readonly reason: ReserveRefusal };

/**
 * A call's real usage, settled against its reservation. The key is charged `inputTokens +
 * outputTokens` (cached tokens are part of the input) and `usd`; whatever it reserved is released.
 * Usage above the reservation is charged in full: a call is never cut for quota once admitted.
 */
export interface SettleInput {
  readonly reservationId: string;
  readonly keyId: string;
  readonly route: string;
  readonly model: string;
  /** The ledger's day, `YYYY-MM-DD` (UTC; see `utcDay`). */
  readonly day: string;
  readonly outcome: 'ok' | 'error';
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** Input tokens served from the provider's prompt cache (a part of `inputTokens`). */
  readonly cachedTokens: number;
  /** Input tokens written to the provider's prompt cache (a part of `inputTokens`). @default 0 */
  readonly cacheWriteTokens?: number;
  /** Output tokens spent on reasoning (a part of `outputTokens`). @default 0 */
  readonly reasoningTokens?: number;
  readonly usd: number;
}

/** The answer to `settle`. */
export interface SettleResult {
  /**
   * False when this reservation was settled before, or released at its expiry: nothing was
   * charged this time. Settling twice charges once.
   */
  readonly charged: boolean;
}

/**
 * Settlements written together, in one transaction (group commit). `id` makes the batch's
 * unlimited-key settlements idempotent without a row per call: the store writes one record under
 * it with them, so the same batch retried after an ambiguous failure (committed, reply lost)
 * charges nothing twice. A batch with exactly one unlimited-key settlement takes that
 * settlement's reservation id (so settling it again alone is recognised too); others take a
 * fresh id (`generateBatchId`). Retry a batch as a whole, under the same id.
 */
export interface SettlementBatch {
  readonly id: string;
  readonly settlements: readonly SettleInput[];
}

/** What `releaseExpired` did. */
export interface ReleaseResult {
  /** Reservations past their expiry, charged their reserved amount and written as `unsettled`. */
  readonly released: number;
  /** Unlimited keys' settlement records older than the retention, deleted. */
  readonly pruned: number;
}

/** Which ledger rows `usage` returns. */
export interface UsageQuery {
  readonly keyId: string;
  /** First day, `YYYY-MM-DD`, inclusive. */
  readonly from?: string;
  /** Last day, `YYYY-MM-DD`, inclusive. */
  readonly to?: string;
}

/** One ledger row: a key's calls on one day, route and model. */
export interface UsageRow {
  readonly day: string;
  readonly route: string;
  readonly model: string;
  /** Every call counted: settled ones and reservations released unsettled. */
  readonly calls: number;
  /** Settled calls whose outcome was `error`. */
  readonly errors: number;
  /** Reservations never settled (the process died), charged their reserved amount. */
  readonly unsettled: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** Input tokens read from the provider's prompt cache (a part of `inputTokens`). */
  readonly cachedTokens: number;
  /** Input tokens written to the provider's prompt cache (a part of `inputTokens`; 0 in rows from before schema version 2). */
  readonly cacheWriteTokens: number;
  /** Output tokens spent on reasoning (a part of `outputTokens`; 0 in rows from before schema version 2). */
  readonly reasoningTokens: number;
  /** Tokens charged for unsettled reservations (their split into input and output is unknown). */
  readonly unsettledTokens: number;
  readonly usd: number;
}

/**
 * The key store. Every method is asynchronous and fails with a `SwitchyardError`: category
 * `server` when the database cannot be reached (message starting "key store unavailable"),
 * `invalid_request` for input it refuses (with `field`).
 */
export interface KeyStore {
  /** Which backend this is. */
  readonly kind: 'sqlite' | 'postgres';
  /** Creates a key; the plain key is in the answer and nowhere else, ever. */
  createKey(input: CreateKeyInput): Promise<{ readonly record: KeyRecord; readonly plainKey: string }>;
  /** The record whose key hashes to `hash`, whatever its state (disabled, expired). */
  findByHash(hash: string): Promise<KeyRecord | undefined>;
  getKey(id: string): Promise<KeyRecord | undefined>;
  /** Every key (optionally one tenant's), oldest first. */
  listKeys(options?: { readonly tenant?: string }): Promise<readonly KeyRecord[]>;
  /** Changes a key's settings; undefined when there is no such key. */
  updateKey(id: string, patch: KeyPatch): Promise<KeyRecord | undefined>;
  /**
   * Deletes a key; false when there was none. Its ledger rows stay (history), its reservations
   * are settled or released as usual.
   */
  deleteKey(id: string): Promise<boolean>;
  /**
   * Upserts the keys declared in the config (by hash, `source: 'config'`, usage kept) and
   * disables config keys no longer declared, in one transaction.
   */
  syncConfigKeys(keys: readonly ConfigKeyInput[]): Promise<ConfigKeySyncResult>;
  /**
   * Holds quota for one call: one atomic conditional update, so across any number of instances
   * no more calls are admitted than the quota allows. Unlimited keys hold nothing.
   */
  reserve(input: ReserveInput): Promise<ReserveResult>;
  /**
   * Holds quota for several calls in one transaction (SQLite) or one statement per key
   * (PostgreSQL): a key's reservations are folded into one conditional update of their sum and,
   * when the sum does not fit, tried one by one in order, so the answers are those of `reserve`
   * called for each in turn. Results in the order given.
   */
  reserveBatch(inputs: readonly ReserveInput[]): Promise<readonly ReserveResult[]>;
  /** Charges a call's real usage and writes the ledger, in one transaction; idempotent. */
  settle(input: SettleInput): Promise<SettleResult>;
  /**
   * Settles several calls in one transaction: each finite key's reservation claimed as by
   * `settle`, then one charge per key and one ledger update per key, day, route and model.
   * Unlimited keys' calls write no row each; see `SettlementBatch` for their idempotency.
   * Results in the order given.
   */
  settleBatch(batch: SettlementBatch): Promise<readonly SettleResult[]>;
  /**
   * Charges every reservation past its expiry its reserved amount and writes it to the ledger as
   * `unsettled`; forgets unlimited keys' settlement records past the retention. Safe to run from
   * every instance (each reservation is taken by one of them).
   *
   * Why the reserved amount: a reservation nobody settled belongs to a process that died between
   * the call and its settlement. The call's real usage is unknown and may well have been consumed
   * upstream (the provider bills it), so releasing it for free would give it away, and charging it
   * twice is impossible: a late settlement of a released reservation charges nothing. The reserved
   * amount is the call's largest possible use, so the key is never under-charged.
   *
   * A finite key's reservation is deleted when settled or released, so a settlement retried after
   * an ambiguous failure (committed, reply lost) finds none and charges nothing. An unlimited key's
   * call has no reservation; its settlement leaves a row, kept for the retention, with the same
   * effect; one retried after that row was pruned would be counted again.
   */
  releaseExpired(now: number): Promise<ReleaseResult>;
  /** A key's ledger rows, by day, route and model. */
  usage(query: UsageQuery): Promise<readonly UsageRow[]>;
  /** Resolves when the database answers. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

const DAY_MS = 86_400_000;
/** The last day asked for: every settlement of a day asks for the same one. */
let lastDay = { index: Number.NaN, text: '' };

/** The ledger's day of an instant: `YYYY-MM-DD` in UTC. */
export function utcDay(epochMs: number): string {
  const index = Math.floor(epochMs / DAY_MS);
  if (index !== lastDay.index) lastDay = { index, text: new Date(epochMs).toISOString().slice(0, 10) };
  return lastDay.text;
}
