/**
 * Maps a Gemini `GenerateContentResponse` (ai.google.dev/api/generate-content#generatecontentresponse)
 * to the unified result: finish reasons, function calls (Gemini gives them no id, so ids are
 * generated from their position), usage and a blocked prompt. Grounding and citation metadata make
 * the text one of `textParts` with its citations (citations.ts).
 */
import { randomUUID } from 'node:crypto';
import { SwitchyardError } from '../../src/errors.js';
import type { AdapterResult } from '../../src/provider-spec.js';
import type { FinishReason, ToolCall, Usage } from '../../src/types.js';
import type { Mutable } from '../../src/mutable.js';
import { GeminiReasoningCollector } from './thinking.js';
import { geminiCitations } from './citations.js';

/** Gemini finish reasons that mean a safety or policy filter cut the answer. */
const FILTER_REASONS = new Set([
  'SAFETY',
  'RECITATION',
  'BLOCKLIST',
  'PROHIBITED_CONTENT',
  'SPII',
  'IMAGE_SAFETY',
  'IMAGE_PROHIBITED_CONTENT',
  'IMAGE_RECITATION',
]);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

/**
 * The unified finish reason for Gemini's `finishReason`. `STOP` becomes `tool_calls` when the
 * answer called functions (Gemini reports STOP for those too).
 */
export function mapGeminiFinishReason(raw: string | undefined, hasToolCalls: boolean): FinishReason {
  if (raw === 'STOP') return hasToolCalls ? 'tool_calls' : 'stop';
  if (raw === 'MAX_TOKENS') return 'length';
  if (raw !== undefined && FILTER_REASONS.has(raw)) return 'content_filter';
  return 'other';
}

/**
 * Usage from `usageMetadata`. Thinking tokens (`thoughtsTokenCount`) are billed as output, so they
 * count as output tokens; `cachedContentTokenCount` (part of `promptTokenCount`) becomes
 * `cacheReadInputTokens` (and the deprecated `cachedInputTokens`). Gemini reports no cache writes.
 */
export function mapGeminiUsage(metadata: unknown): Usage {
  if (!isRecord(metadata)) return { inputTokens: 0, outputTokens: 0, totalTokens: 0 };
  const inputTokens = count(metadata.promptTokenCount);
  const outputTokens = count(metadata.candidatesTokenCount) + count(metadata.thoughtsTokenCount);
  const total = typeof metadata.totalTokenCount === 'number' ? metadata.totalTokenCount : inputTokens + outputTokens;
  const usage: Mutable<Usage> = { inputTokens, outputTokens, totalTokens: total };
  if (typeof metadata.cachedContentTokenCount === 'number') {
    usage.cacheReadInputTokens = metadata.cachedContentTokenCount;
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- the old name, still set for existing readers
    usage.cachedInputTokens = metadata.cachedContentTokenCount;
  }
  // Thinking tokens are already in `outputTokens`; reported apart as well.
  if (typeof metadata.thoughtsTokenCount === 'number' && metadata.thoughtsTokenCount > 0) usage.reasoningTokens = metadata.thoughtsTokenCount;
  return usage;
}

/** The first candidate of a response (or stream chunk), when there is one. */
export function firstCandidate(body: Record<string, unknown>): Record<string, unknown> | undefined {
  const candidates = body.candidates;
  if (!Array.isArray(candidates)) return undefined;
  const first: unknown = candidates[0];
  return isRecord(first) ? first : undefined;
}

/** The parts of a candidate's content (Gemini omits `parts` for an empty answer). */
export function candidateParts(candidate: Record<string, unknown> | undefined): readonly Record<string, unknown>[] {
  const content = candidate?.content;
  if (!isRecord(content) || !Array.isArray(content.parts)) return [];
  return content.parts.filter(isRecord);
}

/** The visible text of a part: thought summaries (`thought: true`) are not part of the answer. */
export function partText(part: Record<string, unknown>): string | undefined {
  return typeof part.text === 'string' && part.thought !== true ? part.text : undefined;
}

/** A `functionCall` part as a unified tool call; `index` numbers the calls of one answer from 0. */
export function partToolCall(part: Record<string, unknown>, index: number): ToolCall | undefined {
  const call = part.functionCall;
  if (!isRecord(call) || typeof call.name !== 'string') return undefined;
  const args = call.args;
  return {
    id: typeof call.id === 'string' && call.id !== '' ? call.id : `call_${index}`,
    name: call.name,
    arguments: isRecord(args) ? args : args === undefined || args === null ? {} : { value: args },
  };
}

/**
 * Throws `content_filter` when Gemini refused the prompt itself: `promptFeedback.blockReason` set
 * and no candidate returned.
 */
export function throwIfPromptBlocked(body: Record<string, unknown>, provider: string): void {
  const feedback = body.promptFeedback;
  const reason = isRecord(feedback) && typeof feedback.blockReason === 'string' ? feedback.blockReason : undefined;
  if (reason !== undefined && firstCandidate(body) === undefined) {
    throw new SwitchyardError({
      category: 'content_filter',
      message: `${provider} blocked the prompt (${reason})`,
      provider,
      providerCode: reason,
    });
  }
}

/** Parses a complete `generateContent` answer. Throws `SwitchyardError` only. */
export function parseGeminiResponse(body: unknown, provider: string): AdapterResult {
  if (!isRecord(body)) throw new SwitchyardError({ category: 'server', message: `${provider} returned a response that is not an object`, provider });
  throwIfPromptBlocked(body, provider);
  const candidate = firstCandidate(body);
  if (candidate === undefined) throw new SwitchyardError({ category: 'server', message: `${provider} returned no candidates`, provider });
  let text = '';
  const toolCalls: ToolCall[] = [];
  const reasoning = new GeminiReasoningCollector();
  // Where each part's text starts in the answer's: grounding segments count from their part's start.
  const partStarts: number[] = [];
  for (const part of candidateParts(candidate)) {
    partStarts.push(text.length);
    reasoning.add(part);
    const piece = partText(part);
    if (piece !== undefined) text += piece;
    const toolCall = partToolCall(part, toolCalls.length);
    if (toolCall !== undefined) toolCalls.push(toolCall);
  }
  const rawFinishReason = typeof candidate.finishReason === 'string' ? candidate.finishReason : undefined;
  // Optional fields assigned, not spread: this runs on every answer.
  const result: Mutable<AdapterResult> = {
    id: typeof body.responseId === 'string' && body.responseId !== '' ? body.responseId : `gemini-${randomUUID()}`,
    text,
    toolCalls,
    finishReason: mapGeminiFinishReason(rawFinishReason, toolCalls.length > 0),
    usage: mapGeminiUsage(body.usageMetadata),
  };
  const reasoningPart = reasoning.part();
  if (reasoningPart !== undefined) result.reasoning = [reasoningPart];
  if (candidate.groundingMetadata !== undefined || candidate.citationMetadata !== undefined) {
    const citations = geminiCitations(candidate.groundingMetadata, candidate.citationMetadata, { text, partStarts });
    if (citations.length > 0) result.textParts = [{ type: 'text', text, citations }];
  }
  if (rawFinishReason !== undefined) result.rawFinishReason = rawFinishReason;
  if (typeof body.modelVersion === 'string') result.servedModel = body.modelVersion;
  return result;
}
