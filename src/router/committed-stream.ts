/**
 * The caller's side of a stream attempt that has produced output (and so can no longer be retried):
 * the adapter's remaining parts as `StreamEvent`s, accumulated into the final `ChatResponse` that the
 * `finish` event and the `completion` promise carry.
 *
 * A hand-written async iterator, not an async generator: every event of every stream passes here,
 * and a generator's `for await` plus `yield` cost several promises and microtask turns per event
 * (with 64 streams in flight, the dispatcher's generator was ~3 % of the client's CPU time in a
 * profile). Here an event already read costs one resolved promise, and one read from the adapter
 * one reaction. It behaves as the generator did for the iterator protocol's callers: `next()` calls
 * made before the previous one settled wait their turn, `return()` ends the adapter's iteration,
 * and after the end or a failure every `next()` reports done.
 */
import type { SwitchyardError } from '../errors.js';
import type { AdapterStreamPart } from '../provider-spec.js';
import type { ChatResponse, StreamEvent } from '../types.js';
import { StreamAccumulator } from './response-assembly.js';

/** How a committed stream ends, supplied by the dispatcher. */
export interface StreamEnding {
  /** The final response from the accumulated parts, once the adapter's parts end; may throw. */
  finish(accumulator: StreamAccumulator): ChatResponse;
  /** What the caller sees for a failure while reading (or while finishing). */
  fail(error: unknown): SwitchyardError;
  /** The completion's error when the consumer stops reading before the end. */
  stopped(): SwitchyardError;
}

type Phase = 'open' | 'finished' | 'closed';

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

/** A committed stream's events and its completion; see the module's description. */
export class CommittedStream implements AsyncIterableIterator<StreamEvent> {
  /** The final response, or the error that ended the stream (also when the consumer stopped reading). */
  readonly completion: Promise<ChatResponse>;
  private resolveCompletion!: (response: ChatResponse) => void;
  private rejectCompletion!: (error: SwitchyardError) => void;
  private readonly accumulator = new StreamAccumulator();
  /** `open` while parts are read; `finished` once the `finish` event is handed out; then `closed`. */
  private phase: Phase = 'open';
  private nextBuffered = 0;
  /** The read in progress, which a `next()` or `return()` arriving meanwhile waits for. */
  private reading: Promise<IteratorResult<StreamEvent>> | undefined;
  private readonly onStep = (step: IteratorResult<AdapterStreamPart>): IteratorResult<StreamEvent> | Promise<IteratorResult<StreamEvent>> => {
    this.reading = undefined;
    if (step.done === true) return this.finish();
    const event = this.take(step.value);
    return event === undefined ? this.read() : { done: false, value: event };
  };
  private readonly onFailure = (error: unknown): never => {
    this.reading = undefined;
    throw this.failWith(error);
  };

  /**
   * @param source the adapter's parts after those already read
   * @param buffered parts read before the stream was committed, handed out first
   * @param ending how the stream finishes, fails and stops
   */
  constructor(
    private readonly source: AsyncIterator<AdapterStreamPart>,
    private readonly buffered: readonly AdapterStreamPart[],
    private readonly ending: StreamEnding,
  ) {
    this.completion = new Promise<ChatResponse>((resolve, reject) => {
      this.resolveCompletion = resolve;
      this.rejectCompletion = reject;
    });
    this.completion.catch(ignore); // a caller that only reads events must not see an unhandled rejection
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** The next event: buffered parts first, then the adapter's. */
  next(): Promise<IteratorResult<StreamEvent>> {
    if (this.reading !== undefined) return this.reading.then(() => this.next(), () => this.next());
    if (this.phase === 'finished') this.close();
    if (this.phase === 'closed') return Promise.resolve(DONE);
    while (this.nextBuffered < this.buffered.length) {
      const event = this.take(this.buffered[this.nextBuffered++] as AdapterStreamPart);
      if (event !== undefined) return Promise.resolve({ done: false, value: event });
    }
    return this.read();
  }

  /** Stops reading: the completion fails with `stopped()` unless the stream had finished. */
  return(): Promise<IteratorResult<StreamEvent>> {
    if (this.reading !== undefined) return this.reading.then(() => this.return(), () => this.return());
    if (this.phase === 'open') this.rejectCompletion(this.ending.stopped());
    if (this.phase !== 'closed') this.close();
    return Promise.resolve(DONE);
  }

  private read(): Promise<IteratorResult<StreamEvent>> {
    let step: Promise<IteratorResult<AdapterStreamPart>>;
    try {
      step = this.source.next();
    } catch (error) {
      return Promise.reject(this.failWith(error));
    }
    const reading = step.then(this.onStep, this.onFailure);
    this.reading = reading;
    return reading;
  }

  /** Accumulates a part; the event it shows the caller, if any. */
  private take(part: AdapterStreamPart): StreamEvent | undefined {
    this.accumulator.add(part);
    switch (part.type) {
      case 'text-delta':
        return { type: 'text-delta', text: part.text };
      case 'tool-call':
        return { type: 'tool-call', toolCall: part.toolCall };
      case 'usage':
        return { type: 'usage', usage: part.usage };
      default:
        return undefined;
    }
  }

  private finish(): IteratorResult<StreamEvent> {
    let response: ChatResponse;
    try {
      response = this.ending.finish(this.accumulator);
    } catch (error) {
      throw this.failWith(error);
    }
    this.phase = 'finished';
    this.resolveCompletion(response);
    return { done: false, value: { type: 'finish', response } };
  }

  private failWith(error: unknown): SwitchyardError {
    const failure = this.ending.fail(error);
    if (this.phase === 'open') this.rejectCompletion(failure);
    this.close();
    return failure;
  }

  /** Ends the adapter's iteration, and with it the upstream request when the stream stopped early. */
  private close(): void {
    this.phase = 'closed';
    void this.source.return?.()?.then(undefined, ignore);
  }
}

function ignore(): void {}
