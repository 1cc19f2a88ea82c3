/**
 * A server-sent events parser per the WHATWG spec: LF, CR and CRLF line ends, comments,
 * multi-line `data`, chunks split anywhere (even inside a multi-byte character), and no limit on
 * line length (tool-call arguments larger than 64 KiB arrive as one line).
 */
import { StringDecoder } from 'node:string_decoder';
import type { Mutable } from '../mutable.js';

/** One dispatched SSE event. `event` is `message` when the stream named none. */
export interface SseEvent {
  readonly event: string;
  readonly data: string;
  readonly id?: string;
}

/** Incremental parser: feed text, take complete events. Exposed for tests and custom transports. */
export class SseParser {
  /** Pieces of the line not yet ended; kept apart so a long line is never rescanned or recopied. */
  private pending: string[] = [];
  private eventName = '';
  private readonly data: string[] = [];
  private lastId: string | undefined;
  private sawCarriageReturn = false;

  /** Adds decoded text and returns the events it completed. */
  push(text: string): SseEvent[] {
    const events: SseEvent[] = [];
    let start = 0;
    // A CRLF split across two chunks: the LF belongs to the line already ended by CR.
    if (this.sawCarriageReturn && text.charCodeAt(0) === 10) start = 1;
    this.sawCarriageReturn = false;
    const length = text.length;
    // Line ends are found with indexOf, which the engine runs natively, rather than by testing
    // every character in a loop. CR is rare (most servers end lines with LF alone): its next
    // position is looked up again only once a line end at or past it has been passed.
    let nextLf = text.indexOf('\n', start);
    let nextCr = text.indexOf('\r', start);
    while (nextLf !== -1 || nextCr !== -1) {
      const index = nextCr === -1 || (nextLf !== -1 && nextLf < nextCr) ? nextLf : nextCr;
      let line = text.slice(start, index);
      if (this.pending.length > 0) {
        this.pending.push(line);
        line = this.pending.join('');
        this.pending = [];
      }
      this.processLine(line, events);
      let end = index;
      if (index === nextCr) {
        if (index + 1 < length) {
          if (text.charCodeAt(index + 1) === 10) end = index + 1;
        } else {
          this.sawCarriageReturn = true;
        }
      }
      start = end + 1;
      if (nextLf !== -1 && nextLf < start) nextLf = text.indexOf('\n', start);
      if (nextCr !== -1 && nextCr < start) nextCr = text.indexOf('\r', start);
    }
    if (start < length) this.pending.push(start === 0 ? text : text.slice(start));
    return events;
  }

  /** Ends the stream; an event without its terminating blank line is discarded, per spec. */
  end(): SseEvent[] {
    const events: SseEvent[] = [];
    if (this.pending.length > 0) {
      this.processLine(this.pending.join(''), events);
      this.pending = [];
    }
    return events;
  }

  // Runs for every line of every stream: no slice of the field name, one slice for the value, no
  // spread for the optional id, and the data lines' array is reused from event to event.
  private processLine(line: string, events: SseEvent[]): void {
    if (line.length === 0) {
      if (this.data.length > 0) {
        const event: Mutable<SseEvent> = { event: this.eventName || 'message', data: this.data.length === 1 ? (this.data[0] as string) : this.data.join('\n') };
        if (this.lastId !== undefined) event.id = this.lastId;
        events.push(event);
      }
      this.data.length = 0;
      this.eventName = '';
      return;
    }
    if (line.charCodeAt(0) === 58) return; // ':' comment (keep-alive pings)
    // `field:value`, or a field alone; one space after the colon is not part of the value.
    const colon = line.indexOf(':');
    const fieldLength = colon === -1 ? line.length : colon;
    let valueStart = colon === -1 ? line.length : colon + 1;
    if (line.charCodeAt(valueStart) === 32) valueStart += 1;
    if (fieldLength === 4 && line.startsWith('data')) {
      this.data.push(line.slice(valueStart));
    } else if (fieldLength === 5 && line.startsWith('event')) {
      this.eventName = line.slice(valueStart);
    } else if (fieldLength === 2 && line.startsWith('id')) {
      const value = line.slice(valueStart);
      if (!value.includes('\0')) this.lastId = value;
    }
    // `retry` and unknown fields are ignored.
  }
}

/**
 * Parses a byte stream into SSE events. Errors from the source propagate unchanged. Bytes are
 * decoded as UTF-8 with a `StringDecoder` (a character split across chunks is joined, invalid
 * bytes become U+FFFD, as `TextDecoder` does, at a third of its cost per chunk), and a byte-order
 * mark at the start of the stream is dropped, as the SSE spec's UTF-8 decode does.
 */
export async function* parseSse(source: AsyncIterable<Uint8Array>): AsyncGenerator<SseEvent> {
  const decoder = new StringDecoder('utf8');
  const parser = new SseParser();
  let started = false;
  for await (const chunk of source) {
    let text = decoder.write(chunk);
    if (!started && text !== '') {
      started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    const events = parser.push(text);
    for (const event of events) yield event;
  }
  let tail = decoder.end();
  if (!started && tail.charCodeAt(0) === 0xfeff) tail = tail.slice(1);
  for (const event of parser.push(tail)) yield event;
  for (const event of parser.end()) yield event;
}
