/**
 * The audit log: the one owner of a chain and its sink. Records are written in groups, off the
 * caller's path:
 * - a call only hands over what its record needs (`appendPending`: references to its context and
 *   how it ended; no record, no hashing, no JSON on the call's path);
 * - the records appended in one turn of the event loop form a group. At the end of that turn
 *   (`setImmediate`) the group's records are built (redaction, prompt and answer hashes, cost);
 * - a single drain loop then seals them into the chain in order (canonical JSON, SHA-256, `seq`
 *   and `prevHash`) and hands everything sealed to the sink in one write, so `seq` order is file
 *   order and a group costs one `write(2)` (and with `always`, one fdatasync), not one per call.
 *
 * Durability modes (`fsync`):
 * - `always`: `append` resolves once the record is written and synced (fdatasync). Records that
 *   arrive while a write is in flight go out together in the next write and sync (group commit);
 *   on a sink that syncs apart from writing (files), the syncs of successive groups may overlap.
 * - `none`: like `always` without the sync: the record is handed to the OS before `append`
 *   resolves (it survives the process, not necessarily the machine).
 * - `batch`: `append` resolves once the record is built (its group's turn ended); the queue is
 *   written and synced every `flushIntervalMs`, when it fills, and on `close()`. When it holds
 *   `queueSize` records, `append` waits for room: records are never dropped.
 * In every mode a record is built before its `append` resolves, so what a caller changes in its
 * request after the call returned is never what the record says.
 *
 * Failures: a write that fails is reported (`onRecord` with `ok: false` for each call record it
 * carried, `onDecisionRecord` likewise for each canary decision record, `onSinkError` once) and
 * retried with backoff; the records stay queued, in order, so a failure delays them but loses none
 * while the process lives. `append` does not wait for the retry: the call goes on (its record is
 * written when the sink recovers, reported `ok: true` then). The queue bound applies to held
 * records too: with a sink down long enough, calls wait for room. A record that cannot be built or
 * sealed (a bug, or content JSON cannot represent) is reported by `onBuildError` and left out of
 * the chain; it never fails the call.
 */
import type { AuditLog, AuditLogOptions, PendingRecord } from './audit-log-contract.js';
import { EMPTY_HEAD, sealRecord, type ChainHead, type SealedRecord } from './hash-chain.js';
import { Group, type Entry } from './log-entry.js';
import { OverlappingSyncs } from './overlapping-syncs.js';
import type { AuditRecordBody } from './record.js';

export type { AuditLog, AuditLogOptions, PendingRecord, RecordReport } from './audit-log-contract.js';

/** Records per write (and sync), at most. */
const MAX_BATCH = 1024;
/**
 * Syncs in flight at once. Each holds a thread of the libuv pool (4 by default) for a disk flush;
 * one stays free for DNS lookups and other file work.
 */
const MAX_SYNCS_IN_FLIGHT = 3;
const CLOSE_ATTEMPTS = 4;
const SETTLED = Promise.resolve();

