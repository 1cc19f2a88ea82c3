/**
 * The media of a tool result as `functionResponse.parts` (Gemini 3's multimodal function responses,
 * https://ai.google.dev/gemini-api/docs/function-calling#multimodal, and the `FunctionResponsePart`
 * type of googleapis/js-genai `src/types.ts`): base64 bytes as `inlineData: { mimeType, data }`;
 * a URL as `fileData: { fileUri, mimeType }` on Vertex AI only (js-genai: "This field is not
 * supported in Gemini API"). The guide lists the media types a function response takes: PNG, JPEG
 * and WebP images, PDF and plain-text documents.
 */
import { invalidRequest } from '../../src/errors.js';
import type { ContentPart } from '../../src/types.js';

/** One media part of a `functionResponse`. */
export type GeminiFunctionResponsePart =
  | { readonly inlineData: { readonly mimeType: string; readonly data: string } }
  | { readonly fileData: { readonly fileUri: string; readonly mimeType: string } };

/** The image types a function response takes (documents are PDF or plain text by their type already). */
const FUNCTION_RESPONSE_IMAGE_TYPES = new Set(['image/png', 'image/jpeg', 'image/webp']);

const EXTENSION_TYPES: Readonly<Record<string, string>> = { png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', webp: 'image/webp' };

/** Where the parts go: Vertex AI takes URLs (`fileData`), the Gemini API only bytes. */
export interface FunctionResponseTarget {
  readonly vertex: boolean;
}

function imageType(part: Extract<ContentPart, { type: 'image' }>, field: string): string {
  const extension = part.url === undefined ? undefined : /\.([a-z0-9]+)(?:[?#]|$)/i.exec(part.url)?.[1]?.toLowerCase();
  const mimeType = part.mediaType ?? (extension === undefined ? undefined : EXTENSION_TYPES[extension]);
  if (mimeType === undefined) throw invalidRequest(`${field}.mediaType`, 'is required for an image in a Gemini function response (its type cannot be told from the URL)');
  if (!FUNCTION_RESPONSE_IMAGE_TYPES.has(mimeType)) throw invalidRequest(`${field}.mediaType`, `"${mimeType}" cannot go in a Gemini function response (it takes image/png, image/jpeg and image/webp)`);
  return mimeType;
}

function urlPart(url: string, mimeType: string, field: string, target: FunctionResponseTarget): GeminiFunctionResponsePart {
  if (!target.vertex) throw invalidRequest(field, 'the Gemini API takes media in a function response as base64 data only (a URL, fileData, is Vertex AI only)');
  return { fileData: { fileUri: url, mimeType } };
}

function mediaPart(part: Exclude<ContentPart, { type: 'text' }>, field: string, target: FunctionResponseTarget): GeminiFunctionResponsePart {
  // Files API URIs are the Gemini API's, which takes no `fileData` here; Vertex AI takes URLs (`url`).
  if (part.file !== undefined) throw invalidRequest(`${field}.file`, 'an uploaded file cannot go in a Gemini function response (send its bytes as data, or a URL on Vertex AI)');
  if (part.type === 'document') {
    if (part.data !== undefined && part.data !== '') return { inlineData: { mimeType: part.mediaType, data: part.data } };
    return urlPart(part.url ?? '', part.mediaType, field, target);
  }
  const dataUrl = part.url === undefined ? null : /^data:([^;,]+);base64,(.*)$/s.exec(part.url);
  if (dataUrl !== null) return { inlineData: { mimeType: imageType({ ...part, mediaType: dataUrl[1] ?? '' }, field), data: dataUrl[2] ?? '' } };
  if (part.data !== undefined) {
    if (part.mediaType === undefined) throw invalidRequest(`${field}.mediaType`, 'is required with base64 data');
    return { inlineData: { mimeType: imageType(part, field), data: part.data } };
  }
  if (part.url === undefined) throw invalidRequest(field, 'an image needs a url or base64 data');
  return urlPart(part.url, imageType(part, field), field, target);
}

/**
 * The image and document parts of a tool message's content as `functionResponse.parts`, in order
 * (text parts are not among them: they go into `response`). `field` names the message
 * (`messages[3]`); a part Gemini cannot take is refused with `invalid_request` naming it.
 */
export function functionResponseParts(content: string | readonly ContentPart[], field: string, target: FunctionResponseTarget): GeminiFunctionResponsePart[] {
  if (typeof content === 'string') return [];
  const parts: GeminiFunctionResponsePart[] = [];
  content.forEach((part, index) => {
    if (part.type !== 'text') parts.push(mediaPart(part, `${field}.content[${index}]`, target));
  });
  return parts;
}
