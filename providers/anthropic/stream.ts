/**
 * Maps Anthropic's Messages SSE events to adapter stream parts. The flow, per the streaming
 * reference (https://platform.claude.com/docs/en/build-with-claude/streaming): `message_start`,
 * then per content block `content_block_start` / `content_block_delta`… / `content_block_stop`,
 * then `message_delta` and `message_stop`; `ping` may come anywhere, `error` may replace the rest,
 * and unknown event types must be tolerated.
 *
 * A stream is complete only with `message_stop`: one that ends without it throws (`network`),
 * never finishes cleanly.
 */
import { SwitchyardError } from '../../src/errors.js';
import { parseToolArguments } from '../../src/http/post-json.js';
import type { AdapterStreamPart } from '../../src/provider-spec.js';
import type { SseEvent } from '../../src/streaming/sse.js';
import { mapSseStream, type SseEventMapper } from '../../src/streaming/sse-stream.js';
import type { Mutable } from '../../src/mutable.js';
import type { Citation, ProviderMetadata } from '../../src/types.js';
import { mapAnthropicStreamError } from './errors.js';
import { AnthropicThinkingStream } from './thinking-stream.js';
import { mapStopReason, mapUsage, toolArguments, type AnthropicUsage } from './response.js';
import { parseAnthropicCitation, parseAnthropicCitations } from './citations.js';

/** Who is streaming, stamped on every error the stream throws. */
export interface AnthropicStreamContext {
  /** The provider id from the config. */
  readonly provider: string;
  /** The upstream model id. */
  readonly model: string;
  /**
   * The tool that carries a structured answer (structured-output.ts): its input streams as text
   * deltas, and its `tool_use` stop reads as `stop`.
   */
  readonly answerTool?: string;
  /** Put on the stream's `response-metadata` part: what the response headers said (provider-metadata.ts). */
  readonly providerMetadata?: ProviderMetadata;
}

/** A content block being received: text is forwarded as it comes, tool input is forwarded and collected. */
type OpenBlock =
  | { readonly kind: 'text'; readonly text: string[]; readonly citations: Citation[] }
  | { readonly kind: 'tool_use'; readonly id: string; readonly name: string; readonly input: unknown; readonly json: string[] }
  | { readonly kind: 'answer' }
  | { readonly kind: 'other' };

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Event types whose data this mapper reads; anything else (`ping`, future types) is skipped unread. */
const HANDLED = new Set(['message_start', 'content_block_start', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop', 'error']);

function parseData(event: SseEvent, provider: string): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(event.data);
  } catch (error) {
    throw new SwitchyardError({ category: 'server', message: `${provider} sent a stream event that is not JSON (${event.event})`, provider, cause: error });
  }
  if (!isObject(value)) throw new SwitchyardError({ category: 'server', message: `${provider} sent a stream event that is not a JSON object (${event.event})`, provider });
  return value;
}

function mergeUsage(current: AnthropicUsage, update: unknown): AnthropicUsage {
  if (!isObject(update)) return current;
  const merged: Mutable<AnthropicUsage> = { ...current };
  for (const key of ['input_tokens', 'output_tokens', 'cache_creation_input_tokens', 'cache_read_input_tokens'] as const) {
    const value = update[key];
    // Counts in `message_delta` are cumulative, so a later value replaces an earlier one.
    if (typeof value === 'number') merged[key] = value;
  }
  const creation = update.cache_creation;
  if (isObject(creation) && typeof creation.ephemeral_1h_input_tokens === 'number') merged.cache_creation = { ephemeral_1h_input_tokens: creation.ephemeral_1h_input_tokens };
  return merged;
}

function stamp(error: unknown, context: AnthropicStreamContext): SwitchyardError {
  const base = SwitchyardError.isInstance(error)
    ? error
    : new SwitchyardError({ category: 'unknown', message: error instanceof Error ? error.message : String(error), cause: error });
  return base.with({ provider: base.provider ?? context.provider, model: base.model ?? context.model });
}

/**
 * Turns one stream's SSE events into stream parts: `response-metadata` from `message_start`,
 * `text-delta`s (and, at the end of a text block that got `citations_delta`s, one `citations` part), a `tool-call-delta` per `input_json_delta` of a `tool_use` block (one with the whole
 * input when the block streamed none), its `tool-call` once its `content_block_stop` arrives, and
 * finally `usage` and `finish` at `message_stop`. An `error` event throws the mapped error. One per
 * stream: it keeps the open content blocks, the usage so far and the stop reason.
 */
export class AnthropicStreamMapper implements SseEventMapper<AdapterStreamPart> {
  private readonly blocks = new Map<number, OpenBlock>();
  private usage: AnthropicUsage = {};
  private stopReason: string | undefined;
  private stopped = false;
  /** Thinking blocks: reasoning deltas as they come, the signed part at each block's end. */
  private readonly thinking = new AnthropicThinkingStream();
  /** Whether the structured answer's tool was called (its `tool_use` stop is then a `stop`). */
  private answered = false;

  constructor(private readonly context: AnthropicStreamContext) {}

