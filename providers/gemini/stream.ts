/**
 * Maps Gemini's `streamGenerateContent?alt=sse` events to adapter stream parts. Each SSE `data`
 * is a whole `GenerateContentResponse` chunk: text arrives in pieces, a `functionCall` arrives
 * whole in one chunk (mapped to one `tool-call-delta` with all its arguments, then the `tool-call`),
 * and the last chunk carries `finishReason` and the final `usageMetadata`.
 * Grounding metadata (the last chunk's, which covers the whole answer) and citation sources (of
 * every chunk) come out as one `citations` part for the whole text at the end (citations.ts).
 * A stream that ends before any chunk carried a `finishReason` was cut, and is reported as a
 * `network` error rather than a silent, truncated success.
 */
import { SwitchyardError } from '../../src/errors.js';
import type { AdapterStreamPart } from '../../src/provider-spec.js';
import type { SseEvent } from '../../src/streaming/sse.js';
import { mapSseStream, type SseEventMapper } from '../../src/streaming/sse-stream.js';
import type { Mutable } from '../../src/mutable.js';
import type { ProviderMetadata, Usage } from '../../src/types.js';
import { geminiError } from './errors.js';
import { GeminiReasoningCollector } from './thinking.js';
import { geminiCitations } from './citations.js';
import {
  candidateParts,
  firstCandidate,
  mapGeminiFinishReason,
  mapGeminiUsage,
  partText,
  partToolCall,
  throwIfPromptBlocked,
} from './response.js';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseChunk(data: string, provider: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch (error) {
    throw new SwitchyardError({ category: 'server', message: `${provider} sent a stream chunk that is not JSON`, provider, cause: error });
  }
  if (!isRecord(value)) throw new SwitchyardError({ category: 'server', message: `${provider} sent a stream chunk that is not an object`, provider });
  return value;
}

/** Who is streaming, stamped on every error a stream throws. */
export interface GeminiStreamContext {
  /** The provider id from the config. */
  readonly provider: string;
  /** The upstream model, when known. */
  readonly model?: string;
  /** Put on the stream's `response-metadata` part: what the response headers said (provider-metadata.ts). */
  readonly providerMetadata?: ProviderMetadata;
}

/** `error` as a `SwitchyardError` stamped with the provider and, when given, the model. */
export function stampGeminiError(error: unknown, provider: string, model?: string): SwitchyardError {
  const base = SwitchyardError.isInstance(error)
    ? error
    : new SwitchyardError({ category: 'unknown', message: error instanceof Error ? error.message : String(error), cause: error });
  const stampedModel = base.model ?? model;
  return base.with({ provider: base.provider ?? provider, ...(stampedModel === undefined ? {} : { model: stampedModel }) });
}

/** Turns one stream's Gemini SSE events into stream parts. Throws `SwitchyardError` only. */
export class GeminiStreamMapper implements SseEventMapper<AdapterStreamPart> {
  private announced = false;
  private toolCallCount = 0;
  private usage: Usage | undefined;
  private rawFinishReason: string | undefined;
  /** Thought summaries and the signature: `reasoning-delta`s as they come, one part at the end. */
  private readonly reasoning = new GeminiReasoningCollector();
  /** The answer's text so far, and its latest grounding metadata and citation sources, for the `citations` part. */
  private readonly text: string[] = [];
  private groundingMetadata: unknown;
  private readonly citationSources = new Map<string, unknown>();
  private citationListKey: 'citationSources' | 'citations' = 'citationSources';

  constructor(private readonly context: GeminiStreamContext) {}

