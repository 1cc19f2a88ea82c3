/**
 * Citations ↔ the Messages API's text-block `citations`
 * (https://platform.claude.com/docs/en/build-with-claude/citations). The unified `Citation` keeps
 * Anthropic's own type name (`char_location`, `page_location`, `content_block_location`,
 * `search_result_location`, `web_search_result_location`), so an answer's citations are rebuilt in
 * the response shapes of the SDK's `TextCitation`
 * (https://github.com/anthropics/anthropic-sdk-typescript/blob/main/src/resources/messages/messages.ts),
 * with the codec of the Anthropic adapter (`providers/anthropic/citations.ts`), and a client's cited
 * text blocks sent back become text parts with citations again.
 */
import { anthropicCitationParam, parseAnthropicCitation } from '../../../../providers/anthropic/citations.js';
import type { Citation } from '../../../types.js';
import { requiredObject, requiredString, wrongType } from '../request-fields.js';
import type { AnthropicTextCitation } from './wire-types.js';

/** The citation types of the Messages API: only these can be shown to, or taken back from, its clients. */
const ANTHROPIC_TYPES: ReadonlySet<string> = new Set(['char_location', 'page_location', 'content_block_location', 'search_result_location', 'web_search_result_location']);

/**
 * The citations an Anthropic client can be shown: those an Anthropic upstream made. Another
 * provider's (an OpenAI `url_citation`, a Gemini `web` chunk) has no Messages API shape, and a
 * made-up one would be refused by Anthropic when the client sends the history back.
 */
export function anthropicCitations(citations: readonly Citation[] | undefined): Citation[] {
  return citations === undefined ? [] : citations.filter((citation) => citation.provider === 'anthropic' && ANTHROPIC_TYPES.has(citation.type));
}

/** Citation types that point into a document of the request (their response shape adds `file_id`). */
const DOCUMENT_LOCATIONS: ReadonlySet<string> = new Set(['char_location', 'page_location', 'content_block_location']);

/** One citation in the response shape: the request shape plus `file_id` (null: the gateway does not know it). */
export function citationObject(citation: Citation): AnthropicTextCitation {
  const param = anthropicCitationParam(citation);
  return DOCUMENT_LOCATIONS.has(citation.type) ? { ...param, type: citation.type, cited_text: citation.citedText, file_id: null } : { ...param, type: citation.type, cited_text: citation.citedText };
}

/**
 * A text block's `citations` (an array of citation objects, or null) as unified citations stamped
 * `anthropic`: they go back only to Anthropic upstreams. Undefined when absent, null or empty.
 */
export function parseTextCitations(value: unknown, field: string): Citation[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw wrongType(field, 'an array of citation objects', value);
  if (value.length === 0) return undefined;
  return value.map((item: unknown, index) => {
    const itemField = `${field}[${index}]`;
    const object = requiredObject(item, itemField);
    const type = requiredString(object.type, `${itemField}.type`, { allowEmpty: false });
    if (!ANTHROPIC_TYPES.has(type)) throw wrongType(`${itemField}.type`, [...ANTHROPIC_TYPES].join(' | '), type);
    requiredString(object.cited_text, `${itemField}.cited_text`, { allowEmpty: true });
    // Checked above: a typed object always parses.
    return parseAnthropicCitation(object) as Citation;
  });
}
