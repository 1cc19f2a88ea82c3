/**
 * Responses API SSE stream → adapter stream parts, per the streaming events reference
 * (https://platform.openai.com/docs/api-reference/responses-streaming) and the SDK's event types
 * (openai/openai-node `src/resources/responses/responses.ts`, `ResponseStreamEvent`). Every event
 * comes as `event: <type>` with a JSON `data` whose `type` repeats the name:
 *
 * - `response.created`: the response id and model → `response-metadata`;
 * - `response.output_text.delta` → `text-delta`; `response.output_text.annotation.added` collects the
 *   part's annotations, and at `response.content_part.done` (or, without it, the message's
 *   `response.output_item.done`) a part that has any ends with one `citations` part (../annotations.ts);
 * - `response.output_item.added` (a `function_call` item: its `call_id` and `name`), then
 *   `response.function_call_arguments.delta` / `.done` (keyed by `item_id`) → `tool-call-delta`s;
 *   `response.output_item.done` with the complete item → `tool-call`;
 * - `response.reasoning_summary_text.delta` → `reasoning-delta` (a blank line between two summary
 *   parts, so the deltas joined are the part's text); `response.output_item.done` with the complete
 *   reasoning item (the `encrypted_content` of `.added` may be incomplete, says the SDK) → `reasoning`;
 * - `response.completed` / `response.incomplete` end the answer with its usage and finish reason;
 *   `response.failed` and `error` end it with the error, through the OpenAI error mapping.
 *
 * A stream that stops before `response.completed`, `response.incomplete` or `response.failed` was
 * cut, and throws `network` rather than pretending to finish. Unknown events (built-in tools,
 * `response.in_progress`, `response.content_part.added`, keep-alives) are skipped.
 */
import { SwitchyardError } from '../../../src/errors.js';
import type { Mutable } from '../../../src/mutable.js';
import type { AdapterStreamPart } from '../../../src/provider-spec.js';
import type { SseEvent } from '../../../src/streaming/sse.js';
import { mapSseStream, type SseEventMapper } from '../../../src/streaming/sse-stream.js';
import type { Citation, ProviderMetadata } from '../../../src/types.js';
import { parseOpenAIAnnotation, parseOpenAIAnnotations } from '../annotations.js';
import { mapOpenAIStreamError } from '../errors.js';
import { generateId, isJsonObject, nonEmpty } from '../response.js';
import { stampOpenAIStreamError } from '../stream.js';
import { RESPONSES_REASONING_PROVIDER, responsesReasoningPart } from './reasoning.js';
import { failedResponseError, messageItemText, parseResponsesUsage, rawResponsesFinishReason, responsesFinishReason, responsesToolCall } from './response.js';

type JsonObject = Record<string, unknown>;

/** Options for `parseResponsesStream`. */
export interface ResponsesStreamOptions {
  /** Provider id, for error messages. */
  readonly provider: string;
  /** Scrubbed from error messages (the adapter's API key). */
  readonly secret?: string;
  /** The upstream model, stamped on errors. */
  readonly model?: string;
  /** Put on the stream's `response-metadata` part: what the response headers said. */
  readonly providerMetadata?: ProviderMetadata;
}

/** A function call whose arguments are still arriving, by item id. */
interface OpenCall {
  readonly callId: string;
  readonly name: string;
  argumentsText: string;
  /** How much of `argumentsText` went out in `tool-call-delta` parts. */
  sentLength: number;
}

/** An `output_text` part being streamed: its text so far and the annotations added to it. */
interface OpenTextPart {
  readonly text: string[];
  readonly citations: Citation[];
}

/** The key of a message item's content part. */
function partKey(itemId: unknown, contentIndex: unknown): string {
  return `${typeof itemId === 'string' ? itemId : ''}:${typeof contentIndex === 'number' ? String(contentIndex) : '0'}`;
}

function malformed(provider: string, cause: unknown): SwitchyardError {
  return new SwitchyardError({ category: 'server', message: `${provider} sent a stream event that is not valid JSON`, provider, cause });
}

/** Turns one Responses event stream's events into adapter stream parts (see the module's description). */
class ResponsesStreamMapper implements SseEventMapper<AdapterStreamPart> {
  private readonly calls = new Map<string, OpenCall>();
  /** Output text parts not yet closed, by item id and content index. */
  private readonly textParts = new Map<string, OpenTextPart>();
  /** Item ids already handed out as a `tool-call` or `reasoning` part. */
  private readonly closedItems = new Set<string>();
  /** The reasoning item and summary part the last `reasoning-delta` belonged to. */
  private lastSummary: { item: string; index: number } | undefined;
  private metadataSent = false;
  private toolCallCount = 0;
  private refused = false;
  private done = false;

