/**
 * Gemini grounding and citation metadata to the unified `Citation`, per the `Candidate` reference
 * (https://ai.google.dev/api/generate-content#candidate) and the grounding guide
 * (https://ai.google.dev/gemini-api/docs/google-search):
 *
 * - `groundingMetadata.groundingChunks[]` holds the sources, each one of `web` {uri, title},
 *   `retrievedContext` {uri, title, text} or `maps` {uri, title}; the key is the citation's `type`.
 *   Each `groundingSupports[]` entry ties a `segment` of the answer {partIndex, startIndex, endIndex,
 *   text} to `groundingChunkIndices`: one citation per index, with the segment as its text span and
 *   the index as `searchResultIndex`. A chunk no support names is a citation of the whole text.
 * - `citationMetadata.citationSources[]` (Vertex: `citationMetadata.citations[]`) are passages the
 *   answer recites {startIndex, endIndex, uri, license}: type `citationSource` (Vertex `citation`),
 *   `uri` as source. `license` and `publicationDate` have no unified field and are dropped.
 *
 * Segment and source indices count UTF-8 bytes; they become string indices of the answer's text.
 * Gemini's requests take no citations back, so these are never sent back.
 */
import type { Mutable } from '../../src/mutable.js';
import type { Citation } from '../../src/types.js';

/** The provider type stamped on the citations this module reads. */
const PROVIDER = 'gemini';

/** The grounding chunk kinds, by their key in a `GroundingChunk`. */
const CHUNK_KINDS = ['web', 'retrievedContext', 'maps'] as const;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function indexOf(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined;
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The string index in `text`, from `from`, that is `bytes` UTF-8 bytes further on (clamped to the end). */
function indexAfterBytes(text: string, from: number, bytes: number): number {
  let index = from;
  let remaining = bytes;
  while (remaining > 0 && index < text.length) {
    const code = text.codePointAt(index) ?? 0;
    remaining -= code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
    index += code >= 0x10000 ? 2 : 1;
  }
  return index;
}

/** Where the answer's text is: all of it, and where each candidate part's text starts in it. */
export interface GeminiAnswerText {
  readonly text: string;
  /** By candidate part index, the string index where that part's text starts (streams: none). */
  readonly partStarts?: readonly number[];
}

/**
 * The span of `text` that a byte range names, checked against the `text` the provider quotes for it
 * when it quotes one (found by search when the bytes disagree); undefined when neither places it.
 */
function spanOf(answer: GeminiAnswerText, range: Record<string, unknown>): { start: number; end: number } | undefined {
  const startByte = indexOf(range.startIndex) ?? 0;
  const endByte = indexOf(range.endIndex);
  const quoted = stringOf(range.text);
  const partIndex = indexOf(range.partIndex) ?? 0;
  const base = answer.partStarts?.[partIndex] ?? 0;
  if (endByte !== undefined) {
    const start = indexAfterBytes(answer.text, base, startByte);
    const end = indexAfterBytes(answer.text, start, endByte - startByte);
    if (quoted === undefined || answer.text.slice(start, end) === quoted) return { start, end };
  }
  if (quoted === undefined) return undefined;
  const found = answer.text.indexOf(quoted);
  return found < 0 ? undefined : { start: found, end: found + quoted.length };
}

/** A grounding chunk as a citation (without a span); undefined for a kind this module does not know. */
function chunkCitation(chunk: unknown, index: number): Mutable<Citation> | undefined {
  if (!isRecord(chunk)) return undefined;
  for (const kind of CHUNK_KINDS) {
    const fields = chunk[kind];
    if (!isRecord(fields)) continue;
    const citation: Mutable<Citation> = { type: kind, citedText: stringOf(fields.text) ?? '', searchResultIndex: index, provider: PROVIDER };
    const source = stringOf(fields.uri);
    if (source !== undefined) citation.source = source;
    const title = stringOf(fields.title);
    if (title !== undefined) citation.title = title;
    return citation;
  }
  return undefined;
}

function groundingCitations(metadata: unknown, answer: GeminiAnswerText): Citation[] {
  if (!isRecord(metadata)) return [];
  const chunks = Array.isArray(metadata.groundingChunks) ? metadata.groundingChunks : [];
  const supports = Array.isArray(metadata.groundingSupports) ? metadata.groundingSupports : [];
  const citations: Citation[] = [];
  const supported = new Set<number>();
  for (const support of supports) {
    if (!isRecord(support) || !Array.isArray(support.groundingChunkIndices)) continue;
    const span = isRecord(support.segment) ? spanOf(answer, support.segment) : undefined;
    for (const raw of support.groundingChunkIndices) {
      const index = indexOf(raw);
      const citation = index === undefined ? undefined : chunkCitation(chunks[index], index);
      if (citation === undefined || index === undefined) continue;
      supported.add(index);
      if (span !== undefined) {
        citation.textStart = span.start;
        citation.textEnd = span.end;
      }
      citations.push(citation);
    }
  }
  chunks.forEach((chunk: unknown, index) => {
    const citation = supported.has(index) ? undefined : chunkCitation(chunk, index);
    if (citation !== undefined) citations.push(citation);
  });
  return citations;
}

function recitationCitations(metadata: unknown, answer: GeminiAnswerText): Citation[] {
  if (!isRecord(metadata)) return [];
  // The Gemini API names the list `citationSources`, Vertex AI `citations`.
  const [type, sources] = Array.isArray(metadata.citationSources) ? ['citationSource', metadata.citationSources] : ['citation', metadata.citations];
  if (!Array.isArray(sources)) return [];
  const citations: Citation[] = [];
  for (const source of sources) {
    if (!isRecord(source)) continue;
    const citation: Mutable<Citation> = { type, citedText: '', provider: PROVIDER };
    const uri = stringOf(source.uri);
    if (uri !== undefined) citation.source = uri;
    const title = stringOf(source.title);
    if (title !== undefined) citation.title = title;
    const span = spanOf(answer, source);
    if (span !== undefined) {
      citation.textStart = span.start;
      citation.textEnd = span.end;
    }
    citations.push(citation);
  }
  return citations;
}

/** The citations of a candidate's `groundingMetadata` and `citationMetadata`, against the answer's text. */
export function geminiCitations(groundingMetadata: unknown, citationMetadata: unknown, answer: GeminiAnswerText): Citation[] {
  return [...groundingCitations(groundingMetadata, answer), ...recitationCitations(citationMetadata, answer)];
}
