/**
 * Where sealed audit records go. A sink writes records strictly in the order given and keeps what
 * it could not write: after a failure, its next `write` (even with no new records) writes the
 * remainder first, so a failure delays records but never drops or reorders them.
 */
import type { ChainHead, SealedRecord } from '../hash-chain.js';

/** What a sink found when it opened. */
export interface SinkOpening {
  /** The last record it already holds (a file's last line), to continue the chain from. */
  readonly head?: ChainHead;
  /** An incomplete last line (a crash mid-write) the sink cut off before continuing. */
  readonly recovered?: { readonly tornBytes: number; readonly sha256: string };
  /** Something worth a warning (an unreadable last line...). */
  readonly warning?: string;
}

/** A destination for audit records. */
export interface AuditSink {
  /** For messages: `file /var/log/audit.jsonl`, `stdout`, `callback`. */
  readonly description: string;
  /** Prepares the sink and reports the chain head it already holds. Called once, before any write. */
  open(): Promise<SinkOpening>;
  /**
   * Writes what is still held from a failed write, then `records`; with `sync`, waits until they
   * are on stable storage. Rejects when anything could not be written (it is then held).
   */
  write(records: readonly SealedRecord[], sync: boolean): Promise<void>;
  /**
   * Waits until everything written so far is on stable storage. A sink that has it is written
   * with `sync: false` and synced with this, so the log can start a group's sync while an earlier
   * one is still running (group commit with overlapping syncs). Several calls may be pending at
   * once, and a `write` may start while they are; a `rotate` never does.
   */
  sync?(): Promise<void>;
  /** Whether the sink wants a new file before the next write (size rotation). */
  needsRotation?(): boolean;
  /** Starts a new file; resolves with the name (no directory) the previous one now has. */
  rotate?(sync: boolean): Promise<string>;
  close(): Promise<void>;
}
