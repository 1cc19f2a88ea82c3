/**
 * A unified `document` part as a Chat Completions `file` content part
 * (https://platform.openai.com/docs/guides/pdf-files): `file.file_data` is the document as a
 * base64 `data:` URL and `file.filename` its name, or `file.file_id` a file uploaded to the Files
 * API (https://platform.openai.com/docs/api-reference/chat/create). Chat Completions takes no document URLs.
 */
import { invalidRequest } from '../../src/errors.js';
import type { DocumentPart } from '../../src/types.js';

/** A `file` content part of a user message. */
export interface OpenAIFileContentPart {
  readonly type: 'file';
  readonly file: { readonly file_data?: string; readonly file_id?: string; readonly filename?: string };
}

/** The file name sent when the part has no title (OpenAI asks for one with `file_data`). */
function defaultFilename(part: DocumentPart): string {
  return part.mediaType === 'application/pdf' ? 'document.pdf' : 'document.txt';
}

/**
 * The `file` part for a document: an uploaded file by its `file_id` (title, context and citations
 * have no field here), data as a `data:` URL; a document given by URL is refused, naming the field.
 */
export function openAIFilePart(part: DocumentPart, field: string): OpenAIFileContentPart {
  if (part.file !== undefined) return { type: 'file', file: { file_id: part.file.id } };
  if (part.data === undefined || part.data === '') {
    throw invalidRequest(`${field}.url`, 'OpenAI Chat Completions takes documents only as base64 data, not by URL');
  }
  return { type: 'file', file: { filename: part.title ?? defaultFilename(part), file_data: `data:${part.mediaType};base64,${part.data}` } };
}
