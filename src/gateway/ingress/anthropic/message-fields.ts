/**
 * The fields of a Messages API answer that are derived from a unified `ChatResponse`: the stop
 * reason, the stop sequence, usage and the message id. Shared by `toMessage` and the stream
 * encoder, so a streamed answer ends exactly as the same answer given whole.
 */
import { randomUUID } from 'node:crypto';
import type { ChatResponse, Usage } from '../../../types.js';
import type { AnthropicStopReason, AnthropicUsage } from './wire-types.js';
import type { Mutable } from '../../../mutable.js';

const ANTHROPIC_STOP_REASONS: ReadonlySet<string> = new Set<AnthropicStopReason>([
  'end_turn',
  'max_tokens',
  'stop_sequence',
  'tool_use',
  'pause_turn',
  'refusal',
  'model_context_window_exceeded',
]);

/**
 * The `stop_reason` of an answer. An Anthropic upstream's own reason is kept as it came (so
 * `stop_sequence`, `pause_turn` and `model_context_window_exceeded` survive); otherwise it is read
 * from the unified reason: `length` → `max_tokens`, `content_filter` → `refusal`, `tool_calls` →
 * `tool_use`, `stop` and `other` → `end_turn`. An answer with tool calls that did not stop for
 * length or a filter ends with `tool_use` whatever its provider said (Gemini says `STOP`), since
 * that is what tells an Anthropic client to run the tools.
 */
export function stopReasonOf(response: Pick<ChatResponse, 'finishReason' | 'rawFinishReason' | 'toolCalls'>): AnthropicStopReason {
  const raw = response.rawFinishReason;
  if (raw !== undefined && ANTHROPIC_STOP_REASONS.has(raw)) return raw as AnthropicStopReason;
  switch (response.finishReason) {
    case 'length':
      return 'max_tokens';
    case 'content_filter':
      return 'refusal';
    case 'tool_calls':
      return 'tool_use';
    default:
      return response.toolCalls.length > 0 ? 'tool_use' : 'end_turn';
  }
}

/**
 * The `stop_sequence` of an answer: known only when it stopped on a stop sequence and the request
 * named exactly one (upstreams report that a sequence matched, not which; the unified answer
 * carries no more).
 */
export function stopSequenceOf(stopReason: AnthropicStopReason, stopSequences: readonly string[] | undefined): string | null {
  if (stopReason !== 'stop_sequence' || stopSequences === undefined || stopSequences.length !== 1) return null;
  return stopSequences[0] ?? null;
}

/**
 * Usage as Anthropic counts it: `input_tokens` are the input tokens neither read from nor written
 * to the cache (the unified count includes both); `cache_read_input_tokens` and
 * `cache_creation_input_tokens` only when the upstream reported them; writes, when there were any,
 * also split by lifetime in `cache_creation` (the SDK's `CacheCreation`: `ephemeral_5m_input_tokens`,
 * `ephemeral_1h_input_tokens`; the unified usage counts 1-hour writes apart, the rest are 5-minute).
 * Left out for no writes: the SDK's `MessageStream` does not copy it from `message_delta`, so an
 * always-present breakdown would make every streamed answer differ from the same answer whole.
 */
export function usageOf(usage: Usage): AnthropicUsage {
  // eslint-disable-next-line @typescript-eslint/no-deprecated -- the old name, still read from custom adapters
  const read = usage.cacheReadInputTokens ?? usage.cachedInputTokens;
  const write = usage.cacheWriteInputTokens;
  if (read === undefined && write === undefined) return { input_tokens: usage.inputTokens, output_tokens: usage.outputTokens };
  const mapped: Mutable<AnthropicUsage> = { input_tokens: Math.max(0, usage.inputTokens - (read ?? 0) - (write ?? 0)), output_tokens: usage.outputTokens };
  if (read !== undefined) mapped.cache_read_input_tokens = read;
  if (write !== undefined) mapped.cache_creation_input_tokens = write;
  if (write !== undefined && write > 0) {
    const oneHour = Math.min(write, usage.cacheWrite1hInputTokens ?? 0);
    mapped.cache_creation = { ephemeral_5m_input_tokens: write - oneHour, ephemeral_1h_input_tokens: oneHour };
  }
  return mapped;
}

/** Characters an id may keep after `msg_` (Anthropic's ids are `msg_` and base62). */
const NOT_ID_CHARACTER = /[^A-Za-z0-9_]/g;

/**
 * The `id` of a whole answer: an Anthropic upstream's `msg_…` id as it came, any other upstream's
 * id behind `msg_` (so it can still be found in that provider's logs), or a new one.
 */
export function messageIdOf(response: Pick<ChatResponse, 'id'>): string {
  if (response.id.startsWith('msg_')) return response.id;
  const kept = response.id.replace(NOT_ID_CHARACTER, '');
  return kept === '' ? newMessageId() : `msg_${kept}`;
}

/** A new random message id, `msg_` and 32 hex digits: for a stream's `message_start`. */
export function newMessageId(): string {
  return `msg_${randomUUID().replace(/-/g, '')}`;
}
