/**
 * A unified `document` part as an Anthropic `document` block
 * (https://platform.claude.com/docs/en/build-with-claude/pdf-support): a PDF as a `base64` or
 * `url` source, plain text as a `text` source (Anthropic takes plain text as text, not base64), an
 * uploaded file as a `file` source; `context` and `citations` as the citations guide names them
 * (https://platform.claude.com/docs/en/build-with-claude/citations).
 */
import { invalidRequest } from '../../src/errors.js';
import type { ChatRequest, DocumentPart } from '../../src/types.js';
import type { Mutable } from '../../src/mutable.js';
import type { AnthropicCacheControl } from './cache-control.js';

/** Where a document comes from. */
export type AnthropicDocumentSource =
  | { readonly type: 'base64'; readonly media_type: 'application/pdf'; readonly data: string }
  | { readonly type: 'text'; readonly media_type: 'text/plain'; readonly data: string }
  | { readonly type: 'url'; readonly url: string }
  | AnthropicFileSource;

/**
 * A file uploaded to Anthropic's Files API (https://platform.claude.com/docs/en/build-with-claude/files);
 * a request with one needs the `anthropic-beta: files-api-2025-04-14` header (`FILES_API_BETA`).
 */
export interface AnthropicFileSource {
  readonly type: 'file';
  readonly file_id: string;
}

/** The beta flag the Files API needs (https://docs.claude.com/en/api/files-content). */
export const FILES_API_BETA = 'files-api-2025-04-14';

/** A `document` content block of a request. */
export interface AnthropicDocumentBlock {
  readonly type: 'document';
  readonly source: AnthropicDocumentSource;
  readonly title?: string;
  /** Text about the document the model reads but does not cite. */
  readonly context?: string;
  readonly citations?: { readonly enabled: boolean };
  readonly cache_control?: AnthropicCacheControl;
}

function documentSource(part: DocumentPart, field: string): AnthropicDocumentSource {
  if (part.file !== undefined) return { type: 'file', file_id: part.file.id };
  if (part.mediaType === 'text/plain') {
    // Anthropic's URL source is PDF-only; plain text travels as its text.
    if (part.data === undefined) throw invalidRequest(`${field}.url`, 'Anthropic takes text/plain documents only as data, not by URL');
    return { type: 'text', media_type: 'text/plain', data: Buffer.from(part.data, 'base64').toString('utf8') };
  }
  if (part.data !== undefined) return { type: 'base64', media_type: 'application/pdf', data: part.data };
  if (part.url !== undefined) return { type: 'url', url: part.url };
  throw invalidRequest(field, 'a document needs `data` or `url`');
}

/** The `document` block for a part (`cache_control` is added by the caller). */
export function anthropicDocumentBlock(part: DocumentPart, field: string): AnthropicDocumentBlock {
  const block: Mutable<AnthropicDocumentBlock> = { type: 'document', source: documentSource(part, field) };
  if (part.title !== undefined) block.title = part.title;
  if (part.context !== undefined) block.context = part.context;
  if (part.citations !== undefined) block.citations = { enabled: part.citations };
  return block;
}

/**
 * Refuses a request that asks for citations on some documents but not others: the citations guide
 * says "citations must be enabled on all or none of the documents within a request", so the API
 * would answer 400. Tool results count (their documents are documents of the request); a document
 * without `citations` is one without. Names the first document that differs from the first one.
 */
export function checkCitationsAllOrNone(messages: ChatRequest['messages']): void {
  let first: { readonly cites: boolean; readonly field: string } | undefined;
  for (const [messageIndex, message] of messages.entries()) {
    if (typeof message.content === 'string' || message.role === 'system') continue;
    for (const [index, part] of message.content.entries()) {
      if (part.type !== 'document') continue;
      const cites = part.citations === true;
      const field = `messages[${messageIndex}].content[${index}]`;
      if (first === undefined) first = { cites, field };
      else if (cites !== first.cites) {
        throw invalidRequest(`${field}.citations`, `Anthropic needs citations on all documents of a request or none, and ${first.field} has them ${first.cites ? 'on' : 'off'}`);
      }
    }
  }
}

/** Whether a request refers to an uploaded file anywhere (it then needs `FILES_API_BETA`). */
export function usesFiles(request: ChatRequest): boolean {
  return request.messages.some((message) => typeof message.content !== 'string' && message.content.some((part) => part.type !== 'text' && part.file !== undefined));
}

/** `headers` with `beta` added to `anthropic-beta` (after any flags the provider's settings send). */
export function withBeta(headers: Readonly<Record<string, string>>, beta: string): Record<string, string> {
  const current = headers['anthropic-beta'];
  const flags = current === undefined || current.trim() === '' ? [] : current.split(',').map((flag) => flag.trim());
  return { ...headers, 'anthropic-beta': flags.includes(beta) ? flags.join(',') : [...flags, beta].join(',') };
}
