/**
 * What `router.stream()` hands its caller: one call's events, from starting the call to reporting
 * its end (`call-end`, once) and releasing its deadlines (once):
 *
 * - the call starts on the first `next()`; a request that fails validation rejects that `next()`
 *   with the validation error and starts nothing;
 * - a failure anywhere (before or during the stream) is reported as the call's end and rejects
 *   `next()` with the call's `SwitchyardError`;
 * - the call's end is reported before the `finish` event is handed over, so a consumer may stop
 *   reading right after it;
 * - a consumer that stops early (`return()`, as `break` in `for await` does) ends the stream it
 *   reads from first, then the call is reported `canceled`.
 *
 * The iterator contract itself (calls that overlap wait their turn, done after an end) is
 * `PullIterator`'s.
 */
import { SwitchyardError } from '../errors.js';
import type { CallContext, CallOutcome } from '../pipeline/context.js';
import { responseEvents } from '../pipeline/cache/replay-stream.js';
import { DONE, PullIterator, type Pulled } from '../streaming/pull-iterator.js';
import type { CallOptions, ChatRequest, ChatResponse, StreamEvent } from '../types.js';

/** The router's side of a stream call, made once per router. */
export interface StreamCalls {
  /** Validates the request and starts the call; throws for a request that cannot be sent. */
  start(request: ChatRequest, options: CallOptions): { readonly context: CallContext; readonly dispose: () => void };
  /** Runs the call through the pipeline. */
  run(context: CallContext): Promise<CallOutcome>;
  /** Reports the call's end (`call-end`). */
  end(context: CallContext, response: ChatResponse | undefined, error: SwitchyardError | undefined, firstOutputAt?: number): void;
  /** Any failure as the call's `SwitchyardError`. */
  asError(error: unknown, context: CallContext): SwitchyardError;
}

/** What a router stream waits for: the call's outcome, then each event of its stream. */
type Arrival = CallOutcome | IteratorResult<StreamEvent>;

/** One `router.stream()` iteration; see the module's description. */
export class RouterStream extends PullIterator<StreamEvent, Arrival> {
  /** Set once the call started. */
  private context: CallContext | undefined;
  private dispose: (() => void) | undefined;
  /** The call's end was reported. */
  private reported = false;
  /** The stream read from, and when it first produced output. */
  private source: AsyncIterator<StreamEvent> | undefined;
  private firstOutputAt: number | undefined;
  /** A whole response's events, when a stage answered without a stream. */
  private replay: StreamEvent[] | undefined;
  private nextReplay = 0;

  /**
   * @param calls the router's side of stream calls
   * @param request the request, validated on the first `next()`
   * @param options the call's options
   */
  constructor(
    private readonly calls: StreamCalls,
    private readonly request: ChatRequest,
    private readonly options: CallOptions,
  ) {
    super();
  }

  /** Starts the call on the first; then the replayed answer's events or the stream's. */
  protected pull(): Pulled<StreamEvent, Arrival> {
    if (this.context === undefined) return this.startCall();
    if (this.replay !== undefined) return this.replayed();
    return this.nextOf(this.source as AsyncIterator<StreamEvent>);
  }

  /** The call's outcome (the first wait), or a step of its stream. */
  protected received(value: Arrival): Pulled<StreamEvent, Arrival> {
    if ('kind' in value) return this.started(value);
    if (value.done === true) {
      this.complete();
      return DONE;
    }
    if (value.value.type === 'finish') this.end(value.value.response, undefined, this.firstOutputAt);
    return value;
  }

  protected override failed(error: unknown): never {
    const failure = this.calls.asError(error, this.context as CallContext); // a call has started
    this.end(undefined, failure);
    this.finishCall();
    throw failure;
  }

  /** Ends the stream read from, then reports the call `canceled` unless it had ended; nothing before the call started. */
  protected override stop(): Promise<unknown> | undefined {
    if (this.context === undefined) return undefined;
    const closing = this.source?.return?.();
    if (closing === undefined) {
      this.complete();
      return undefined;
    }
    return Promise.resolve(closing).then(
      () => this.complete(),
      (error: unknown) => {
        this.complete();
        throw error;
      },
    );
  }

  private startCall(): Promise<CallOutcome> {
    const started = this.calls.start(this.request, this.options);
    this.context = started.context;
    this.dispose = started.dispose;
    try {
      return this.calls.run(started.context);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  private started(outcome: CallOutcome): Pulled<StreamEvent, Arrival> {
    // Only `router.embed()` makes embedding calls; a stage that answered a stream with vectors is a bug.
    if (outcome.kind === 'embedding') return Promise.reject(new SwitchyardError({ category: 'unknown', message: 'a stream call was answered with embeddings' }));
    if (outcome.kind === 'response') {
      this.replay = responseEvents(outcome.response);
      return this.replayed();
    }
    this.firstOutputAt = outcome.stream.firstOutputAt;
    try {
      this.source = outcome.stream.events[Symbol.asyncIterator]();
    } catch (error) {
      return Promise.reject(error);
    }
    return this.nextOf(this.source);
  }

  private replayed(): IteratorResult<StreamEvent> {
    const event = (this.replay as StreamEvent[])[this.nextReplay];
    if (event === undefined) {
      this.complete();
      return DONE;
    }
    this.nextReplay += 1;
    if (event.type === 'finish') this.end(event.response, undefined);
    return { done: false, value: event };
  }

  private end(response: ChatResponse | undefined, error: SwitchyardError | undefined, firstOutputAt?: number): void {
    this.reported = true;
    this.calls.end(this.context as CallContext, response, error, firstOutputAt);
  }

  /** Ends the call: reported `canceled` when nothing reported its end (the consumer stopped early). */
  private complete(): void {
    if (!this.reported) {
      const context = this.context as CallContext;
      this.end(undefined, new SwitchyardError({ category: 'canceled', code: 'canceled.stream_consumer', message: 'the stream consumer stopped reading', route: context.route.name, attempts: context.attempts }));
    }
    this.finishCall();
  }

  /** Releases the call's deadlines, once. */
  private finishCall(): void {
    const dispose = this.dispose;
    this.dispose = undefined;
    dispose?.();
  }
}
