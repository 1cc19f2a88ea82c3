/**
 * Anthropic citations (https://platform.claude.com/docs/en/build-with-claude/citations) to and from
 * the unified `Citation`. A response text block carries `citations`, each one of `char_location`,
 * `page_location`, `content_block_location` (documents), `search_result_location` or
 * `web_search_result_location`; a request text block takes the same objects back (the SDK's
 * `TextBlockParam.citations`, https://github.com/anthropics/anthropic-sdk-typescript/blob/main/src/resources/messages/messages.ts),
 * without the response-only `file_id`.
 */
import type { Citation, TextPart } from '../../src/types.js';
import type { Mutable } from '../../src/mutable.js';

/** The provider type stamped on the citations this module reads. */
const PROVIDER = 'anthropic';

/** Each location type's start and end fields. */
const RANGE_FIELDS: Readonly<Record<string, readonly [string, string]>> = {
  char_location: ['start_char_index', 'end_char_index'],
  page_location: ['start_page_number', 'end_page_number'],
  content_block_location: ['start_block_index', 'end_block_index'],
  search_result_location: ['start_block_index', 'end_block_index'],
};

function numberOf(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** The unified citation for one Anthropic citation object; undefined for one without a type. */
export function parseAnthropicCitation(raw: unknown): Citation | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const fields = raw as Record<string, unknown>;
  const type = stringOf(fields.type);
  if (type === undefined) return undefined;
  const citation: Mutable<Citation> = { type, citedText: stringOf(fields.cited_text) ?? '', provider: PROVIDER };
  const documentIndex = numberOf(fields.document_index);
  if (documentIndex !== undefined) citation.documentIndex = documentIndex;
  const documentTitle = stringOf(fields.document_title);
  if (documentTitle !== undefined) citation.documentTitle = documentTitle;
  const range = RANGE_FIELDS[type];
  if (range !== undefined) {
    const start = numberOf(fields[range[0]]);
    const end = numberOf(fields[range[1]]);
    if (start !== undefined) citation.start = start;
    if (end !== undefined) citation.end = end;
  }
  const searchResultIndex = numberOf(fields.search_result_index);
  if (searchResultIndex !== undefined) citation.searchResultIndex = searchResultIndex;
  const source = stringOf(fields.source) ?? stringOf(fields.url);
  if (source !== undefined) citation.source = source;
  const title = stringOf(fields.title);
  if (title !== undefined) citation.title = title;
  const encryptedIndex = stringOf(fields.encrypted_index);
  if (encryptedIndex !== undefined) citation.encryptedIndex = encryptedIndex;
  return citation;
}

/** The citations of a response text block (`citations`: a list, or null). */
export function parseAnthropicCitations(raw: unknown): Citation[] {
  if (!Array.isArray(raw)) return [];
  const citations: Citation[] = [];
  for (const item of raw) {
    const citation = parseAnthropicCitation(item);
    if (citation !== undefined) citations.push(citation);
  }
  return citations;
}

/** A citation as a request text block's `citations` entry (the `…Param` shapes). */
export function anthropicCitationParam(citation: Citation): Record<string, unknown> {
  const param: Record<string, unknown> = { type: citation.type, cited_text: citation.citedText };
  const range = RANGE_FIELDS[citation.type];
  if (citation.type === 'web_search_result_location') {
    param.url = citation.source ?? '';
    param.title = citation.title ?? null;
    param.encrypted_index = citation.encryptedIndex ?? '';
    return param;
  }
  if (citation.type === 'search_result_location') {
    param.search_result_index = citation.searchResultIndex ?? 0;
    param.source = citation.source ?? '';
    param.title = citation.title ?? null;
  } else {
    param.document_index = citation.documentIndex ?? 0;
    param.document_title = citation.documentTitle ?? null;
  }
  if (range !== undefined) {
    param[range[0]] = citation.start ?? 0;
    param[range[1]] = citation.end ?? 0;
  }
  return param;
}

/**
 * The `citations` to send with a text part: only citations Anthropic produced (another provider's
 * would not point into Anthropic's view of the documents); undefined when none.
 */
export function citationParamsOf(part: TextPart): Record<string, unknown>[] | undefined {
  const own = (part.citations ?? []).filter((citation) => citation.provider === PROVIDER);
  return own.length === 0 ? undefined : own.map(anthropicCitationParam);
}
