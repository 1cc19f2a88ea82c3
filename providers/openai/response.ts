/**
 * Chat Completions response → `AdapterResult`, per the chat completion object reference
 * (https://platform.openai.com/docs/api-reference/chat/object). Tolerant of what compatible
 * servers leave out or add: a missing `id` (one is generated), missing `usage` (zeros), DeepSeek's
 * `reasoning_content` and `prompt_cache_hit_tokens`, content given as parts, and finish reasons
 * from other servers (`eos`, `max_tokens`). A message's `annotations` (web search `url_citation`s)
 * make its text one of `textParts` with their citations (annotations.ts).
 */
import { randomUUID } from 'node:crypto';
import { SwitchyardError } from '../../src/errors.js';
import { parseToolArguments } from '../../src/http/post-json.js';
import type { AdapterResult } from '../../src/provider-spec.js';
import type { FinishReason, ToolCall, Usage } from '../../src/types.js';
import { mapOpenAIStreamError } from './errors.js';
import { reasoningContentPart } from './reasoning.js';
import { parseOpenAIAnnotations } from './annotations.js';
import type { Mutable } from '../../src/mutable.js';

type JsonObject = Record<string, unknown>;

/** Narrows to a plain object. */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An id for answers and tool calls the upstream left without one. */
export function generateId(prefix: string): string {
  return `${prefix}${randomUUID().replace(/-/g, '')}`;
}

const FINISH_REASONS: Readonly<Record<string, FinishReason>> = {
  stop: 'stop',
  eos: 'stop',
  eos_token: 'stop',
  stop_sequence: 'stop',
  end_turn: 'stop',
  length: 'length',
  max_tokens: 'length',
  model_length: 'length',
  tool_calls: 'tool_calls',
  function_call: 'tool_calls',
  content_filter: 'content_filter',
};

/**
 * Maps a raw finish reason. Some compatible servers report `stop` for an answer that called
 * tools; an answer that carries tool calls is `tool_calls` whatever the label.
 */
export function mapOpenAIFinishReason(raw: string | null | undefined, hasToolCalls: boolean): FinishReason {
  const mapped = raw === null || raw === undefined ? undefined : FINISH_REASONS[raw];
  if (hasToolCalls && (mapped === undefined || mapped === 'stop')) return 'tool_calls';
  return mapped ?? 'other';
}

function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/** Reads a `usage` object; `undefined` when there is none. */
export function parseOpenAIUsage(usage: unknown): Usage | undefined {
  if (!isJsonObject(usage)) return undefined;
  const inputTokens = count(usage.prompt_tokens) ?? 0;
  const outputTokens = count(usage.completion_tokens) ?? 0;
  const details = isJsonObject(usage.prompt_tokens_details) ? usage.prompt_tokens_details : undefined;
  // OpenAI and Azure report `prompt_tokens_details.cached_tokens`; DeepSeek `prompt_cache_hit_tokens`.
  const cached = count(details?.cached_tokens) ?? count(usage.prompt_cache_hit_tokens);
  const mapped: Mutable<Usage> = { inputTokens, outputTokens, totalTokens: count(usage.total_tokens) ?? inputTokens + outputTokens };
  if (cached !== undefined) {
    mapped.cacheReadInputTokens = cached;
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- the old name, still set for existing readers
    mapped.cachedInputTokens = cached;
  }
  // Reasoning models report `completion_tokens_details.reasoning_tokens` (0 from other models: left out).
  const reasoningTokens = isJsonObject(usage.completion_tokens_details) ? count(usage.completion_tokens_details.reasoning_tokens) : undefined;
  if (reasoningTokens !== undefined && reasoningTokens > 0) mapped.reasoningTokens = reasoningTokens;
  return mapped;
}

/** Usage when the upstream reported none. */
export const ZERO_USAGE: Usage = { inputTokens: 0, outputTokens: 0, totalTokens: 0 };

/** Message content as text: a string, or the text of its parts. */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .filter((part): part is JsonObject => isJsonObject(part) && typeof part.text === 'string')
    .map((part) => part.text as string)
    .join('');
}

/** A non-empty string, or `undefined`. */
export function nonEmpty(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function parseToolCalls(value: unknown, provider: string): ToolCall[] {
  if (!Array.isArray(value)) return [];
  const calls: ToolCall[] = [];
  for (const item of value) {
    if (!isJsonObject(item) || !isJsonObject(item.function)) continue;
    const name = nonEmpty(item.function.name);
    if (name === undefined) throw new SwitchyardError({ category: 'server', message: `${provider} returned a tool call without a function name`, provider });
    const rawArguments = item.function.arguments;
    const argumentsText = typeof rawArguments === 'string' ? rawArguments : JSON.stringify(rawArguments ?? {});
    calls.push({ id: nonEmpty(item.id) ?? generateId('call_'), name, arguments: parseToolArguments(argumentsText, provider, name) });
  }
  return calls;
}

/**
 * Reads a complete chat completion. A 200 body that holds an `error` object (some gateways answer
 * errors with 200) becomes that error; a body without choices is a `server` error.
 * `reasoningProvider` is the provider type stamped on a `reasoning_content` reasoning part and on
 * the citations of `annotations`.
 */
export function parseChatCompletion(body: unknown, provider: string, reasoningProvider = 'openai-compatible'): AdapterResult {
  if (!isJsonObject(body)) throw new SwitchyardError({ category: 'server', message: `${provider} returned a response that is not an object`, provider });
  if (body.error !== undefined && body.error !== null) throw mapOpenAIStreamError(body, undefined, 'error in a 200 response');
  const choices = Array.isArray(body.choices) ? body.choices : [];
  const choice = choices.find((item): item is JsonObject => isJsonObject(item) && (item.index === undefined || item.index === 0)) ?? choices.find(isJsonObject);
  if (choice === undefined) throw new SwitchyardError({ category: 'server', message: `${provider} returned a response without choices`, provider });
  const message = isJsonObject(choice.message) ? choice.message : {};
  const toolCalls = parseToolCalls(message.tool_calls, provider);
  const rawFinishReason = nonEmpty(choice.finish_reason);
  const servedModel = nonEmpty(body.model);
  // Optional fields assigned, not spread: this runs on every answer.
  const result: Mutable<AdapterResult> = {
    id: nonEmpty(body.id) ?? generateId('chatcmpl-'),
    text: contentText(message.content),
    toolCalls,
    finishReason: mapOpenAIFinishReason(rawFinishReason, toolCalls.length > 0),
    usage: parseOpenAIUsage(body.usage) ?? ZERO_USAGE,
  };
  // DeepSeek-style servers put the reasoning beside the answer; it is never part of the text.
  const reasoningContent = nonEmpty(message.reasoning_content);
  if (reasoningContent !== undefined) result.reasoning = [reasoningContentPart(reasoningContent, reasoningProvider)];
  const citations = parseOpenAIAnnotations(message.annotations, reasoningProvider);
  if (citations.length > 0) result.textParts = [{ type: 'text', text: result.text, citations }];
  if (rawFinishReason !== undefined) result.rawFinishReason = rawFinishReason;
  if (servedModel !== undefined) result.servedModel = servedModel;
  return result;
}
