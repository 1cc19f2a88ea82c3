/**
 * The identity of a piece of config across reloads: the SHA-256 of its canonical JSON. Two
 * generations of a router share an adapter, a connection pool, a breaker or a canary run exactly
 * when the settings behind it have the same identity.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../canonical-json.js';

/**
 * The value's own data: plain copies without the redacting `toJSON` every object of a resolved
 * config carries (src/config/redacted-dump.ts), which canonical JSON would call, so that a change
 * of a secret (a rotated API key) is a change of identity.
 */
function ownData(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(ownData);
  if (typeof value !== 'object' || value === null) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) copy[key] = ownData(item);
  return copy;
}

/**
 * SHA-256 hex of the canonical JSON of `value`'s data, secrets included. Used only as a key in
 * this process's maps and in Redis key names (a digest never shows the secrets it covers).
 */
export function settingsHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(ownData(value))).digest('hex');
}
