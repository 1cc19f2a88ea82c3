/**
 * A unified event stream → the SSE text of a Chat Completions stream, frame by frame.
 *
 * The first frame is made only when the first event arrives, so a call that fails before any
 * output (the router retries and falls back until then) rejects the first `next()` and the server
 * can still answer an ordinary HTTP error. A failure after that ends the text with an error frame
 * in the API's shape and no `[DONE]`: the `openai` SDK throws on a data frame that carries an
 * `error` (its `Stream.fromSSEResponse`, `core/streaming.ts`), whereas a stream that just stops is
 * read as a clean end.
 *
 * A hand-written async iterator, not an async generator, like the router's own stream layers (see
 * docs/architecture.md): it runs for every event of every stream the gateway serves. `next()` and
 * `return()` calls made before the previous one settled wait their turn; after the end every
 * `next()` reports done.
 */
import { SwitchyardError } from '../../../errors.js';
import type { ChatResponse, StreamEvent } from '../../../types.js';
import { ChunkFrames, DONE_FRAME } from './chunk-frames.js';
import { chatCompletionId } from './completion-fields.js';
import { openAIErrorObject } from './openai-error.js';
import { urlAnnotations } from './url-annotations.js';
import { upstreamFactsOf } from '../upstream-facts.js';

/** Options of `encodeChatCompletionStream`. */
export interface ChatCompletionStreamOptions {
  /** The completion id every chunk carries; `chatcmpl-` is added when missing. */
  readonly id: string;
  /** The model the client asked for, named in every chunk. */
  readonly requestedModel: string;
  /** `stream_options.include_usage`: `usage: null` on every chunk, and a last chunk with the usage. */
  readonly includeUsage: boolean;
  /** Unix seconds, the same in every chunk. */
  readonly created: number;
}

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

/**
 * The SSE frames (`data: …\n\n`, one per string) for a stream's events: a first chunk with
 * `delta: { role: 'assistant', content: '' }`, a chunk per text delta (and per reasoning delta, as
 * DeepSeek's `delta.reasoning_content`), a chunk per tool-call
 * argument delta (the call's first one with its id and name; a call that streamed no deltas goes
 * whole in one chunk), when the answer cites web pages one chunk with all its `delta.annotations`
 * (as `message.annotations` of the whole answer), a last chunk with an empty delta and `finish_reason` (and the gateway's
 * `switchyard` field: see `upstream-facts.ts`), the usage chunk
 * (with `includeUsage`), then `data: [DONE]`. Ending the iteration early (`return()`) ends the
 * event stream, which cancels the upstream request.
 *
 * @throws the events' own error when they fail before the first frame; after it, the failure
 *   becomes an error frame and the frames end without `[DONE]`.
 */
export function encodeChatCompletionStream(events: AsyncIterable<StreamEvent>, options: ChatCompletionStreamOptions): AsyncIterable<string> {
  return { [Symbol.asyncIterator]: () => new ChatCompletionFrameIterator(events, options) };
}

/** One stream's frames; see the module's description. */
class ChatCompletionFrameIterator implements AsyncIterator<string> {
  private readonly frames: ChunkFrames;
  private readonly includeUsage: boolean;
  private source: AsyncIterator<StreamEvent> | undefined;
  /** Frames made but not handed out yet (an event can make several). */
  private readonly queue: string[] = [];
  private started = false;
  /** No more events will be read: the source ended, failed or was returned. */
  private ended = false;
  private toolCalls = 0;
  /** The index of each tool call whose arguments went out as deltas, by id. */
  private readonly streamedToolCalls = new Map<string, number>();
  private response: ChatResponse | undefined;
  /** The step in progress, which a `next()` or `return()` arriving meanwhile waits for. */
  private pending: Promise<IteratorResult<string>> | undefined;

  private readonly onStep = (step: IteratorResult<StreamEvent>): IteratorResult<string> | Promise<IteratorResult<string>> => {
    if (step.done === true) {
      this.ended = true;
      if (this.response === undefined && !this.started) {
        this.pending = undefined;
        throw new SwitchyardError({ category: 'server', message: 'the stream ended without a finish event' });
      }
      this.end();
    } else {
      this.encode(step.value);
    }
    // An event with nothing to send (usage, finish) reads on, under the same pending step.
    return this.queue.length > 0 || this.ended ? this.released(this.shift()) : this.read();
  };

  private readonly onFailure = (error: unknown): IteratorResult<string> => {
    this.ended = true;
    if (!this.started) {
      this.pending = undefined;
      throw error;
    }
    this.queue.push(ChunkFrames.error(openAIErrorObject(asSwitchyardError(error))));
    return this.released(this.shift());
  };

