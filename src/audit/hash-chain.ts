/**
 * The hash chain: each record carries its sequence number, the previous record's hash, and its own
 * hash, SHA-256 over the canonical JSON (keys sorted at every level) of the record without `hash`.
 * Changing, removing, inserting or reordering a record breaks a link that `verify` finds.
 */
import { hash as digest } from 'node:crypto';
import { canonicalJson } from '../canonical-json.js';
import { GENESIS_HASH, type AuditRecord, type AuditRecordBody } from './record.js';

/** The last link of a chain. */
export interface ChainHead {
  readonly seq: number;
  readonly hash: string;
}

/** The head before any record. */
export const EMPTY_HEAD: ChainHead = { seq: 0, hash: GENESIS_HASH };

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
 * A copy of `body` with places for its chain links, `prevHash` and `seq`, where sorting puts them:
 * a body built with its keys in order (as the record builders do) gives a record in canonical
 * order, which `canonicalJson` hands to the engine's serialiser whole. A body that reserved those
 * places itself (undefined members, as `buildCallRecord` leaves them) is copied in one step.
 */
function withLinkPlaces(body: AuditRecordBody): Record<string, unknown> {
  const source = body as unknown as Readonly<Record<string, unknown>>;
  if (Object.hasOwn(source, 'prevHash') && Object.hasOwn(source, 'seq')) return { ...source };
  const record: Record<string, unknown> = {};
  let prevHashPlaced = false;
  let seqPlaced = false;
  for (const key of Object.keys(source)) {
    if (key === 'seq' || key === 'prevHash' || key === 'hash') continue;
    if (!prevHashPlaced && key > 'prevHash') {
      record.prevHash = undefined;
      prevHashPlaced = true;
    }
    if (!seqPlaced && key > 'seq') {
      record.seq = undefined;
      seqPlaced = true;
    }
    record[key] = source[key];
  }
  if (!prevHashPlaced) record.prevHash = undefined;
  if (!seqPlaced) record.seq = undefined;
  return record;
}

/**
 * Links `body` after `head`. The line is the canonical JSON of the record without `hash` (keys
 * sorted), with `hash` appended as the last member: one serialisation serves both the hash and the
 * file.
 */
export function sealRecord(body: AuditRecordBody, head: ChainHead): SealedRecord {
  const record = withLinkPlaces(body);
  record.prevHash = head.hash;
  record.seq = head.seq + 1;
  const canonical = canonicalJson(record);
  const hash = digest('sha256', canonical, 'hex');
  record.hash = hash;
  return { record: record as unknown as AuditRecord, line: `${canonical.slice(0, -1)},"hash":"${hash}"}` };
}
