/**
 * The `messages` of a Messages API body → unified messages.
 *
 * - user turns: `text`, `image` and `document` blocks become parts (`document-block.ts`; a `file` source's
 *   id is bound to a provider later, see `../file-ids.ts`); each `tool_result` block becomes one `tool`
 *   message (`toolCallId` = `tool_use_id`), in place, so `[tool_result, text]` is a tool message
 *   followed by a user message;
 * - assistant turns: `text` blocks become the content (with their `citations`, stamped `anthropic`,
 *   so the next turn to Anthropic carries them; see `citation-blocks.ts`), `tool_use` blocks become `toolCalls`;
 *   `thinking` and `redacted_thinking` blocks become the message's `reasoning` parts, signature and
 *   data kept (see `reasoning-blocks.ts`), which the router sends back only to their own provider
 *   type;
 * - a `tool_result`'s content is a string, or its text blocks joined with newlines; with images or
 *   documents it stays a list of parts. Its `is_error` flag becomes the message's `isError`;
 *   `citations` are not carried;
 * - `cache_control` on text, image and `tool_result` blocks becomes the part's `cache` (a tool
 *   result's on its last part); on `tool_use` blocks it is dropped (a tool call has no `cache`);
 * - other block types (`search_result`, server tool blocks) are refused by name.
 */
import { invalidRequest } from '../../../errors.js';
import type { Mutable } from '../../../mutable.js';
import type { CacheBreakpoint, ContentPart, ImagePart, Message, ReasoningPart, TextPart, ToolCall } from '../../../types.js';
import { isJsonObject, requiredArray, requiredObject, requiredString, wrongType, type JsonObject } from '../request-fields.js';
import { parseCacheControl, withCache } from './cache-control.js';
import { redactedThinkingPart, thinkingPart } from './reasoning-blocks.js';
import { documentPart, fileReference } from './document-block.js';
import type { FileIdNotes } from '../file-ids.js';
import { parseTextCitations } from './citation-blocks.js';

/** An `image` block's `source`: base64 data with its media type, a URL, or an uploaded file's id. */
function imagePart(block: JsonObject, field: string, files: FileIdNotes): ImagePart {
  const source = requiredObject(block.source, `${field}.source`);
  const kind = source.type;
  if (kind === 'file') return { type: 'image', file: fileReference(source, `${field}.source`, files) };
  if (kind === 'base64') {
    const mediaType = requiredString(source.media_type, `${field}.source.media_type`, { allowEmpty: false });
    const data = requiredString(source.data, `${field}.source.data`, { allowEmpty: false });
    return { type: 'image', data, mediaType };
  }
  if (kind === 'url') return { type: 'image', url: requiredString(source.url, `${field}.source.url`, { allowEmpty: false }) };
  if (typeof kind !== 'string') throw wrongType(`${field}.source.type`, '"base64" or "url"', kind);
  throw invalidRequest(`${field}.source.type`, `image source "${kind}" is not supported by the gateway; use "base64", "url" or "file"`);
}

/** A block as an object with a string `type`. */
function typedBlock(value: unknown, field: string): { readonly block: JsonObject; readonly type: string } {
  const block = requiredObject(value, field);
  const type = requiredString(block.type, `${field}.type`, { allowEmpty: false });
  return { block, type };
}

function unsupportedBlock(type: string, field: string, role: 'user' | 'assistant'): never {
  if (type === 'tool_use' && role === 'user') throw invalidRequest(`${field}.type`, 'tool_use blocks belong in assistant messages');
  if (type === 'tool_result' && role === 'assistant') throw invalidRequest(`${field}.type`, 'tool_result blocks belong in user messages');
  if ((type === 'image' || type === 'document') && role === 'assistant') throw invalidRequest(`${field}.type`, `${type} blocks belong in user messages`);
  throw invalidRequest(`${field}.type`, `"${type}" blocks are not supported by the gateway`);
}

/** The text of a `text` block. */
function textOf(block: JsonObject, field: string): string {
  return requiredString(block.text, `${field}.text`, { allowEmpty: true });
}

/** A `tool_result` block's content: a string, text joined by newlines, or parts when it has images. */
function toolResultContent(value: unknown, field: string, files: FileIdNotes): string | ContentPart[] {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (!Array.isArray(value)) throw wrongType(field, 'a string or an array of content blocks', value);
  const parts: ContentPart[] = [];
  value.forEach((item: unknown, index) => {
    const itemField = `${field}[${index}]`;
    const { block, type } = typedBlock(item, itemField);
    if (type === 'text') parts.push(withCache<ContentPart>({ type: 'text', text: textOf(block, itemField) }, parseCacheControl(block, itemField)));
    else if (type === 'image') parts.push(withCache<ContentPart>(imagePart(block, itemField, files), parseCacheControl(block, itemField)));
    else if (type === 'document') parts.push(withCache<ContentPart>(documentPart(block, itemField, files), parseCacheControl(block, itemField)));
    else throw invalidRequest(`${itemField}.type`, `"${type}" blocks are not supported in a tool result by the gateway; use "text", "image" or "document"`);
  });
  // Breakpoints need parts to sit on; without them (or media) the content is one string.
  return parts.some((part) => part.type !== 'text' || part.cache !== undefined) ? parts : parts.map((part) => (part as { text: string }).text).join('\n');
}

