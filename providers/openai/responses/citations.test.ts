/**
 * Responses API `annotations` → unified citations, answers and streams, on golden fixtures after the
 * web search and file search guides (sources in `__fixtures__/README.md`).
 */
import { describe, expect, it } from 'vitest';
import type { AdapterStreamPart } from '../../../src/provider-spec.js';
import { StreamAccumulator } from '../../../src/router/response-assembly.js';
import { collect, fromChunks, splitBytes } from '../test-helpers.js';
import { buildResponsesBody } from './request.js';
import { parseResponsesAnswer } from './response.js';
import { parseResponsesStream } from './stream.js';
import { responsesFixture, responsesJsonFixture } from './test-fixtures.js';

const URL = 'https://apnews.com/article/louvre-egyptian-wing?utm_source=openai';
const LINK = `([apnews.com](${URL}))`;

describe('Responses citations', () => {
  it('maps a url_citation to a citation whose text span is the cited link', () => {
    const result = parseResponsesAnswer(responsesJsonFixture('web-search.response.json'), 'openai');
    expect(result.textParts).toHaveLength(1);
    const [part] = result.textParts ?? [];
    expect(part?.text).toBe(result.text);
    expect(part?.citations).toEqual([
      {
        type: 'url_citation',
        citedText: '',
        source: URL,
        title: 'Louvre to open a new wing for Egyptian antiquities | AP News',
        textStart: 75,
        textEnd: 156,
        provider: 'openai-responses',
      },
    ]);
    expect(result.text.slice(part?.citations?.[0]?.textStart, part?.citations?.[0]?.textEnd)).toBe(LINK);
  });

  it('maps file_citations: the file id as source, the file name as title, the index as a point', () => {
    const result = parseResponsesAnswer(responsesJsonFixture('file-search.response.json'), 'openai');
    const citations = result.textParts?.[0]?.citations ?? [];
    expect(citations.map((citation) => [citation.type, citation.source, citation.title, citation.textStart, citation.textEnd])).toEqual([
      ['file_citation', 'file-2dtbBZdjtDKS8eqWxqbgDi', 'deep_research_blog.pdf', 69, 69],
      ['file_citation', 'file-2dtbBZdjtDKS8eqWxqbgDi', 'deep_research_blog.pdf', 115, 115],
    ]);
    // The first marks the end of the first sentence.
    expect(result.text.slice(0, citations[0]?.textStart)).toBe('Deep research is built on a version of o3 optimized for web browsing.');
  });

  it('leaves textParts out of an answer without annotations', () => {
    expect(parseResponsesAnswer(responsesJsonFixture('text.response.json'), 'openai').textParts).toBeUndefined();
  });

  it.each([1, 13, 4096])('streams the cited part as text deltas, then one citations part at its end (pieces of %i bytes)', async (size) => {
    const parts = await collect(parseResponsesStream(fromChunks(splitBytes(responsesFixture('web-search.sse'), size)), { provider: 'openai-main' }));
    const answer = parseResponsesAnswer(responsesJsonFixture('web-search.response.json'), 'openai');
    const cited = parts.filter((part): part is Extract<AdapterStreamPart, { type: 'citations' }> => part.type === 'citations');
    // Once, although the annotation came both as annotation.added and in content_part.done.
    expect(cited).toEqual([{ type: 'citations', text: answer.text, citations: answer.textParts?.[0]?.citations }]);
    const types = parts.map((part) => part.type);
    expect(types.lastIndexOf('text-delta')).toBeLessThan(types.indexOf('citations'));
    // The router's accumulation of the stream gives the same text parts as the answer.
    const accumulator = new StreamAccumulator();
    for (const part of parts) accumulator.add(part);
    expect(accumulator.result('fallback').textParts).toEqual(answer.textParts);
  });

  it('keeps the annotations added one by one when the closing event carries none, and closes at output_item.done without content_part.done', async () => {
    const frames = responsesFixture('web-search.sse').split('\n\n');
    // content_part.done without its annotations: those of annotation.added are the part's.
    const bare = frames.map((frame) => (frame.startsWith('event: response.content_part.done') ? frame.replace(/"annotations":\[.*\]\}/, '"annotations":[]}') : frame));
    expect(bare.join('\n\n')).not.toEqual(frames.join('\n\n'));
    const fromAdded = await collect(parseResponsesStream(fromChunks(splitBytes(bare.join('\n\n'), 64)), { provider: 'openai-main' }));
    expect(fromAdded.filter((part) => part.type === 'citations')).toHaveLength(1);
    // No content_part.done: the message's output_item.done closes the part.
    const withoutPartDone = frames.filter((frame) => !frame.startsWith('event: response.content_part.done'));
    const fromItem = await collect(parseResponsesStream(fromChunks(splitBytes(withoutPartDone.join('\n\n'), 64)), { provider: 'openai-main' }));
    const answer = parseResponsesAnswer(responsesJsonFixture('web-search.response.json'), 'openai');
    expect(fromItem.filter((part) => part.type === 'citations')).toEqual([{ type: 'citations', text: answer.text, citations: answer.textParts?.[0]?.citations }]);
  });

  it('sends the cited answer back as plain output_text, without annotations', () => {
    const answer = parseResponsesAnswer(responsesJsonFixture('web-search.response.json'), 'openai');
    const body = buildResponsesBody(
      {
        model: 'route',
        messages: [
          { role: 'user', content: 'Louvre news?' },
          { role: 'assistant', content: answer.textParts ?? answer.text },
          { role: 'user', content: 'When does it open?' },
        ],
      },
      { model: 'gpt-4.1', stream: false },
    );
    expect(body.input[1]).toEqual({ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: answer.text }] });
  });
});
