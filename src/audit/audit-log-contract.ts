/**
 * The audit log's contract: its options, the log itself, what it reports about each record, and a
 * call's record handed over to be built in its group (`createAuditLog` in `audit-log.ts`).
 */
import type { ChainHead } from './hash-chain.js';
import type { AuditRecordBody, AuditRecordCommon } from './record.js';
import type { AuditSink } from './sinks/sink.js';

/** When a record is on its way, what happened to it. */
export interface RecordReport {
  readonly requestId: string;
  readonly ok: boolean;
  readonly error?: unknown;
}

/** When a canary decision record is on its way, what happened to it. */
export interface DecisionRecordReport {
  readonly decisionId: string;
  readonly ok: boolean;
  readonly error?: unknown;
}

/**
 * A call's record, built when its group is written rather than on the call's path. `build` runs
 * once, after the call ended and before its `appendPending` resolves.
 */
export interface PendingRecord {
  readonly requestId: string;
  /** Builds the record body; a throw is reported by `onBuildError` and leaves the record out. */
  build(): AuditRecordBody;
}

/** Options of `createAuditLog`. */
export interface AuditLogOptions {
  readonly sink: AuditSink;
  readonly fsync: 'always' | 'batch' | 'none';
  /** Records held (appended, queued or failed) before `append` waits for room. */
  readonly queueSize: number;
  /** `batch`: how often the queue is written. */
  readonly flushIntervalMs: number;
  /** The common fields of marker records (timestamp, config and library versions). */
  readonly markerFields: () => AuditRecordCommon;
  /** Each call record's fate: written, or a write that failed (possibly followed by a later success). */
  readonly onRecord?: (report: RecordReport) => void;
  /** Each canary decision record's fate, reported like call records'. */
  readonly onDecisionRecord?: (report: DecisionRecordReport) => void;
  /** A call record that could not be built or sealed (it is left out of the chain). */
  readonly onBuildError?: (requestId: string, error: unknown) => void;
  /** Each failed write, rotation or open of the sink. */
  readonly onSinkError?: (error: unknown) => void;
  /** Something worth a warning that is not a failure (a new chain started over an unreadable file...). */
  readonly onWarning?: (message: string) => void;
  /**
   * First and longest delay before retrying a failed write, ms.
   * @default { min: 100, max: 30000 }
   */
  readonly retryDelayMs?: { readonly min: number; readonly max: number };
}

/** The writer of one audit chain. */
export interface AuditLog {
  /**
   * Writes a record body as the mode says (see the module comment). Never rejects: failures are
   * reported, for call records (given with their `requestId`) and canary decision records.
   */
  append(body: AuditRecordBody, requestId?: string): Promise<void>;
  /** Like `append`, for a call's record built in its group (see `PendingRecord`). */
  appendPending(record: PendingRecord): Promise<void>;
  /** Writes everything queued now (batch mode's interval, on demand). */
  flush(): Promise<void>;
  /** Writes everything still queued, retrying a failing sink a few times, then closes the sink. Rejects when records could not be written. */
  close(): Promise<void>;
  /** Records appended, queued or held after a failure. */
  readonly depth: number;
  /** Failed writes (and opens, rotations) of the sink so far. */
  readonly sinkErrors: number;
  /** Records given up at `close()`, or appended after it. */
  readonly lostRecords: number;
  /** The last record written (its `seq` and `hash`): anchor it elsewhere to detect tail truncation. */
  readonly head: ChainHead;
}
