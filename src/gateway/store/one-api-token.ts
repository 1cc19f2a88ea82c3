/**
 * One API's token shape, for the admin alias `POST /admin/api/token`: tools written for One API
 * create keys with `remain_quota` in its unit (500,000 = 1 US dollar, `QuotaPerUnit` in One API's
 * `common/config`), `unlimited_quota`, `expired_time` (Unix seconds, -1 = never), `models` and
 * `subnet` (comma-separated).
 */
import { SwitchyardError } from '../../errors.js';
import { keyUsability } from './key-access.js';
import type { CreateKeyInput, KeyRecord } from './types.js';

/** One API quota units per US dollar. */
export const ONE_API_QUOTA_PER_USD = 500_000;

/** A token as One API answers it (`data` of its create/get token replies). */
export interface OneApiToken {
  readonly id: string;
  readonly name: string;
  /** The plain key: only in the answer that created it, empty afterwards. */
  readonly key: string;
  /** 1 enabled, 2 disabled, 3 expired, 4 quota exhausted (One API's `TokenStatus…`). */
  readonly status: 1 | 2 | 3 | 4;
  readonly created_time: number;
  readonly expired_time: number;
  readonly remain_quota: number;
  readonly used_quota: number;
  readonly unlimited_quota: boolean;
  readonly models: string;
  readonly subnet: string;
}

function invalid(field: string, message: string): SwitchyardError {
  return new SwitchyardError({ category: 'invalid_request', status: 400, field, message: `${field}: ${message}` });
}

function commaList(value: unknown, field: string): string[] {
  if (value === undefined || value === null || value === '') return [];
  if (typeof value !== 'string') throw invalid(field, 'expected a comma-separated string');
  return value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}

/**
 * A One API create-token body as a `createKey` input. `unlimited` is accepted as a synonym of
 * `unlimited_quota`. As in One API, a body with neither gives a key with a quota of 0.
 */
export function keyInputFromOneApiToken(body: unknown): CreateKeyInput {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid('body', 'expected a JSON object');
  const token = body as Record<string, unknown>;
  const name = token.name === undefined || token.name === '' ? 'one-api-token' : token.name;
  if (typeof name !== 'string') throw invalid('name', 'expected a string');
  const unlimited = token.unlimited_quota ?? token.unlimited ?? false;
  if (typeof unlimited !== 'boolean') throw invalid('unlimited_quota', 'expected true or false');
  const remain = token.remain_quota ?? 0;
  if (!(typeof remain === 'number' && Number.isSafeInteger(remain) && remain >= 0)) throw invalid('remain_quota', 'expected a whole number ≥ 0 (500,000 = 1 USD)');
  const expiredTime = token.expired_time ?? -1;
  if (!(typeof expiredTime === 'number' && Number.isSafeInteger(expiredTime))) throw invalid('expired_time', 'expected Unix seconds, or -1 for never');
  return {
    name,
    quota: unlimited ? 'unlimited' : { usd: remain / ONE_API_QUOTA_PER_USD },
    routes: commaList(token.models, 'models'),
    subnets: commaList(token.subnet, 'subnet'),
    ...(expiredTime === -1 ? {} : { expiresAt: expiredTime * 1_000 }),
  };
}

/**
 * A record in One API's shape. `remain_quota` is the dollar quota left (not counting calls in
 * flight), in One API units; a key with only a token quota reports 0.
 */
export function oneApiTokenOf(record: KeyRecord, options: { readonly plainKey?: string; readonly now: number }): OneApiToken {
  const unlimited = record.quota === 'unlimited';
  const quotaUsd = record.quota === 'unlimited' ? 0 : record.quota.usd ?? 0;
  const remainQuota = Math.max(0, Math.floor((quotaUsd - record.used.usd) * ONE_API_QUOTA_PER_USD));
  const unusable = keyUsability(record, options.now);
  const status = unusable === 'disabled' ? 2 : unusable === 'expired' ? 3 : !unlimited && remainQuota === 0 ? 4 : 1;
  return {
    id: record.id,
    name: record.name,
    key: options.plainKey ?? '',
    status,
    created_time: Math.floor(record.createdAt / 1_000),
    expired_time: record.expiresAt === undefined ? -1 : Math.floor(record.expiresAt / 1_000),
    remain_quota: remainQuota,
    used_quota: Math.round(record.used.usd * ONE_API_QUOTA_PER_USD),
    unlimited_quota: unlimited,
    models: record.routes.join(','),
    subnet: record.subnets.join(','),
  };
}