  constructor(
    private readonly events: AsyncIterable<StreamEvent>,
    options: ChatCompletionStreamOptions,
  ) {
    this.frames = new ChunkFrames({ id: chatCompletionId(options.id), model: options.requestedModel, created: options.created, includeUsage: options.includeUsage });
    this.includeUsage = options.includeUsage;
  }

  next(): Promise<IteratorResult<string>> {
    if (this.pending !== undefined) return this.pending.then(() => this.next(), () => this.next());
    if (this.queue.length > 0) return Promise.resolve(this.shift());
    if (this.ended) return Promise.resolve(DONE);
    this.pending = this.read();
    return this.pending;
  }

  return(): Promise<IteratorResult<string>> {
    if (this.pending !== undefined) return this.pending.then(() => this.return(), () => this.return());
    this.queue.length = 0;
    if (this.ended) return Promise.resolve(DONE);
    this.ended = true;
    const closing = Promise.resolve(this.source?.return?.()).then(() => this.released(DONE), (error: unknown) => {
      this.pending = undefined;
      throw error;
    });
    this.pending = closing;
    return closing;
  }

  /** Reads the next event. */
  private read(): Promise<IteratorResult<string>> {
    let step: Promise<IteratorResult<StreamEvent>>;
    try {
      this.source ??= this.events[Symbol.asyncIterator]();
      step = this.source.next();
    } catch (error) {
      step = Promise.reject(error);
    }
    return step.then(this.onStep, this.onFailure);
  }

  private encode(event: StreamEvent): void {
    switch (event.type) {
      case 'text-delta':
        this.start();
        if (event.text !== '') this.queue.push(this.frames.text(event.text));
        return;
      case 'reasoning-delta':
        // DeepSeek's `reasoning_content` delta: Chat Completions has no field for reasoning text.
        this.start();
        if (event.text !== '') this.queue.push(this.frames.reasoning(event.text));
        return;
      case 'tool-call-delta': {
        this.start();
        const index = this.streamedToolCalls.get(event.toolCallId);
        if (index !== undefined) {
          this.queue.push(this.frames.toolCallArguments(index, event.argumentsDelta));
          return;
        }
        this.streamedToolCalls.set(event.toolCallId, this.toolCalls);
        this.queue.push(this.frames.toolCallArguments(this.toolCalls, event.argumentsDelta, { id: event.toolCallId, name: event.toolName }));
        this.toolCalls += 1;
        return;
      }
      case 'tool-call':
        // A call whose arguments streamed as deltas was sent already; one without (a custom adapter's) goes whole.
        if (this.streamedToolCalls.has(event.toolCall.id)) return;
        this.start();
        this.queue.push(this.frames.toolCall(this.toolCalls, event.toolCall));
        this.toolCalls += 1;
        return;
      case 'citations':
        // Sent once, from the finish event's text parts: the SDK's `ChatCompletionStream` keeps only
        // the last `delta.annotations` it reads, so one chunk per cited block would lose the earlier ones.
        return;
      case 'usage':
        // The finish event's response carries the same usage, and it is the one sent.
        return;
      case 'finish':
        // The frames wait for the end of the events, so that nothing is sent after `[DONE]`.
        this.response = event.response;
        return;
    }
  }

  /** The events ended: the last frames, or an error frame when they ended without `finish`. */
  private end(): void {
    const response = this.response;
    if (response === undefined) {
      const error = new SwitchyardError({ category: 'server', message: 'the stream ended without a finish event' });
      this.queue.push(ChunkFrames.error(openAIErrorObject(error)));
      return;
    }
    this.start();
    const annotations = urlAnnotations(response.textParts);
    if (annotations.length > 0) this.queue.push(this.frames.annotations(annotations));
    this.queue.push(this.frames.finish(response.finishReason, upstreamFactsOf(response)));
    if (this.includeUsage) this.queue.push(this.frames.usage(response.usage));
    this.queue.push(DONE_FRAME);
  }

  /** The role chunk, before the first frame. */
  private start(): void {
    if (this.started) return;
    this.started = true;
    this.queue.push(this.frames.role());
  }

  private shift(): IteratorResult<string> {
    const frame = this.queue.shift();
    return frame === undefined ? DONE : { done: false, value: frame };
  }

  private released(result: IteratorResult<string>): IteratorResult<string> {
    this.pending = undefined;
    return result;
  }
}

/** A failure as a `SwitchyardError`; anything else the events threw is an `unknown` error. */
function asSwitchyardError(error: unknown): SwitchyardError {
  if (SwitchyardError.isInstance(error)) return error;
  return new SwitchyardError({ category: 'unknown', message: 'the stream failed', cause: error });
}
