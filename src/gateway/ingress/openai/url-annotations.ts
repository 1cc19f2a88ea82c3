/**
 * An answer's citations → Chat Completions `annotations`. The API has one annotation type,
 * `url_citation`, with `url`, `title`, `start_index` and `end_index` (all required) nested under
 * the type's name (https://platform.openai.com/docs/api-reference/chat/object, `message.annotations`;
 * the `openai` SDK's `ChatCompletionMessage.Annotation.URLCitation`).
 *
 * Only citations whose `source` is a web address (http or https) fit that shape: document
 * passages, search results named otherwise, file ids and `gs://` objects have nowhere to go and are
 * left out. The indices are into the message's whole `content`: a text part's offset in the joined
 * text plus the citation's `textStart`/`textEnd`, or the whole part when the provider marked no span.
 */
import type { Citation, TextPart } from '../../../types.js';
import type { OpenAIAnnotationObject } from './wire-types.js';

/** What a `url_citation` can point at: a page on the web. */
const WEB_ADDRESS = /^https?:\/\//i;

/** The `url_citation` annotations of an answer's text parts, in their order; none without web citations. */
export function urlAnnotations(textParts: readonly TextPart[] | undefined): OpenAIAnnotationObject[] {
  if (textParts === undefined) return [];
  const annotations: OpenAIAnnotationObject[] = [];
  let offset = 0;
  for (const part of textParts) {
    for (const citation of part.citations ?? []) {
      const annotation = urlAnnotation(citation, offset, part.text.length);
      if (annotation !== undefined) annotations.push(annotation);
    }
    offset += part.text.length;
  }
  return annotations;
}

/** One citation of a part `length` long starting at `offset`; undefined when its source is no web address. */
function urlAnnotation(citation: Citation, offset: number, length: number): OpenAIAnnotationObject | undefined {
  const url = citation.source;
  if (url === undefined || !WEB_ADDRESS.test(url)) return undefined;
  // Kept inside the part: a provider's span past its text would point into the next part.
  const start = Math.min(Math.max(citation.textStart ?? 0, 0), length);
  const end = Math.min(Math.max(citation.textEnd ?? length, start), length);
  return { type: 'url_citation', url_citation: { url, title: citation.title ?? '', start_index: offset + start, end_index: offset + end } };
}
