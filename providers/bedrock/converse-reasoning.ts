/**
 * Reasoning over Bedrock Converse. Converse has no common reasoning field: each model family takes
 * its own in `additionalModelRequestFields`. For Anthropic models (`anthropic.claude-*`, and
 * inference profiles such as `us.anthropic.claude-*`) `reasoning` becomes Anthropic's
 * `thinking: { type: 'enabled', budget_tokens }`, with the same rules as the Anthropic adapter
 * (providers/anthropic/thinking.ts): budgets from effort levels, `maxTokens` raised above the budget,
 * no `temperature`, no thinking with a forced tool or in a tool loop whose last assistant turn
 * carries no thinking. Other families' reasoning switches are passed with `providerOptions.bedrock`
 * (they land in `additionalModelRequestFields`).
 * Answers' `reasoningContent` blocks become reasoning parts with `provider: 'bedrock'`; those with a
 * signature (or redacted content) go back in later turns as `reasoningContent` blocks, unchanged.
 * Reference: https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ReasoningContentBlock.html
 */
import type { ChatRequest, Message, ReasoningPart } from '../../src/types.js';
import { anthropicModelThinks, anthropicThinkingBudget } from '../anthropic/thinking.js';
import type { ConverseContentBlock, ConverseRequestBody } from './converse-body.js';

/** The provider type Converse reasoning parts carry. */
export const BEDROCK_REASONING_PROVIDER = 'bedrock';

/** Whether a Bedrock model id (or inference profile id) names an Anthropic model. */
function isAnthropicModel(model: string): boolean {
  return /(^|\.)anthropic\.claude-/.test(model);
}

/** A part Converse can take back: signed reasoning text, or redacted content. */
function isSendable(part: ReasoningPart): boolean {
  if (part.provider !== BEDROCK_REASONING_PROVIDER) return false;
  return part.redactedData !== undefined ? part.redactedData !== '' : part.signature !== undefined && part.signature !== '';
}

/** The `reasoningContent` blocks of an assistant message's reasoning (other providers' parts dropped). */
export function converseReasoningBlocks(reasoning: readonly ReasoningPart[] | undefined): ConverseContentBlock[] {
  const blocks: ConverseContentBlock[] = [];
  for (const part of reasoning ?? []) {
    if (!isSendable(part)) continue;
    if (part.redactedData !== undefined) blocks.push({ reasoningContent: { redactedContent: part.redactedData } });
    else blocks.push({ reasoningContent: { reasoningText: { text: part.text, signature: part.signature } } });
  }
  return blocks;
}

/** Whether the request continues a tool loop whose last assistant turn has no reasoning to send back. */
function continuesToolLoopWithoutReasoning(messages: readonly Message[]): boolean {
  if (messages[messages.length - 1]?.role !== 'tool') return false;
  for (let index = messages.length - 1; index >= 0; index -= 1) {
    const message = messages[index] as Message;
    if (message.role !== 'assistant') continue;
    if ((message.toolCalls ?? []).length === 0) return false;
    return !(message.reasoning ?? []).some(isSendable);
  }
  return false;
}

/** Adds Anthropic `thinking` to `additionalModelRequestFields` when asked for and the model has it. */
export function applyConverseReasoning(body: ConverseRequestBody, request: ChatRequest, model: string): void {
  const option = request.reasoning;
  if (option === undefined || !isAnthropicModel(model) || !anthropicModelThinks(model.slice(model.indexOf('anthropic.')))) return;
  const choice = body.toolConfig?.toolChoice;
  if ((choice !== undefined && ('any' in choice || 'tool' in choice)) || continuesToolLoopWithoutReasoning(request.messages)) return;
  const budget = anthropicThinkingBudget(option);
  body.additionalModelRequestFields = { ...body.additionalModelRequestFields, thinking: { type: 'enabled', budget_tokens: budget } };
  const config = body.inferenceConfig;
  if (config.maxTokens <= budget) config.maxTokens = budget + config.maxTokens;
  delete config.temperature;
  if (config.topP !== undefined && config.topP < 0.95) delete config.topP;
}

/** A response's `reasoningContent` block as a reasoning part; undefined for anything else. */
export function converseReasoningPart(block: unknown): ReasoningPart | undefined {
  if (typeof block !== 'object' || block === null) return undefined;
  const content = (block as { reasoningContent?: unknown }).reasoningContent;
  if (typeof content !== 'object' || content === null) return undefined;
  const { reasoningText, redactedContent } = content as { reasoningText?: { text?: unknown; signature?: unknown } | null; redactedContent?: unknown };
  if (typeof redactedContent === 'string') return { type: 'reasoning', text: '', redactedData: redactedContent, provider: BEDROCK_REASONING_PROVIDER };
  // A null or missing reasoningText is a block we do not know: skipped, as other unknown blocks are.
  if (reasoningText === undefined || reasoningText === null) return undefined;
  const text = typeof reasoningText.text === 'string' ? reasoningText.text : '';
  return typeof reasoningText.signature === 'string' && reasoningText.signature !== ''
    ? { type: 'reasoning', text, signature: reasoningText.signature, provider: BEDROCK_REASONING_PROVIDER }
    : { type: 'reasoning', text, provider: BEDROCK_REASONING_PROVIDER };
}
