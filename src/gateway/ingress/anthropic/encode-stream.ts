/**
 * `encodeMessagesStream`: a unified stream (what `router.stream()` yields) → the text of a Messages
 * API event stream, ready to write to the response as it comes.
 *
 * Each string handed out is every frame one unified event adds (`message_start`, the first block's
 * start, `ping` and the first delta arrive together), so the server writes once per upstream event.
 * Failures:
 * - before the first frame (the router could not start the call: every try failed, the request
 *   was refused) the error is thrown from `next()` as it came, so the server can still answer with
 *   an HTTP error status (`anthropicError`);
 * - after it, the stream ends with one `event: error` frame (`{"type":"error","error":{…}}`, the
 *   type and message as `anthropicError` gives them) and no `message_stop`, as the API does; the
 *   SDK's stream then throws;
 * - a source that ends without its `finish` event ends the same way (an `api_error`): a stream is
 *   never made to look complete when it is not.
 *
 * A hand-written async iterator rather than an async generator, like the router's own stream
 * layers (docs/architecture.md): a generator costs several promises and microtask turns per event.
 * It keeps a generator's contract: `next()` and `return()` calls made before the previous one
 * settled wait their turn; `return()` ends the source (which ends the upstream request); after the
 * end every `next()` reports done.
 */
import { SwitchyardError } from '../../../errors.js';
import type { StreamEvent } from '../../../types.js';
import { asSwitchyardError } from './anthropic-error.js';
import { MessagesStreamFrames, type StreamFrameOptions } from './stream-frames.js';

/** Options of `encodeMessagesStream`. */
export type EncodeMessagesStreamOptions = StreamFrameOptions;

/** What `encodeMessagesStream` returns: the frames' text, and `return()` to stop early. */
export interface MessagesEventStream extends AsyncIterableIterator<string> {
  /** Stops: ends the source (and so the upstream request) unless it already ended. */
  return(): Promise<IteratorResult<string>>;
}

type Step = 'next' | 'return';

interface Waiter {
  readonly step: Step;
  readonly resolve: (result: IteratorResult<string>) => void;
  readonly reject: (error: unknown) => void;
}

function done(): IteratorResult<string> {
  return { value: undefined, done: true };
}

/** The iterator `encodeMessagesStream` returns; see the module's description. */
class MessagesStreamEncoder implements MessagesEventStream {
  readonly #source: AsyncIterable<StreamEvent>;
  readonly #frames: MessagesStreamFrames;
  #iterator: AsyncIterator<StreamEvent> | undefined;
  /** `open` while events are read; `finished` once `message_stop` was handed out; then `closed`. */
  #state: 'open' | 'finished' | 'closed' = 'open';
  /** A step is in progress; later calls wait in `#waiting`. */
  #busy = false;
  readonly #waiting: Waiter[] = [];

  constructor(source: AsyncIterable<StreamEvent>, options: EncodeMessagesStreamOptions) {
    this.#source = source;
    this.#frames = new MessagesStreamFrames(options);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** The frames of the next event(s) that add any. */
  next(): Promise<IteratorResult<string>> {
    return this.#schedule('next');
  }

  /** Stops: ends the source (and so the upstream request) unless it already ended. */
  return(): Promise<IteratorResult<string>> {
    return this.#schedule('return');
  }

  #schedule(step: Step): Promise<IteratorResult<string>> {
    if (this.#busy) return new Promise((resolve, reject) => this.#waiting.push({ step, resolve, reject }));
    return this.#run(step);
  }

  #run(step: Step): Promise<IteratorResult<string>> {
    if (this.#state === 'closed') return Promise.resolve(done());
    this.#busy = true;
    if (step === 'return') return this.#close();
    return this.#state === 'finished' ? this.#drain() : this.#pull();
  }

  /** Ends the current step and starts the next waiting one. Called in the step's last reaction. */
  #release(): void {
    this.#busy = false;
    const waiter = this.#waiting.shift();
    if (waiter !== undefined) this.#run(waiter.step).then(waiter.resolve, waiter.reject);
  }

  #pull(): Promise<IteratorResult<string>> {
    let pending: Promise<IteratorResult<StreamEvent>>;
    try {
      pending = (this.#iterator ??= this.#source[Symbol.asyncIterator]()).next();
    } catch (error) {
      pending = Promise.reject(error);
    }
    return pending.then(
      (result) => this.#onEvent(result),
      (error: unknown) => this.#onFailure(error),
    );
  }

  #onEvent(result: IteratorResult<StreamEvent>): IteratorResult<string> | Promise<IteratorResult<string>> {
    if (result.done === true) {
      return this.#onFailure(new SwitchyardError({ category: 'server', message: 'the answer stream ended before the answer was complete' }));
    }
    const frames = this.#frames.write(result.value);
    if (this.#frames.ended) this.#state = 'finished';
    // An event that adds no frame (usage, an empty delta): read on within this step.
    if (frames === '') return this.#pull();
    this.#release();
    return { value: frames, done: false };
  }

  #onFailure(error: unknown): IteratorResult<string> {
    this.#state = 'closed';
    this.#release();
    if (!this.#frames.started) throw error;
    return { value: this.#frames.fail(asSwitchyardError(error)), done: false };
  }

  /**
   * After `message_stop`: one more read lets the source end as it would under `for await`
   * (a source with more to give is ended instead). What it says now changes nothing sent.
   */
  #drain(): Promise<IteratorResult<string>> {
    this.#state = 'closed';
    const iterator = this.#iterator as AsyncIterator<StreamEvent>;
    let pending: Promise<unknown>;
    try {
      pending = iterator.next().then((result) => (result.done === true ? undefined : iterator.return?.()));
    } catch (error) {
      pending = Promise.reject(error);
    }
    const finish = (): IteratorResult<string> => {
      this.#release();
      return done();
    };
    return pending.then(finish, finish);
  }

  #close(): Promise<IteratorResult<string>> {
    const iterator = this.#iterator;
    this.#state = 'closed';
    let pending: Promise<unknown>;
    try {
      pending = Promise.resolve(iterator?.return?.());
    } catch (error) {
      pending = Promise.reject(error);
    }
    return pending.then(
      () => {
        this.#release();
        return done();
      },
      (error: unknown) => {
        this.#release();
        throw error;
      },
    );
  }
}

/**
 * The Messages API event stream for a unified stream; see the module's description. `id` is the
 * message id (`newMessageId()`), `requestedModel` the name the caller asked for,
 * `inputTokensHint` the input count `message_start` announces (the final count follows in
 * `message_delta`), `stopSequences` the request's `stop_sequences`.
 */
export function encodeMessagesStream(events: AsyncIterable<StreamEvent>, options: EncodeMessagesStreamOptions): MessagesEventStream {
  return new MessagesStreamEncoder(events, options);
}
