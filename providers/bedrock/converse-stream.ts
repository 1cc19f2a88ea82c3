/**
 * Reads a ConverseStream body: AWS event-stream messages (framed and checked as for InvokeModel's
 * stream, event-stream.ts) whose `:event-type` names the event and whose payload is the event's
 * JSON: `messageStart { role }`, `contentBlockStart { contentBlockIndex, start: { toolUse: {
 * toolUseId, name } } }`, `contentBlockDelta { contentBlockIndex, delta: { text } | { toolUse: {
 * input } } | { reasoningContent: { text } | { signature } | { redactedContent } } | { citation } }`
 * (a block's text then ends with one `citations` part, converse-citations.ts),
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
import type { Citation, ProviderMetadata, ReasoningPart } from '../../src/types.js';
import { parseConverseCitation } from './converse-citations.js';
import { BEDROCK_REASONING_PROVIDER } from './converse-reasoning.js';
import { mapConverseStopReason, mapConverseUsage } from './converse-response.js';
import { isEventMessage, parseEventPayload, stringHeader, streamEventStreamBody, type EventStreamDecoder, type EventStreamMessage, type EventStreamMessageMapper } from './event-stream.js';

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
  | { readonly kind: 'text'; readonly text: string[]; readonly citations: Citation[] }
  | { kind: 'reasoning'; text: string; signature?: string; redacted?: string };

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Turns one ConverseStream's events into stream parts; one per stream. */
class ConverseStreamMapper implements EventStreamMessageMapper {
  private readonly blocks = new Map<number, OpenBlock>();
  private stopReason: string | undefined;
  private stopped = false;
  private finished = false;

  constructor(private readonly context: ConverseStreamContext) {}

  message(message: EventStreamMessage, parts: AdapterStreamPart[]): void {
    const { provider } = this.context;
    if (!isEventMessage(message, provider) || this.finished) return;
    const type = stringHeader(message, ':event-type');
    const parsed = parseEventPayload(message.body, `a ${type ?? 'stream'} event`, provider);
    const payload = isObject(parsed) ? parsed : {};
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
    const block = this.blocks.get(index);
    if (typeof delta.text === 'string' || isObject(delta.citation)) {
      // Text blocks are kept only for a citation that may close them.
      const text = block?.kind === 'text' ? block : { kind: 'text' as const, text: [], citations: [] };
      this.blocks.set(index, text);
      if (typeof delta.text === 'string' && delta.text !== '') {
        text.text.push(delta.text);
        parts.push({ type: 'text-delta', text: delta.text });
      }
      const citation = parseConverseCitation(delta.citation);
      if (citation !== undefined) text.citations.push(citation);
      return;
    }
    if (isObject(delta.toolUse) && block?.kind === 'tool' && typeof delta.toolUse.input === 'string') {
      block.json.push(delta.toolUse.input);
      if (delta.toolUse.input !== '') parts.push({ type: 'tool-call-delta', toolCallId: block.id, toolName: block.name, argumentsDelta: delta.toolUse.input });
      return;
    }
    if (!isObject(delta.reasoningContent)) return;
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
    } else if (block?.kind === 'text') {
      if (block.citations.length > 0) parts.push({ type: 'citations', text: block.text.join(''), citations: block.citations });
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
}

/**
 * The parts of a ConverseStream response body. Parts made before a failure reach the caller, then
 * the failure; returning the iterator ends the upstream request.
 */
export function streamConverseBody(body: AsyncIterable<Uint8Array>, decode: EventStreamDecoder, context: ConverseStreamContext): AsyncGenerator<AdapterStreamPart> {
  return streamEventStreamBody(body, decode, new ConverseStreamMapper(context), context);
}
