/**
 * A byte stream of server-sent events mapped to parts in one step: chunks are decoded, split into
 * events by `SseParser`, and each event is handed to a synchronous mapper that adds the parts it
 * produces to a queue. Providers' stream adapters are mappers; this reads, queues and hands out.
 *
 * A hand-written async iterator rather than `parseSse` feeding a mapping async generator: with
 * generators every event paid a `yield` (and its promises and microtask turns) in each of the two,
 * and at 64 streams in flight that cost more client CPU than the mapping itself. Here an event
 * costs one resolved promise per part it produces, and a chunk one reaction.
 *
 * It keeps the generators' contract: parts come out in the order the events produced them, also
 * when a later event of the same chunk fails (the failure comes after them); an error from the
 * source or the mapper is thrown through `mapper.fail` and ends the iteration; `return()` ends the
 * source's iteration (and with it an upstream response's body); `next()` calls that overlap wait
 * their turn; after the end every `next()` reports done.
 */
import { StringDecoder } from 'node:string_decoder';
import { SseParser, type SseEvent } from './sse.js';

/** Maps one stream's events to parts; one per stream, it may keep state between events. */
export interface SseEventMapper<Part> {
  /** Adds the parts `event` produces (none, one or several) to `parts`; throws to fail the stream. */
  event(event: SseEvent, parts: Part[]): void;
  /** The events ended: adds any last parts, or throws (a stream that ended before its last event). */
  end(parts: Part[]): void;
  /** What to throw for an error from the source, from `event` or from `end`. */
  fail(error: unknown): unknown;
}

type Phase = 'reading' | 'draining' | 'done';

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

/**
 * The parts `mapper` makes of the SSE byte stream `source`. The source is iterated from the first
 * `next()`.
 *
 * @example
 * const parts = mapSseStream(response.body, new AnthropicStreamMapper({ provider: 'anthropic', model }));
 */
export function mapSseStream<Part>(source: AsyncIterable<Uint8Array>, mapper: SseEventMapper<Part>): AsyncIterableIterator<Part> {
  return new SseStream(source, mapper);
}

class SseStream<Part> implements AsyncIterableIterator<Part> {
  private readonly decoder = new StringDecoder('utf8');
  private readonly parser = new SseParser();
  private chunks: AsyncIterator<Uint8Array> | undefined;
  /** Parts made but not handed out yet, from `nextPart` on. */
  private readonly parts: Part[] = [];
  private nextPart = 0;
  /** The first text decoded (a byte-order mark at the very start is dropped). */
  private started = false;
  /** `reading` the source; `draining` the queue once it ended or failed; then `done`. */
  private phase: Phase = 'reading';
  /** A failure to throw once the parts made before it are handed out. */
  private failure: { readonly error: unknown } | undefined;
  /** The read in progress, which a `next()` or `return()` arriving meanwhile waits for. */
  private reading: Promise<IteratorResult<Part>> | undefined;

  private readonly onChunk = (step: IteratorResult<Uint8Array>): IteratorResult<Part> | Promise<IteratorResult<Part>> => {
    this.reading = undefined;
    try {
      if (step.done === true) this.endEvents();
      else this.feed(this.decoder.write(step.value));
    } catch (error) {
      this.failWith(error);
    }
    return this.phase === 'reading' ? (this.queued() ?? this.read()) : this.drained();
  };

  private readonly onSourceError = (error: unknown): never => {
    this.reading = undefined;
    this.phase = 'done';
    throw this.mapper.fail(error);
  };

  constructor(
    private readonly source: AsyncIterable<Uint8Array>,
    private readonly mapper: SseEventMapper<Part>,
  ) {}

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<Part>> {
    if (this.reading !== undefined) return this.reading.then(() => this.next(), () => this.next());
    switch (this.phase) {
      case 'reading':
        return this.queued() ?? this.read();
      case 'draining':
        try {
          return Promise.resolve(this.drained());
        } catch (error) {
          return Promise.reject(error);
        }
      default:
        return Promise.resolve(DONE);
    }
  }

  /** Stops reading and ends the source's iteration. */
  return(): Promise<IteratorResult<Part>> {
    if (this.reading !== undefined) return this.reading.then(() => this.return(), () => this.return());
    const wasDone = this.phase === 'done';
    this.phase = 'done';
    this.parts.length = 0;
    const closing = wasDone ? undefined : this.chunks?.return?.();
    if (closing === undefined) return Promise.resolve(DONE);
    return closing.then(
      () => DONE,
      (error: unknown) => {
        throw this.mapper.fail(error);
      },
    );
  }

  private read(): Promise<IteratorResult<Part>> {
    let step: Promise<IteratorResult<Uint8Array>>;
    try {
      this.chunks ??= this.source[Symbol.asyncIterator]();
      step = this.chunks.next();
    } catch (error) {
      this.phase = 'done';
      return Promise.reject(this.mapper.fail(error));
    }
    const reading = step.then(this.onChunk, this.onSourceError);
    this.reading = reading;
    return reading;
  }

  /** The next part made, as a resolved step, when there is one. */
  private queued(): Promise<IteratorResult<Part>> | undefined {
    if (this.nextPart === this.parts.length) return undefined;
    return Promise.resolve({ done: false, value: this.take() });
  }

  /** After the source: the parts left, then the failure if there was one, then done. */
  private drained(): IteratorResult<Part> {
    if (this.nextPart < this.parts.length) return { done: false, value: this.take() };
    this.phase = 'done';
    const failure = this.failure;
    if (failure === undefined) return DONE;
    this.failure = undefined;
    throw this.mapper.fail(failure.error);
  }

  private take(): Part {
    const part = this.parts[this.nextPart] as Part;
    this.nextPart += 1;
    if (this.nextPart === this.parts.length) {
      this.parts.length = 0;
      this.nextPart = 0;
    }
    return part;
  }

  private feed(text: string): void {
    if (!this.started && text !== '') {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    const events = this.parser.push(text);
    for (let index = 0; index < events.length; index += 1) this.mapper.event(events[index] as SseEvent, this.parts);
  }

  private endEvents(): void {
    this.phase = 'draining';
    let tail = this.decoder.end();
    if (!this.started && tail.charCodeAt(0) === 0xfeff) tail = tail.slice(1);
    for (const event of this.parser.push(tail)) this.mapper.event(event, this.parts);
    for (const event of this.parser.end()) this.mapper.event(event, this.parts);
    this.mapper.end(this.parts);
  }

  /** A mapping failure: thrown after the parts made before it; the source's iteration ends now. */
  private failWith(error: unknown): void {
    this.failure = { error };
    this.phase = 'draining';
    void this.chunks?.return?.()?.then(undefined, ignore);
  }
}

function ignore(): void {}
