/**
 * A stream's events as the audit stage passes them on: the call's record is appended when the
 * stream ends, before the caller sees that end — before the `finish` event is handed over, before
 * a failure reaches the caller, and, when the caller stops reading early, as `canceled` before its
 * `return()` completes. A stream that ends without a `finish` event is recorded as an `unknown`
 * error. The iterator contract itself is `PullIterator`'s; a wait on the record is a step in
 * progress like a read, so no `next()` reads past the end while it is recorded.
 */
import { performance } from 'node:perf_hooks';
import { SwitchyardError } from '../errors.js';
import { DONE, PullIterator, type Pulled } from '../streaming/pull-iterator.js';
import type { ChatResponse, StreamEvent } from '../types.js';

/** How an audited stream ended, for its record. */
export interface AuditedStreamEnding {
  readonly response?: ChatResponse;
  readonly error?: unknown;
  /** `performance.now()` when the stream ended. */
  readonly endedAt: number;
  /** `performance.now()` when the first output arrived, when it did. */
  readonly firstOutputAt: number | undefined;
}

/** One audited stream; see the module's description. */
export class AuditedStream extends PullIterator<StreamEvent, IteratorResult<StreamEvent>> {
  private source: AsyncIterator<StreamEvent> | undefined;
  private recorded = false;
  private observedFirstOutput: number | undefined;

  constructor(
    private readonly events: AsyncIterable<StreamEvent>,
    private readonly firstOutputAt: number | undefined,
    private readonly route: string,
    private readonly record: (ending: AuditedStreamEnding) => Promise<void>,
  ) {
    super();
  }

  protected pull(): Pulled<StreamEvent, IteratorResult<StreamEvent>> {
    try {
      this.source ??= this.events[Symbol.asyncIterator]();
    } catch (error) {
      return Promise.reject(error);
    }
    return this.nextOf(this.source);
  }

  /** An event passed on; the last step (the `finish` event, or the end) after its record, which hands it back here. */
  protected received(step: IteratorResult<StreamEvent>): Pulled<StreamEvent, IteratorResult<StreamEvent>> {
    if (step.done === true) {
      if (this.recorded) return DONE;
      const error = new SwitchyardError({ category: 'unknown', message: 'the stream ended without a finish event', route: this.route });
      return this.recordThen({ error, endedAt: performance.now(), firstOutputAt: this.firstOutput() }, step);
    }
    const event = step.value;
    if (this.observedFirstOutput === undefined && (event.type === 'text-delta' || event.type === 'tool-call-delta' || event.type === 'tool-call')) this.observedFirstOutput = performance.now();
    if (event.type !== 'finish' || this.recorded) return step;
    return this.recordThen({ response: event.response, endedAt: performance.now(), firstOutputAt: this.firstOutput() }, step);
  }

  /** The failure, after its record. */
  protected override failed(error: unknown): Pulled<StreamEvent, IteratorResult<StreamEvent>> {
    if (this.recorded) throw error;
    return this.recordOnce({ error, endedAt: performance.now(), firstOutputAt: this.firstOutput() }).then(() => {
      throw error;
    });
  }

  /** Ends the stream underneath, then records the call `canceled` unless it was recorded. */
  protected override stop(): Promise<unknown> {
    return Promise.resolve(this.source?.return?.()).then(
      () => this.recordStopped(),
      (error: unknown) =>
        this.recordStopped().then(() => {
          throw error;
        }),
    );
  }

  private recordStopped(): Promise<void> {
    if (this.recorded) return Promise.resolve();
    const error = new SwitchyardError({ category: 'canceled', code: 'canceled.stream_consumer', message: 'the stream consumer stopped reading', route: this.route });
    return this.recordOnce({ error, endedAt: performance.now(), firstOutputAt: this.firstOutput() });
  }

  private recordThen(ending: AuditedStreamEnding, step: IteratorResult<StreamEvent>): Promise<IteratorResult<StreamEvent>> {
    return this.recordOnce(ending).then(() => step);
  }

  private recordOnce(ending: AuditedStreamEnding): Promise<void> {
    this.recorded = true;
    return this.record(ending);
  }

  private firstOutput(): number | undefined {
    return this.firstOutputAt ?? this.observedFirstOutput;
  }
}