  constructor(private readonly options: ResponsesStreamOptions) {}

  event(event: SseEvent, parts: AdapterStreamPart[]): void {
    if (this.done) return; // read to the end so the connection can be reused
    const data = event.data.trim();
    if (data === '' || data === '[DONE]') return;
    let payload: unknown;
    try {
      payload = JSON.parse(data);
    } catch (error) {
      if (event.event === 'error') throw mapOpenAIStreamError(data, this.options.secret);
      throw malformed(this.options.provider, error);
    }
    if (!isJsonObject(payload)) throw malformed(this.options.provider, undefined);
    const type = nonEmpty(payload.type) ?? event.event;
    switch (type) {
      case 'response.created':
        this.sendMetadata(isJsonObject(payload.response) ? payload.response : {}, parts);
        break;
      case 'response.output_text.delta':
        if (typeof payload.delta === 'string' && payload.delta !== '') {
          this.openTextPart(partKey(payload.item_id, payload.content_index)).text.push(payload.delta);
          parts.push({ type: 'text-delta', text: payload.delta });
        }
        break;
      case 'response.output_text.annotation.added': {
        const citation = parseOpenAIAnnotation(payload.annotation, RESPONSES_REASONING_PROVIDER);
        if (citation !== undefined) this.openTextPart(partKey(payload.item_id, payload.content_index)).citations.push(citation);
        break;
      }
      case 'response.content_part.done':
        this.closeTextPart(partKey(payload.item_id, payload.content_index), isJsonObject(payload.part) ? payload.part : {}, parts);
        break;
      case 'response.reasoning_summary_text.delta':
        this.reasoningDelta(payload, parts);
        break;
      case 'response.output_item.added':
        if (isJsonObject(payload.item)) this.openItem(payload.item);
        break;
      case 'response.function_call_arguments.delta':
        this.argumentsDelta(nonEmpty(payload.item_id), typeof payload.delta === 'string' ? payload.delta : '', false, parts);
        break;
      case 'response.function_call_arguments.done':
        this.argumentsDelta(nonEmpty(payload.item_id), typeof payload.arguments === 'string' ? payload.arguments : '', true, parts);
        break;
      case 'response.output_item.done':
        if (isJsonObject(payload.item)) this.closeItem(payload.item, parts);
        break;
      case 'response.completed':
      case 'response.incomplete':
        this.finish(isJsonObject(payload.response) ? payload.response : {}, parts);
        break;
      case 'response.failed':
        throw failedResponseError(isJsonObject(payload.response) ? payload.response : {}, this.options.secret);
      case 'error':
        throw mapOpenAIStreamError(payload, this.options.secret);
      default:
        break;
    }
  }

  end(): void {
    if (!this.done) {
      const { provider } = this.options;
      throw new SwitchyardError({ category: 'network', message: `${provider} stream ended before the answer was complete (no response.completed, response.incomplete or response.failed)`, provider });
    }
  }

  fail(error: unknown): SwitchyardError {
    return stampOpenAIStreamError(error, this.options.provider, this.options.model);
  }

  private sendMetadata(response: JsonObject, parts: AdapterStreamPart[]): void {
    if (this.metadataSent) return;
    this.metadataSent = true;
    const metadata: Mutable<Extract<AdapterStreamPart, { type: 'response-metadata' }>> = { type: 'response-metadata', id: nonEmpty(response.id) ?? generateId('resp_') };
    const servedModel = nonEmpty(response.model);
    if (servedModel !== undefined) metadata.servedModel = servedModel;
    if (this.options.providerMetadata !== undefined) metadata.providerMetadata = this.options.providerMetadata;
    parts.push(metadata);
  }

  private reasoningDelta(payload: JsonObject, parts: AdapterStreamPart[]): void {
    if (typeof payload.delta !== 'string' || payload.delta === '') return;
    const item = nonEmpty(payload.item_id) ?? '';
    const index = typeof payload.summary_index === 'number' ? payload.summary_index : 0;
    // A new summary part of the same item: the blank line the final part's text has between them.
    if (this.lastSummary !== undefined && this.lastSummary.item === item && this.lastSummary.index !== index) parts.push({ type: 'reasoning-delta', text: '\n\n' });
    this.lastSummary = { item, index };
    parts.push({ type: 'reasoning-delta', text: payload.delta });
  }

  private openItem(item: JsonObject): void {
    const id = nonEmpty(item.id);
    if (item.type !== 'function_call' || id === undefined) return;
    const name = nonEmpty(item.name) ?? '';
    this.calls.set(id, { callId: nonEmpty(item.call_id) ?? id, name, argumentsText: typeof item.arguments === 'string' ? item.arguments : '', sentLength: 0 });
  }

