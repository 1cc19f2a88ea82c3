/**
 * Chat Completions SSE stream → adapter stream parts, per the chunk object reference
 * (https://platform.openai.com/docs/api-reference/chat/streaming) and the SDK's reader
 * (openai/openai-node `src/core/streaming.ts`): `data:` frames of `chat.completion.chunk` JSON,
 * tool calls assembled from deltas keyed by `index` (id and name first, arguments in pieces),
 * a final chunk with `choices: []` and `usage` when `include_usage` was asked, `data: [DONE]` at
 * the end, and a frame holding an `error` object instead of a chunk when the upstream fails
 * mid-stream.
 *
 * Ends honestly: `[DONE]` or a `finish_reason` completes the stream; a stream that stops with
 * neither was cut, and throws `network` rather than pretending to finish. Malformed frames throw.
 */
import { SwitchyardError } from '../../src/errors.js';
import { parseToolArguments } from '../../src/http/post-json.js';
import type { AdapterStreamPart } from '../../src/provider-spec.js';
import { parseSse } from '../../src/streaming/sse.js';
import type { ToolCall, Usage } from '../../src/types.js';
import { mapOpenAIStreamError } from './errors.js';
import { generateId, isJsonObject, mapOpenAIFinishReason, nonEmpty, parseOpenAIUsage } from './response.js';

/** Options for `parseChatCompletionStream`. */
export interface ChatStreamOptions {
  /** Provider id, for error messages. */
  readonly provider: string;
  /** Scrubbed from error messages (the adapter's API key). */
  readonly secret?: string;
}

/** A tool call whose deltas are still arriving. */
interface PendingToolCall {
  id: string | undefined;
  name: string;
  argumentsText: string;
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

  /** Adds one `tool_calls` delta. Servers that omit `index` are matched by `id`, else appended. */
  addToolDelta(delta: Record<string, unknown>): void {
    const fn = isJsonObject(delta.function) ? delta.function : {};
    const id = nonEmpty(delta.id);
    let index = typeof delta.index === 'number' ? delta.index : undefined;
    if (index === undefined && id !== undefined) {
      for (const [known, call] of this.pending) if (call.id === id) index = known;
    }
    if (index === undefined) index = id === undefined && this.order.length > 0 ? (this.order.at(-1) ?? 0) : this.nextImplicitIndex;
    let call = this.pending.get(index);
    if (call === undefined) {
      call = { id: undefined, name: '', argumentsText: '' };
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
  }

  /** The tool calls assembled so far, in the order they began; empties the buffer. */
  takeToolCalls(): ToolCall[] {
    const calls = this.order.map((index) => {
      const call = this.pending.get(index) as PendingToolCall;
      if (call.name === '') {
        throw new SwitchyardError({ category: 'server', message: `${this.provider} streamed a tool call without a function name`, provider: this.provider });
      }
      return { id: call.id ?? generateId('call_'), name: call.name, arguments: parseToolArguments(call.argumentsText, this.provider, call.name) };
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
 * Turns the bytes of a Chat Completions event stream into adapter stream parts: `response-metadata`
 * once, `text-delta`s, `tool-call`s when the finish reason arrives, then `usage` (when reported)
 * and `finish` last. Reasoning deltas (`reasoning_content`, DeepSeek) and refusals are not text.
 */
export async function* parseChatCompletionStream(source: AsyncIterable<Uint8Array>, options: ChatStreamOptions): AsyncGenerator<AdapterStreamPart> {
  const { provider } = options;
  const state = new ChunkAccumulator(provider);
  let done = false;
  let toolCallCount = 0;

  for await (const event of parseSse(source)) {
    if (done) continue; // read to the end so the connection can be reused
    const data = event.data.trim();
    if (data === '') continue;
    if (data === '[DONE]') {
      done = true;
      continue;
    }
    let chunk: unknown;
    try {
      chunk = JSON.parse(data);
    } catch (error) {
      if (event.event === 'error') throw mapOpenAIStreamError(data, options.secret);
      throw malformed(provider, error);
    }
    if (event.event === 'error' || (isJsonObject(chunk) && chunk.error !== undefined && chunk.error !== null)) {
      throw mapOpenAIStreamError(chunk, options.secret);
    }
    if (!isJsonObject(chunk)) throw malformed(provider, undefined);

    if (!state.metadataSent) {
      // Azure's first chunk holds only `prompt_filter_results`, with an empty id and model.
      const id = nonEmpty(chunk.id);
      const servedModel = nonEmpty(chunk.model);
      if (id !== undefined || servedModel !== undefined) {
        state.metadataSent = true;
        yield { type: 'response-metadata', id: id ?? generateId('chatcmpl-'), ...(servedModel === undefined ? {} : { servedModel }) };
      }
    }
    const usage = parseOpenAIUsage(chunk.usage);
    if (usage !== undefined) state.usage = usage;

    const choices = Array.isArray(chunk.choices) ? chunk.choices : [];
    for (const choice of choices) {
      if (!isJsonObject(choice) || (typeof choice.index === 'number' && choice.index !== 0)) continue;
      const delta = isJsonObject(choice.delta) ? choice.delta : {};
      if (typeof delta.content === 'string' && delta.content !== '') yield { type: 'text-delta', text: delta.content };
      if (Array.isArray(delta.tool_calls)) {
        for (const toolDelta of delta.tool_calls) if (isJsonObject(toolDelta)) state.addToolDelta(toolDelta);
      }
      const finishReason = nonEmpty(choice.finish_reason);
      if (finishReason !== undefined) {
        state.sawFinish = true;
        state.rawFinishReason = finishReason;
        for (const toolCall of state.takeToolCalls()) {
          toolCallCount += 1;
          yield { type: 'tool-call', toolCall };
        }
      }
    }
  }

  if (!done && !state.sawFinish) {
    throw new SwitchyardError({ category: 'network', message: `${provider} stream ended before the answer was complete (no finish_reason and no [DONE])`, provider });
  }
  // A server that closes with [DONE] but never sent a finish reason still finished its answer.
  for (const toolCall of state.takeToolCalls()) {
    toolCallCount += 1;
    yield { type: 'tool-call', toolCall };
  }
  if (!state.metadataSent) yield { type: 'response-metadata', id: generateId('chatcmpl-') };
  if (state.usage !== undefined) yield { type: 'usage', usage: state.usage };
  const unified = state.rawFinishReason === undefined && toolCallCount === 0 ? 'stop' : mapOpenAIFinishReason(state.rawFinishReason, toolCallCount > 0);
  yield { type: 'finish', finishReason: unified, ...(state.rawFinishReason === undefined ? {} : { rawFinishReason: state.rawFinishReason }) };
}
