/**
 * An Anthropic `document` block → a unified `document` part: a `base64` PDF source keeps its data,
 * a `text` source (plain text, as text) becomes base64 `text/plain` data, a `url` source a PDF URL,
 * a `file` source an uploaded file (its provider bound later: `../file-ids.ts`).
 * `title`, `context` and `citations: { enabled }` are carried as the citations guide names them
 * (https://platform.claude.com/docs/en/build-with-claude/citations). `content` sources are refused.
 */
import { invalidRequest } from '../../../errors.js';
import type { Mutable } from '../../../mutable.js';
import type { DocumentPart, FileReference } from '../../../types.js';
import { noteFileId, UNBOUND_FILE_PROVIDER, type FileIdNotes } from '../file-ids.js';
import { optionalBoolean, optionalString, requiredObject, requiredString, wrongType, type JsonObject } from '../request-fields.js';

/** `citations: { enabled }` as the part's `citations` flag; undefined when absent or null. */
function citationsEnabled(value: unknown, field: string): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  return optionalBoolean(requiredObject(value, field).enabled, `${field}.enabled`);
}

/**
 * An uploaded file's id (a `file` source, https://platform.claude.com/docs/en/build-with-claude/files)
 * with no provider yet: `bindFileIds` sets it once the route is known.
 */
export function fileReference(source: JsonObject, field: string, files: FileIdNotes): FileReference {
  const id = requiredString(source.file_id, `${field}.file_id`, { allowEmpty: false });
  noteFileId(files, `${field}.file_id`);
  return { id, provider: UNBOUND_FILE_PROVIDER };
}

/** The unified part for a `document` block; errors name the field. */
export function documentPart(block: JsonObject, field: string, files: FileIdNotes): DocumentPart {
  const source = requiredObject(block.source, `${field}.source`);
  const title = optionalString(block.title, `${field}.title`);
  const context = optionalString(block.context, `${field}.context`);
  const citations = citationsEnabled(block.citations, `${field}.citations`);
  // Most documents have none of these: the part is copied only when one is present.
  const withDescription =
    title === undefined && context === undefined && citations === undefined
      ? (part: DocumentPart): DocumentPart => part
      : (part: DocumentPart): DocumentPart => {
          const described: Mutable<DocumentPart> = { ...part };
          if (title !== undefined) described.title = title;
          if (context !== undefined) described.context = context;
          if (citations !== undefined) described.citations = citations;
          return described;
        };
  switch (source.type) {
    case 'base64': {
      const mediaType = requiredString(source.media_type, `${field}.source.media_type`, { allowEmpty: false });
      if (mediaType !== 'application/pdf') throw invalidRequest(`${field}.source.media_type`, 'a base64 document source must be application/pdf');
      return withDescription({ type: 'document', mediaType, data: requiredString(source.data, `${field}.source.data`, { allowEmpty: false }) });
    }
    case 'text': {
      const text = requiredString(source.data, `${field}.source.data`, { allowEmpty: true });
      return withDescription({ type: 'document', mediaType: 'text/plain', data: Buffer.from(text, 'utf8').toString('base64') });
    }
    case 'url':
      return withDescription({ type: 'document', mediaType: 'application/pdf', url: requiredString(source.url, `${field}.source.url`, { allowEmpty: false }) });
    case 'file':
      // The file's own type is unknown here; Anthropic reads it from the file (the adapter sends only the id).
      return withDescription({ type: 'document', mediaType: 'application/pdf', file: fileReference(source, `${field}.source`, files) });
    default:
      if (typeof source.type !== 'string') throw wrongType(`${field}.source.type`, '"base64", "text", "url" or "file"', source.type);
      throw invalidRequest(`${field}.source.type`, `document source "${source.type}" is not supported by the gateway; use "base64", "text", "url" or "file"`);
  }
}
