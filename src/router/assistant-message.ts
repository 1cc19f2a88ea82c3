/**
 * The assistant message a response hands back for the next turn (`ChatResponse.message`): the
 * answer's text, tool calls and reasoning in the shape `ChatRequest.messages` takes, so a tool loop
 * is `messages.push(res.message, ...toolResults)`.
 */
import type { Message, ReasoningPart, TextPart, ToolCall } from '../types.js';
import type { Mutable } from '../mutable.js';

const NO_REASONING: readonly ReasoningPart[] = Object.freeze([]);

/** The shared empty reasoning list (responses without reasoning all point at it). */
export function noReasoning(): readonly ReasoningPart[] {
  return NO_REASONING;
}

/**
 * The assistant message for an answer. Empty lists are left out, so an answer with neither tool
 * calls nor reasoning is `{ role: 'assistant', content: text }`; an answer with `textParts`
 * (citations) has them as its content.
 */
export function assistantMessage(text: string, toolCalls: readonly ToolCall[], reasoning: readonly ReasoningPart[] | undefined, textParts?: readonly TextPart[]): Message {
  // With citations the text goes back as its cited pieces, so the provider gets them back too.
  const message: Mutable<Message> = { role: 'assistant', content: textParts ?? text };
  if (toolCalls.length > 0) message.toolCalls = toolCalls;
  if (reasoning !== undefined && reasoning.length > 0) message.reasoning = reasoning;
  return message;
}
