/**
 * A stream's events as the audit stage passes them on: the call's record is appended when the
 * stream ends, before the caller sees that end — before the `finish` event is handed over, before
 * a failure reaches the caller, and, when the caller stops reading early, as `canceled` before its
 * `return()` completes. A stream that ends without a `finish` event is recorded as an `unknown`
 * error.
 *
 * A hand-written async iterator, not an async generator: every event of every audited stream
 * passes here, and at many streams in flight a generator's `for await` and `yield` cost far more
 * per event than the reaction this takes (see `docs/benchmarks.md`, "Where the time goes").
 * `next()` and `return()` calls made before the previous one settled wait their turn; once the
 * stream ended, every `next()` reports done.
 */
import { performance } from 'node:perf_hooks';
import { SwitchyardError } from '../errors.js';
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

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

/** One audited stream; see the module's description. */
export class AuditedStream implements AsyncIterableIterator<StreamEvent> {
  private source: AsyncIterator<StreamEvent> | undefined;
  private recorded = false;
  private ended = false;
  private observedFirstOutput: number | undefined;
  /** The step in progress, which a `next()` or `return()` arriving meanwhile waits for. */
  private pending: Promise<IteratorResult<StreamEvent>> | undefined;

  // The step in progress is released where it ends: at once for an event passed on, after the
  // record for the stream's last step, so no `next()` reads past the end while it is recorded.
  private readonly onStep = (step: IteratorResult<StreamEvent>): IteratorResult<StreamEvent> | Promise<IteratorResult<StreamEvent>> => {
    if (step.done === true) {
      this.ended = true;
      if (this.recorded) return this.released(DONE);
      const error = new SwitchyardError({ category: 'unknown', message: 'the stream ended without a finish event', route: this.route });
      return this.recordThen({ error, endedAt: performance.now(), firstOutputAt: this.firstOutput() }, DONE);
    }
    const event = step.value;
    if (this.observedFirstOutput === undefined && (event.type === 'text-delta' || event.type === 'tool-call')) this.observedFirstOutput = performance.now();
    if (event.type !== 'finish' || this.recorded) return this.released(step);
    return this.recordThen({ response: event.response, endedAt: performance.now(), firstOutputAt: this.firstOutput() }, step);
  };

  private readonly onFailure = (error: unknown): Promise<never> => {
    this.ended = true;
    const recording = this.recorded ? Promise.resolve() : this.recordOnce({ error, endedAt: performance.now(), firstOutputAt: this.firstOutput() });
    return recording.then(
      () => {
        this.pending = undefined;
        throw error;
      },
      (recordError: unknown) => {
        this.pending = undefined;
        throw recordError;
      },
    );
  };

  /**
   * @param events the stream's events
   * @param firstOutputAt when the stream's first output arrived, when the stream knows it
   * @param route the call's route, named in the error of a stream that ends without `finish`
   * @param record appends the call's record
   */
  constructor(
    private readonly events: AsyncIterable<StreamEvent>,
    private readonly firstOutputAt: number | undefined,
    private readonly route: string,
    private readonly record: (ending: AuditedStreamEnding) => Promise<void>,
  ) {}

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** The next event, after the record when it is the last. */
  next(): Promise<IteratorResult<StreamEvent>> {
    if (this.pending !== undefined) return this.pending.then(() => this.next(), () => this.next());
    if (this.ended) return Promise.resolve(DONE);
    let step: Promise<IteratorResult<StreamEvent>>;
    try {
      this.source ??= this.events[Symbol.asyncIterator]();
      step = this.source.next();
    } catch (error) {
      step = Promise.reject(error);
    }
    return this.track(step.then(this.onStep, this.onFailure));
  }

  /** Stops reading: ends the stream underneath, then records the call `canceled` unless it was recorded. */
  return(): Promise<IteratorResult<StreamEvent>> {
    if (this.pending !== undefined) return this.pending.then(() => this.return(), () => this.return());
    if (this.ended) return Promise.resolve(DONE);
    this.ended = true;
    const closing = Promise.resolve(this.source?.return?.());
    const stopped = closing.then(
      () => this.recordStopped(),
      (error: unknown) =>
        this.recordStopped().then(() => {
          throw error;
        }),
    );
    return this.track(stopped);
  }

  /** The record of a stream its caller stopped reading, unless the stream was recorded already; releases the step. */
  private recordStopped(): Promise<IteratorResult<StreamEvent>> {
    if (this.recorded) return Promise.resolve(this.released(DONE));
    const error = new SwitchyardError({ category: 'canceled', message: 'the stream consumer stopped reading', route: this.route });
    return this.recordThen({ error, endedAt: performance.now(), firstOutputAt: this.firstOutput() }, DONE);
  }

  private track(step: Promise<IteratorResult<StreamEvent>>): Promise<IteratorResult<StreamEvent>> {
    this.pending = step;
    return step;
  }

  private released(result: IteratorResult<StreamEvent>): IteratorResult<StreamEvent> {
    this.pending = undefined;
    return result;
  }

  /** Appends the record, then releases the step in progress with `result` (or the record's failure). */
  private recordThen(ending: AuditedStreamEnding, result: IteratorResult<StreamEvent>): Promise<IteratorResult<StreamEvent>> {
    return this.recordOnce(ending).then(
      () => this.released(result),
      (error: unknown) => {
        this.pending = undefined;
        throw error;
      },
    );
  }

  private recordOnce(ending: AuditedStreamEnding): Promise<void> {
    this.recorded = true;
    return this.record(ending);
  }

  private firstOutput(): number | undefined {
    return this.firstOutputAt ?? this.observedFirstOutput;
  }
}
