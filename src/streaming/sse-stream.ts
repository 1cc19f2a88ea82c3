/**
 * A byte stream of server-sent events mapped to parts in one step: chunks are decoded, split into
 * events by `SseParser`, and each event is handed to a synchronous mapper that adds the parts it
 * produces to a queue. Providers' stream adapters are mappers; this reads, queues and hands out.
 *
 * Parts come out in the order the events produced them, also when a later event of the same chunk
 * fails (the failure comes after them); an error from the source or the mapper is thrown through
 * `mapper.fail` and ends the iteration; `return()` ends the source's iteration (and with it an
 * upstream response's body). The iterator contract itself is `PullIterator`'s.
 */
import { StringDecoder } from 'node:string_decoder';
import { DONE, PullIterator, type Pulled } from './pull-iterator.js';
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

class SseStream<Part> extends PullIterator<Part, IteratorResult<Uint8Array>> {
  private readonly events: SseEvents<Part>;
  private chunks: AsyncIterator<Uint8Array> | undefined;
  /** Parts made but not handed out yet, from `nextPart` on. */
  private readonly parts: Part[] = [];
  private nextPart = 0;
  /** True until the source ended, failed or was ended: a consumer that stops before then ends it. */
  private open = true;
  /** A mapping failure, thrown once the parts made before it are handed out. */
  private failure: { readonly error: unknown } | undefined;

  constructor(
    private readonly source: AsyncIterable<Uint8Array>,
    private readonly mapper: SseEventMapper<Part>,
  ) {
    super();
    this.events = new SseEvents(mapper);
  }

  /** A part made, else the next chunk while the source is open, else the failure or the end. */
  protected pull(): Pulled<Part, IteratorResult<Uint8Array>> {
    if (this.nextPart < this.parts.length) return { done: false, value: this.take() };
    if (!this.open) return this.drained();
    try {
      this.chunks ??= this.source[Symbol.asyncIterator]();
    } catch (error) {
      this.open = false;
      throw this.mapper.fail(error);
    }
    return this.nextOf(this.chunks);
  }

  protected received(step: IteratorResult<Uint8Array>): Pulled<Part, IteratorResult<Uint8Array>> {
    try {
      if (step.done === true) {
        this.open = false;
        this.events.end(this.parts);
      } else {
        this.events.feed(step.value, this.parts);
      }
    } catch (error) {
      this.failure = { error };
      // The parts made before the failure are still handed out; the source is not read again.
      if (this.open) void this.chunks?.return?.().then(undefined, ignore);
      this.open = false;
    }
    return this.pull();
  }

  protected override failed(error: unknown): never {
    this.open = false;
    throw this.mapper.fail(error);
  }

  protected override stop(): Promise<unknown> | undefined {
    this.parts.length = 0;
    if (!this.open) return undefined;
    this.open = false;
    return this.chunks?.return?.().then(undefined, (error: unknown) => {
      throw this.mapper.fail(error);
    });
  }

  /** After the source: the failure if there was one, else the end. */
  private drained(): IteratorResult<Part> {
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
}

/** One stream's bytes to mapped events: UTF-8 decoding (a leading byte-order mark dropped) and SSE framing. */
class SseEvents<Part> {
  private readonly decoder = new StringDecoder('utf8');
  private readonly parser = new SseParser();
  /** The first text decoded (a byte-order mark at the very start is dropped). */
  private started = false;

  constructor(private readonly mapper: SseEventMapper<Part>) {}

  feed(chunk: Uint8Array, parts: Part[]): void {
    let text = this.decoder.write(chunk);
    if (!this.started && text !== '') {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    const events = this.parser.push(text);
    for (let index = 0; index < events.length; index += 1) this.mapper.event(events[index] as SseEvent, parts);
  }

  end(parts: Part[]): void {
    let tail = this.decoder.end();
    if (!this.started && tail.charCodeAt(0) === 0xfeff) tail = tail.slice(1);
    for (const event of this.parser.push(tail)) this.mapper.event(event, parts);
    for (const event of this.parser.end()) this.mapper.event(event, parts);
    this.mapper.end(parts);
  }
}

function ignore(): void {}
