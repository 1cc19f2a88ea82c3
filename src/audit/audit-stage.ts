/**
 * The audit stage: the outermost call stage. It lets the call run, builds the record from how it
 * ended, and hands it to the audit log before the caller sees the end of the call:
 * - a whole response: the record is appended before the response is returned;
 * - a stream: the record is appended when the stream ends, before its `finish` event is yielded;
 *   when the stream fails, before the error reaches the caller; when the caller stops reading
 *   early, as a `canceled` call, before the caller's `return()` completes;
 * - a failure (thrown error): the record is appended before the error is rethrown.
 * With `fsync: always` "appended" means written and synced (see `AuditLog`). A record that cannot
 * be built (a bug) is reported like a failed write and never fails the call.
 */
import { performance } from 'node:perf_hooks';
import type { CallContext, CallOutcome, StartedStream } from '../pipeline/context.js';
import type { Stage } from '../pipeline/stage.js';
import type { AuditLog } from './audit-log.js';
import { AuditedStream } from './audited-stream.js';
import { buildCallRecord, type CallEnding, type RecordSettings } from './build-record.js';

/** Options of `createAuditStage`. */
export interface AuditStageOptions {
  readonly settings: RecordSettings;
  readonly log: Pick<AuditLog, 'append'>;
  /** A record could not be built (reported as a failed audit write). */
  readonly onBuildError?: (requestId: string, error: unknown) => void;
  /**
   * Wall clock, epoch milliseconds.
   * @default Date.now
   */
  readonly now?: () => number;
}

/** Creates the audit stage. */
export function createAuditStage(options: AuditStageOptions): Stage<CallContext, CallOutcome> {
  const now = options.now ?? Date.now;

  async function record(context: CallContext, startedAtMs: number, ending: Omit<CallEnding, 'startedAtMs'>): Promise<void> {
    let body;
    try {
      body = buildCallRecord(context, { ...ending, startedAtMs }, options.settings);
    } catch (error) {
      options.onBuildError?.(context.requestId, error);
      return;
    }
    await options.log.append(body, context.requestId);
  }

  function auditedStream(context: CallContext, startedAtMs: number, stream: StartedStream): StartedStream {
    const events = new AuditedStream(stream.events, stream.firstOutputAt, context.route.name, (ending) => record(context, startedAtMs, ending));
    return { events, completion: stream.completion, ...(stream.firstOutputAt === undefined ? {} : { firstOutputAt: stream.firstOutputAt }) };
  }

  return {
    name: 'audit',
    async execute(context, next) {
      const startedAtMs = now();
      let outcome: CallOutcome;
      try {
        outcome = await next(context);
      } catch (error) {
        await record(context, startedAtMs, { error, endedAt: performance.now() });
        throw error;
      }
      if (outcome.kind === 'response') {
        await record(context, startedAtMs, { response: outcome.response, endedAt: performance.now() });
        return outcome;
      }
      return { kind: 'stream', stream: auditedStream(context, startedAtMs, outcome.stream) };
    },
  };
}
