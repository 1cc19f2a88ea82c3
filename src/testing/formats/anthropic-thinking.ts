/**
 * Extended thinking as the simulated Anthropic API speaks it, from the extended thinking guide
 * (https://platform.claude.com/docs/en/build-with-claude/extended-thinking) and the streaming
 * reference ("Thinking delta"): the request's `thinking` checked the way the API checks it, thinking
 * blocks sent back verified against the signatures the simulator issued, the tool-loop rule (with
 * thinking on, the assistant turn before the last tool results must start with a thinking block),
 * and the blocks and stream events of an answer that thinks.
 */
import { reasoningChunks, signThinking, thinkingSignatureValid, type SimReasoningRequest } from '../sim-reasoning.js';
import type { SimAnswer } from '../wire-format.js';
import { isObject, type JsonObject } from './wire-helpers.js';

/** Checks thinking blocks given back: each must carry the signature the simulator issued for its text. */
function checkHistory(messages: readonly unknown[]): string | undefined {
  for (const [messageIndex, message] of messages.entries()) {
    if (!isObject(message) || message.role !== 'assistant' || !Array.isArray(message.content)) continue;
    for (const [blockIndex, block] of message.content.entries()) {
      if (!isObject(block) || block.type !== 'thinking') continue;
      if (typeof block.thinking !== 'string' || !thinkingSignatureValid(block.thinking, block.signature)) {
        return `messages.${messageIndex}.content.${blockIndex}: Invalid \`signature\` in \`thinking\` block`;
      }
    }
  }
  return undefined;
}

/** With thinking on, a request that ends with tool results needs a thinking block first in the assistant turn before them. */
function checkToolLoop(messages: readonly unknown[]): string | undefined {
  const last = messages[messages.length - 1];
  const previous = messages[messages.length - 2];
  if (!isObject(last) || last.role !== 'user' || !Array.isArray(last.content)) return undefined;
  if (!last.content.some((block) => isObject(block) && block.type === 'tool_result')) return undefined;
  if (!isObject(previous) || previous.role !== 'assistant' || !Array.isArray(previous.content)) return undefined;
  const first: unknown = previous.content[0];
  const firstType = isObject(first) ? first.type : undefined;
  if (firstType === 'thinking' || firstType === 'redacted_thinking') return undefined;
  return (
    `messages.${messages.length - 2}.content.0.type: Expected \`thinking\` or \`redacted_thinking\`, but found \`${String(firstType)}\`. ` +
    'When `thinking` is enabled, a final `assistant` message must start with a thinking block (preceeding the lastmost set of `tool_use` and `tool_result` blocks). ' +
    'We recommend you include thinking blocks from previous turns. To avoid this requirement, disable `thinking`.'
  );
}

/**
 * The reasoning a Messages body asks for (`undefined`: none), or the 400's message for a body the
 * API would refuse.
 */
export function anthropicThinkingRequest(body: JsonObject): SimReasoningRequest | undefined | string {
  const messages = Array.isArray(body.messages) ? body.messages : [];
  const history = checkHistory(messages);
  if (history !== undefined) return history;
  const thinking = body.thinking;
  if (thinking === undefined) return undefined;
  if (!isObject(thinking)) return 'thinking: Input should be an object';
  if (thinking.type === 'disabled') return undefined;
  if (thinking.type !== 'enabled') return "thinking.type: Input should be 'enabled' or 'disabled'";
  const budget = thinking.budget_tokens;
  if (typeof budget !== 'number' || !Number.isInteger(budget) || budget < 1024) return 'thinking.enabled.budget_tokens: Input should be greater than or equal to 1024';
  if (typeof body.max_tokens === 'number' && body.max_tokens <= budget) return '`max_tokens` must be greater than `thinking.budget_tokens`';
  if (body.temperature !== undefined && body.temperature !== 1) return '`temperature` may only be set to 1 when thinking is enabled';
  if (body.top_k !== undefined) return '`top_k` is not supported when thinking is enabled';
  if (typeof body.top_p === 'number' && body.top_p < 0.95) return '`top_p` must be greater than or equal to 0.95 when thinking is enabled';
  const choice = body.tool_choice;
  if (isObject(choice) && (choice.type === 'any' || choice.type === 'tool')) return 'Thinking may not be enabled when tool_choice forces tool use.';
  const loop = checkToolLoop(messages);
  if (loop !== undefined) return loop;
  return { budgetTokens: budget };
}

/** The signed `thinking` block of an answer that reasoned. */
export function anthropicThinkingBlock(answer: SimAnswer): JsonObject | undefined {
  if (answer.reasoning === undefined) return undefined;
  return { type: 'thinking', thinking: answer.reasoning, signature: signThinking(answer.reasoning) };
}

/**
 * The stream events of an answer's thinking block at `index`: an empty block, its text in
 * `thinking_delta`s, its signature in one `signature_delta`, then `content_block_stop`.
 */
export function anthropicThinkingEvents(answer: SimAnswer, index: number): JsonObject[] {
  if (answer.reasoning === undefined) return [];
  return [
    { type: 'content_block_start', index, content_block: { type: 'thinking', thinking: '', signature: '' } },
    ...reasoningChunks(answer.reasoning).map((thinking) => ({ type: 'content_block_delta', index, delta: { type: 'thinking_delta', thinking } })),
    { type: 'content_block_delta', index, delta: { type: 'signature_delta', signature: signThinking(answer.reasoning) } },
    { type: 'content_block_stop', index },
  ];
}
