/**
 * The audit log: the one owner of a chain and its sink. Records are sealed into the chain in the
 * order they are written, by a single drain loop, so `seq` order is file order.
 *
 * Durability modes (`fsync`):
 * - `always`: `append` resolves once the record is written and synced (fdatasync). Records that
 *   arrive while a write is in flight go out together in the next write and sync (group commit),
 *   so concurrency costs one sync per batch, not per record.
 * - `none`: like `always` without the sync: the record is handed to the OS before `append`
 *   resolves (it survives the process, not necessarily the machine).
 * - `batch`: `append` resolves once the record is queued; the queue is written and synced every
 *   `flushIntervalMs`, when it fills, and on `close()`. When it holds `queueSize` records, `append`
 *   waits for room: records are never dropped.
 *
 * Failures: a write that fails is reported (`onRecord` with `ok: false` for each call record it
 * carried, `onDecisionRecord` likewise for each canary decision record, `onSinkError` once) and
 * retried with backoff; the records stay queued, in order, so a failure delays them but loses none
 * while the process lives. `append` does not wait for the retry: the call goes on (its record is
 * written when the sink recovers, reported `ok: true` then). The queue bound applies to held
 * records too: with a sink down long enough, calls wait for room.
 */
import { EMPTY_HEAD, sealRecord, type ChainHead, type SealedRecord } from './hash-chain.js';
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

/** Options of `createAuditLog`. */
export interface AuditLogOptions {
  readonly sink: AuditSink;
  readonly fsync: 'always' | 'batch' | 'none';
  /** Records held (queued or failed) before `append` waits for room. */
  readonly queueSize: number;
  /** `batch`: how often the queue is written. */
  readonly flushIntervalMs: number;
  /** The common fields of marker records (timestamp, config and library versions). */
  readonly markerFields: () => AuditRecordCommon;
  /** Each call record's fate: written, or a write that failed (possibly followed by a later success). */
  readonly onRecord?: (report: RecordReport) => void;
  /** Each canary decision record's fate, reported like call records'. */
  readonly onDecisionRecord?: (report: DecisionRecordReport) => void;
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
   * Writes a record as the mode says (see the module comment). Never rejects: failures are
   * reported, for call records (given with their `requestId`) and canary decision records.
   */
  append(body: AuditRecordBody, requestId?: string): Promise<void>;
  /** Writes everything queued now (batch mode's interval, on demand). */
  flush(): Promise<void>;
  /** Writes everything still queued, retrying a failing sink a few times, then closes the sink. Rejects when records could not be written. */
  close(): Promise<void>;
  /** Records queued or held after a failure. */
  readonly depth: number;
  /** Failed writes (and opens, rotations) of the sink so far. */
  readonly sinkErrors: number;
  /** Records given up at `close()`, or appended after it. */
  readonly lostRecords: number;
  /** The last record written (its `seq` and `hash`): anchor it elsewhere to detect tail truncation. */
  readonly head: ChainHead;
}

interface Entry {
  body: AuditRecordBody;
  readonly requestId: string | undefined;
  /** Whether `onRecord` already said `ok: false` for it. */
  reported: boolean;
  settle: (() => void) | undefined;
}

/** Records per write (and sync), at most. */
const MAX_BATCH = 1024;
const CLOSE_ATTEMPTS = 4;

