/**
 * Reads a Converse answer: `{ output: { message: { role, content: [...] } }, stopReason, usage,
 * metrics: { latencyMs } }`. Content blocks are `{ text }`, `{ toolUse: { toolUseId, name, input } }`,
 * `{ reasoningContent }` and `{ citationsContent }` (text with its citations: then every text block is
 * one of `textParts`, converse-citations.ts); other kinds (guard content) carry nothing the unified
 * answer holds.
 * References: https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html (response
 * syntax), https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_TokenUsage.html and
 * https://docs.aws.amazon.com/bedrock/latest/userguide/prompt-caching.html (`inputTokens` counts only
 * the input not read from or written to the cache).
 */
import { randomUUID } from 'node:crypto';
import { SwitchyardError } from '../../src/errors.js';
import type { HeaderBag } from '../../src/errors.js';
import type { Mutable } from '../../src/mutable.js';
import type { AdapterResult } from '../../src/provider-spec.js';
import type { FinishReason, ReasoningPart, TextPart, ToolCall, Usage } from '../../src/types.js';
import { joinedText, parseConverseCitations } from './converse-citations.js';
import { toolArguments } from '../anthropic/response.js';
import { converseReasoningPart } from './converse-reasoning.js';

/**
 * The unified finish reason of a Converse `stopReason`. `guardrail_intervened` and
 * `content_filtered` are content filters; `model_context_window_exceeded` ran out of room.
 */
export function mapConverseStopReason(stopReason: string | undefined): FinishReason {
  switch (stopReason) {
    case 'end_turn':
    case 'stop_sequence':
      return 'stop';
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'guardrail_intervened':
    case 'content_filtered':
      return 'content_filter';
    default:
      return 'other';
  }
}

function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/**
 * Unified usage from Converse's `TokenUsage`. Bedrock's `inputTokens` leaves out the tokens read
 * from and written to the prompt cache; the unified `inputTokens` counts all input, so they are added.
 */
export function mapConverseUsage(usage: unknown): Usage {
  const fields = typeof usage === 'object' && usage !== null ? (usage as Record<string, unknown>) : {};
  const cacheRead = count(fields.cacheReadInputTokens);
  const cacheWrite = count(fields.cacheWriteInputTokens);
  const inputTokens = (count(fields.inputTokens) ?? 0) + (cacheRead ?? 0) + (cacheWrite ?? 0);
  const outputTokens = count(fields.outputTokens) ?? 0;
  const mapped: Mutable<Usage> = { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens };
  if (cacheRead !== undefined) {
    mapped.cacheReadInputTokens = cacheRead;
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- the old name, still set for existing readers
    mapped.cachedInputTokens = cacheRead;
  }
  if (cacheWrite !== undefined) mapped.cacheWriteInputTokens = cacheWrite;
  const oneHour = oneHourCacheWrites(fields.cacheDetails);
  if (oneHour !== undefined && oneHour > 0) mapped.cacheWrite1hInputTokens = oneHour;
  return mapped;
}

/**
 * The 1-hour share of the cache writes, from `TokenUsage.cacheDetails` (`[{ ttl: '5m' | '1h',
 * inputTokens }]`, https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_CacheDetail.html).
 */
function oneHourCacheWrites(details: unknown): number | undefined {
  if (!Array.isArray(details)) return undefined;
  let total: number | undefined;
  for (const detail of details as unknown[]) {
    if (typeof detail !== 'object' || detail === null) continue;
    const { ttl, inputTokens } = detail as { ttl?: unknown; inputTokens?: unknown };
    const tokens = count(inputTokens);
    if (ttl === '1h' && tokens !== undefined) total = (total ?? 0) + tokens;
  }
  return total;
}

function malformed(provider: string, what: string): SwitchyardError {
  return new SwitchyardError({ category: 'server', code: 'server.malformed_response', message: `${provider} returned a Converse answer without ${what}`, provider });
}

/** The response id: Bedrock's request id (`x-amzn-requestid`), as Converse answers carry no id of their own. */
export function converseResponseId(headers: HeaderBag | undefined): string {
  const value = headers?.['x-amzn-requestid'];
  const id = Array.isArray(value) ? value[0] : value;
  return typeof id === 'string' && id !== '' ? id : `bedrock-${randomUUID()}`;
}

/** Parses a complete Converse answer. */
export function parseConverseResponse(body: unknown, provider: string, headers?: HeaderBag): AdapterResult {
  if (typeof body !== 'object' || body === null) throw malformed(provider, 'a JSON object body');
  const { output, stopReason, usage } = body as { output?: { message?: { content?: unknown } }; stopReason?: unknown; usage?: unknown };
  const content = output?.message?.content;
  if (!Array.isArray(content)) throw malformed(provider, 'output.message.content');
  let text = '';
  const toolCalls: ToolCall[] = [];
  const reasoning: ReasoningPart[] = [];
  const textParts: TextPart[] = [];
  let cited = false;
  for (const block of content as unknown[]) {
    if (typeof block !== 'object' || block === null) continue;
    const { text: blockText, toolUse, citationsContent } = block as { text?: unknown; toolUse?: { toolUseId?: unknown; name?: unknown; input?: unknown } | null; citationsContent?: unknown };
    if (typeof blockText === 'string') {
      text += blockText;
      textParts.push({ type: 'text', text: blockText });
    } else if (typeof citationsContent === 'object' && citationsContent !== null) {
      const { content: generated, citations: raw } = citationsContent as { content?: unknown; citations?: unknown };
      const citedText = joinedText(generated);
      const citations = parseConverseCitations(raw);
      text += citedText;
      cited ||= citations.length > 0;
      textParts.push(citations.length > 0 ? { type: 'text', text: citedText, citations } : { type: 'text', text: citedText });
    } else if (toolUse !== undefined) {
      if (toolUse === null || typeof toolUse.toolUseId !== 'string' || typeof toolUse.name !== 'string') throw malformed(provider, 'a toolUseId and name on a toolUse block');
      toolCalls.push({ id: toolUse.toolUseId, name: toolUse.name, arguments: toolArguments(toolUse.input) });
    } else {
      const part = converseReasoningPart(block);
      if (part !== undefined) reasoning.push(part);
    }
  }
  const rawFinishReason = typeof stopReason === 'string' ? stopReason : undefined;
  const result: Mutable<AdapterResult> = { id: converseResponseId(headers), text, toolCalls, finishReason: mapConverseStopReason(rawFinishReason), usage: mapConverseUsage(usage) };
  if (reasoning.length > 0) result.reasoning = reasoning;
  if (cited) result.textParts = textParts;
  if (rawFinishReason !== undefined) result.rawFinishReason = rawFinishReason;
  return result;
}
