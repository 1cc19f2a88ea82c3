/**
 * Checks a `document` content part: exactly one of base64 `data`, a `url` or an uploaded `file`,
 * and a media type every provider that takes documents accepts. Errors name the field, e.g.
 * `messages[0].content[1].mediaType`.
 */
import { invalidRequest } from '../errors.js';
import type { DocumentPart, FileReference } from '../types.js';

const DOCUMENT_MEDIA_TYPES = new Set(['application/pdf', 'text/plain']);

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}

/** Throws `invalid_request` naming the field unless `file` is `{ id, provider }` with both non-empty. */
export function checkFileReference(file: FileReference, field: string): void {
  // Read as unknown: JavaScript callers may send anything.
  const value: unknown = file;
  if (typeof value !== 'object' || value === null) throw invalidRequest(field, 'expected { id, provider }');
  if (!isNonEmptyString(file.id)) throw invalidRequest(`${field}.id`, "required: the provider's id for the uploaded file");
  if (!isNonEmptyString(file.provider)) throw invalidRequest(`${field}.provider`, 'required: the configured provider that issued the file id');
}

/** Throws `invalid_request` naming the field when the part is malformed. */
export function checkDocumentPart(part: DocumentPart, field: string): void {
  const sources = [isNonEmptyString(part.data), isNonEmptyString(part.url), part.file !== undefined].filter(Boolean).length;
  if (sources !== 1) throw invalidRequest(field, 'a document needs exactly one of `data` (base64), `url` or `file`');
  if (part.file !== undefined) checkFileReference(part.file, `${field}.file`);
  if (!DOCUMENT_MEDIA_TYPES.has(part.mediaType)) {
    throw invalidRequest(`${field}.mediaType`, `${JSON.stringify(part.mediaType)} is not supported; expected application/pdf or text/plain`);
  }
  if (part.title !== undefined && typeof part.title !== 'string') throw invalidRequest(`${field}.title`, 'expected a string');
  if (part.context !== undefined && typeof part.context !== 'string') throw invalidRequest(`${field}.context`, 'expected a string');
  if (part.citations !== undefined && typeof part.citations !== 'boolean') throw invalidRequest(`${field}.citations`, 'expected true or false');
}
