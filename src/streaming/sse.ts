/**
 * A server-sent events parser per the WHATWG spec: LF, CR and CRLF line ends, comments,
 * multi-line `data`, chunks split anywhere (even inside a multi-byte character), and no limit on
 * line length (tool-call arguments larger than 64 KiB arrive as one line).
 */
import { StringDecoder } from 'node:string_decoder';

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
  private data: string[] = [];
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
    for (let index = start; index < length; index += 1) {
      const code = text.charCodeAt(index);
      if (code !== 10 && code !== 13) continue;
      let line = text.slice(start, index);
      if (this.pending.length > 0) {
        this.pending.push(line);
        line = this.pending.join('');
        this.pending = [];
      }
      this.processLine(line, events);
      if (code === 13) {
        if (index + 1 < length) {
          if (text.charCodeAt(index + 1) === 10) index += 1;
        } else {
          this.sawCarriageReturn = true;
        }
      }
      start = index + 1;
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

  private processLine(line: string, events: SseEvent[]): void {
    if (line.length === 0) {
      if (this.data.length > 0) {
        events.push({ event: this.eventName || 'message', data: this.data.join('\n'), ...(this.lastId === undefined ? {} : { id: this.lastId }) });
      }
      this.data = [];
      this.eventName = '';
      return;
    }
    if (line.charCodeAt(0) === 58) return; // ':' comment (keep-alive pings)
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    switch (field) {
      case 'data':
        this.data.push(value);
        break;
      case 'event':
        this.eventName = value;
        break;
      case 'id':
        if (!value.includes('\0')) this.lastId = value;
        break;
      default:
        break; // `retry` and unknown fields are ignored
    }
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
