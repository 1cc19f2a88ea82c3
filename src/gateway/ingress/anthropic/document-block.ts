/**
 * An Anthropic `document` block → a unified `document` part: a `base64` PDF source keeps its data,
 * a `text` source (plain text, as text) becomes base64 `text/plain` data, a `url` source a PDF URL.
 * `content` and `file` sources, `citations` and `context` are not carried (refused or dropped).
 */
import { invalidRequest } from '../../../errors.js';
import type { DocumentPart } from '../../../types.js';
import { optionalString, requiredObject, requiredString, wrongType, type JsonObject } from '../request-fields.js';

/** The unified part for a `document` block; errors name the field. */
export function documentPart(block: JsonObject, field: string): DocumentPart {
  const source = requiredObject(block.source, `${field}.source`);
  const title = optionalString(block.title, `${field}.title`);
  const titled = (part: DocumentPart): DocumentPart => (title === undefined ? part : { ...part, title });
  switch (source.type) {
    case 'base64': {
      const mediaType = requiredString(source.media_type, `${field}.source.media_type`, { allowEmpty: false });
      if (mediaType !== 'application/pdf') throw invalidRequest(`${field}.source.media_type`, 'a base64 document source must be application/pdf');
      return titled({ type: 'document', mediaType, data: requiredString(source.data, `${field}.source.data`, { allowEmpty: false }) });
    }
    case 'text': {
      const text = requiredString(source.data, `${field}.source.data`, { allowEmpty: true });
      return titled({ type: 'document', mediaType: 'text/plain', data: Buffer.from(text, 'utf8').toString('base64') });
    }
    case 'url':
      return titled({ type: 'document', mediaType: 'application/pdf', url: requiredString(source.url, `${field}.source.url`, { allowEmpty: false }) });
    default:
      if (typeof source.type !== 'string') throw wrongType(`${field}.source.type`, '"base64", "text" or "url"', source.type);
      throw invalidRequest(`${field}.source.type`, `document source "${source.type}" is not supported by the gateway; use "base64", "text" or "url"`);
  }
}