/** A tool result's content with the `tool_result` block's breakpoint on its last part. */
function toolResultWithCache(content: string | ContentPart[], cache: CacheBreakpoint | undefined): string | ContentPart[] {
  if (cache === undefined) return content;
  const parts: ContentPart[] = typeof content === 'string' ? [{ type: 'text', text: content }] : [...content];
  const last = parts.length - 1;
  if (last < 0) return [{ type: 'text', text: '', cache }];
  parts[last] = { ...(parts[last] as ContentPart), cache };
  return parts;
}

/** A user turn: its parts and tool results, in order. */
function userMessages(content: readonly unknown[], field: string, into: Message[], files: FileIdNotes): void {
  let parts: ContentPart[] = [];
  const flush = (): void => {
    if (parts.length > 0) into.push({ role: 'user', content: parts });
    parts = [];
  };
  content.forEach((item, index) => {
    const blockField = `${field}[${index}]`;
    const { block, type } = typedBlock(item, blockField);
    switch (type) {
      case 'text':
        parts.push(withCache<ContentPart>({ type: 'text', text: textOf(block, blockField) }, parseCacheControl(block, blockField)));
        return;
      case 'image':
        parts.push(withCache<ContentPart>(imagePart(block, blockField, files), parseCacheControl(block, blockField)));
        return;
      case 'document':
        parts.push(withCache<ContentPart>(documentPart(block, blockField, files), parseCacheControl(block, blockField)));
        return;
      case 'tool_result': {
        flush();
        const toolCallId = requiredString(block.tool_use_id, `${blockField}.tool_use_id`, { allowEmpty: false });
        const content = toolResultContent(block.content, `${blockField}.content`, files);
        const isError = block.is_error;
        if (isError !== undefined && typeof isError !== 'boolean') throw wrongType(`${blockField}.is_error`, 'a boolean', isError);
        const message: Message = { role: 'tool', toolCallId, content: toolResultWithCache(content, parseCacheControl(block, blockField)) };
        into.push(isError === true ? { ...message, isError } : message);
        return;
      }
      default:
        unsupportedBlock(type, blockField, 'user');
    }
  });
  flush();
  // A turn of no blocks stays a (empty) user message, so the upstream judges it as Anthropic would.
  if (content.length === 0) into.push({ role: 'user', content: [] });
}

/** An assistant `text` block: its text, breakpoint and citations (which go back to Anthropic only). */
function assistantTextPart(block: JsonObject, field: string): TextPart {
  const part = withCache<TextPart>({ type: 'text', text: textOf(block, field) }, parseCacheControl(block, field));
  const citations = parseTextCitations(block.citations, `${field}.citations`);
  return citations === undefined ? part : { ...part, citations };
}

/** An assistant turn: its reasoning, its text and its tool calls. */
function assistantMessage(content: readonly unknown[], field: string): Message {
  const texts: TextPart[] = [];
  const toolCalls: ToolCall[] = [];
  const reasoning: ReasoningPart[] = [];
  content.forEach((item, index) => {
    const blockField = `${field}[${index}]`;
    const { block, type } = typedBlock(item, blockField);
    if (type === 'text') texts.push(assistantTextPart(block, blockField));
    else if (type === 'tool_use') {
      const id = requiredString(block.id, `${blockField}.id`, { allowEmpty: false });
      const name = requiredString(block.name, `${blockField}.name`, { allowEmpty: false });
      const input = block.input === undefined ? {} : requiredObject(block.input, `${blockField}.input`);
      toolCalls.push({ id, name, arguments: input });
    } else if (type === 'thinking') reasoning.push(thinkingPart(block, blockField));
    else if (type === 'redacted_thinking') reasoning.push(redactedThinkingPart(block, blockField));
    else unsupportedBlock(type, blockField, 'assistant');
  });
  // One text block stays a string (what every adapter handles most simply); several, or one with a breakpoint or citations, stay parts.
  const text: Message['content'] = texts.length <= 1 && texts[0]?.cache === undefined && texts[0]?.citations === undefined ? (texts[0]?.text ?? '') : texts;
  const message: Mutable<Message> = { role: 'assistant', content: text };
  if (toolCalls.length > 0) message.toolCalls = toolCalls;
  if (reasoning.length > 0) message.reasoning = reasoning;
  return message;
}

/** The unified messages of a Messages API `messages` array; uploaded files' ids are noted in `files`. */
export function parseMessages(value: unknown, files: FileIdNotes = {}): Message[] {
  const messages = requiredArray(value, 'messages', { nonEmpty: true });
  const unified: Message[] = [];
  messages.forEach((item, index) => {
    const field = `messages[${index}]`;
    if (!isJsonObject(item)) throw wrongType(field, 'an object', item);
    const role = item.role;
    if (role !== 'user' && role !== 'assistant') {
      throw invalidRequest(`${field}.role`, `expected "user" or "assistant", got ${role === undefined ? 'nothing' : JSON.stringify(role)} (a system prompt goes in the top-level \`system\`)`);
    }
    const content = item.content;
    if (typeof content === 'string') {
      unified.push({ role, content });
      return;
    }
    if (content === undefined) throw invalidRequest(`${field}.content`, 'required');
    if (!Array.isArray(content)) throw wrongType(`${field}.content`, 'a string or an array of content blocks', content);
    if (role === 'user') userMessages(content, `${field}.content`, unified, files);
    else unified.push(assistantMessage(content, `${field}.content`));
  });
  return unified;
}
