/**
 * OpenAI text `annotations` to the unified `Citation`. The Responses API puts them on each
 * `output_text` part, flat (https://platform.openai.com/docs/api-reference/responses/object,
 * SDK `ResponseOutputText.Annotation`): `url_citation` {url, title, start_index, end_index},
 * `file_citation` {file_id, filename, index}, `container_file_citation` {container_id, file_id,
 * filename, start_index, end_index} and `file_path` {file_id, index}. Chat Completions puts them on
 * the message, nested under the type's name (https://platform.openai.com/docs/api-reference/chat/object,
 * `message.annotations[]`: {type: 'url_citation', url_citation: {url, title, start_index, end_index}}).
 *
 * Neither API takes annotations back in a request's history, so these citations are never sent back.
 */
import type { Mutable } from '../../src/mutable.js';
import type { Citation } from '../../src/types.js';

// Not response.ts's own: response.ts imports this module, and the import-cycle test forbids the way back.
function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function numberOf(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined;
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * The unified citation for one annotation (`provider`: the provider type stamped on it); undefined
 * for one without a type.
 */
export function parseOpenAIAnnotation(raw: unknown, provider: string): Citation | undefined {
  if (!isJsonObject(raw)) return undefined;
  const type = stringOf(raw.type);
  if (type === undefined) return undefined;
  // Chat Completions nests the fields under the type's name; the Responses API does not.
  const nested = raw[type];
  const fields = isJsonObject(nested) ? nested : raw;
  const citation: Mutable<Citation> = { type, citedText: '', provider };
  const source = stringOf(fields.url) ?? stringOf(fields.file_id);
  if (source !== undefined) citation.source = source;
  const title = stringOf(fields.title) ?? stringOf(fields.filename);
  if (title !== undefined) citation.title = title;
  // A span (`start_index`/`end_index`), or a file citation's single position (`index`).
  const point = numberOf(fields.index);
  const start = numberOf(fields.start_index) ?? point;
  const end = numberOf(fields.end_index) ?? point;
  if (start !== undefined) citation.textStart = start;
  if (end !== undefined) citation.textEnd = end;
  return citation;
}

/** The citations of an `annotations` list (anything else: none). */
export function parseOpenAIAnnotations(raw: unknown, provider: string): Citation[] {
  if (!Array.isArray(raw)) return [];
  const citations: Citation[] = [];
  for (const item of raw) {
    const citation = parseOpenAIAnnotation(item, provider);
    if (citation !== undefined) citations.push(citation);
  }
  return citations;
}