  event(event: SseEvent, parts: AdapterStreamPart[]): void {
    if (this.stopped) return; // read to the end so the connection can be reused
    const { provider } = this.context;
    // The data is parsed once, and only for events that are handled (not pings).
    let payload: JsonObject | undefined;
    let type = event.event;
    if (type === 'message') {
      // A stream without `event:` lines still names each event in its data's `type`.
      payload = parseData(event, provider);
      type = typeof payload.type === 'string' ? payload.type : 'message';
    }
    if (!HANDLED.has(type)) return;
    payload ??= parseData(event, provider);
    switch (type) {
      case 'error':
        throw mapAnthropicStreamError(payload);
      case 'message_start': {
        const message = isObject(payload.message) ? payload.message : {};
        this.usage = mergeUsage(this.usage, message.usage);
        const metadata: Mutable<Extract<AdapterStreamPart, { type: 'response-metadata' }>> = { type: 'response-metadata' };
        if (typeof message.id === 'string') metadata.id = message.id;
        if (typeof message.model === 'string') metadata.servedModel = message.model;
        if (this.context.providerMetadata !== undefined) metadata.providerMetadata = this.context.providerMetadata;
        parts.push(metadata);
        break;
      }
      case 'content_block_start': {
        const index = typeof payload.index === 'number' ? payload.index : -1;
        const block = isObject(payload.content_block) ? payload.content_block : {};
        if (this.thinking.start(index, block, parts)) break;
        if (block.type === 'tool_use' && block.name === this.context.answerTool && this.context.answerTool !== undefined) {
          this.blocks.set(index, { kind: 'answer' });
          this.answered = true;
        } else if (block.type === 'tool_use') {
          if (typeof block.id !== 'string' || typeof block.name !== 'string') {
            throw new SwitchyardError({ category: 'server', message: `${provider} started a tool_use block without an id and name`, provider });
          }
          this.blocks.set(index, { kind: 'tool_use', id: block.id, name: block.name, input: block.input, json: [] });
        } else if (block.type === 'text') {
          const open: OpenBlock = { kind: 'text', text: [], citations: parseAnthropicCitations(block.citations) };
          this.blocks.set(index, open);
          if (typeof block.text === 'string' && block.text !== '') {
            open.text.push(block.text);
            parts.push({ type: 'text-delta', text: block.text });
          }
        } else {
          this.blocks.set(index, { kind: 'other' });
        }
        break;
      }
      case 'content_block_delta': {
        const block = this.blocks.get(typeof payload.index === 'number' ? payload.index : -1);
        const delta = isObject(payload.delta) ? payload.delta : {};
        if (this.thinking.delta(typeof payload.index === 'number' ? payload.index : -1, delta, parts)) break;
        if (delta.type === 'text_delta' && typeof delta.text === 'string' && delta.text !== '') {
          if (block?.kind === 'text') block.text.push(delta.text);
          parts.push({ type: 'text-delta', text: delta.text });
        } else if (delta.type === 'citations_delta' && block?.kind === 'text') {
          // One citation for the open text block; it comes out with the block's text at its stop.
          const citation = parseAnthropicCitation(delta.citation);
          if (citation !== undefined) block.citations.push(citation);
        } else if (delta.type === 'input_json_delta' && block?.kind === 'tool_use' && typeof delta.partial_json === 'string') {
          block.json.push(delta.partial_json);
          if (delta.partial_json !== '') parts.push({ type: 'tool-call-delta', toolCallId: block.id, toolName: block.name, argumentsDelta: delta.partial_json });
        } else if (delta.type === 'input_json_delta' && block?.kind === 'answer' && typeof delta.partial_json === 'string' && delta.partial_json !== '') {
          parts.push({ type: 'text-delta', text: delta.partial_json });
        }
        break;
      }
      case 'content_block_stop': {
        const index = typeof payload.index === 'number' ? payload.index : -1;
        if (this.thinking.stop(index, parts)) break;
        const block = this.blocks.get(index);
        this.blocks.delete(index);
        if (block?.kind === 'tool_use') {
          const json = block.json.join('');
          const args = json.trim() === '' ? toolArguments(block.input) : parseToolArguments(json, provider, block.name);
          // Input given whole in `content_block_start` streamed no deltas: one delta carries all of it.
          if (json.trim() === '') parts.push({ type: 'tool-call-delta', toolCallId: block.id, toolName: block.name, argumentsDelta: JSON.stringify(args) });
          parts.push({ type: 'tool-call', toolCall: { id: block.id, name: block.name, arguments: args } });
        } else if (block?.kind === 'text' && block.citations.length > 0) {
          parts.push({ type: 'citations', text: block.text.join(''), citations: block.citations });
        }
        break;
      }
      case 'message_delta': {
        const delta = isObject(payload.delta) ? payload.delta : {};
        if (typeof delta.stop_reason === 'string') this.stopReason = delta.stop_reason;
        this.usage = mergeUsage(this.usage, payload.usage);
        break;
      }
      case 'message_stop': {
        this.stopped = true;
        parts.push({ type: 'usage', usage: mapUsage(this.usage) });
        const mapped = mapStopReason(this.stopReason);
        const finish: Mutable<Extract<AdapterStreamPart, { type: 'finish' }>> = { type: 'finish', finishReason: this.answered && mapped === 'tool_calls' ? 'stop' : mapped };
        if (this.stopReason !== undefined) finish.rawFinishReason = this.stopReason;
        parts.push(finish);
        break;
      }
      default:
        break;
    }
  }

  end(): void {
    if (!this.stopped) {
      const { provider, model } = this.context;
      throw new SwitchyardError({ category: 'network', message: `${provider} stream ended before message_stop`, provider, model });
    }
  }

  fail(error: unknown): SwitchyardError {
    return stamp(error, this.context);
  }
}

/** The parts of an Anthropic Messages SSE byte stream (an upstream response's body). */
export function streamAnthropicBody(body: AsyncIterable<Uint8Array>, context: AnthropicStreamContext): AsyncIterableIterator<AdapterStreamPart> {
  return mapSseStream(body, new AnthropicStreamMapper(context));
}
