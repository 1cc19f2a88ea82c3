/**
 * The simulator's checks of Anthropic request content blocks that carry media: `document` blocks
 * (a `base64` PDF, a `text` plain-text source or a `url`) and `tool_result` blocks (`is_error` a
 * boolean, content a string or blocks). Messages are worded like the API's validation errors.
 */
import { isObject, type JsonObject } from './wire-helpers.js';

function checkDocument(block: JsonObject, where: string): string | undefined {
  const source = block.source;
  if (!isObject(source)) return `${where}.source: Field required`;
  switch (source.type) {
    case 'base64':
      if (source.media_type !== 'application/pdf') return `${where}.source.base64.media_type: Input should be 'application/pdf'`;
      return typeof source.data === 'string' && source.data !== '' ? undefined : `${where}.source.base64.data: Field required`;
    case 'text':
      if (source.media_type !== 'text/plain') return `${where}.source.text.media_type: Input should be 'text/plain'`;
      return typeof source.data === 'string' ? undefined : `${where}.source.text.data: Field required`;
    case 'url':
      return typeof source.url === 'string' && source.url !== '' ? undefined : `${where}.source.url.url: Field required`;
    default:
      return `${where}.source: Input tag '${String(source.type)}' found using 'type' does not match any of the expected tags: 'base64', 'content', 'text', 'url'`;
  }
}

function checkToolResult(block: JsonObject, where: string): string | undefined {
  if (block.is_error !== undefined && typeof block.is_error !== 'boolean') return `${where}.tool_result.is_error: Input should be a valid boolean`;
  if (!Array.isArray(block.content)) return undefined;
  for (const [index, item] of block.content.entries()) {
    if (!isObject(item)) return `${where}.tool_result.content.${index}: Input should be an object`;
    if (item.type === 'document') {
      const problem = checkDocument(item, `${where}.tool_result.content.${index}`);
      if (problem !== undefined) return problem;
    }
  }
  return undefined;
}

/** The 400's message for a message whose media blocks are malformed, or `undefined`. */
export function anthropicContentBlockProblem(message: JsonObject, messageIndex: number): string | undefined {
  if (!Array.isArray(message.content)) return undefined;
  for (const [index, block] of message.content.entries()) {
    if (!isObject(block)) continue;
    const where = `messages.${messageIndex}.content.${index}`;
    if (block.type === 'document') {
      if (message.role !== 'user') return `${where}: document blocks are only allowed in user messages`;
      const problem = checkDocument(block, where);
      if (problem !== undefined) return problem;
    } else if (block.type === 'tool_result') {
      const problem = checkToolResult(block, where);
      if (problem !== undefined) return problem;
    }
  }
  return undefined;
}
