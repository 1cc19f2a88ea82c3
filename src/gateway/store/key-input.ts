/**
 * Checks what callers give the store (a new key, a patch) and turns it into column values.
 * Problems are `invalid_request` errors naming the field, so the admin API can answer 400.
 */
import { SwitchyardError } from '../../errors.js';
import { formatSubnet, parseSubnet } from './subnets.js';
import type { CreateKeyInput, KeyLimits, KeyMetadata, KeyPatch, KeyQuota } from './types.js';
import { toNanos } from './usd-nanos.js';

const MAX_TEXT_LENGTH = 200;
const MAX_LIST_LENGTH = 1_000;
const MAX_METADATA_BYTES = 16 * 1024;

/** The settings columns of a key row (everything but identity, counters and timestamps). */
export interface KeySettingColumns {
  readonly name: string;
  readonly tenant: string;
  readonly routes: string;
  readonly expires_at: number | null;
  readonly enabled: 0 | 1;
  readonly unlimited: 0 | 1;
  readonly quota_tokens: number | null;
  readonly quota_usd_nanos: number | null;
  readonly limits: string;
  readonly subnets: string;
  readonly metadata: string;
}

function invalid(field: string, message: string): SwitchyardError {
  return new SwitchyardError({ category: 'invalid_request', status: 400, field, message: `${field}: ${message}` });
}

function checkText(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0) throw invalid(field, 'expected a non-empty string');
  if (value.length > MAX_TEXT_LENGTH) throw invalid(field, `at most ${MAX_TEXT_LENGTH} characters`);
  return value;
}

function checkTextList(value: unknown, field: string): string[] {
  if (!Array.isArray(value)) throw invalid(field, 'expected a list of strings');
  if (value.length > MAX_LIST_LENGTH) throw invalid(field, `at most ${MAX_LIST_LENGTH} entries`);
  return [...new Set(value.map((entry, index) => checkText(entry, `${field}[${index}]`)))];
}

function checkExpiry(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalid(field, 'expected epoch milliseconds');
  return Math.round(value);
}

/** A quota as columns; refuses a quota with neither tokens nor usd (write `unlimited` for that). */
export function quotaColumns(quota: unknown, field = 'quota'): Pick<KeySettingColumns, 'unlimited' | 'quota_tokens' | 'quota_usd_nanos'> {
  if (quota === 'unlimited') return { unlimited: 1, quota_tokens: null, quota_usd_nanos: null };
  if (typeof quota !== 'object' || quota === null || Array.isArray(quota)) throw invalid(field, 'expected "unlimited" or { tokens?, usd? }');
  const { tokens, usd, ...rest } = quota as { tokens?: unknown; usd?: unknown };
  const unknownField = Object.keys(rest)[0];
  if (unknownField !== undefined) throw invalid(`${field}.${unknownField}`, 'unknown field');
  if (tokens === undefined && usd === undefined) throw invalid(field, 'a quota needs tokens or usd (or write "unlimited")');
  if (tokens !== undefined && !(typeof tokens === 'number' && Number.isSafeInteger(tokens) && tokens >= 0)) throw invalid(`${field}.tokens`, 'expected a whole number ≥ 0');
  if (usd !== undefined && !(typeof usd === 'number' && Number.isFinite(usd) && usd >= 0 && usd < 9e6)) throw invalid(`${field}.usd`, 'expected US dollars, 0 ≤ usd < 9,000,000');
  return {
    unlimited: 0,
    quota_tokens: tokens === undefined ? null : tokens,
    quota_usd_nanos: usd === undefined ? null : toNanos(usd),
  };
}

function checkLimits(value: unknown, field: string): KeyLimits {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(field, 'expected { rpm?, tpm?, concurrency? }');
  const limits: { rpm?: number; tpm?: number; concurrency?: number } = {};
  for (const [name, limit] of Object.entries(value)) {
    if (name !== 'rpm' && name !== 'tpm' && name !== 'concurrency') throw invalid(`${field}.${name}`, 'unknown field');
    if (limit === undefined) continue;
    if (!(typeof limit === 'number' && Number.isSafeInteger(limit) && limit >= 1)) throw invalid(`${field}.${name}`, 'expected a whole number ≥ 1');
    limits[name] = limit;
  }
  return limits;
}

