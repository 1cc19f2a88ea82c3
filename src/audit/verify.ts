/**
 * Verifies audit files: every record's hash, and the chain across the files given in order. Reports
 * the first problem with its file, line and what is wrong:
 * - `edited`: a record's hash does not match its content;
 * - `missing`: `seq` jumps forward (records were removed);
 * - `reordered`: `seq` goes backwards or repeats;
 * - `broken-link`: `prevHash` is not the previous record's hash (a record was replaced with a
 *   recomputed hash, or files are out of order);
 * - `unreadable`: a line that is not a record (not JSON, wrong schema) before the end;
 * - `missing-start`: the first record continues a chain without being a rotation or writer marker
 *   (the records before it were removed).
 * An incomplete last line of the last file (a crash in the middle of a write) is reported as
 * `torn`, a warning rather than a failure, as is a new chain started by a writer that could not
 * read the previous head.
 *
 * Every record is checked alike, whatever its `kind`: `call` and `canary-decision` records and the
 * writer's `open` and `rotate` markers, and kinds a later version adds to schema 1 (a new kind is
 * not a schema change), so an edit to any record is found. Only `open` and `rotate` may start the
 * files given in the middle of a chain.
 *
 * A hash chain shows that records were not altered, removed or reordered between its ends; it
 * cannot show that records were cut from the end. Anchor `head` (the last hash) elsewhere for that.
 */
import { basename } from 'node:path';
import { recordHash } from './hash-chain.js';
import { readLines } from './line-reader.js';
import { AUDIT_SCHEMA_VERSION, GENESIS_HASH } from './record.js';

/** What kind of problem. */
export type VerifyProblemKind = 'edited' | 'missing' | 'reordered' | 'broken-link' | 'unreadable' | 'missing-start' | 'torn' | 'new-chain';

/** One problem, where it is, and what is wrong. */
export interface VerifyProblem {
  readonly kind: VerifyProblemKind;
  readonly file: string;
  readonly line: number;
  readonly message: string;
}

/** The outcome of a verification. */
export interface VerifyReport {
  /** True when no failure was found (warnings allowed). */
  readonly ok: boolean;
  /** Records whose hash and link were checked and found good. */
  readonly records: number;
  /** The first failure, when any (verification stops there). */
  readonly failure?: VerifyProblem;
  /** Warnings: a torn last line, a new chain started mid-way. */
  readonly warnings: readonly VerifyProblem[];
  /** The last good record's `seq` and `hash`. */
  readonly head?: { readonly seq: number; readonly hash: string };
  /** The first good record's `seq` (1 when the files start at the chain's beginning). */
  readonly firstSeq?: number;
}

interface ParsedRecord {
  readonly seq: number;
  readonly prevHash: string;
  readonly hash: string;
  readonly kind: string;
  readonly body: Record<string, unknown>;
}

function parseRecord(text: string): ParsedRecord | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'not JSON';
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a JSON object';
  const body = value as Record<string, unknown>;
  if (body.schema !== AUDIT_SCHEMA_VERSION) return `unknown schema ${JSON.stringify(body.schema)} (expected ${AUDIT_SCHEMA_VERSION})`;
  const { seq, prevHash, hash, kind } = body;
  if (typeof seq !== 'number' || !Number.isInteger(seq) || seq < 1) return 'no valid seq';
  if (typeof prevHash !== 'string' || typeof hash !== 'string') return 'no prevHash or hash';
  return { seq, prevHash, hash, kind: typeof kind === 'string' ? kind : '', body };
}

interface LocatedLine {
  readonly file: string;
  readonly isLastFile: boolean;
  readonly number: number;
  readonly text: string;
  readonly terminated: boolean;
}

/** The lines of every file in turn; `reading.file` names the file being read (for read errors). */
async function* linesOf(paths: readonly string[], reading: { file: string }): AsyncGenerator<LocatedLine> {
  for (let index = 0; index < paths.length; index += 1) {
    const file = paths[index] as string;
    reading.file = file;
    for await (const line of readLines(file)) yield { file, isLastFile: index === paths.length - 1, ...line };
  }
}

