/**
 * The caller's side of a stream attempt that has produced output (and so can no longer be retried):
 * the adapter's remaining parts as `StreamEvent`s, accumulated into the final `ChatResponse` that the
 * `finish` event and the `completion` promise carry.
 *
 * The completion settles once: with the response when the `finish` event is made, with the error
 * that ended the stream, or with `stopped()` when the consumer stops reading before the end.
 * `return()` ends the adapter's iteration (and with it the upstream request); so does the end of the
 * stream. The iterator contract itself is `PullIterator`'s.
 */
import type { SwitchyardError } from '../errors.js';
import type { AdapterStreamPart } from '../provider-spec.js';
import { DONE, PullIterator, type Pulled } from '../streaming/pull-iterator.js';
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

/** A committed stream's events and its completion; see the module's description. */
export class CommittedStream extends PullIterator<StreamEvent, IteratorResult<AdapterStreamPart>> {
  /** The final response, or the error that ended the stream (also when the consumer stopped reading). */
  readonly completion: Promise<ChatResponse>;
  private resolveCompletion!: (response: ChatResponse) => void;
  private rejectCompletion!: (error: SwitchyardError) => void;
  private readonly accumulator = new StreamAccumulator();
  private nextBuffered = 0;
  /** The `finish` event was handed out (and the completion resolved). */
  private finished = false;

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
    super();
    this.completion = new Promise<ChatResponse>((resolve, reject) => {
      this.resolveCompletion = resolve;
      this.rejectCompletion = reject;
    });
    this.completion.catch(ignore); // a caller that only reads events must not see an unhandled rejection
  }

  /** Buffered parts first, then the adapter's; after the `finish` event, the end. */
  protected pull(): Pulled<StreamEvent, IteratorResult<AdapterStreamPart>> {
    if (this.finished) {
      this.close();
      return DONE;
    }
    while (this.nextBuffered < this.buffered.length) {
      const event = this.take(this.buffered[this.nextBuffered++] as AdapterStreamPart);
      if (event !== undefined) return { done: false, value: event };
    }
    return this.nextOf(this.source);
  }

  protected received(step: IteratorResult<AdapterStreamPart>): Pulled<StreamEvent, IteratorResult<AdapterStreamPart>> {
    if (step.done === true) return this.finish();
    const event = this.take(step.value);
    return event === undefined ? this.nextOf(this.source) : { done: false, value: event };
  }

  protected override failed(error: unknown): never {
    throw this.failWith(error);
  }

  /** The completion fails with `stopped()` unless the `finish` event was handed out. */
  protected override stop(): undefined {
    if (!this.finished) this.rejectCompletion(this.ending.stopped());
    this.close();
    return undefined;
  }

  /** Accumulates a part; the event it shows the caller, if any. */
  private take(part: AdapterStreamPart): StreamEvent | undefined {
    this.accumulator.add(part);
    switch (part.type) {
      case 'text-delta':
        return { type: 'text-delta', text: part.text };
      case 'tool-call-delta':
        return { type: 'tool-call-delta', toolCallId: part.toolCallId, toolName: part.toolName, argumentsDelta: part.argumentsDelta };
      case 'tool-call':
        return { type: 'tool-call', toolCall: part.toolCall };
      case 'reasoning-delta':
        return { type: 'reasoning-delta', text: part.text };
      case 'reasoning':
        return { type: 'reasoning', part: part.part };
      case 'citations':
        return { type: 'citations', text: part.text, citations: part.citations };
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
    this.finished = true;
    this.resolveCompletion(response);
    return { done: false, value: { type: 'finish', response } };
  }

  private failWith(error: unknown): SwitchyardError {
    const failure = this.ending.fail(error);
    this.rejectCompletion(failure);
    this.close();
    return failure;
  }

  /** Ends the adapter's iteration, and with it the upstream request when the stream stopped early. */
  private close(): void {
    // `Promise.resolve`: a hand-written iterator of a custom adapter may answer `return()` with a plain result.
    void Promise.resolve(this.source.return?.()).then(undefined, ignore);
  }
}

function ignore(): void {}
