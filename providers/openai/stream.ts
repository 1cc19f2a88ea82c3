/**
 * Chat Completions SSE stream → adapter stream parts, per the chunk object reference
 * (https://platform.openai.com/docs/api-reference/chat/streaming) and the SDK's reader
 * (openai/openai-node `src/core/streaming.ts`): `data:` frames of `chat.completion.chunk` JSON,
 * tool calls assembled from deltas keyed by `index` (id and name first, arguments in pieces),
 * a final chunk with `choices: []` and `usage` when `include_usage` was asked, `data: [DONE]` at
 * the end, and a frame holding an `error` object instead of a chunk when the upstream fails
 * mid-stream.
 *
 * Web search models send the message's `annotations` in a delta (`delta.annotations`, the chunk
 * schema of the Vercel AI SDK: vercel/ai `packages/openai/src/chat/openai-chat-api.ts`); some
 * compatible servers repeat ones already sent, which are kept once. They come out as one
 * `citations` part for the whole text at the end (annotations.ts).
 *
 * Ends honestly: `[DONE]` or a `finish_reason` completes the stream; a stream that stops with
 * neither was cut, and throws `network` rather than pretending to finish. Malformed frames throw.
 */
import { SwitchyardError } from '../../src/errors.js';
import { parseToolArguments } from '../../src/http/post-json.js';
import type { AdapterStreamPart } from '../../src/provider-spec.js';
import type { SseEvent } from '../../src/streaming/sse.js';
import { mapSseStream, type SseEventMapper } from '../../src/streaming/sse-stream.js';
import type { Mutable } from '../../src/mutable.js';
import type { Citation, ProviderMetadata, ToolCall, Usage } from '../../src/types.js';
import { mapOpenAIStreamError } from './errors.js';
import { generateId, isJsonObject, mapOpenAIFinishReason, nonEmpty, parseOpenAIUsage } from './response.js';
import { reasoningContentPart } from './reasoning.js';
import { parseOpenAIAnnotations } from './annotations.js';

/** Options for `parseChatCompletionStream`. */
export interface ChatStreamOptions {
  /** Provider id, for error messages. */
  readonly provider: string;
  /** Scrubbed from error messages (the adapter's API key). */
  readonly secret?: string;
  /** The upstream model, stamped on errors. */
  readonly model?: string;
  /** The provider type stamped on `reasoning_content` reasoning parts and on citations. @default 'openai-compatible' */
  readonly reasoningProvider?: string;
  /** Put on the stream's `response-metadata` part: what the response headers said (provider-metadata.ts). */
  readonly providerMetadata?: ProviderMetadata;
}

/** A tool call whose deltas are still arriving. */
interface PendingToolCall {
  id: string | undefined;
  name: string;
  argumentsText: string;
  /** How much of `argumentsText` went out in `tool-call-delta` parts. */
  sentLength: number;
}

/** The arguments text of `call` not yet sent as a `tool-call-delta`, sent (once its id and name are known). */
function sendArgumentsDelta(call: PendingToolCall, parts: AdapterStreamPart[]): void {
  if (call.id === undefined || call.name === '' || call.sentLength === call.argumentsText.length) return;
  parts.push({ type: 'tool-call-delta', toolCallId: call.id, toolName: call.name, argumentsDelta: call.argumentsText.slice(call.sentLength) });
  call.sentLength = call.argumentsText.length;
}

/** Everything a stream learned so far. Local to one stream: never shared between attempts. */
class ChunkAccumulator {
  private readonly pending = new Map<number, PendingToolCall>();
  private readonly order: number[] = [];
  private nextImplicitIndex = 0;
  metadataSent = false;
  rawFinishReason: string | undefined;
  sawFinish = false;
  usage: Usage | undefined;

  constructor(private readonly provider: string) {}

  /**
   * Adds one `tool_calls` delta and sends its arguments text on as a `tool-call-delta` (held back
   * until the call's id and name are known). Servers that omit `index` are matched by `id`, else
   * appended.
   */
  addToolDelta(delta: Record<string, unknown>, parts: AdapterStreamPart[]): void {
    const fn = isJsonObject(delta.function) ? delta.function : {};
    const id = nonEmpty(delta.id);
    let index = typeof delta.index === 'number' ? delta.index : undefined;
    if (index === undefined && id !== undefined) {
      for (const [known, call] of this.pending) if (call.id === id) index = known;
    }
    if (index === undefined) index = id === undefined && this.order.length > 0 ? (this.order.at(-1) ?? 0) : this.nextImplicitIndex;
    let call = this.pending.get(index);
    if (call === undefined) {
      call = { id: undefined, name: '', argumentsText: '', sentLength: 0 };
      this.pending.set(index, call);
      this.order.push(index);
      this.nextImplicitIndex = Math.max(this.nextImplicitIndex, index + 1);
    }
    if (id !== undefined && call.id === undefined) call.id = id;
    // Some servers repeat the name in every delta; it is set once, never concatenated.
    const name = nonEmpty(fn.name);
    if (name !== undefined && call.name === '') call.name = name;
    if (typeof fn.arguments === 'string') call.argumentsText += fn.arguments;
    else if (isJsonObject(fn.arguments)) call.argumentsText += JSON.stringify(fn.arguments);
    sendArgumentsDelta(call, parts);
  }

