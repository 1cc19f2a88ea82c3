/**
 * Bedrock Converse citations to and from the unified `Citation`. An answer's `citationsContent`
 * block holds generated `content` [{text}] and its `citations`, each {title, source, sourceContent:
 * [{text}], location} whose `location` is one of `documentChar`, `documentPage`, `documentChunk`
 * {documentIndex, start, end}, `searchResultLocation` {searchResultIndex, start, end} or `web`
 * {url, domain}; the location's name is the citation's `type`. A stream sends the same fields as a
 * block's `citation` delta (`CitationsDelta`).
 * References: https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_CitationsContentBlock.html,
 * `API_runtime_Citation.html`, `API_runtime_CitationLocation.html`, `API_runtime_CitationsDelta.html`.
 */
import type { Mutable } from '../../src/mutable.js';
import type { Citation, TextPart } from '../../src/types.js';

/** The provider type stamped on the citations this module reads. */
const PROVIDER = 'bedrock';

/** Location kinds whose fields are {documentIndex, start, end}. */
const DOCUMENT_LOCATIONS: ReadonlySet<string> = new Set(['documentChar', 'documentPage', 'documentChunk']);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function numberOf(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined;
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The text of a list of {text} objects (`content`, `sourceContent`), joined. */
export function joinedText(list: unknown): string {
  if (!Array.isArray(list)) return '';
  return list.map((item: unknown) => (isObject(item) && typeof item.text === 'string' ? item.text : '')).join('');
}

/** The unified citation for one Converse citation (or citation delta); undefined without a location. */
export function parseConverseCitation(raw: unknown): Citation | undefined {
  if (!isObject(raw) || !isObject(raw.location)) return undefined;
  const [type, fields] = Object.entries(raw.location)[0] ?? [];
  if (type === undefined || !isObject(fields)) return undefined;
  const citation: Mutable<Citation> = { type, citedText: joinedText(raw.sourceContent), provider: PROVIDER };
  // A document's title is `documentTitle`, as for Anthropic's document citations; a page's or result's is `title`.
  const title = stringOf(raw.title);
  if (title !== undefined && DOCUMENT_LOCATIONS.has(type)) citation.documentTitle = title;
  else if (title !== undefined) citation.title = title;
  const source = stringOf(raw.source) ?? stringOf(fields.url);
  if (source !== undefined) citation.source = source;
  const documentIndex = numberOf(fields.documentIndex);
  if (documentIndex !== undefined) citation.documentIndex = documentIndex;
  const searchResultIndex = numberOf(fields.searchResultIndex);
  if (searchResultIndex !== undefined) citation.searchResultIndex = searchResultIndex;
  const start = numberOf(fields.start);
  const end = numberOf(fields.end);
  if (start !== undefined) citation.start = start;
  if (end !== undefined) citation.end = end;
  return citation;
}

/** The citations of a list (anything else: none). */
export function parseConverseCitations(raw: unknown): Citation[] {
  if (!Array.isArray(raw)) return [];
  const citations: Citation[] = [];
  for (const item of raw) {
    const citation = parseConverseCitation(item);
    if (citation !== undefined) citations.push(citation);
  }
  return citations;
}

/** A citation as a request's `citations` entry: the answer's own fields, location rebuilt from its type. */
function converseCitationParam(citation: Citation): Record<string, unknown> {
  const location: Record<string, unknown> = {};
  if (DOCUMENT_LOCATIONS.has(citation.type)) {
    location[citation.type] = { documentIndex: citation.documentIndex ?? 0, start: citation.start ?? 0, end: citation.end ?? 0 };
  } else if (citation.type === 'searchResultLocation') {
    location[citation.type] = { searchResultIndex: citation.searchResultIndex ?? 0, start: citation.start ?? 0, end: citation.end ?? 0 };
  } else {
    location[citation.type] = citation.source === undefined ? {} : { url: citation.source };
  }
  const param: Record<string, unknown> = { location };
  const title = citation.documentTitle ?? citation.title;
  if (title !== undefined) param.title = title;
  if (citation.source !== undefined && citation.type !== 'web') param.source = citation.source;
  if (citation.citedText !== '') param.sourceContent = [{ text: citation.citedText }];
  return param;
}

/**
 * A text part as the `citationsContent` block of an assistant turn when it carries citations Bedrock
 * produced (another provider's would not point into Bedrock's view of the documents); undefined otherwise.
 */
export function citationsContentOf(part: TextPart): { readonly citationsContent: { readonly content: readonly { readonly text: string }[]; readonly citations: readonly Record<string, unknown>[] } } | undefined {
  const own = (part.citations ?? []).filter((citation) => citation.provider === PROVIDER);
  if (own.length === 0) return undefined;
  return { citationsContent: { content: [{ text: part.text }], citations: own.map(converseCitationParam) } };
}
