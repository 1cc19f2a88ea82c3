/**
 * Reasoning parts ↔ the Messages API's `thinking` and `redacted_thinking` blocks
 * (https://platform.claude.com/docs/en/build-with-claude/extended-thinking).
 *
 * A client sends thinking blocks back unchanged, and the router sends a reasoning part back only to
 * the provider type that made it. A part from another type (a Gemini thought summary, DeepSeek's
 * `reasoning_content`, when a route falls back) still reaches the client as a `thinking` block, with
 * its type and its own signature inside the block's `signature` (`switchyard:gemini:<signature>`),
 * so the block the client sends back becomes that same part again: an Anthropic upstream never
 * receives a signature it did not issue, and Gemini gets its own back.
 */
import type { ReasoningPart } from '../../../types.js';
import { requiredString, type JsonObject } from '../request-fields.js';
import type { AnthropicRedactedThinkingBlock, AnthropicThinkingBlock } from './wire-types.js';

/** The provider type whose reasoning parts are Anthropic's own thinking blocks. */
export const ANTHROPIC_REASONING = 'anthropic';

// `switchyard:<provider type>:<its signature>`; Anthropic's signatures are base64 (never a colon).
const FOREIGN_SIGNATURE = /^switchyard:([A-Za-z0-9_-]+):(.*)$/s;

/** The block that shows a reasoning part to an Anthropic client. */
export function reasoningBlock(part: ReasoningPart): AnthropicThinkingBlock | AnthropicRedactedThinkingBlock {
  if (part.provider !== ANTHROPIC_REASONING) return { type: 'thinking', thinking: part.text, signature: `switchyard:${part.provider}:${part.signature ?? ''}` };
  if (part.redactedData !== undefined) return { type: 'redacted_thinking', data: part.redactedData };
  return { type: 'thinking', thinking: part.text, signature: part.signature ?? '' };
}

/** A `thinking` block of an assistant turn → its reasoning part. */
export function thinkingPart(block: JsonObject, field: string): ReasoningPart {
  const text = requiredString(block.thinking, `${field}.thinking`, { allowEmpty: true });
  const signature = requiredString(block.signature, `${field}.signature`, { allowEmpty: true });
  const foreign = FOREIGN_SIGNATURE.exec(signature);
  if (foreign === null) return signature === '' ? { type: 'reasoning', text, provider: ANTHROPIC_REASONING } : { type: 'reasoning', text, signature, provider: ANTHROPIC_REASONING };
  const [, provider = '', own = ''] = foreign;
  return own === '' ? { type: 'reasoning', text, provider } : { type: 'reasoning', text, signature: own, provider };
}

/** A `redacted_thinking` block of an assistant turn → its reasoning part (no text, the data kept). */
export function redactedThinkingPart(block: JsonObject, field: string): ReasoningPart {
  const data = requiredString(block.data, `${field}.data`, { allowEmpty: false });
  return { type: 'reasoning', text: '', redactedData: data, provider: ANTHROPIC_REASONING };
}