  /**
   * The tool calls assembled so far, in the order they began, each after a `tool-call-delta` with
   * its arguments text not yet sent (every call gets at least one); empties the buffer.
   */
  takeToolCalls(parts: AdapterStreamPart[]): ToolCall[] {
    const calls = this.order.map((index) => {
      const call = this.pending.get(index) as PendingToolCall;
      if (call.name === '') {
        throw new SwitchyardError({ category: 'server', message: `${this.provider} streamed a tool call without a function name`, provider: this.provider });
      }
      call.id ??= generateId('call_');
      const args = parseToolArguments(call.argumentsText, this.provider, call.name);
      // A call without arguments text (`{}` implied) still gets its one delta.
      if (call.argumentsText.trim() === '') call.argumentsText += JSON.stringify(args);
      sendArgumentsDelta(call, parts);
      return { id: call.id, name: call.name, arguments: args };
    });
    this.pending.clear();
    this.order.length = 0;
    return calls;
  }
}

function malformed(provider: string, cause: unknown): SwitchyardError {
  return new SwitchyardError({ category: 'server', message: `${provider} sent a stream frame that is not valid JSON`, provider, cause });
}

/**
 * `error` as a stream's failure: a `SwitchyardError` as it is, anything else (the body's read
 * failing) a `network` one; stamped with the provider and, when known, the model.
 */
export function stampOpenAIStreamError(error: unknown, provider: string, model: string | undefined): SwitchyardError {
  const base = SwitchyardError.isInstance(error)
    ? error
    : new SwitchyardError({ category: 'network', message: `${provider} stream failed: ${error instanceof Error ? error.message : String(error)}`, cause: error });
  const stampedModel = base.model ?? model;
  return base.with({ provider: base.provider ?? provider, ...(stampedModel === undefined ? {} : { model: stampedModel }) });
}

/**
 * Turns one Chat Completions event stream's events into adapter stream parts: `response-metadata`
 * once, `text-delta`s, `tool-call-delta`s as arguments arrive, `tool-call`s when the finish reason arrives, then `usage` (when reported)
 * and `finish` last. Reasoning deltas (`reasoning_content`, DeepSeek) are `reasoning-delta`s, closed
 * into one `reasoning` part when the answer's text or tool calls begin; refusals are not text.
 * Whatever a stream throws is a `SwitchyardError` stamped with the provider (and the model, when
 * given).
 */
export class ChatCompletionStreamMapper implements SseEventMapper<AdapterStreamPart> {
  private readonly state: ChunkAccumulator;
  private done = false;
  private toolCallCount = 0;
  /** `reasoning_content` deltas not yet closed into a reasoning part. */
  private reasoningTexts: string[] = [];
  /** The answer's text so far and the citations of its `annotations`, for the `citations` part at the end. */
  private readonly text: string[] = [];
  private readonly citations: Citation[] = [];
  private readonly citationKeys = new Set<string>();

  constructor(private readonly options: ChatStreamOptions) {
    this.state = new ChunkAccumulator(options.provider);
  }

