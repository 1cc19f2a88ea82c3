/**
 * A Chat Completions `file` content part → a unified `document` part: `file.file_data` is a base64
 * `data:` URL of a PDF or plain text, `file.filename` becomes the title; `file.file_id` an uploaded
 * file (https://platform.openai.com/docs/guides/pdf-files), a PDF, whose provider is bound once the
 * route is known (`../file-ids.ts`).
 */
import { invalidRequest } from '../../../errors.js';
import type { DocumentPart } from '../../../types.js';
import { optionalString, requiredObject, requiredString, type JsonObject } from '../request-fields.js';
import { noteFileId, UNBOUND_FILE_PROVIDER, type FileIdNotes } from '../file-ids.js';

const DOCUMENT_TYPES = new Set(['application/pdf', 'text/plain']);

/** The unified part for a `file` part; errors name the field. */
export function documentPartFromFile(part: JsonObject, field: string, files: FileIdNotes | undefined): DocumentPart {
  const file = requiredObject(part.file, `${field}.file`);
  if (file.file_id !== undefined && file.file_id !== null) {
    const id = requiredString(file.file_id, `${field}.file.file_id`, { allowEmpty: false });
    noteFileId(files, `${field}.file.file_id`);
    // Chat Completions takes uploaded PDFs (the guide above); the adapter sends only the id.
    return { type: 'document', mediaType: 'application/pdf', file: { id, provider: UNBOUND_FILE_PROVIDER } };
  }
  const dataField = `${field}.file.file_data`;
  const url = requiredString(file.file_data, dataField);
  const match = /^data:([^;,]+);base64,/i.exec(url.slice(0, 200));
  if (match === null) throw invalidRequest(dataField, 'expected a base64 data: URL (data:application/pdf;base64,...)');
  const mediaType = (match[1] ?? '').toLowerCase();
  if (!DOCUMENT_TYPES.has(mediaType)) throw invalidRequest(dataField, `media type "${mediaType}" is not supported; expected application/pdf or text/plain`);
  const title = optionalString(file.filename, `${field}.file.filename`);
  const document: DocumentPart = { type: 'document', mediaType: mediaType as DocumentPart['mediaType'], data: url.slice(match[0].length) };
  return title === undefined ? document : { ...document, title };
}
