/**
 * A unified `document` part as an Anthropic `document` block
 * (https://platform.claude.com/docs/en/build-with-claude/pdf-support): a PDF as a `base64` or
 * `url` source, plain text as a `text` source (Anthropic takes plain text as text, not base64).
 */
import { invalidRequest } from '../../src/errors.js';
import type { DocumentPart } from '../../src/types.js';
import type { AnthropicCacheControl } from './cache-control.js';

/** Where a document comes from. */
export type AnthropicDocumentSource =
  | { readonly type: 'base64'; readonly media_type: 'application/pdf'; readonly data: string }
  | { readonly type: 'text'; readonly media_type: 'text/plain'; readonly data: string }
  | { readonly type: 'url'; readonly url: string };

/** A `document` content block of a request. */
export interface AnthropicDocumentBlock {
  readonly type: 'document';
  readonly source: AnthropicDocumentSource;
  readonly title?: string;
  readonly cache_control?: AnthropicCacheControl;
}

function documentSource(part: DocumentPart, field: string): AnthropicDocumentSource {
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
  const source = documentSource(part, field);
  return part.title === undefined ? { type: 'document', source } : { type: 'document', source, title: part.title };
}
