/**
 * The system prompt as one string, for providers and checks that take one: `ChatRequest.system`
 * may be a string or a list of text parts (which can carry prompt-cache breakpoints).
 */
import type { ChatRequest } from './types.js';

/**
 * The text of `system`: the string, or its parts' non-empty texts joined by a blank line;
 * undefined when there is none or it is empty.
 *
 * @example
 * systemPromptText([{ type: 'text', text: 'You are terse.' }, { type: 'text', text: 'Docs…', cache: true }]);
 * // 'You are terse.\n\nDocs…'
 */
export function systemPromptText(system: ChatRequest['system']): string | undefined {
  if (system === undefined) return undefined;
  const text = typeof system === 'string' ? system : system.map((part) => part.text).filter((part) => part !== '').join('\n\n');
  return text === '' ? undefined : text;
}