/** Creates an audit log over a sink. */
export function createAuditLog(options: AuditLogOptions): AuditLog {
  const { sink } = options;
  const sync = options.fsync !== 'none';
  const batchMode = options.fsync === 'batch';
  const retryMin = options.retryDelayMs?.min ?? 100;
  const retryMax = options.retryDelayMs?.max ?? 30_000;
  /** Appended in the current turn of the event loop, not yet built. */
  let collecting: Entry[] = [];
  let group: Group | undefined;
  let groupTurn: NodeJS.Immediate | undefined;
  /** Built, waiting to be sealed and written. */
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
  /** The sink's `sync` when `always` meets a sink that can sync apart from writing: syncs of successive groups overlap. */
  const pipelinedSync = options.fsync === 'always' ? sink.sync?.bind(sink) : undefined;
  let wake: (() => void) | undefined;
  /** Groups written and being synced (`pipelinedSync`); each covers the oldest records in flight after those before it. */
  const syncs = new OverlappingSyncs(() => wakeDrain());
  /** A rotation failed: it is tried again after the next write, not before. */
  let rotationDeferred = false;

  const depth = (): number => collecting.length + incoming.length + inFlight.length;

  function releaseRoom(): void {
    if (roomWaiters.length === 0) return;
    const waiters = roomWaiters;
    roomWaiters = [];
    for (const resume of waiters) resume();
  }

  /** Whether a record's fate is reported and its loss counted (calls and decisions; markers are not). */
  function owed(entry: Entry): boolean {
    return entry.requestId !== undefined || entry.body?.kind === 'canary-decision';
  }

  function report(entry: Entry, ok: boolean, error?: unknown): void {
    if (entry.requestId !== undefined) options.onRecord?.(ok ? { requestId: entry.requestId, ok } : { requestId: entry.requestId, ok, error });
    else if (entry.body?.kind === 'canary-decision') options.onDecisionRecord?.(ok ? { decisionId: entry.body.decisionId, ok } : { decisionId: entry.body.decisionId, ok, error });
  }

  function settle(entry: Entry): void {
    const waiting = entry.group;
    if (waiting === undefined) return;
    entry.group = undefined;
    waiting.settleOne();
  }

  /** A record that could not be built or sealed: reported, settled, left out of the chain. */
  function unbuildable(entry: Entry, error: unknown): void {
    if (entry.requestId !== undefined) options.onBuildError?.(entry.requestId, error);
    else report(entry, false, error);
    settle(entry);
  }

  function fail(error: unknown, entries: readonly Entry[]): void {
    sinkErrors += 1;
    lastError = error;
    options.onSinkError?.(error);
    for (const entry of entries) {
      if (entry.reported) continue;
      entry.reported = true;
      report(entry, false, error);
      settle(entry);
    }
    if (!closing) {
      retryTimer = setTimeout(() => {
        retryTimer = undefined;
        void kick();
      }, retryDelay);
      retryTimer.unref();
    }
    retryDelay = Math.min(retryMax, retryDelay * 2);
  }

  function confirm(entries: readonly Entry[]): void {
    for (const entry of entries) {
      report(entry, true);
      settle(entry);
    }
  }

  function marker(body: AuditRecordBody): Entry {
    return { body, pending: undefined, requestId: undefined, reported: false, group: undefined };
  }

  /**
   * The end of a group's turn: builds its records, then starts their write (`none`, `always`),
   * settles them (`batch`: written later), or, while the sink is failing, reports and settles them
   * (they wait for the retry).
   */
  function endGroup(): void {
    if (groupTurn !== undefined) clearImmediate(groupTurn);
    groupTurn = undefined;
    group = undefined;
    if (collecting.length === 0) return;
    const built = collecting;
    collecting = [];
    let dropped = false;
    for (const entry of built) {
      const pending = entry.pending;
      if (pending !== undefined) {
        try {
          entry.body = pending.build();
        } catch (error) {
          unbuildable(entry, error);
          dropped = true;
          continue;
        }
        entry.pending = undefined;
      }
      incoming.push(entry);
      if (retryTimer !== undefined && !entry.reported) {
        // The sink is failing: say so now; the record waits in the queue for the retry.
        entry.reported = true;
        report(entry, false, lastError);
        settle(entry);
      } else if (batchMode) {
        settle(entry);
      }
    }
    if (dropped) releaseRoom();
    if (retryTimer !== undefined) return;
    if (!batchMode) {
      void kick();
      return;
    }
    if (interval === undefined && !closing) {
      interval = setInterval(() => void kick(), options.flushIntervalMs);
      interval.unref();
    }
    if (depth() >= options.queueSize) void kick();
  }

  async function openSink(): Promise<void> {
    const opening = await sink.open();
    if (opening.warning !== undefined) options.onWarning?.(opening.warning);
    head = opening.head ?? EMPTY_HEAD;
    opened = true;
    const fields: Record<string, unknown> = { ...options.markerFields(), kind: 'open', pid: process.pid };
    if (opening.recovered !== undefined) fields.recovered = opening.recovered;
    incoming.unshift(marker(fields as unknown as AuditRecordBody));
  }

  /** Seals a batch into the chain; a record that cannot be sealed is left out (the head stays). */
  function seal(batch: readonly Entry[]): SealedRecord[] {
    const sealed: SealedRecord[] = [];
    for (const entry of batch) {
      let record: SealedRecord;
      try {
        record = sealRecord(entry.body as AuditRecordBody, head);
      } catch (error) {
        unbuildable(entry, error);
        continue;
      }
      head = { seq: record.record.seq, hash: record.record.hash };
      sealed.push(record);
      inFlight.push(entry);
    }
    return sealed;
  }

  /** Wakes a drain loop waiting for a sync to end or a group to arrive. */
  function wakeDrain(): void {
    const waiting = wake;
    wake = undefined;
    waiting?.();
  }

  async function rotate(): Promise<void> {
    try {
      const previousFile = await (sink.rotate as (sync: boolean) => Promise<string>)(sync);
      incoming.unshift(marker({ ...options.markerFields(), kind: 'rotate', previousFile }));
    } catch (error) {
      // The current file stays in use; the rotation is tried again after the next write.
      rotationDeferred = true;
      sinkErrors += 1;
      options.onSinkError?.(error);
    }
  }

  /**
   * The one writer: seals what was built, in order, and writes it. With `always` on a sink that
   * syncs apart from writing (files), a group's sync is started without waiting for the previous
   * one to end (up to `MAX_SYNCS_IN_FLIGHT`), and the next group is written meanwhile: a record
   * waits for about one sync rather than the rest of the current one and then its own. A group is
   * confirmed when its sync has ended and every earlier group is confirmed.
   */
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
      for (let ended = syncs.takeEnded(); ended !== undefined; ended = syncs.takeEnded()) {
        if (ended.failed) {
          // Every record in flight waits for the retry, which syncs again before confirming any.
          syncs.clear();
          fail(ended.error, [...inFlight, ...incoming]);
          return;
        }
        written(inFlight.splice(0, ended.records));
      }
      const rotationDue = !rotationDeferred && sink.rotate !== undefined && sink.needsRotation?.() === true;
      if (rotationDue && syncs.size === 0 && inFlight.length === 0) {
        await rotate();
        continue;
      }
      // Records written but under no sync (after a failed one) go first; new ones wait while a rotation is due.
      const uncovered = inFlight.length - syncs.covered;
      const writable = syncs.size < MAX_SYNCS_IN_FLIGHT && (uncovered > 0 || (incoming.length > 0 && !rotationDue));
      if (!writable) {
        if (syncs.size === 0) return;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        continue;
      }
      const batch = rotationDue ? [] : incoming.length <= MAX_BATCH ? incoming : incoming.slice(0, MAX_BATCH);
      if (!rotationDue) incoming = batch === incoming ? [] : incoming.slice(MAX_BATCH);
      const sealed = seal(batch);
      try {
        await sink.write(sealed, sync && pipelinedSync === undefined);
      } catch (error) {
        syncs.clear();
        fail(error, [...inFlight, ...incoming]);
        return;
      }
      rotationDeferred = false;
      if (pipelinedSync === undefined) written(inFlight.splice(0));
      else syncs.start(inFlight.length - syncs.covered, pipelinedSync);
    }
  }

  /** Confirms records that are written (and synced when the mode says so). */
  function written(entries: readonly Entry[]): void {
    retryDelay = retryMin;
    lastError = undefined;
    confirm(entries);
    releaseRoom();
  }

  function kick(): Promise<void> {
    if (draining !== undefined) {
      // A loop waiting for a sync can write the new group meanwhile.
      wakeDrain();
      return draining;
    }
    if (retryTimer === undefined) {
      draining = drain().finally(() => {
        draining = undefined;
        // A group that ended between the loop's last look and here would otherwise wait for the next kick.
        if (incoming.length > 0 && retryTimer === undefined && !closing) void kick();
      });
    }
    return draining ?? SETTLED;
  }

  async function waitForRoom(): Promise<void> {
    while (depth() >= options.queueSize && !closed) {
      // Records still being collected count too: end their group now so that they can be written.
      endGroup();
      void kick();
      if (depth() < options.queueSize) return;
      await new Promise<void>((resolve) => roomWaiters.push(resolve));
    }
  }

  function enqueue(body: AuditRecordBody | undefined, pending: PendingRecord | undefined, requestId: string | undefined): Promise<void> {
    if (depth() >= options.queueSize && !closed) return waitForRoom().then(() => enqueue(body, pending, requestId));
    const entry: Entry = { body, pending, requestId, reported: false, group: undefined };
    if (closed) {
      lostRecords += 1;
      report(entry, false, new Error(`the audit log (${sink.description}) is closed; the record was not written`));
      return SETTLED;
    }
    collecting.push(entry);
    let current = group;
    if (current === undefined) {
      current = new Group();
      group = current;
      groupTurn = setImmediate(endGroup);
    }
    current.add();
    entry.group = current;
    return current.settled;
  }

  return {
    append: (body, requestId) => enqueue(body, undefined, requestId),
    appendPending: (record) => enqueue(undefined, record, record.requestId),

    async flush() {
      endGroup();
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
        endGroup();
        while (draining !== undefined) await draining;
        await kick();
        if (depth() === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
      }
      if (retryTimer !== undefined) clearTimeout(retryTimer);
      retryTimer = undefined;
      endGroup();
      const left = [...inFlight, ...incoming];
      const unwritten = left.filter(owed);
      closed = true;
      incoming = [];
      inFlight = [];
      for (const entry of left) settle(entry);
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