  event(event: SseEvent, parts: AdapterStreamPart[]): void {
    if (event.data.trim() === '') return;
    const { provider } = this.context;
    const chunk = parseChunk(event.data, provider);
    if (chunk.error !== undefined) {
      const code = isRecord(chunk.error) && typeof chunk.error.code === 'number' ? chunk.error.code : 500;
      throw geminiError({ status: code, body: chunk }).with({ provider });
    }
    if (!this.announced) {
      this.announced = true;
      const metadata: Mutable<Extract<AdapterStreamPart, { type: 'response-metadata' }>> = { type: 'response-metadata' };
      if (typeof chunk.responseId === 'string') metadata.id = chunk.responseId;
      if (typeof chunk.modelVersion === 'string') metadata.servedModel = chunk.modelVersion;
      if (this.context.providerMetadata !== undefined) metadata.providerMetadata = this.context.providerMetadata;
      parts.push(metadata);
    }
    throwIfPromptBlocked(chunk, provider);
    if (chunk.usageMetadata !== undefined) this.usage = mapGeminiUsage(chunk.usageMetadata);
    const candidate = firstCandidate(chunk);
    for (const part of candidateParts(candidate)) {
      const thought = this.reasoning.add(part);
      if (thought !== undefined) parts.push({ type: 'reasoning-delta', text: thought });
      const text = partText(part);
      if (text !== undefined && text !== '') {
        this.text.push(text);
        parts.push({ type: 'text-delta', text });
      }
      const toolCall = partToolCall(part, this.toolCallCount);
      if (toolCall !== undefined) {
        this.toolCallCount += 1;
        // Gemini sends a call whole; one delta with all of its arguments keeps the stream's shape the
        // same as other providers' (every call preceded by its deltas).
        parts.push({ type: 'tool-call-delta', toolCallId: toolCall.id, toolName: toolCall.name, argumentsDelta: JSON.stringify(toolCall.arguments) });
        parts.push({ type: 'tool-call', toolCall });
      }
    }
    if (candidate?.groundingMetadata !== undefined) this.groundingMetadata = candidate.groundingMetadata;
    this.addCitationSources(candidate?.citationMetadata);
    if (typeof candidate?.finishReason === 'string') this.rawFinishReason = candidate.finishReason;
  }

  /** A chunk's citation sources (Vertex: `citations`), each kept once: a later chunk may repeat earlier ones. */
  private addCitationSources(metadata: unknown): void {
    if (!isRecord(metadata)) return;
    this.citationListKey = Array.isArray(metadata.citationSources) ? 'citationSources' : 'citations';
    const sources: unknown = metadata[this.citationListKey];
    if (!Array.isArray(sources)) return;
    for (const source of sources) this.citationSources.set(JSON.stringify(source), source);
  }

  end(parts: AdapterStreamPart[]): void {
    const { provider } = this.context;
    const rawFinishReason = this.rawFinishReason;
    if (rawFinishReason === undefined) {
      throw new SwitchyardError({ category: 'network', message: `${provider} stream ended before a chunk carried a finishReason`, provider });
    }
    if (this.groundingMetadata !== undefined || this.citationSources.size > 0) {
      const text = this.text.join('');
      const citationMetadata = { [this.citationListKey]: [...this.citationSources.values()] };
      const citations = geminiCitations(this.groundingMetadata, citationMetadata, { text });
      if (citations.length > 0) parts.push({ type: 'citations', text, citations });
    }
    // At the end: the signature may come on the answer's last part.
    const reasoningPart = this.reasoning.part();
    if (reasoningPart !== undefined) parts.push({ type: 'reasoning', part: reasoningPart });
    if (this.usage !== undefined) parts.push({ type: 'usage', usage: this.usage });
    parts.push({ type: 'finish', finishReason: mapGeminiFinishReason(rawFinishReason, this.toolCallCount > 0), rawFinishReason });
  }

  fail(error: unknown): SwitchyardError {
    return stampGeminiError(error, this.context.provider, this.context.model);
  }
}

/** The parts of a Gemini SSE byte stream (an upstream response's body). */
export function streamGeminiBody(body: AsyncIterable<Uint8Array>, context: GeminiStreamContext): AsyncIterableIterator<AdapterStreamPart> {
  return mapSseStream(body, new GeminiStreamMapper(context));
}