  event(event: SseEvent, parts: AdapterStreamPart[]): void {
    if (this.done) return; // read to the end so the connection can be reused
    const { provider } = this.options;
    const state = this.state;
    const data = event.data.trim();
    if (data === '') return;
    if (data === '[DONE]') {
      this.done = true;
      return;
    }
    let chunk: unknown;
    try {
      chunk = JSON.parse(data);
    } catch (error) {
      if (event.event === 'error') throw mapOpenAIStreamError(data, this.options.secret);
      throw malformed(provider, error);
    }
    if (event.event === 'error' || (isJsonObject(chunk) && chunk.error !== undefined && chunk.error !== null)) {
      throw mapOpenAIStreamError(chunk, this.options.secret);
    }
    if (!isJsonObject(chunk)) throw malformed(provider, undefined);

    if (!state.metadataSent) {
      // Azure's first chunk holds only `prompt_filter_results`, with an empty id and model.
      const id = nonEmpty(chunk.id);
      const servedModel = nonEmpty(chunk.model);
      if (id !== undefined || servedModel !== undefined) {
        state.metadataSent = true;
        const metadata: Mutable<Extract<AdapterStreamPart, { type: 'response-metadata' }>> = { type: 'response-metadata', id: id ?? generateId('chatcmpl-') };
        if (servedModel !== undefined) metadata.servedModel = servedModel;
        if (this.options.providerMetadata !== undefined) metadata.providerMetadata = this.options.providerMetadata;
        parts.push(metadata);
      }
    }
    const usage = parseOpenAIUsage(chunk.usage);
    if (usage !== undefined) state.usage = usage;

    const choices = Array.isArray(chunk.choices) ? chunk.choices : [];
    for (const choice of choices) {
      if (!isJsonObject(choice) || (typeof choice.index === 'number' && choice.index !== 0)) continue;
      const delta = isJsonObject(choice.delta) ? choice.delta : {};
      if (typeof delta.reasoning_content === 'string' && delta.reasoning_content !== '') {
        this.reasoningTexts.push(delta.reasoning_content);
        parts.push({ type: 'reasoning-delta', text: delta.reasoning_content });
      }
      if (typeof delta.content === 'string' && delta.content !== '') {
        this.closeReasoning(parts);
        this.text.push(delta.content);
        parts.push({ type: 'text-delta', text: delta.content });
      }
      if (Array.isArray(delta.annotations)) this.addCitations(parseOpenAIAnnotations(delta.annotations, this.options.reasoningProvider ?? 'openai-compatible'));
      if (Array.isArray(delta.tool_calls) && delta.tool_calls.length > 0) {
        this.closeReasoning(parts); // the reasoning part comes before the calls' first argument delta
        for (const toolDelta of delta.tool_calls) if (isJsonObject(toolDelta)) state.addToolDelta(toolDelta, parts);
      }
      const finishReason = nonEmpty(choice.finish_reason);
      if (finishReason !== undefined) {
        state.sawFinish = true;
        state.rawFinishReason = finishReason;
        this.addToolCalls(parts);
      }
    }
  }

  end(parts: AdapterStreamPart[]): void {
    const { provider } = this.options;
    const state = this.state;
    if (!this.done && !state.sawFinish) {
      throw new SwitchyardError({ category: 'network', message: `${provider} stream ended before the answer was complete (no finish_reason and no [DONE])`, provider });
    }
    // A server that closes with [DONE] but never sent a finish reason still finished its answer.
    this.addToolCalls(parts);
    if (!state.metadataSent) {
      const { providerMetadata } = this.options;
      parts.push({ type: 'response-metadata', id: generateId('chatcmpl-'), ...(providerMetadata === undefined ? {} : { providerMetadata }) });
    }
    if (this.citations.length > 0) parts.push({ type: 'citations', text: this.text.join(''), citations: this.citations });
    if (state.usage !== undefined) parts.push({ type: 'usage', usage: state.usage });
    const unified = state.rawFinishReason === undefined && this.toolCallCount === 0 ? 'stop' : mapOpenAIFinishReason(state.rawFinishReason, this.toolCallCount > 0);
    const finish: Mutable<Extract<AdapterStreamPart, { type: 'finish' }>> = { type: 'finish', finishReason: unified };
    if (state.rawFinishReason !== undefined) finish.rawFinishReason = state.rawFinishReason;
    parts.push(finish);
  }

  fail(error: unknown): SwitchyardError {
    return stampOpenAIStreamError(error, this.options.provider, this.options.model);
  }

  /** Citations not seen before in this stream. */
  private addCitations(citations: readonly Citation[]): void {
    for (const citation of citations) {
      const key = JSON.stringify(citation);
      if (this.citationKeys.has(key)) continue;
      this.citationKeys.add(key);
      this.citations.push(citation);
    }
  }

  /** The reasoning streamed so far as one complete part, before the answer that follows it. */
  private closeReasoning(parts: AdapterStreamPart[]): void {
    if (this.reasoningTexts.length === 0) return;
    parts.push({ type: 'reasoning', part: reasoningContentPart(this.reasoningTexts.join(''), this.options.reasoningProvider ?? 'openai-compatible') });
    this.reasoningTexts = [];
  }

  private addToolCalls(parts: AdapterStreamPart[]): void {
    this.closeReasoning(parts);
    const calls = this.state.takeToolCalls(parts);
    this.toolCallCount += calls.length;
    // All calls' last deltas come before the first completed call: a provider streams them that way too.
    for (const toolCall of calls) parts.push({ type: 'tool-call', toolCall });
  }
}

/**
 * Turns the bytes of a Chat Completions event stream into adapter stream parts (see
 * `ChatCompletionStreamMapper`).
 */
export function parseChatCompletionStream(source: AsyncIterable<Uint8Array>, options: ChatStreamOptions): AsyncIterableIterator<AdapterStreamPart> {
  return mapSseStream(source, new ChatCompletionStreamMapper(options));
}
