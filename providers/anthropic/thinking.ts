/**
 * Extended thinking for the Anthropic Messages API, per the extended thinking guide
 * (https://platform.claude.com/docs/en/build-with-claude/extended-thinking):
 *
 * - request: `reasoning` becomes `thinking: { type: 'enabled', budget_tokens }`; an effort level is
 *   a budget from `EFFORT_BUDGETS` (src/reasoning-effort.ts), and budgets below the API's minimum (1,024) are raised
 *   to it. The API requires `max_tokens > budget_tokens`: when the request's limit is not above the
 *   budget, `max_tokens` becomes budget + limit (the limit is then what the answer may use). Thinking
 *   is not compatible with `temperature`, `top_k` or forced tool use: `temperature` is dropped,
 *   `top_p` kept only within 0.95–1, and with a forced tool choice (or a structured answer taken as
 *   a forced tool) thinking is not sent;
 * - models without thinking (Claude 3.5 and older) get no `thinking` field;
 * - history: an assistant message's reasoning parts from `anthropic` go first in its content, as
 *   `thinking` (with `signature`) or `redacted_thinking` (with `data`) blocks, unchanged; parts from
 *   other providers are dropped. In a tool loop whose last assistant turn has no thinking block (it
 *   came from another provider, or thinking was off), thinking is left off for the request: the API
 *   rejects a tool-result turn whose assistant turn lacks one when thinking is on;
 * - answers: `thinking` and `redacted_thinking` blocks become reasoning parts with `provider:
 *   'anthropic'`.
 */
import { budgetOf } from '../../src/reasoning-effort.js';
import type { ReasoningOption, ReasoningPart, Message } from '../../src/types.js';

/** The provider type Anthropic reasoning parts carry. */
export const ANTHROPIC_REASONING_PROVIDER = 'anthropic';

/** The smallest `budget_tokens` the API accepts. */
export const ANTHROPIC_MIN_THINKING_BUDGET = 1024;

/** A request block that carries reasoning back. */
export type AnthropicThinkingBlock =
  | { readonly type: 'thinking'; readonly thinking: string; readonly signature: string }
  | { readonly type: 'redacted_thinking'; readonly data: string };

/** `thinking` of the request body. */
export interface AnthropicThinkingConfig {
  readonly type: 'enabled';
  readonly budget_tokens: number;
}

/** The body fields thinking reads and changes (a subset of the Messages request body). */
export interface ThinkingBodyFields {
  max_tokens: number;
  temperature?: number;
  top_p?: number;
  tool_choice?: { readonly type: string };
  thinking?: AnthropicThinkingConfig;
}

/** Claude 3.5 and older models have no extended thinking; 3.7 and every 4.x model have it. */
export function anthropicModelThinks(model: string): boolean {
  return !/^(anthropic\.)?claude-(instant|2|3-(?!7)|3-5)/.test(model);
}

/** The thinking budget for a reasoning option, at least the API's minimum. */
export function anthropicThinkingBudget(option: ReasoningOption): number {
  return Math.max(ANTHROPIC_MIN_THINKING_BUDGET, budgetOf(option));
}

/** Whether the request ends in a tool loop whose last assistant turn carries no Anthropic thinking. */
function continuesToolLoopWithoutThinking(messages: readonly Message[]): boolean {
  const last = messages[messages.length - 1];
  if (last === undefined || last.role !== 'tool') return false;
  for (let index = messages.length - 1; index >= 0; index -= 1) {
    const message = messages[index] as Message;
    if (message.role !== 'assistant') continue;
    if ((message.toolCalls ?? []).length === 0) return false;
    return !(message.reasoning ?? []).some((part) => part.provider === ANTHROPIC_REASONING_PROVIDER && isSendable(part));
  }
  return false;
}

/**
 * Adds `thinking` to a Messages body when the request asks for reasoning and the model has it, and
 * makes the rest of the body acceptable with thinking on (see the module's description).
 */
export function applyAnthropicThinking(body: ThinkingBodyFields, option: ReasoningOption | undefined, model: string, messages: readonly Message[]): void {
  if (option === undefined || !anthropicModelThinks(model)) return;
  const forced = body.tool_choice?.type === 'any' || body.tool_choice?.type === 'tool';
  if (forced || continuesToolLoopWithoutThinking(messages)) return;
  const budget = anthropicThinkingBudget(option);
  body.thinking = { type: 'enabled', budget_tokens: budget };
  if (body.max_tokens <= budget) body.max_tokens = budget + body.max_tokens;
  delete body.temperature;
  if (body.top_p !== undefined && body.top_p < 0.95) delete body.top_p;
}

/** Whether a part can go back to Anthropic: a signed thinking block, or redacted data. */
function isSendable(part: ReasoningPart): boolean {
  return part.redactedData !== undefined ? part.redactedData !== '' : part.signature !== undefined && part.signature !== '';
}

/**
 * The thinking blocks for an assistant message's reasoning: Anthropic's own parts, unchanged and in
 * order; parts of other providers (and unsigned ones, which the API would reject) are dropped.
 */
export function anthropicThinkingBlocks(reasoning: readonly ReasoningPart[] | undefined): AnthropicThinkingBlock[] {
  const blocks: AnthropicThinkingBlock[] = [];
  for (const part of reasoning ?? []) {
    if (part.provider !== ANTHROPIC_REASONING_PROVIDER || !isSendable(part)) continue;
    if (part.redactedData !== undefined) blocks.push({ type: 'redacted_thinking', data: part.redactedData });
    else blocks.push({ type: 'thinking', thinking: part.text, signature: part.signature as string });
  }
  return blocks;
}

/** A response's `thinking` or `redacted_thinking` block as a reasoning part; undefined for other blocks. */
export function anthropicReasoningPart(block: Record<string, unknown>): ReasoningPart | undefined {
  if (block.type === 'thinking') {
    const part: { -readonly [K in keyof ReasoningPart]: ReasoningPart[K] } = {
      type: 'reasoning',
      text: typeof block.thinking === 'string' ? block.thinking : '',
      provider: ANTHROPIC_REASONING_PROVIDER,
    };
    if (typeof block.signature === 'string' && block.signature !== '') part.signature = block.signature;
    return part;
  }
  if (block.type === 'redacted_thinking' && typeof block.data === 'string') {
    return { type: 'reasoning', text: '', redactedData: block.data, provider: ANTHROPIC_REASONING_PROVIDER };
  }
  return undefined;
}
