/**
 * The audit stage: the outermost call stage. It lets the call run and, when the call ends, hands
 * the audit log what the record needs — references to the call's context and how it ended, nothing
 * built, hashed or serialised on the call's path — then passes the end on once the log says so:
 * - a whole response: returned once its record is appended;
 * - a stream: the record is appended when the stream ends, before its `finish` event is yielded;
 *   when the stream fails, before the error reaches the caller; when the caller stops reading
 *   early, as a `canceled` call, before the caller's `return()` completes;
 * - a failure (thrown error): rethrown once its record is appended.
 * "Appended" is the log's promise for the record's group: written (`none`), written and synced
 * (`always`), or built and queued (`batch`); see `AuditLog`. The record is built in its group,
 * before that promise resolves. A record that cannot be built (a bug) is reported like a failed
 * write and never fails the call.
 *
 * No async function: a suspended frame would stay alive (and be copied by every scavenge) for as
 * long as the upstream takes; the stage waits on reactions instead.
 */
import { performance } from 'node:perf_hooks';
import type { CallContext, CallOutcome, StartedStream } from '../pipeline/context.js';
import type { Stage } from '../pipeline/stage.js';
import type { AuditLog, PendingRecord } from './audit-log.js';
import { AuditedStream, type AuditedStreamEnding } from './audited-stream.js';
import { buildCallRecord, type CallEnding, type RecordSettings } from './build-record.js';
import type { CallRecordBody } from './record.js';

/** Options of `createAuditStage`. */
export interface AuditStageOptions {
  readonly settings: RecordSettings;
  /** The log the records go to; it builds them, and reports those it cannot build (`onBuildError`). */
  readonly log: Pick<AuditLog, 'appendPending'>;
  /**
   * Wall clock, epoch milliseconds.
   * @default Date.now
   */
  readonly now?: () => number;
}

/** What a call's record is built from: taken when the call ends, built in the record's group. */
class PendingCallRecord implements PendingRecord {
  constructor(
    private readonly context: CallContext,
    private readonly ending: CallEnding,
    private readonly settings: RecordSettings,
  ) {}

  get requestId(): string {
    return this.context.requestId;
  }

  build(): CallRecordBody {
    return buildCallRecord(this.context, this.ending, this.settings);
  }
}

/** Creates the audit stage. */
export function createAuditStage(options: AuditStageOptions): Stage<CallContext, CallOutcome> {
  const now = options.now ?? Date.now;
  const { log, settings } = options;

  function auditedStream(context: CallContext, startedAtMs: number, stream: StartedStream): StartedStream {
    const record = (ending: AuditedStreamEnding): Promise<void> =>
      log.appendPending(
        new PendingCallRecord(context, { response: ending.response, error: ending.error, endedAt: ending.endedAt, firstOutputAt: ending.firstOutputAt, startedAtMs }, settings),
      );
    const events = new AuditedStream(stream.events, stream.firstOutputAt, context.route.name, record);
    return stream.firstOutputAt === undefined ? { events, completion: stream.completion } : { events, completion: stream.completion, firstOutputAt: stream.firstOutputAt };
  }

  return {
    name: 'audit',
    execute(context, next) {
      const startedAtMs = now();
      let outcome: Promise<CallOutcome>;
      try {
        outcome = next(context);
      } catch (error) {
        outcome = Promise.reject(error);
      }
      return outcome.then(
        (ended) => {
          if (ended.kind === 'stream') return { kind: 'stream', stream: auditedStream(context, startedAtMs, ended.stream) };
          const ending: CallEnding =
            ended.kind === 'embedding' ? { embedding: ended.response, endedAt: performance.now(), startedAtMs } : { response: ended.response, endedAt: performance.now(), startedAtMs };
          return log.appendPending(new PendingCallRecord(context, ending, settings)).then(() => ended);
        },
        (error: unknown) => {
          const ending: CallEnding = { error, endedAt: performance.now(), startedAtMs };
          return log.appendPending(new PendingCallRecord(context, ending, settings)).then(() => {
            throw error;
          });
        },
      );
    },
  };
}