function checkSubnets(value: unknown, field: string): string[] {
  return checkTextList(value, field).map((text, index) => {
    const subnet = parseSubnet(text);
    if (subnet === undefined) throw invalid(`${field}[${index}]`, 'expected an IP address or CIDR block such as 10.0.0.0/8');
    return formatSubnet(subnet);
  });
}

function checkMetadata(value: unknown, field: string): KeyMetadata {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(field, 'expected an object of strings');
  const metadata: Record<string, string> = {};
  for (const [name, text] of Object.entries(value)) {
    if (typeof text !== 'string') throw invalid(`${field}.${name}`, 'expected a string');
    metadata[name] = text;
  }
  if (Buffer.byteLength(JSON.stringify(metadata)) > MAX_METADATA_BYTES) throw invalid(field, `at most ${MAX_METADATA_BYTES / 1024} KiB`);
  return metadata;
}

/** The columns of a new key, every default applied. */
export function settingColumnsOf(input: CreateKeyInput): KeySettingColumns {
  const name = checkText(input.name, 'name');
  return {
    name,
    tenant: input.tenant === undefined ? name : checkText(input.tenant, 'tenant'),
    routes: JSON.stringify(input.routes === undefined ? [] : checkTextList(input.routes, 'routes')),
    expires_at: input.expiresAt === undefined ? null : checkExpiry(input.expiresAt, 'expiresAt'),
    enabled: input.enabled === false ? 0 : 1,
    ...quotaColumns(input.quota),
    limits: JSON.stringify(input.limits === undefined ? {} : checkLimits(input.limits, 'limits')),
    subnets: JSON.stringify(input.subnets === undefined ? [] : checkSubnets(input.subnets, 'subnets')),
    metadata: JSON.stringify(input.metadata === undefined ? {} : checkMetadata(input.metadata, 'metadata')),
  };
}

/** The columns a patch changes (only those it names). */
export function patchColumnsOf(patch: KeyPatch): Partial<KeySettingColumns> {
  const columns: { -readonly [Column in keyof KeySettingColumns]?: KeySettingColumns[Column] } = {};
  if (patch.name !== undefined) columns.name = checkText(patch.name, 'name');
  if (patch.tenant !== undefined) columns.tenant = checkText(patch.tenant, 'tenant');
  if (patch.routes !== undefined) columns.routes = JSON.stringify(checkTextList(patch.routes, 'routes'));
  if (patch.expiresAt !== undefined) columns.expires_at = patch.expiresAt === null ? null : checkExpiry(patch.expiresAt, 'expiresAt');
  if (patch.enabled !== undefined) {
    if (typeof patch.enabled !== 'boolean') throw invalid('enabled', 'expected true or false');
    columns.enabled = patch.enabled ? 1 : 0;
  }
  if (patch.quota !== undefined) Object.assign(columns, quotaColumns(patch.quota satisfies KeyQuota));
  if (patch.limits !== undefined) columns.limits = JSON.stringify(checkLimits(patch.limits, 'limits'));
  if (patch.subnets !== undefined) columns.subnets = JSON.stringify(checkSubnets(patch.subnets, 'subnets'));
  if (patch.metadata !== undefined) columns.metadata = JSON.stringify(checkMetadata(patch.metadata, 'metadata'));
  return columns;
}

/** A whole number of tokens ≥ 0 for the hot path (reserve, settle). */
export function checkTokenCount(value: number, field: string): number {
  if (!(Number.isFinite(value) && value >= 0)) throw invalid(field, 'expected a number of tokens ≥ 0');
  return Math.round(value);
}

/** US dollars ≥ 0 for the hot path, as nano-dollars. */
export function checkUsd(value: number, field: string): number {
  if (!(Number.isFinite(value) && value >= 0)) throw invalid(field, 'expected US dollars ≥ 0');
  return toNanos(value);
}

/** A ledger day, `YYYY-MM-DD`. */
export function checkDay(value: string, field: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) throw invalid(field, 'expected a day as YYYY-MM-DD');
  return value;
}
