/**
 * Reads a Bedrock `InvokeModelWithResponseStream` body: AWS event-stream framing
 * (`application/vnd.amazon.eventstream`: binary messages, each with a length prelude, typed
 * headers, a payload and CRC32 checksums). Each `chunk` event carries `{ "bytes": "<base64>" }`,
 * the bytes being one Anthropic Messages stream event as JSON, which the Anthropic stream mapper
 * turns into parts exactly as it does for Anthropic's own SSE. An `exception` message is the
 * stream's error. Messages are decoded (and their checksums checked) by `@smithy/eventstream-codec`,
 * an optional peer dependency loaded on first use. The framing, the message kinds and the reading
 * loop (`streamEventStreamBody`) serve ConverseStream too (converse-stream.ts).
 */
import { SwitchyardError } from '../../src/errors.js';
import { loadOptionalModule } from '../../src/optional-module.js';
import type { AdapterStreamPart } from '../../src/provider-spec.js';
import { AnthropicStreamMapper, type AnthropicStreamContext } from '../anthropic/stream.js';
import { mapBedrockStreamException } from './errors.js';

/** One decoded event-stream message: string-valued headers and the raw payload. */
export interface EventStreamMessage {
  readonly headers: Readonly<Record<string, { readonly type: string; readonly value: unknown }>>;
  readonly body: Uint8Array;
}

/** Decodes one whole message (checking its checksums); throws on a corrupt one. */
export type EventStreamDecoder = (frame: Uint8Array) => EventStreamMessage;

/** What this module uses of `@smithy/eventstream-codec` and `@smithy/util-utf8`. */
interface CodecModule {
  readonly EventStreamCodec: new (toUtf8: (bytes: Uint8Array) => string, fromUtf8: (text: string) => Uint8Array) => { decode(frame: Uint8Array): EventStreamMessage };
}
interface Utf8Module {
  readonly toUtf8: (bytes: Uint8Array) => string;
  readonly fromUtf8: (text: string) => Uint8Array;
}

let decoder: Promise<EventStreamDecoder> | undefined;

/** The event-stream decoder, its modules loaded once per process. */
export function loadEventStreamDecoder(): Promise<EventStreamDecoder> {
  decoder ??= Promise.all([
    loadOptionalModule('@smithy/eventstream-codec', 'Bedrock streaming', () => import('@smithy/eventstream-codec') as Promise<unknown> as Promise<CodecModule>),
    loadOptionalModule('@smithy/util-utf8', 'Bedrock streaming', () => import('@smithy/util-utf8') as Promise<unknown> as Promise<Utf8Module>),
  ]).then(
    ([{ EventStreamCodec }, { toUtf8, fromUtf8 }]) => {
      const codec = new EventStreamCodec(toUtf8, fromUtf8);
      return (frame: Uint8Array) => codec.decode(frame);
    },
    (error: unknown) => {
      decoder = undefined;
      throw error;
    },
  );
  return decoder;
}

/** The smallest message: a 12-byte prelude and a 4-byte message checksum. */
const MINIMUM_MESSAGE_LENGTH = 16;

/** Cuts a byte stream into whole event-stream messages, whatever the chunking. */
export class EventStreamFramer {
  private pending: Uint8Array = new Uint8Array(0);

  /** The whole messages completed by `chunk`, in order. */
  push(chunk: Uint8Array): Uint8Array[] {
    let buffer = this.pending;
    if (buffer.length === 0) buffer = chunk;
    else {
      const joined = new Uint8Array(buffer.length + chunk.length);
      joined.set(buffer, 0);
      joined.set(chunk, buffer.length);
      buffer = joined;
    }
    const frames: Uint8Array[] = [];
    while (buffer.length >= 4) {
      const length = new DataView(buffer.buffer, buffer.byteOffset, 4).getUint32(0);
      if (length < MINIMUM_MESSAGE_LENGTH) throw new Error(`an event-stream message declares ${length} bytes, less than the minimum ${MINIMUM_MESSAGE_LENGTH}`);
      if (buffer.length < length) break;
      frames.push(buffer.subarray(0, length));
      buffer = buffer.subarray(length);
    }
    this.pending = buffer;
    return frames;
  }

  /** Bytes of a message not complete yet. */
  get pendingBytes(): number {
    return this.pending.length;
  }
}

/** A string header of `message`, or `undefined` when it is absent or not a string. */
export function stringHeader(message: EventStreamMessage, name: string): string | undefined {
  const value = message.headers[name]?.value;
  return typeof value === 'string' ? value : undefined;
}

const utf8 = new TextDecoder('utf-8');

