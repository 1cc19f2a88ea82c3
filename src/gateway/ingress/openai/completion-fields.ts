/**
 * Pieces shared by the `chat.completion` object and the stream's chunks: the completion id, the
 * finish reason, the usage object and tool calls in the API's shape.
 */
import type { Mutable } from '../../../mutable.js';
import type { FinishReason, ToolCall, Usage } from '../../../types.js';
import type { OpenAIFinishReason, OpenAIToolCallObject, OpenAIUsageObject } from './wire-types.js';

const ID_PREFIX = 'chatcmpl-';

/** `chatcmpl-<id>`, the way the API names completions; an id that already has the prefix is kept. */
export function chatCompletionId(id: string): string {
  return id.startsWith(ID_PREFIX) ? id : `${ID_PREFIX}${id}`;
}

/** The API's finish reason; the unified `other` has no counterpart and reads as a natural stop. */
export function openAIFinishReason(reason: FinishReason): OpenAIFinishReason {
  return reason === 'other' ? 'stop' : reason;
}

/**
 * The `usage` object; `prompt_tokens_details.cached_tokens` (the cache reads) and
 * `completion_tokens_details.reasoning_tokens` only when the provider reported them. The API has no
 * field for cache writes: they stay counted in `prompt_tokens`.
 */
export function openAIUsage(usage: Usage): OpenAIUsageObject {
  const mapped: Mutable<OpenAIUsageObject> = { prompt_tokens: usage.inputTokens, completion_tokens: usage.outputTokens, total_tokens: usage.totalTokens };
  // eslint-disable-next-line @typescript-eslint/no-deprecated -- the old name, still read from custom adapters
  const cached = usage.cacheReadInputTokens ?? usage.cachedInputTokens;
  if (cached !== undefined) mapped.prompt_tokens_details = { cached_tokens: cached };
  if (usage.reasoningTokens !== undefined) mapped.completion_tokens_details = { reasoning_tokens: usage.reasoningTokens };
  return mapped;
}

/** A tool call with its arguments as JSON text. */
export function openAIToolCall(call: ToolCall): OpenAIToolCallObject {
  return { id: call.id, type: 'function', function: { name: call.name, arguments: JSON.stringify(call.arguments) } };
}

/** Unix seconds now, as `created` carries it. */
export function nowInSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
