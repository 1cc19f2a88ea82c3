/**
 * A unified `ChatResponse` → the Messages API `message` object a non-streaming call answers with.
 * Reference: https://platform.claude.com/docs/en/api/messages (the response's fields).
 */
import type { ChatResponse, TextPart } from '../../../types.js';
import { anthropicCitations, citationObject } from './citation-blocks.js';
import { messageIdOf, stopReasonOf, stopSequenceOf, usageOf } from './message-fields.js';
import { reasoningBlock } from './reasoning-blocks.js';
import type { AnthropicContentBlock, AnthropicMessage, AnthropicTextBlock } from './wire-types.js';

/** A piece of a cited answer's text as its text block. */
function citedTextBlock(part: TextPart): AnthropicTextBlock {
  const citations = anthropicCitations(part.citations);
  return citations.length === 0 ? { type: 'text', text: part.text } : { type: 'text', text: part.text, citations: citations.map(citationObject) };
}

/** Optional inputs of `toMessage`. */
export interface ToMessageOptions {
  /** The request's `stop_sequences`: names the one that matched when there was only one. */
  readonly stopSequences?: readonly string[];
}

/**
 * The content blocks of an answer: its reasoning as `thinking` / `redacted_thinking` blocks (see
 * `reasoning-blocks.ts`), its text, then one `tool_use` block per tool call. The text block is left
 * out when the answer only calls tools (as the API does), and kept, empty, when the answer is
 * empty, so a client reading the text block finds a string. An answer that cites (`textParts`) has
 * one text block per piece, as Anthropic splits it, the cited ones with their `citations`.
 */
export function contentOf(response: Pick<ChatResponse, 'text' | 'toolCalls'> & Partial<Pick<ChatResponse, 'reasoning' | 'textParts'>>): AnthropicContentBlock[] {
  const content: AnthropicContentBlock[] = (response.reasoning ?? []).map(reasoningBlock);
  if (response.textParts !== undefined) content.push(...response.textParts.map(citedTextBlock));
  else if (response.text !== '' || response.toolCalls.length === 0) content.push({ type: 'text', text: response.text });
  for (const call of response.toolCalls) content.push({ type: 'tool_use', id: call.id, name: call.name, input: call.arguments });
  return content;
}

/**
 * The `message` object for an answer. `model` is the name the caller asked for (a route name
 * answers as that route name, whatever target served it).
 */
export function toMessage(response: ChatResponse, requestedModel: string, options: ToMessageOptions = {}): AnthropicMessage {
  const stopReason = stopReasonOf(response);
  return {
    id: messageIdOf(response),
    type: 'message',
    role: 'assistant',
    model: requestedModel,
    content: contentOf(response),
    stop_reason: stopReason,
    stop_sequence: stopSequenceOf(stopReason, options.stopSequences),
    usage: usageOf(response.usage),
  };
}
