/**
 * The hash chain: each record carries its sequence number, the previous record's hash, and its own
 * hash, SHA-256 over the canonical JSON (keys sorted at every level) of the record without `hash`.
 * Changing, removing, inserting or reordering a record breaks a link that `verify` finds.
 */
import { hash as digest } from 'node:crypto';
import { GENESIS_HASH, type AuditRecord, type AuditRecordBody } from './record.js';

/** The last link of a chain. */
export interface ChainHead {
  readonly seq: number;
  readonly hash: string;
}

/** The head before any record. */
export const EMPTY_HEAD: ChainHead = { seq: 0, hash: GENESIS_HASH };

/** Record keys repeat on every record: quote each once. */
const QUOTED_KEYS = new Map<string, string>();

function quotedKey(key: string): string {
  let quoted = QUOTED_KEYS.get(key);
  if (quoted === undefined) {
    quoted = JSON.stringify(key);
    if (QUOTED_KEYS.size < 1_000) QUOTED_KEYS.set(key, quoted);
  }
  return quoted;
}

/**
 * Canonical JSON: `JSON.stringify` with object keys sorted (by UTF-16 code units) at every level
 * and `undefined` members left out — the same text as `canonicalJson` of the config module, written
 * for speed since every record goes through it.
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
    case 'number':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (Array.isArray(value)) {
        let text = '[';
        for (let index = 0; index < value.length; index += 1) {
          if (index > 0) text += ',';
          const item: unknown = value[index];
          text += item === undefined || typeof item === 'function' || typeof item === 'symbol' ? 'null' : canonicalJson(item);
        }
        return `${text}]`;
      }
      const object = value as Record<string, unknown>;
      const keys = Object.keys(object).sort();
      let text = '{';
      let first = true;
      for (const key of keys) {
        const item = object[key];
        if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
        text += `${first ? '' : ','}${quotedKey(key)}:${canonicalJson(item)}`;
        first = false;
      }
      return `${text}}`;
    }
    default:
      return 'null';
  }
}

/** SHA-256 (hex) of the canonical JSON of a value. */
export function sha256OfCanonical(value: unknown): string {
  return digest('sha256', canonicalJson(value), 'hex');
}

/** The hash a record must carry: over everything but its `hash` member. */
export function recordHash(record: Readonly<Record<string, unknown>>): string {
  const { hash: _hash, ...rest } = record;
  return sha256OfCanonical(rest);
}

/** A record sealed into the chain, and its line (JSON, no newline). */
export interface SealedRecord {
  readonly record: AuditRecord;
  readonly line: string;
}

/**
 * Links `body` after `head`. The line is the canonical JSON of the record without `hash` (keys
 * sorted), with `hash` appended as the last member: one serialisation serves both the hash and the
 * file.
 */
export function sealRecord(body: AuditRecordBody, head: ChainHead): SealedRecord {
  const record: Record<string, unknown> = { ...body, seq: head.seq + 1, prevHash: head.hash };
  const canonical = canonicalJson(record);
  const hash = digest('sha256', canonical, 'hex');
  record.hash = hash;
  return { record: record as unknown as AuditRecord, line: `${canonical.slice(0, -1)},"hash":"${hash}"}` };
}
