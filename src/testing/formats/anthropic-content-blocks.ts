/**
 * The simulator's checks of Anthropic request content blocks that carry media: `document` blocks
 * (a `base64` PDF, a `text` plain-text source or a `url`) and `tool_result` blocks (`is_error` a
 * boolean, content a string or blocks), and citations asked on all documents of a request or none.
 * Messages are worded like the API's validation errors.
 */
import { isObject, type JsonObject } from './wire-helpers.js';

/** The Files API beta flag a request with a `file` source must send (https://docs.claude.com/en/api/files-content). */
export const SIM_FILES_API_BETA = 'files-api-2025-04-14';

/**
 * What the simulator knows of a request beyond its body: whether it sent the Files API beta flag.
 * The simulator has no Files API: it takes every `file_…` id as uploaded and answers any other id 404-like 400.
 */
export interface AnthropicBlockContext {
  readonly filesBeta: boolean;
}

/** The problem with a `file` source (the beta flag missing, an id no upload gave), or `undefined`. */
function checkFileSource(source: JsonObject, where: string, context: AnthropicBlockContext): string | undefined {
  if (!context.filesBeta) return `${where}.source.file: file sources require the anthropic-beta header "${SIM_FILES_API_BETA}"`;
  if (typeof source.file_id !== 'string' || source.file_id === '') return `${where}.source.file.file_id: Field required`;
  return source.file_id.startsWith('file_') ? undefined : `File not found: ${source.file_id}`;
}

function checkDocument(block: JsonObject, where: string, context: AnthropicBlockContext): string | undefined {
  const source = block.source;
  if (!isObject(source)) return `${where}.source: Field required`;
  if (block.context !== undefined && typeof block.context !== 'string') return `${where}.context: Input should be a valid string`;
  if (block.citations !== undefined && !(isObject(block.citations) && (block.citations.enabled === undefined || typeof block.citations.enabled === 'boolean'))) {
    return `${where}.citations.enabled: Input should be a valid boolean`;
  }
  switch (source.type) {
    case 'file':
      return checkFileSource(source, where, context);
    case 'base64':
      if (source.media_type !== 'application/pdf') return `${where}.source.base64.media_type: Input should be 'application/pdf'`;
      return typeof source.data === 'string' && source.data !== '' ? undefined : `${where}.source.base64.data: Field required`;
    case 'text':
      if (source.media_type !== 'text/plain') return `${where}.source.text.media_type: Input should be 'text/plain'`;
      return typeof source.data === 'string' ? undefined : `${where}.source.text.data: Field required`;
    case 'url':
      return typeof source.url === 'string' && source.url !== '' ? undefined : `${where}.source.url.url: Field required`;
    default:
      return `${where}.source: Input tag '${String(source.type)}' found using 'type' does not match any of the expected tags: 'base64', 'content', 'file', 'text', 'url'`;
  }
}

function checkToolResult(block: JsonObject, where: string, context: AnthropicBlockContext): string | undefined {
  if (block.is_error !== undefined && typeof block.is_error !== 'boolean') return `${where}.tool_result.is_error: Input should be a valid boolean`;
  if (!Array.isArray(block.content)) return undefined;
  for (const [index, item] of block.content.entries()) {
    if (!isObject(item)) return `${where}.tool_result.content.${index}: Input should be an object`;
    if (item.type === 'document') {
      const problem = checkDocument(item, `${where}.tool_result.content.${index}`, context);
      if (problem !== undefined) return problem;
    }
  }
  return undefined;
}

/** The 400's message for a message whose media blocks are malformed, or `undefined`. */
export function anthropicContentBlockProblem(message: JsonObject, messageIndex: number, context: AnthropicBlockContext): string | undefined {
  if (!Array.isArray(message.content)) return undefined;
  for (const [index, block] of message.content.entries()) {
    if (!isObject(block)) continue;
    const where = `messages.${messageIndex}.content.${index}`;
    if (block.type === 'document') {
      if (message.role !== 'user') return `${where}: document blocks are only allowed in user messages`;
      const problem = checkDocument(block, where, context);
      if (problem !== undefined) return problem;
    } else if (block.type === 'image' && isObject(block.source) && block.source.type === 'file') {
      const problem = checkFileSource(block.source, where, context);
      if (problem !== undefined) return problem;
    } else if (block.type === 'tool_result') {
      const problem = checkToolResult(block, where, context);
      if (problem !== undefined) return problem;
    }
  }
  return undefined;
}

/** Whether a document block asks for citations (`citations.enabled: true`). */
function documentCites(block: JsonObject): boolean {
  return isObject(block.citations) && block.citations.enabled === true;
}

/** The document blocks of a message, tool results' included, with where each stands. */
function documentsOf(message: JsonObject, messageIndex: number): { readonly block: JsonObject; readonly where: string }[] {
  if (!Array.isArray(message.content)) return [];
  const documents: { block: JsonObject; where: string }[] = [];
  for (const [index, block] of message.content.entries()) {
    if (!isObject(block)) continue;
    const where = `messages.${messageIndex}.content.${index}`;
    if (block.type === 'document') documents.push({ block, where });
    if (block.type !== 'tool_result' || !Array.isArray(block.content)) continue;
    for (const [inner, item] of block.content.entries()) if (isObject(item) && item.type === 'document') documents.push({ block: item, where: `${where}.tool_result.content.${inner}` });
  }
  return documents;
}

/**
 * The 400's message when some documents of a request ask for citations and others do not: "citations
 * must be enabled on all or none of the documents within a request"
 * (https://platform.claude.com/docs/en/build-with-claude/citations, "How citations work").
 */
export function anthropicCitationsMixProblem(messages: readonly unknown[]): string | undefined {
  const documents = messages.flatMap((message, index) => (isObject(message) ? documentsOf(message, index) : []));
  const first = documents[0];
  if (first === undefined) return undefined;
  const odd = documents.find((document) => documentCites(document.block) !== documentCites(first.block));
  return odd === undefined ? undefined : `${odd.where}.citations: citations must be enabled on all or none of the documents within a request`;
}

/** The text a document block gives the model to cite: a `text` source's data; none for PDFs and files. */
function documentText(block: JsonObject): string | undefined {
  return isObject(block.source) && block.source.type === 'text' && typeof block.source.data === 'string' ? block.source.data : undefined;
}

/**
 * The citation the simulator answers with, into the first document with `citations.enabled`, in
 * the shapes of the citations guide (https://platform.claude.com/docs/en/build-with-claude/citations):
 * `char_location` over the first sentence of a plain-text document, `page_location` of page 1 of a
 * PDF. `document_index` counts the document blocks of all messages, as the guide does.
 */
export function anthropicCitationFor(messages: readonly unknown[]): JsonObject | undefined {
  let documentIndex = 0;
  for (const message of messages) {
    if (!isObject(message) || !Array.isArray(message.content)) continue;
    for (const block of message.content) {
      if (!isObject(block) || block.type !== 'document') continue;
      if (isObject(block.citations) && block.citations.enabled === true) {
        const title = typeof block.title === 'string' ? block.title : null;
        const text = documentText(block);
        if (text === undefined) {
          return { type: 'page_location', cited_text: 'The cited passage.', document_index: documentIndex, document_title: title, start_page_number: 1, end_page_number: 2 };
        }
        const end = text.includes('.') ? text.indexOf('.') + 1 : text.length;
        return { type: 'char_location', cited_text: text.slice(0, end), document_index: documentIndex, document_title: title, start_char_index: 0, end_char_index: end };
      }
      documentIndex += 1;
    }
  }
  return undefined;
}
