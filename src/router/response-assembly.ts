/**
 * Builds the unified `ChatResponse` from an adapter's result, and accumulates a stream's parts into
 * the same result, so that a stream's `finish` event carries exactly what `chat()` would return.
 */
import { SwitchyardError } from '../errors.js';
import type { AdapterResult, AdapterStreamPart } from '../provider-spec.js';
import type { Attempt, ChatResponse, Citation, FinishReason, ProviderMetadata, ProviderMetadataEntry, ReasoningPart, Target, TextPart, ToolCall, Usage } from '../types.js';
import { providerMetadataOf } from '../provider-metadata.js';
import type { Mutable } from '../mutable.js';
import { assistantMessage, noReasoning } from './assistant-message.js';

/** What the router adds to an adapter's result. */
export interface ResponseMeta {
  readonly route: string;
  readonly target: Target;
  readonly attempts: readonly Attempt[];
  readonly latencyMs: number;
  readonly requestId: string;
}

/** Combines an adapter result with the router's facts about the call. */
export function buildResponse(result: AdapterResult, meta: ResponseMeta): ChatResponse {
  // Optional fields assigned, not spread in: a conditional spread costs V8 a generic property copy
  // on every call. (They come last in the object's key order.)
  const reasoning = result.reasoning === undefined || result.reasoning.length === 0 ? noReasoning() : result.reasoning;
  const response: Mutable<ChatResponse> = {
    id: result.id,
    text: result.text,
    toolCalls: result.toolCalls,
    reasoning,
    message: assistantMessage(result.text, result.toolCalls, reasoning, result.textParts),
    finishReason: result.finishReason,
    usage: result.usage,
    route: meta.route,
    target: meta.target,
    attempts: meta.attempts,
    latencyMs: meta.latencyMs,
    requestId: meta.requestId,
    cached: false,
  };
  if (result.rawFinishReason !== undefined) response.rawFinishReason = result.rawFinishReason;
  if (result.servedModel !== undefined) response.servedModel = result.servedModel;
  if (result.providerMetadata !== undefined) response.providerMetadata = result.providerMetadata;
  if (result.textParts !== undefined) response.textParts = result.textParts;
  return response;
}

const EMPTY_USAGE: Usage = { inputTokens: 0, outputTokens: 0, totalTokens: 0 };

/** Accumulates stream parts; `result()` is available once a `finish` part arrived. */
export class StreamAccumulator {
  private readonly textParts: string[] = [];
  /** Length of the text so far, where each cited block ends (`citations` parts). */
  private textLength = 0;
  private readonly citedBlocks: CitedBlock[] = [];
  private readonly toolCalls: ToolCall[] = [];
  private readonly reasoning: ReasoningPart[] = [];
  private usage: Usage = EMPTY_USAGE;
  private finishReason: FinishReason | undefined;
  private rawFinishReason: string | undefined;
  private id: string | undefined;
  private servedModel: string | undefined;
  private providerMetadata: ProviderMetadata | undefined;

  /** Adds one part. */
  add(part: AdapterStreamPart): void {
    switch (part.type) {
      case 'text-delta':
        this.textParts.push(part.text);
        this.textLength += part.text.length;
        break;
      case 'citations':
        this.citedBlocks.push({ end: this.textLength, length: part.text.length, citations: part.citations });
        break;
      case 'tool-call':
        this.toolCalls.push(part.toolCall);
        break;
      case 'reasoning':
        this.reasoning.push(part.part);
        break;
      case 'reasoning-delta':
      case 'tool-call-delta':
        break; // shown to the caller; the complete `reasoning` / `tool-call` part is what is kept
      case 'usage':
        this.usage = part.usage;
        break;
      case 'finish':
        this.finishReason = part.finishReason;
        this.rawFinishReason = part.rawFinishReason;
        break;
      case 'response-metadata':
        if (part.id !== undefined) this.id = part.id;
        if (part.servedModel !== undefined) this.servedModel = part.servedModel;
        if (part.providerMetadata !== undefined) this.providerMetadata = part.providerMetadata;
        break;
    }
  }

  /** Whether the stream delivered its terminal part. */
  get finished(): boolean {
    return this.finishReason !== undefined;
  }

  /** The complete result; throws when the stream has not finished (never a silent truncation). */
  result(fallbackId: string): AdapterResult {
    if (this.finishReason === undefined) {
      throw new SwitchyardError({ category: 'network', message: 'the stream ended without a finish event' });
    }
    const text = this.textParts.join('');
    return {
      id: this.id ?? fallbackId,
      text,
      ...(this.citedBlocks.length === 0 ? {} : { textParts: splitCitedText(text, this.citedBlocks) }),
      toolCalls: this.toolCalls,
      ...(this.reasoning.length === 0 ? {} : { reasoning: this.reasoning }),
      finishReason: this.finishReason,
      ...(this.rawFinishReason === undefined ? {} : { rawFinishReason: this.rawFinishReason }),
      usage: this.usage,
      ...(this.servedModel === undefined ? {} : { servedModel: this.servedModel }),
      ...(this.providerMetadata === undefined ? {} : { providerMetadata: this.completedMetadata(this.providerMetadata) }),
    };
  }

  /** The stream's metadata (headers, from its start) with the response id and raw finish reason it reported since. */
  private completedMetadata(metadata: ProviderMetadata): ProviderMetadata {
    const completed: Record<string, ProviderMetadataEntry> = {};
    for (const [type, entry] of Object.entries(metadata)) {
      completed[type] = { ...entry, ...providerMetadataOf(type, this.id, this.rawFinishReason, undefined)[type] };
    }
    return completed;
  }
}

/** A text block that cited sources: it ends at `end` in the joined text and is `length` long. */
interface CitedBlock {
  readonly end: number;
  readonly length: number;
  readonly citations: readonly Citation[];
}

/** The joined text cut into parts: each cited block with its citations, the text between them plain. */
function splitCitedText(text: string, blocks: readonly CitedBlock[]): TextPart[] {
  const parts: TextPart[] = [];
  let at = 0;
  for (const block of blocks) {
    const start = Math.max(at, block.end - block.length);
    if (start > at) parts.push({ type: 'text', text: text.slice(at, start) });
    parts.push({ type: 'text', text: text.slice(start, block.end), citations: block.citations });
    at = block.end;
  }
  if (at < text.length) parts.push({ type: 'text', text: text.slice(at) });
  return parts;
}

/**
 * Whether a part is output the caller sees (after which a stream can no longer be replayed).
 * Reasoning is output: a model may think for tens of seconds, which the caller should see as it
 * comes rather than after the answer's first word. A tool call's argument delta is output like the
 * completed call: the caller may already act on the partial arguments.
 */
export function isOutputPart(part: AdapterStreamPart): boolean {
  return part.type === 'text-delta' || part.type === 'tool-call-delta' || part.type === 'tool-call' || part.type === 'reasoning-delta' || part.type === 'reasoning';
}