/** Verifies the chain across `paths`, in the order given. */
export async function verifyAuditFiles(paths: readonly string[]): Promise<VerifyReport> {
  const warnings: VerifyProblem[] = [];
  let previous: { seq: number; hash: string; file: string; line: number } | undefined;
  let records = 0;
  let firstSeq: number | undefined;
  /** A forward jump in `seq`, held for one record: a later record going back means reordering, not removal. */
  let jump: { problem: VerifyProblem; seq: number } | undefined;
  const reading = { file: paths[0] ?? '' };
  const result = (failure?: VerifyProblem): VerifyReport => ({
    ok: failure === undefined,
    records,
    ...(failure === undefined ? {} : { failure }),
    warnings,
    ...(previous === undefined ? {} : { head: { seq: previous.seq, hash: previous.hash } }),
    ...(firstSeq === undefined ? {} : { firstSeq }),
  });
  const where = (file: string, line: number): string => `${basename(file)}:${line}`;

  try {
    for await (const { file, isLastFile, number, text, terminated } of linesOf(paths, reading)) {
      const at = (kind: VerifyProblemKind, message: string): VerifyProblem => ({ kind, file, line: number, message });
      const parsed = parseRecord(text);
      const intact = typeof parsed !== 'string' && recordHash(parsed.body) === parsed.hash;
      if (!terminated && !intact) {
        if (jump !== undefined) return result(jump.problem);
        // Only the very last line of the last file may be incomplete: a crash in the middle of a write.
        if (isLastFile) {
          warnings.push(at('torn', `incomplete last line (${Buffer.byteLength(text)} bytes, no newline): a write cut short, e.g. by a crash; the records before it are intact`));
          break;
        }
        return result(at('unreadable', 'incomplete line at the end of a file that is not the last one given'));
      }
      if (typeof parsed === 'string') return result(jump?.problem ?? at('unreadable', `not an audit record: ${parsed}`));
      if (jump !== undefined) {
        if (parsed.seq < jump.seq) {
          return result({ ...jump.problem, kind: 'reordered', message: `records out of order: seq ${jump.seq} comes before seq ${parsed.seq} (${where(file, number)})` });
        }
        return result(jump.problem);
      }
      if (!intact) return result(at('edited', `record seq ${parsed.seq} was edited: its hash does not match its content`));
      if (previous === undefined) {
        if (parsed.seq === 1 && parsed.prevHash === GENESIS_HASH) {
          // The chain's beginning.
        } else if (parsed.kind === 'rotate' || parsed.kind === 'open') {
          warnings.push(at('new-chain', `checked from seq ${parsed.seq}, which continues records in earlier files not given`));
        } else {
          return result(at('missing-start', `the first record has seq ${parsed.seq} and continues an earlier one: the records before it are missing`));
        }
        firstSeq = parsed.seq;
      } else if (parsed.seq === 1 && parsed.prevHash === GENESIS_HASH && parsed.kind === 'open') {
        warnings.push(at('new-chain', `a new chain starts here (after seq ${previous.seq}): a writer started without the previous head`));
      } else if (parsed.seq > previous.seq + 1) {
        const missing = parsed.seq - previous.seq - 1;
        jump = { seq: parsed.seq, problem: at('missing', `${missing} record(s) missing: expected seq ${previous.seq + 1} after ${where(previous.file, previous.line)}, found seq ${parsed.seq}`) };
        continue;
      } else if (parsed.seq <= previous.seq) {
        return result(at('reordered', `records out of order: seq ${parsed.seq} follows seq ${previous.seq} (${where(previous.file, previous.line)})`));
      } else if (parsed.prevHash !== previous.hash) {
        return result(
          at('broken-link', `prevHash of seq ${parsed.seq} is not the hash of seq ${previous.seq} (${where(previous.file, previous.line)}): one of them was replaced, or the files are out of order`),
        );
      }
      if (!terminated) warnings.push(at('torn', 'the last line has no newline, but its record is complete'));
      previous = { seq: parsed.seq, hash: parsed.hash, file, line: number };
      records += 1;
    }
  } catch (error) {
    return result({ kind: 'unreadable', file: reading.file, line: 0, message: `cannot read: ${error instanceof Error ? error.message : String(error)}` });
  }
  return result(jump?.problem);
}
