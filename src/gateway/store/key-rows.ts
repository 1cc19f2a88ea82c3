/**
 * Database rows → the store's records. PostgreSQL hands `bigint` columns back as text and SQLite
 * as numbers; both go through `Number` here.
 */
import type { KeySettingColumns } from './key-input.js';
import { fromNanos } from './usd-nanos.js';
import type { KeyLimits, KeyMetadata, KeyQuota, KeyRecord, KeySource, ReserveRefusal, UsageRow } from './types.js';

/** A row as a driver returns it. */
export type Row = Readonly<Record<string, unknown>>;

function numberOf(value: unknown): number {
  return Number(value);
}

function optionalNumberOf(value: unknown): number | undefined {
  return value === null || value === undefined ? undefined : Number(value);
}

function quotaOf(row: Row): KeyQuota {
  if (numberOf(row.unlimited) === 1) return 'unlimited';
  const tokens = optionalNumberOf(row.quota_tokens);
  const nanos = optionalNumberOf(row.quota_usd_nanos);
  return { ...(tokens === undefined ? {} : { tokens }), ...(nanos === undefined ? {} : { usd: fromNanos(nanos) }) };
}

/** A `switchyard_keys` row as a `KeyRecord` (frozen: records are shared by caches). */
export function keyRecordOf(row: Row): KeyRecord {
  return Object.freeze({
    id: String(row.id),
    name: String(row.name),
    tenant: String(row.tenant),
    hash: String(row.key_hash),
    displayPrefix: String(row.display_prefix),
    routes: Object.freeze(JSON.parse(String(row.routes)) as string[]),
    expiresAt: optionalNumberOf(row.expires_at),
    enabled: numberOf(row.enabled) === 1,
    quota: quotaOf(row),
    used: { tokens: numberOf(row.used_tokens), usd: fromNanos(numberOf(row.used_usd_nanos)) },
    reserved: { tokens: numberOf(row.reserved_tokens), usd: fromNanos(numberOf(row.reserved_usd_nanos)) },
    limits: JSON.parse(String(row.limits)) as KeyLimits,
    subnets: Object.freeze(JSON.parse(String(row.subnets)) as string[]),
    metadata: JSON.parse(String(row.metadata)) as KeyMetadata,
    createdAt: numberOf(row.created_at),
    updatedAt: numberOf(row.updated_at),
    source: String(row.source) as KeySource,
  });
}

/** A `switchyard_usage_daily` row as a `UsageRow`. */
export function usageRowOf(row: Row): UsageRow {
  return {
    day: String(row.day),
    route: String(row.route),
    model: String(row.model),
    calls: numberOf(row.calls),
    errors: numberOf(row.errors),
    unsettled: numberOf(row.unsettled),
    inputTokens: numberOf(row.input_tokens),
    outputTokens: numberOf(row.output_tokens),
    cachedTokens: numberOf(row.cached_tokens),
    cacheWriteTokens: numberOf(row.cache_write_tokens),
    reasoningTokens: numberOf(row.reasoning_tokens),
    unsettledTokens: numberOf(row.unsettled_tokens),
    usd: fromNanos(numberOf(row.usd_nanos)),
  };
}

/**
 * Why the conditional hold matched no row, from the key's state (`selectKeyState`), or `'unheld'`
 * when the key is usable and unlimited (it holds nothing and is admitted).
 */
export function refusalOf(state: Row | undefined, now: number): ReserveRefusal | 'unheld' {
  if (state === undefined) return 'unknown';
  if (numberOf(state.enabled) !== 1) return 'disabled';
  const expiresAt = optionalNumberOf(state.expires_at);
  if (expiresAt !== undefined && expiresAt <= now) return 'expired';
  return numberOf(state.unlimited) === 1 ? 'unheld' : 'insufficient_quota';
}

/** The arguments of `insertKey`/`upsertConfigKey`, in `KEY_INSERT_COLUMNS` order. */
export function keyInsertArguments(identity: { id: string; hash: string; displayPrefix: string; source: KeySource; now: number }, columns: KeySettingColumns): unknown[] {
  return [
    identity.id,
    columns.name,
    columns.tenant,
    identity.hash,
    identity.displayPrefix,
    columns.routes,
    columns.expires_at,
    columns.enabled,
    columns.unlimited,
    columns.quota_tokens,
    columns.quota_usd_nanos,
    columns.limits,
    columns.subnets,
    columns.metadata,
    identity.source,
    identity.now,
    identity.now,
  ];
}
