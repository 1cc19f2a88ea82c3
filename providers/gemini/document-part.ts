/**
 * A unified `document` part as a Gemini part (ai.google.dev/gemini-api/docs/document-processing):
 * base64 data as `inlineData`, a URL as `fileData.fileUri`, each with its `mimeType`.
 */
import type { DocumentPart } from '../../src/types.js';

/** A Gemini media part. */
export type GeminiMediaPart =
  | { readonly inlineData: { readonly mimeType: string; readonly data: string } }
  | { readonly fileData: { readonly fileUri: string; readonly mimeType?: string } };

/**
 * The Gemini part for a document (validation made sure it has `data`, `url` or `file`): an uploaded
 * file is `fileData` with the file's URI as its id (https://ai.google.dev/gemini-api/docs/files).
 * `title`, `context` and `citations` have no Gemini field and are not sent.
 */
export function geminiDocumentPart(part: DocumentPart): GeminiMediaPart {
  if (part.file !== undefined) return { fileData: { fileUri: part.file.id, mimeType: part.mediaType } };
  if (part.data !== undefined && part.data !== '') return { inlineData: { mimeType: part.mediaType, data: part.data } };
  return { fileData: { fileUri: part.url ?? '', mimeType: part.mediaType } };
}
