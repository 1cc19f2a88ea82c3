/**
 * Gemini grounding and citation metadata → unified citations, answers and streams, on golden
 * fixtures after the grounding guide and the Candidate reference (sources in each fixture).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { AdapterStreamPart } from '../../src/provider-spec.js';
import { StreamAccumulator } from '../../src/router/response-assembly.js';
import { geminiCitations } from './citations.js';
import { parseGeminiResponse } from './response.js';
import { streamGeminiBody } from './stream.js';

function fixtureText(name: string): string {
  return readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8');
}

async function* bytesIn(text: string, size: number): AsyncGenerator<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  for (let at = 0; at < bytes.length; at += size) yield bytes.slice(at, at + size);
}

const ALJAZEERA = { type: 'web', citedText: '', source: 'https://vertexaisearch.cloud.google.com/grounding-api-redirect/AbF9wXE9qGbOaP3LwL1', title: 'aljazeera.com', provider: 'gemini' };
const UEFA = { type: 'web', citedText: '', source: 'https://vertexaisearch.cloud.google.com/grounding-api-redirect/AbF9wXGk2mQeR7sT0uV2', title: 'uefa.com', provider: 'gemini' };

describe('Gemini citations', () => {
  it('maps each grounding support to one citation per chunk it names, with the segment as the text span', () => {
    const result = parseGeminiResponse(JSON.parse(fixtureText('grounding.json')), 'google');
    expect(result.textParts).toHaveLength(1);
    const [part] = result.textParts ?? [];
    expect(part?.text).toBe(result.text);
    expect(part?.citations).toEqual([
      { ...ALJAZEERA, searchResultIndex: 0, textStart: 0, textEnd: 56 },
      { ...ALJAZEERA, searchResultIndex: 0, textStart: 57, textEnd: 126 },
      { ...UEFA, searchResultIndex: 1, textStart: 57, textEnd: 126 },
    ]);
    expect(result.text.slice(57, 126)).toBe("This victory marks Spain's record fourth European Championship title.");
  });

  it('turns citation sources byte offsets into string indices of the text', () => {
    const result = parseGeminiResponse(JSON.parse(fixtureText('recitation.json')), 'google');
    const [citation] = result.textParts?.[0]?.citations ?? [];
    expect(citation).toEqual({ type: 'citationSource', citedText: '', source: 'https://fr.wikipedia.org/wiki/Le_Procope', textStart: 47, textEnd: 94, provider: 'gemini' });
    expect(result.text.slice(citation?.textStart, citation?.textEnd)).toBe('Voltaire y écrivait, dit-on, en buvant du café.');
  });

  it('counts a segment from the start of its part, and finds a quoted segment whose bytes disagree', () => {
    const text = 'Première partie. Seconde partie.';
    const chunks = [{ retrievedContext: { uri: 'gs://bucket/doc.pdf', title: 'doc.pdf', text: 'Seconde partie, page 2' } }];
    // partIndex 1 starts at index 17; bytes 0..15 of it are "Seconde partie.".
    const [fromPart] = geminiCitations({ groundingChunks: chunks, groundingSupports: [{ segment: { partIndex: 1, endIndex: 15 }, groundingChunkIndices: [0] }] }, undefined, { text, partStarts: [0, 17] });
    expect(fromPart).toMatchObject({ type: 'retrievedContext', citedText: 'Seconde partie, page 2', source: 'gs://bucket/doc.pdf', textStart: 17, textEnd: 32 });
    const [found] = geminiCitations({ groundingChunks: chunks, groundingSupports: [{ segment: { startIndex: 3, endIndex: 9, text: 'Seconde partie.' }, groundingChunkIndices: [0] }] }, undefined, { text });
    expect(found).toMatchObject({ textStart: 17, textEnd: 32 });
  });

  it('keeps a chunk no support names as a citation of the whole text, and reads Vertex citations', () => {
    const citations = geminiCitations({ groundingChunks: [{ web: { uri: 'https://example.com/a', title: 'a' } }] }, { citations: [{ endIndex: 4, uri: 'https://example.com/b', title: 'B', license: 'mit' }] }, { text: 'abcdef' });
    expect(citations).toEqual([
      { type: 'web', citedText: '', source: 'https://example.com/a', title: 'a', searchResultIndex: 0, provider: 'gemini' },
      { type: 'citation', citedText: '', source: 'https://example.com/b', title: 'B', textStart: 0, textEnd: 4, provider: 'gemini' },
    ]);
  });

  it('leaves textParts out of an answer without grounding or citation metadata', () => {
    expect(parseGeminiResponse(JSON.parse(fixtureText('text.json')), 'google').textParts).toBeUndefined();
  });

  it.each([1, 17, 4096])('streams the grounding of the last chunk as one citations part at the end (pieces of %i bytes)', async (size) => {
    const parts: AdapterStreamPart[] = [];
    for await (const part of streamGeminiBody(bytesIn(fixtureText('grounding.sse'), size), { provider: 'google' })) parts.push(part);
    const answer = parseGeminiResponse(JSON.parse(fixtureText('grounding.json')), 'google');
    const cited = parts.filter((part) => part.type === 'citations');
    expect(cited).toEqual([{ type: 'citations', text: answer.text, citations: answer.textParts?.[0]?.citations }]);
    const types = parts.map((part) => part.type);
    expect(types.lastIndexOf('text-delta')).toBeLessThan(types.indexOf('citations'));
    const accumulator = new StreamAccumulator();
    for (const part of parts) accumulator.add(part);
    expect(accumulator.result('fallback').textParts).toEqual(answer.textParts);
  });
});
