/**
 * Checks a `document` content part: base64 `data` or a `url`, and a media type every provider
 * that takes documents accepts. Errors name the field, e.g. `messages[0].content[1].mediaType`.
 */
import { invalidRequest } from '../errors.js';
import type { DocumentPart } from '../types.js';

const DOCUMENT_MEDIA_TYPES = new Set(['application/pdf', 'text/plain']);

/** Throws `invalid_request` naming the field when the part is malformed. */
export function checkDocumentPart(part: DocumentPart, field: string): void {
  const hasData = typeof part.data === 'string' && part.data !== '';
  const hasUrl = typeof part.url === 'string' && part.url !== '';
  if (hasData === hasUrl) throw invalidRequest(field, 'a document needs exactly one of `data` (base64) or `url`');
  if (!DOCUMENT_MEDIA_TYPES.has(part.mediaType)) {
    throw invalidRequest(`${field}.mediaType`, `${JSON.stringify(part.mediaType)} is not supported; expected application/pdf or text/plain`);
  }
  if (part.title !== undefined && typeof part.title !== 'string') throw invalidRequest(`${field}.title`, 'expected a string');
}
