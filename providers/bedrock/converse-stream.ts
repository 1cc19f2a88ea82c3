/**
 * Reads a ConverseStream body: AWS event-stream messages (framed and checked as for InvokeModel's
 * stream, event-stream.ts) whose `:event-type` names the event and whose payload is the event's
 * JSON: `messageStart { role }`, `contentBlockStart { contentBlockIndex, start: { toolUse: {
 * toolUseId, name } } }`, `contentBlockDelta { contentBlockIndex, delta: { text } | { toolUse: {
 * input } } | { reasoningContent: { text } | { signature } | { redactedContent } } }`,
 * `contentBlockStop { contentBlockIndex }`, `messageStop { stopReason }`, then `metadata { usage,
 * metrics: { latencyMs } }`. An `exception` message is the stream's error.
 * Reference: https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ConverseStreamOutput.html
 * (and its member types ContentBlockDeltaEvent, ReasoningContentBlockDelta, ConverseStreamMetadataEvent).
 *
 * A stream is complete with `messageStop`; one that ends before it throws (`network`). Usage comes
 * with `metadata`, after `messageStop`: the finish part waits for it, or for the end of the body.
 */
import { SwitchyardError } from '../../src/errors.js';
import { parseToolArguments } from '../../src/http/post-json.js';
import type { Mutable } from '../../src/mutable.js';
import type { AdapterStreamPart } from '../../src/provider-spec.js';
import type { ProviderMetadata, ReasoningPart } from '../../src/types.js';
import { mapBedrockStreamException } from './errors.js';
import { BEDROCK_REASONING_PROVIDER } from './converse-reasoning.js';
import { mapConverseStopReason, mapConverseUsage } from './converse-response.js';
import { EventStreamFramer, type EventStreamDecoder, type EventStreamMessage } from './event-stream.js';

/** Who is streaming, stamped on every error the stream throws. */
export interface ConverseStreamContext {
  readonly provider: string;
  readonly model: string;
  /** The response's id (Bedrock's request id). */
  readonly id: string;
  /** Put on the stream's `response-metadata` part. */
  readonly providerMetadata?: ProviderMetadata;
}

/** A content block being received. */
type OpenBlock =
  | { readonly kind: 'tool'; readonly id: string; readonly name: string; readonly json: string[] }
  | { kind: 'reasoning'; text: string; signature?: string; redacted?: string };

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringHeader(message: EventStreamMessage, name: string): string | undefined {
  const value = message.headers[name]?.value;
  return typeof value === 'string' ? value : undefined;
}

const utf8 = new TextDecoder('utf-8');

function parsePayload(bytes: Uint8Array, what: string, provider: string): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(bytes));
  } catch (error) {
    throw new SwitchyardError({ category: 'server', code: 'server.malformed_response', message: `${provider} sent ${what} that is not JSON`, provider, cause: error });
  }
  return isObject(value) ? value : {};
}

/** Turns one ConverseStream's events into stream parts; one per stream. */
class ConverseStreamMapper {
  private readonly blocks = new Map<number, OpenBlock>();
  private stopReason: string | undefined;
  private stopped = false;
  private finished = false;

  constructor(private readonly context: ConverseStreamContext) {}

  message(message: EventStreamMessage, parts: AdapterStreamPart[]): void {
    const { provider } = this.context;
    const kind = stringHeader(message, ':message-type');
    if (kind === 'exception') throw mapBedrockStreamException(stringHeader(message, ':exception-type'), parsePayload(message.body, 'an exception payload', provider));
    if (kind === 'error') {
      const code = stringHeader(message, ':error-code') ?? 'error';
      throw new SwitchyardError({ category: 'server', message: `bedrock stream ${code}: ${stringHeader(message, ':error-message') ?? 'error without a message'}`, providerCode: code });
    }
    if (kind !== 'event' || this.finished) return;
    const type = stringHeader(message, ':event-type');
    const payload = parsePayload(message.body, `a ${type ?? 'stream'} event`, provider);
    const index = typeof payload.contentBlockIndex === 'number' ? payload.contentBlockIndex : -1;
    switch (type) {
      case 'messageStart': {
        const metadata: Mutable<Extract<AdapterStreamPart, { type: 'response-metadata' }>> = { type: 'response-metadata', id: this.context.id };
        if (this.context.providerMetadata !== undefined) metadata.providerMetadata = this.context.providerMetadata;
        parts.push(metadata);
        break;
      }
      case 'contentBlockStart': {
        const toolUse = isObject(payload.start) && isObject(payload.start.toolUse) ? payload.start.toolUse : undefined;
        if (toolUse !== undefined) {
          if (typeof toolUse.toolUseId !== 'string' || typeof toolUse.name !== 'string') throw new SwitchyardError({ category: 'server', code: 'server.malformed_response', message: `${provider} started a toolUse block without a toolUseId and name`, provider });
          this.blocks.set(index, { kind: 'tool', id: toolUse.toolUseId, name: toolUse.name, json: [] });
        }
        break;
      }
      case 'contentBlockDelta':
        this.delta(index, isObject(payload.delta) ? payload.delta : {}, parts);
        break;
      case 'contentBlockStop':
        this.stop(index, parts);
        break;
      case 'messageStop':
        this.stopped = true;
        if (typeof payload.stopReason === 'string') this.stopReason = payload.stopReason;
        break;
      case 'metadata':
        parts.push({ type: 'usage', usage: mapConverseUsage(payload.usage) });
        if (this.stopped) this.finish(parts);
        break;
      default:
        break; // future event types are tolerated
    }
  }