/** Creates an audit log over a sink. */
export function createAuditLog(options: AuditLogOptions): AuditLog {
  const { sink } = options;
  const sync = options.fsync !== 'none';
  const retryMin = options.retryDelayMs?.min ?? 100;
  const retryMax = options.retryDelayMs?.max ?? 30_000;
  let incoming: Entry[] = [];
  /** Sealed and given to the sink, not yet confirmed (held by it after a failure). */
  let inFlight: Entry[] = [];
  let head: ChainHead = EMPTY_HEAD;
  let opened = false;
  let draining: Promise<void> | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let retryDelay = retryMin;
  let lastError: unknown;
  let interval: NodeJS.Timeout | undefined;
  let roomWaiters: (() => void)[] = [];
  let sinkErrors = 0;
  let lostRecords = 0;
  let closing = false;
  let closed = false;

  const depth = (): number => incoming.length + inFlight.length;

  function releaseRoom(): void {
    if (roomWaiters.length === 0) return;
    const waiters = roomWaiters;
    roomWaiters = [];
    for (const wake of waiters) wake();
  }

  /** Whether a record's fate is reported and its loss counted (calls and decisions; markers are not). */
  function owed(entry: Entry): boolean {
    return entry.requestId !== undefined || entry.body.kind === 'canary-decision';
  }

  function report(entry: Entry, ok: boolean, error?: unknown): void {
    if (entry.requestId !== undefined) options.onRecord?.({ requestId: entry.requestId, ok, ...(ok ? {} : { error }) });
    else if (entry.body.kind === 'canary-decision') options.onDecisionRecord?.({ decisionId: entry.body.decisionId, ok, ...(ok ? {} : { error }) });
  }

  function fail(error: unknown, entries: readonly Entry[]): void {
    sinkErrors += 1;
    lastError = error;
    options.onSinkError?.(error);
    for (const entry of entries) {
      if (entry.reported) continue;
      entry.reported = true;
      report(entry, false, error);
      entry.settle?.();
      entry.settle = undefined;
    }
    if (!closing) {
      retryTimer = setTimeout(() => {
        retryTimer = undefined;
        kick();
      }, retryDelay);
      retryTimer.unref();
    }
    retryDelay = Math.min(retryMax, retryDelay * 2);
  }

  function confirm(entries: readonly Entry[]): void {
    for (const entry of entries) {
      report(entry, true);
      entry.settle?.();
      entry.settle = undefined;
    }
  }

  function marker(body: AuditRecordBody): Entry {
    return { body, requestId: undefined, reported: false, settle: undefined };
  }

  async function openSink(): Promise<void> {
    const opening = await sink.open();
    if (opening.warning !== undefined) options.onWarning?.(opening.warning);
    head = opening.head ?? EMPTY_HEAD;
    opened = true;
    incoming.unshift(
      marker({ ...options.markerFields(), kind: 'open', pid: process.pid, ...(opening.recovered === undefined ? {} : { recovered: opening.recovered }) }),
    );
  }

  async function drain(): Promise<void> {
    while (retryTimer === undefined) {
      if (!opened) {
        try {
          await openSink();
        } catch (error) {
          fail(error, incoming);
          return;
        }
      }
      if (incoming.length === 0 && inFlight.length === 0) return;
      const batch = incoming.splice(0, MAX_BATCH);
      const sealed: SealedRecord[] = [];
      for (const entry of batch) {
        const record = sealRecord(entry.body, head);
        head = { seq: record.record.seq, hash: record.record.hash };
        sealed.push(record);
      }
      inFlight.push(...batch);
      try {
        await sink.write(sealed, sync);
      } catch (error) {
        fail(error, [...inFlight, ...incoming]);
        return;
      }
      const written = inFlight;
      inFlight = [];
      retryDelay = retryMin;
      lastError = undefined;
      confirm(written);
      releaseRoom();
      if (sink.needsRotation?.() === true && sink.rotate !== undefined) {
        try {
          const previousFile = await sink.rotate(sync);
          incoming.unshift(marker({ ...options.markerFields(), kind: 'rotate', previousFile }));
        } catch (error) {
          // The current file stays in use; the next write tries again.
          sinkErrors += 1;
          options.onSinkError?.(error);
        }
      }
    }
  }

  function kick(): Promise<void> {
    if (draining === undefined && retryTimer === undefined) {
      draining = drain().finally(() => {
        draining = undefined;
        // An append that came between the loop's last look and here would otherwise wait for the next kick.
        if (incoming.length > 0 && retryTimer === undefined && !closing) void kick();
      });
    }
    return draining ?? Promise.resolve();
  }

  async function waitForRoom(): Promise<void> {
    while (depth() >= options.queueSize && !closed) {
      void kick();
      await new Promise<void>((resolve) => roomWaiters.push(resolve));
    }
  }

  return {
    async append(body, requestId) {
      if (depth() >= options.queueSize) await waitForRoom();
      const entry: Entry = { body, requestId, reported: false, settle: undefined };
      if (closed) {
        lostRecords += 1;
        report(entry, false, new Error(`the audit log (${sink.description}) is closed; the record was not written`));
        return;
      }
      incoming.push(entry);
      if (retryTimer !== undefined) {
        // The sink is failing: say so now; the record waits in the queue for the retry.
        entry.reported = true;
        report(entry, false, lastError);
        return;
      }
      if (options.fsync === 'batch') {
        if (interval === undefined && !closing) {
          interval = setInterval(() => void kick(), options.flushIntervalMs);
          interval.unref();
        }
        if (depth() >= options.queueSize) void kick();
        return;
      }
      const written = new Promise<void>((resolve) => {
        entry.settle = resolve;
      });
      void kick();
      await written;
    },

    async flush() {
      while (draining !== undefined) await draining;
      await kick();
    },

    async close() {
      if (closed) return;
      closing = true;
      if (interval !== undefined) clearInterval(interval);
      for (let attempt = 0; attempt < CLOSE_ATTEMPTS; attempt += 1) {
        if (retryTimer !== undefined) {
          clearTimeout(retryTimer);
          retryTimer = undefined;
        }
        while (draining !== undefined) await draining;
        await kick();
        if (depth() === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
      }
      if (retryTimer !== undefined) clearTimeout(retryTimer);
      retryTimer = undefined;
      const unwritten = [...inFlight, ...incoming].filter(owed);
      closed = true;
      incoming = [];
      inFlight = [];
      releaseRoom();
      await sink.close().catch((error: unknown) => {
        sinkErrors += 1;
        options.onSinkError?.(error);
      });
      if (unwritten.length > 0) {
        lostRecords += unwritten.length;
        const error = new Error(`${unwritten.length} audit record(s) could not be written to ${sink.description} before close: ${describe(lastError)}`);
        for (const entry of unwritten) report(entry, false, error);
        throw error;
      }
    },

    get depth() {
      return depth();
    },
    get sinkErrors() {
      return sinkErrors;
    },
    get lostRecords() {
      return lostRecords;
    },
    get head() {
      return head;
    },
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
