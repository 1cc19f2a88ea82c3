/**
 * Maps an Anthropic `message` object (a complete answer) into an `AdapterResult`.
 * Reference: https://platform.claude.com/docs/en/api/messages
 */
import { randomUUID } from 'node:crypto';
import { SwitchyardError } from '../../src/errors.js';
import type { AdapterResult } from '../../src/provider-spec.js';
import type { FinishReason, ReasoningPart, TextPart, ToolCall, Usage } from '../../src/types.js';
import { parseAnthropicCitations } from './citations.js';
import { anthropicReasoningPart } from './thinking.js';
import type { Mutable } from '../../src/mutable.js';

/**
 * The unified finish reason for an Anthropic `stop_reason`. `pause_turn`, and any reason added
 * later, is `other`; the raw value is always kept beside it.
 */
export function mapStopReason(stopReason: string | null | undefined): FinishReason {
  switch (stopReason) {
    case 'end_turn':
    case 'stop_sequence':
      return 'stop';
    case 'max_tokens':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'refusal':
      return 'content_filter';
    default:
      return 'other';
  }
}

/** Anthropic's `usage` fields (every one optional: a `message_delta` carries only some). */
export interface AnthropicUsage {
  readonly input_tokens?: number | null;
  readonly output_tokens?: number | null;
  readonly cache_creation_input_tokens?: number | null;
  readonly cache_read_input_tokens?: number | null;
  /**
   * `cache_creation_input_tokens` by the lifetime of the entries written
   * (https://docs.anthropic.com/en/api/messages, response `usage.cache_creation`).
   */
  readonly cache_creation?: { readonly ephemeral_5m_input_tokens?: number | null; readonly ephemeral_1h_input_tokens?: number | null } | null;
}

function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/**
 * Unified usage. Anthropic's `input_tokens` counts only the tokens after the last cache
 * breakpoint; the documented total input is `input_tokens + cache_creation_input_tokens +
 * cache_read_input_tokens`; the cache reads are `cacheReadInputTokens` (and the deprecated
 * `cachedInputTokens`), the cache writes `cacheWriteInputTokens`, those to 1-hour entries
 * (`cache_creation.ephemeral_1h_input_tokens`, priced apart) `cacheWrite1hInputTokens` when any.
 */
export function mapUsage(usage: AnthropicUsage | undefined): Usage {
  const uncached = count(usage?.input_tokens) ?? 0;
  const cacheWrite = count(usage?.cache_creation_input_tokens);
  const cacheCreation = cacheWrite ?? 0;
  const cacheRead = count(usage?.cache_read_input_tokens);
  const inputTokens = uncached + cacheCreation + (cacheRead ?? 0);
  const outputTokens = count(usage?.output_tokens) ?? 0;
  const mapped: Mutable<Usage> = { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens };
  if (cacheRead !== undefined) {
    mapped.cacheReadInputTokens = cacheRead;
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- the old name, still set for existing readers
    mapped.cachedInputTokens = cacheRead;
  }
  if (cacheWrite !== undefined) mapped.cacheWriteInputTokens = cacheWrite;
  const cacheWrite1h = count(usage?.cache_creation?.ephemeral_1h_input_tokens);
  if (cacheWrite1h !== undefined && cacheWrite1h > 0) mapped.cacheWrite1hInputTokens = cacheWrite1h;
  return mapped;
}

/** A tool's `input` as the unified arguments object (a non-object input is wrapped as `{ value }`). */
export function toolArguments(input: unknown): Record<string, unknown> {
  if (typeof input === 'object' && input !== null && !Array.isArray(input)) return input as Record<string, unknown>;
  return input === undefined || input === null ? {} : { value: input };
}

function malformed(provider: string, what: string): SwitchyardError {
  return new SwitchyardError({ category: 'server', message: `${provider} returned a message without ${what}`, provider });
}

/**
 * Parses a complete `message` body. Text blocks are joined (and kept as `textParts` when one cites
 * a document); `tool_use` blocks become tool calls.
 */
export function parseAnthropicMessage(body: unknown, provider: string): AdapterResult {
  if (typeof body !== 'object' || body === null) throw malformed(provider, 'a JSON object body');
  const message = body as { id?: unknown; model?: unknown; content?: unknown; stop_reason?: unknown; usage?: unknown };
  if (!Array.isArray(message.content)) throw malformed(provider, 'a content array');
  let text = '';
  const toolCalls: ToolCall[] = [];
  const reasoning: ReasoningPart[] = [];
  const textParts: TextPart[] = [];
  let cited = false;
  for (const block of message.content as unknown[]) {
    if (typeof block !== 'object' || block === null) continue;
    const { type } = block as { type?: unknown };
    if (type === 'text') {
      const { text: blockText, citations } = block as { text?: unknown; citations?: unknown };
      if (typeof blockText !== 'string') continue;
      text += blockText;
      // The blocks are kept apart only for their citations (textParts); most answers have none.
      const parsed = parseAnthropicCitations(citations);
      if (parsed.length > 0) cited = true;
      textParts.push(parsed.length > 0 ? { type: 'text', text: blockText, citations: parsed } : { type: 'text', text: blockText });
    } else if (type === 'tool_use') {
      const { id, name, input } = block as { id?: unknown; name?: unknown; input?: unknown };
      if (typeof id !== 'string' || typeof name !== 'string') throw malformed(provider, 'an id and name on a tool_use block');
      toolCalls.push({ id, name, arguments: toolArguments(input) });
    } else {
      // thinking and redacted_thinking become reasoning parts; server-tool blocks carry nothing the unified shape holds.
      const part = anthropicReasoningPart(block as Record<string, unknown>);
      if (part !== undefined) reasoning.push(part);
    }
  }
  const rawFinishReason = typeof message.stop_reason === 'string' ? message.stop_reason : undefined;
  const usage = typeof message.usage === 'object' && message.usage !== null ? (message.usage as AnthropicUsage) : undefined;
  // Optional fields assigned, not spread: this runs on every answer.
  const result: Mutable<AdapterResult> = {
    id: typeof message.id === 'string' && message.id !== '' ? message.id : `msg_${randomUUID()}`,
    text,
    toolCalls,
    finishReason: mapStopReason(rawFinishReason),
    usage: mapUsage(usage),
  };
  if (reasoning.length > 0) result.reasoning = reasoning;
  if (cited) result.textParts = textParts;
  if (rawFinishReason !== undefined) result.rawFinishReason = rawFinishReason;
  if (typeof message.model === 'string') result.servedModel = message.model;
  return result;
}