/** A message payload's JSON; throws `server.malformed_response` naming `what` when it is not JSON. */
export function parseEventPayload(bytes: Uint8Array, what: string, provider: string): unknown {
  try {
    return JSON.parse(utf8.decode(bytes));
  } catch (error) {
    throw new SwitchyardError({ category: 'server', code: 'server.malformed_response', message: `${provider} sent ${what} that is not JSON`, provider, cause: error });
  }
}

/**
 * Whether `message` is an event. An `exception` message throws the stream's mapped error and an
 * `error` message a `server` one; any other kind is not an event.
 */
export function isEventMessage(message: EventStreamMessage, provider: string): boolean {
  const kind = stringHeader(message, ':message-type');
  if (kind === 'exception') throw mapBedrockStreamException(stringHeader(message, ':exception-type'), parseEventPayload(message.body, 'an exception payload', provider));
  if (kind === 'error') {
    const code = stringHeader(message, ':error-code') ?? 'error';
    throw new SwitchyardError({ category: 'server', message: `bedrock stream ${code}: ${stringHeader(message, ':error-message') ?? 'error without a message'}`, providerCode: code });
  }
  return kind === 'event';
}

/** Turns one stream's decoded messages into parts; one per stream. */
export interface EventStreamMessageMapper {
  message(message: EventStreamMessage, parts: AdapterStreamPart[]): void;
  /** At the end of the body: adds the last parts, or throws for a stream that ended too early. */
  end(parts: AdapterStreamPart[]): void;
}

/**
 * The parts `mapper` makes of an event-stream body. A body that ends inside a message throws
 * (`network`): never a silent truncation. Parts made before a failure reach the caller, then the
 * failure, stamped with the provider and model; returning the iterator ends the upstream request.
 */
export async function* streamEventStreamBody(
  body: AsyncIterable<Uint8Array>,
  decode: EventStreamDecoder,
  mapper: EventStreamMessageMapper,
  context: { readonly provider: string; readonly model: string },
): AsyncGenerator<AdapterStreamPart> {
  const framer = new EventStreamFramer();
  const parts: AdapterStreamPart[] = [];
  let failure: { readonly error: unknown } | undefined;
  try {
    for await (const chunk of body) {
      try {
        for (const frame of framer.push(chunk)) mapper.message(decode(frame), parts);
      } catch (error) {
        failure = { error };
      }
      if (parts.length > 0) yield* parts.splice(0);
      if (failure !== undefined) break;
    }
    if (failure === undefined) {
      if (framer.pendingBytes > 0) throw new SwitchyardError({ category: 'network', code: 'network.closed', message: `${context.provider} stream ended inside an event-stream message`, provider: context.provider, model: context.model });
      mapper.end(parts);
      if (parts.length > 0) yield* parts.splice(0);
    }
  } catch (error) {
    failure ??= { error };
  }
  if (failure !== undefined) {
    const { error } = failure;
    // A corrupt frame (bad checksum, bad prelude) is the upstream's fault, not the caller's.
    const base = SwitchyardError.isInstance(error) ? error : new SwitchyardError({ category: 'server', code: 'server.malformed_response', message: `${context.provider} sent a malformed event stream: ${error instanceof Error ? error.message : String(error)}`, cause: error });
    throw base.with({ provider: base.provider ?? context.provider, model: base.model ?? context.model });
  }
}

/** Hands one message to the mapper: a chunk's Anthropic event, or the stream's exception. */
function mapMessage(message: EventStreamMessage, mapper: AnthropicStreamMapper, parts: AdapterStreamPart[], provider: string): void {
  if (!isEventMessage(message, provider) || stringHeader(message, ':event-type') !== 'chunk') return; // future event types are tolerated
  const payload = parseEventPayload(message.body, 'a chunk payload', provider);
  const bytes = typeof payload === 'object' && payload !== null ? (payload as { bytes?: unknown }).bytes : undefined;
  if (typeof bytes !== 'string') throw new SwitchyardError({ category: 'server', code: 'server.malformed_response', message: `${provider} sent a chunk without bytes`, provider });
  // The event's data names its type (`message_start`, …), which the Anthropic mapper reads.
  mapper.event({ event: 'message', data: Buffer.from(bytes, 'base64').toString('utf8') }, parts);
}

/**
 * The parts of a Bedrock response stream (an upstream response's body), mapped by the Anthropic
 * stream mapper. A stream that ends before Anthropic's `message_stop` throws (`network`).
 */
export function streamBedrockBody(body: AsyncIterable<Uint8Array>, decode: EventStreamDecoder, context: AnthropicStreamContext): AsyncGenerator<AdapterStreamPart> {
  const mapper = new AnthropicStreamMapper(context);
  return streamEventStreamBody(
    body,
    decode,
    {
      message: (message, parts) => {
        mapMessage(message, mapper, parts, context.provider);
      },
      end: () => {
        mapper.end();
      },
    },
    context,
  );
}
