/**
 * What `router.stream()` hands its caller: one call's events, from starting the call to reporting
 * its end (`call-end`, once) and releasing its deadlines (once).
 *
 * A hand-written async iterator, not an async generator: every event of every stream passes here,
 * and a generator's `for await` plus `yield` cost several promises and microtask turns per event
 * (with 64 streams in flight the router's generator was ~3–4 % of the client's CPU time in a
 * profile, more than any other part of the call). It keeps the generator's contract:
 *
 * - the call starts on the first `next()`; a request that fails validation rejects that `next()`
 *   with the validation error and starts nothing;
 * - a failure anywhere (before or during the stream) is reported as the call's end and rejects
 *   `next()` with the call's `SwitchyardError`;
 * - the call's end is reported before the `finish` event is handed over, so a consumer may stop
 *   reading right after it;
 * - a consumer that stops early (`return()`, as `break` in `for await` does) ends the stream it
 *   reads from first, then the call is reported `canceled`;
 * - `next()` and `return()` calls made before the previous one settled wait their turn; once ended,
 *   every `next()` reports done.
 */
import { SwitchyardError } from '../errors.js';
import type { CallContext, CallOutcome } from '../pipeline/context.js';
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

type Phase = 'new' | 'starting' | 'replay' | 'events' | 'done';

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

/** One `router.stream()` iteration; see the module's description. */
export class RouterStream implements AsyncIterableIterator<StreamEvent> {
  private phase: Phase = 'new';
  private context: CallContext | undefined;
  private dispose: (() => void) | undefined;
  private ended = false;
  /** The stream read from (`events` phase), and when it first produced output. */
  private source: AsyncIterator<StreamEvent> | undefined;
  private firstOutputAt: number | undefined;
  /** A whole response's events (`replay` phase: a stage answered without a stream). */
  private replay: StreamEvent[] = [];
  private nextReplay = 0;
  /** The step in progress, which a `next()` or `return()` arriving meanwhile waits for. */
  private pending: Promise<IteratorResult<StreamEvent>> | undefined;

  private readonly onOutcome = (outcome: CallOutcome): IteratorResult<StreamEvent> | Promise<IteratorResult<StreamEvent>> => {
    this.pending = undefined;
    if (outcome.kind === 'response') {
      this.replay = eventsOf(outcome.response);
      this.phase = 'replay';
      return this.replayed();
    }
    this.firstOutputAt = outcome.stream.firstOutputAt;
    try {
      this.source = outcome.stream.events[Symbol.asyncIterator]();
    } catch (error) {
      return this.onFailure(error);
    }
    this.phase = 'events';
    return this.read();
  };

  private readonly onEvent = (step: IteratorResult<StreamEvent>): IteratorResult<StreamEvent> => {
    this.pending = undefined;
    if (step.done === true) {
      this.complete();
      return DONE;
    }
    const event = step.value;
    if (event.type === 'finish') this.end(event.response, undefined, this.firstOutputAt);
    return step;
  };

  private readonly onFailure = (error: unknown): never => {
    this.pending = undefined;
    const context = this.context as CallContext; // a call has started
    const failure = this.calls.asError(error, context);
    this.end(undefined, failure);
    this.finishCall();
    throw failure;
  };

  /**
   * @param calls the router's side of stream calls
   * @param request the request, validated on the first `next()`
   * @param options the call's options
   */
  constructor(
    private readonly calls: StreamCalls,
    private readonly request: ChatRequest,
    private readonly options: CallOptions,
  ) {}

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** The call's next event; starts the call on the first. */
  next(): Promise<IteratorResult<StreamEvent>> {
    if (this.pending !== undefined) return this.pending.then(() => this.next(), () => this.next());
    switch (this.phase) {
      case 'new':
        return this.startCall();
      case 'replay':
        return Promise.resolve(this.replayed());
      case 'events':
        return this.read();
      default:
        return Promise.resolve(DONE);
    }
  }

  /** Stops reading: ends the stream read from, then reports the call `canceled` unless it had ended. */
  return(): Promise<IteratorResult<StreamEvent>> {
    if (this.pending !== undefined) return this.pending.then(() => this.return(), () => this.return());
    const phase = this.phase;
    if (phase === 'new' || phase === 'done') {
      this.phase = 'done';
      return Promise.resolve(DONE);
    }
    const closing = phase === 'events' ? this.source?.return?.() : undefined;
    if (closing === undefined) {
      this.complete();
      return Promise.resolve(DONE);
    }
    this.phase = 'done';
    return Promise.resolve(closing).then(
      () => {
        this.complete();
        return DONE;
      },
      (error: unknown) => {
        this.complete();
        throw error;
      },
    );
  }

  private startCall(): Promise<IteratorResult<StreamEvent>> {
    let context: CallContext;
    try {
      const started = this.calls.start(this.request, this.options);
      context = started.context;
      this.dispose = started.dispose;
    } catch (error) {
      this.phase = 'done';
      return Promise.reject(error);
    }
    this.context = context;
    this.phase = 'starting';
    let outcome: Promise<CallOutcome>;
    try {
      outcome = this.calls.run(context);
    } catch (error) {
      outcome = Promise.reject(error);
    }
    const pending = outcome.then(this.onOutcome, this.onFailure);
    this.pending = pending;
    return pending;
  }

  private read(): Promise<IteratorResult<StreamEvent>> {
    let step: Promise<IteratorResult<StreamEvent>>;
    try {
      step = (this.source as AsyncIterator<StreamEvent>).next();
    } catch (error) {
      step = Promise.reject(error);
    }
    const pending = step.then(this.onEvent, this.onFailure);
    this.pending = pending;
    return pending;
  }

  private replayed(): IteratorResult<StreamEvent> {
    const event = this.replay[this.nextReplay];
    if (event === undefined) {
      this.complete();
      return DONE;
    }
    this.nextReplay += 1;
    if (event.type === 'finish') this.end(event.response, undefined);
    return { done: false, value: event };
  }

  private end(response: ChatResponse | undefined, error: SwitchyardError | undefined, firstOutputAt?: number): void {
    this.ended = true;
    this.calls.end(this.context as CallContext, response, error, firstOutputAt);
  }

  /** Ends the call: reported `canceled` when nothing reported its end (the consumer stopped early). */
  private complete(): void {
    if (!this.ended) {
      const context = this.context as CallContext;
      this.end(undefined, new SwitchyardError({ category: 'canceled', message: 'the stream consumer stopped reading', route: context.route.name, attempts: context.attempts }));
    }
    this.finishCall();
  }

  /** Releases the call's deadlines, once. */
  private finishCall(): void {
    this.phase = 'done';
    const dispose = this.dispose;
    this.dispose = undefined;
    dispose?.();
  }
}

/** A whole response as the events a stream of it would have. */
function eventsOf(response: ChatResponse): StreamEvent[] {
  const events: StreamEvent[] = [];
  if (response.text !== '') events.push({ type: 'text-delta', text: response.text });
  for (const toolCall of response.toolCalls) events.push({ type: 'tool-call', toolCall });
  events.push({ type: 'usage', usage: response.usage }, { type: 'finish', response });
  return events;
}
