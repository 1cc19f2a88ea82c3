/**
 * Chat Completions `annotations` (web search models) → unified citations, answers and streams, on
 * golden fixtures after the web search guide (sources in the fixtures' headers).
 */
import { describe, expect, it } from 'vitest';
import type { AdapterStreamPart } from '../../src/provider-spec.js';
import { StreamAccumulator } from '../../src/router/response-assembly.js';
import { replay } from './chat-completions-adapter.js';
import { toOpenAIMessages } from './request.js';
import { parseChatCompletion } from './response.js';
import { parseChatCompletionStream } from './stream.js';
import { collect, fromChunks, loadChunks, readJsonFixture, splitBytes, toSse } from './test-helpers.js';

const ANSWER = (readJsonFixture('web-search.chat.json') as { answer: unknown }).answer;
const URL = 'https://apnews.com/article/louvre-egyptian-wing?utm_source=openai';

const CITATION = {
  type: 'url_citation',
  citedText: '',
  source: URL,
  title: 'Louvre to open a new wing for Egyptian antiquities | AP News',
  textStart: 65,
  textEnd: 146,
  provider: 'openai',
};

describe('Chat Completions citations', () => {
  it('maps message.annotations to the citations of the one text part', () => {
    const result = parseChatCompletion(ANSWER, 'openai-main', 'openai');
    expect(result.textParts).toEqual([{ type: 'text', text: result.text, citations: [CITATION] }]);
    expect(result.text.slice(CITATION.textStart, CITATION.textEnd)).toBe(`([apnews.com](${URL}))`);
  });

  it('leaves textParts out without annotations (an empty list included)', () => {
    const plain = JSON.parse(JSON.stringify(ANSWER)) as { choices: { message: Record<string, unknown> }[] };
    const [choice] = plain.choices;
    if (choice !== undefined) choice.message.annotations = [];
    expect(parseChatCompletion(plain, 'openai-main', 'openai').textParts).toBeUndefined();
  });

  it.each([1, 9, 4096])('streams delta.annotations as one citations part after the text, a repeated one kept once (pieces of %i bytes)', async (size) => {
    const source = fromChunks(splitBytes(toSse([...loadChunks('web-search.chunks.txt'), '[DONE]']), size));
    const parts = await collect(parseChatCompletionStream(source, { provider: 'openai-main', reasoningProvider: 'openai' }));
    const answer = parseChatCompletion(ANSWER, 'openai-main', 'openai');
    const cited = parts.filter((part): part is Extract<AdapterStreamPart, { type: 'citations' }> => part.type === 'citations');
    expect(cited).toEqual([{ type: 'citations', text: answer.text, citations: [CITATION] }]);
    const accumulator = new StreamAccumulator();
    for (const part of parts) accumulator.add(part);
    expect(accumulator.result('fallback').textParts).toEqual(answer.textParts);
  });

  it('keeps the citations of a JSON answer replayed as a stream (a server that ignored stream: true)', async () => {
    const answer = parseChatCompletion(ANSWER, 'openai-main', 'openai');
    const accumulator = new StreamAccumulator();
    for await (const part of replay(answer)) accumulator.add(part);
    const replayed = accumulator.result('fallback');
    expect(replayed.text).toBe(answer.text);
    expect(replayed.textParts).toEqual(answer.textParts);
  });

  it('sends the cited answer back as plain assistant text (the API takes no annotations)', () => {
    const answer = parseChatCompletion(ANSWER, 'openai-main', 'openai');
    const messages = toOpenAIMessages({ messages: [{ role: 'user', content: 'Louvre news?' }, { role: 'assistant', content: answer.textParts ?? answer.text }] });
    expect(messages[1]).toEqual({ role: 'assistant', content: answer.text });
  });
});