  private delta(index: number, delta: JsonObject, parts: AdapterStreamPart[]): void {
    if (typeof delta.text === 'string') {
      if (delta.text !== '') parts.push({ type: 'text-delta', text: delta.text });
      return;
    }
    const block = this.blocks.get(index);
    if (isObject(delta.toolUse) && block?.kind === 'tool' && typeof delta.toolUse.input === 'string') {
      block.json.push(delta.toolUse.input);
      if (delta.toolUse.input !== '') parts.push({ type: 'tool-call-delta', toolCallId: block.id, toolName: block.name, argumentsDelta: delta.toolUse.input });
      return;
    }
    if (!isObject(delta.reasoningContent)) return; // citations carry nothing the unified shape holds
    const reasoning = block?.kind === 'reasoning' ? block : { kind: 'reasoning' as const, text: '' };
    this.blocks.set(index, reasoning);
    const { text, signature, redactedContent } = delta.reasoningContent;
    if (typeof text === 'string' && text !== '') {
      reasoning.text += text;
      parts.push({ type: 'reasoning-delta', text });
    }
    if (typeof signature === 'string') reasoning.signature = (reasoning.signature ?? '') + signature;
    if (typeof redactedContent === 'string') reasoning.redacted = (reasoning.redacted ?? '') + redactedContent;
  }

  private stop(index: number, parts: AdapterStreamPart[]): void {
    const block = this.blocks.get(index);
    this.blocks.delete(index);
    if (block?.kind === 'tool') {
      const json = block.json.join('');
      const args = parseToolArguments(json, this.context.provider, block.name);
      if (json.trim() === '') parts.push({ type: 'tool-call-delta', toolCallId: block.id, toolName: block.name, argumentsDelta: JSON.stringify(args) });
      parts.push({ type: 'tool-call', toolCall: { id: block.id, name: block.name, arguments: args } });
    } else if (block?.kind === 'reasoning') {
      const part: Mutable<ReasoningPart> =
        block.redacted === undefined ? { type: 'reasoning', text: block.text, provider: BEDROCK_REASONING_PROVIDER } : { type: 'reasoning', text: '', redactedData: block.redacted, provider: BEDROCK_REASONING_PROVIDER };
      if (block.redacted === undefined && block.signature !== undefined && block.signature !== '') part.signature = block.signature;
      parts.push({ type: 'reasoning', part });
    }
  }

  private finish(parts: AdapterStreamPart[]): void {
    this.finished = true;
    const finish: Mutable<Extract<AdapterStreamPart, { type: 'finish' }>> = { type: 'finish', finishReason: mapConverseStopReason(this.stopReason) };
    if (this.stopReason !== undefined) finish.rawFinishReason = this.stopReason;
    parts.push(finish);
  }

  /** At the end of the body: finishes a stream that stopped without `metadata`; throws for one that never stopped. */
  end(parts: AdapterStreamPart[]): void {
    if (this.finished) return;
    const { provider, model } = this.context;
    if (!this.stopped) throw new SwitchyardError({ category: 'network', code: 'network.closed', message: `${provider} stream ended before messageStop`, provider, model });
    this.finish(parts);
  }

  fail(error: unknown): SwitchyardError {
    const base = SwitchyardError.isInstance(error) ? error : new SwitchyardError({ category: 'server', code: 'server.malformed_response', message: `${this.context.provider} sent a malformed event stream: ${error instanceof Error ? error.message : String(error)}`, cause: error });
    return base.with({ provider: base.provider ?? this.context.provider, model: base.model ?? this.context.model });
  }
}

/**
 * The parts of a ConverseStream response body. Parts made before a failure reach the caller, then
 * the failure; returning the iterator ends the upstream request.
 */
export async function* streamConverseBody(body: AsyncIterable<Uint8Array>, decode: EventStreamDecoder, context: ConverseStreamContext): AsyncGenerator<AdapterStreamPart> {
  const mapper = new ConverseStreamMapper(context);
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
  if (failure !== undefined) throw mapper.fail(failure.error);
}