  /** A piece of a call's arguments (`whole`: the complete text of `.done`, of which only the unsent rest goes out). */
  private argumentsDelta(itemId: string | undefined, text: string, whole: boolean, parts: AdapterStreamPart[]): void {
    const call = itemId === undefined ? undefined : this.calls.get(itemId);
    if (call === undefined) return;
    if (whole) {
      if (text.startsWith(call.argumentsText)) call.argumentsText = text;
    } else {
      call.argumentsText += text;
    }
    this.sendArguments(call, parts);
  }

  private sendArguments(call: OpenCall, parts: AdapterStreamPart[]): void {
    if (call.name === '' || call.sentLength >= call.argumentsText.length) return;
    parts.push({ type: 'tool-call-delta', toolCallId: call.callId, toolName: call.name, argumentsDelta: call.argumentsText.slice(call.sentLength) });
    call.sentLength = call.argumentsText.length;
  }

  private closeItem(item: JsonObject, parts: AdapterStreamPart[]): void {
    const id = nonEmpty(item.id);
    if (id !== undefined && this.closedItems.has(id)) return;
    if (item.type === 'function_call') {
      const toolCall = responsesToolCall(item, this.options.provider);
      const open = id === undefined ? undefined : this.calls.get(id);
      // Every call gets at least one delta, and the deltas joined are the arguments as the provider wrote them.
      const call: OpenCall = open ?? { callId: toolCall.id, name: toolCall.name, argumentsText: '', sentLength: 0 };
      const finalText = typeof item.arguments === 'string' && item.arguments !== '' ? item.arguments : JSON.stringify(toolCall.arguments);
      if (finalText.startsWith(call.argumentsText)) call.argumentsText = finalText;
      this.sendArguments({ ...call, name: toolCall.name, callId: toolCall.id }, parts);
      parts.push({ type: 'tool-call', toolCall });
      this.toolCallCount += 1;
    } else if (item.type === 'reasoning') {
      parts.push({ type: 'reasoning', part: responsesReasoningPart(item) });
      this.lastSummary = undefined;
    } else if (item.type === 'message') {
      this.refused ||= messageItemText(item).refused;
      // Parts a `response.content_part.done` did not close (the item's parts are complete here).
      const content = Array.isArray(item.content) ? item.content : [];
      content.forEach((part: unknown, index) => {
        this.closeTextPart(partKey(item.id, index), isJsonObject(part) ? part : {}, parts);
      });
    }
    if (id !== undefined) this.closedItems.add(id);
  }

  private openTextPart(key: string): OpenTextPart {
    let open = this.textParts.get(key);
    if (open === undefined) {
      open = { text: [], citations: [] };
      this.textParts.set(key, open);
    }
    return open;
  }

  /**
   * Closes a streamed text part: one `citations` part when it cites anything. The closing event's
   * complete part wins over the annotations added one by one (the same list, when both came).
   */
  private closeTextPart(key: string, done: JsonObject, parts: AdapterStreamPart[]): void {
    const open = this.textParts.get(key);
    if (open === undefined) return;
    this.textParts.delete(key);
    const final = parseOpenAIAnnotations(done.annotations, RESPONSES_REASONING_PROVIDER);
    const citations = final.length > 0 ? final : open.citations;
    if (citations.length > 0) parts.push({ type: 'citations', text: open.text.join(''), citations });
  }

  private finish(response: JsonObject, parts: AdapterStreamPart[]): void {
    this.sendMetadata(response, parts);
    // Items the stream never closed one by one are taken from the final response.
    const output = Array.isArray(response.output) ? response.output : [];
    for (const item of output) if (isJsonObject(item) && item.type !== 'message') this.closeItem(item, parts);
    const usage = parseResponsesUsage(response.usage);
    if (usage !== undefined) parts.push({ type: 'usage', usage });
    const raw = rawResponsesFinishReason(response);
    const finish: Mutable<Extract<AdapterStreamPart, { type: 'finish' }>> = { type: 'finish', finishReason: responsesFinishReason(raw, this.toolCallCount > 0, this.refused) };
    if (raw !== undefined) finish.rawFinishReason = raw;
    parts.push(finish);
    this.done = true;
  }
}

/** Turns the bytes of a Responses event stream into adapter stream parts (see `ResponsesStreamMapper`). */
export function parseResponsesStream(source: AsyncIterable<Uint8Array>, options: ResponsesStreamOptions): AsyncIterableIterator<AdapterStreamPart> {
  return mapSseStream(source, new ResponsesStreamMapper(options));
}
