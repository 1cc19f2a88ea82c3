/**
 * Reasoning as the simulated Chat Completions servers speak it:
 * - OpenAI (https://platform.openai.com/docs/api-reference/chat/create#chat-create-reasoning_effort):
 *   `reasoning_effort` for reasoning models (o-series, GPT-5), refused with 400 by older ones
 *   (`gpt-4*`, `gpt-3.5*`); no reasoning text, only `completion_tokens_details.reasoning_tokens`;
 * - DeepSeek (https://api-docs.deepseek.com/guides/thinking_mode), for models whose name says
 *   `deepseek`: the reasoning as `reasoning_content` beside `content` (and in stream deltas before
 *   the content), and the tool-call rule: in thinking mode an assistant turn that called tools must
 *   come back with its `reasoning_content`, or the request is refused with 400.
 */
import type { SimReasoningRequest } from '../sim-reasoning.js';
import { isObject, type JsonObject } from './wire-helpers.js';

const EFFORTS: ReadonlySet<unknown> = new Set(['minimal', 'low', 'medium', 'high', 'max', 'xhigh']);

/** Servers that show reasoning as `reasoning_content` (DeepSeek and its look-alikes). */
export function showsReasoningContent(model: string): boolean {
  return /deepseek/i.test(model);
}

/** Older OpenAI models, which refuse `reasoning_effort`. */
function refusesReasoningEffort(model: string): boolean {
  return /^(gpt-4|gpt-3\.5|gpt-35)/i.test(model);
}

/** The reasoning a Chat Completions body asks for (`undefined`: none), or a 400's message. */
export function chatReasoningRequest(body: JsonObject, model: string): SimReasoningRequest | undefined | string {
  const effort = body.reasoning_effort;
  if (effort !== undefined && effort !== null) {
    if (!EFFORTS.has(effort)) return `Invalid value for 'reasoning_effort': ${JSON.stringify(effort)}. Supported values are: 'low', 'medium' and 'high'.`;
    if (refusesReasoningEffort(model)) return "Unsupported parameter: 'reasoning_effort' is not supported with this model.";
  }
  const thinking = (effort !== undefined && effort !== null) || (showsReasoningContent(model) && /reasoner/i.test(model));
  if (!thinking) return undefined;
  if (showsReasoningContent(model)) {
    const messages = Array.isArray(body.messages) ? body.messages : [];
    for (const message of messages) {
      if (!isObject(message) || message.role !== 'assistant' || !Array.isArray(message.tool_calls) || message.tool_calls.length === 0) continue;
      if (typeof message.reasoning_content !== 'string' || message.reasoning_content === '') {
        return 'The `reasoning_content` in the thinking mode must be passed back to the API.';
      }
    }
  }
  return typeof effort === 'string' ? { effort } : {};
}
