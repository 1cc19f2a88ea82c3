/**
 * Web citations through the OpenAI ingress as Chat Completions `annotations`, called with the
 * official `openai` client over the simulator: a web search answer (asked for through
 * `provider_options`, the simulator citing its last word with a `url_citation`) carries
 * `message.annotations` whole, and streamed one `delta.annotations` chunk that the SDK's
 * `ChatCompletionStream` assembles into the same message; answers that cite nothing are as before
 * (`annotations: []` whole, no `annotations` key in any chunk). How citations of several text parts
 * map (offsets, spans, citations with no web address left out) is checked on `toChatCompletion`.
 *
 * The shape is the API reference's (https://platform.openai.com/docs/api-reference/chat/object,
 * `message.annotations[]`: `{ type: 'url_citation', url_citation: { url, title, start_index, end_index } }`)
 * and the SDK's `ChatCompletionMessage.Annotation`.
 */
import OpenAI from 'openai';
import type { ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../../src/gateway/create-gateway.js';
import { toChatCompletion } from '../../src/gateway/ingress/openai/index.js';
import { startSimulator, type Simulator } from '../../src/testing/simulator.js';
import type { ChatResponse, Citation, TextPart } from '../../src/types.js';
import { simConfig } from '../support/sim-config.js';

// (Key values share no 8-character run with words in error messages: those runs would be redacted.)
const APP_KEY = 'sy-ann0123456789abcdefghijklmnopqrstuvwxyzAB';

let simulator: Simulator;
let gateway: Gateway;
let client: OpenAI;

beforeAll(async () => {
  simulator = await startSimulator();
  gateway = await createGateway(
    simConfig(simulator, {
      routes: { search: { targets: [{ provider: 'openai', model: 'gpt-4o-search-preview' }] } },
      gateway: { store: { url: 'sqlite::memory:' }, port: 0, keys: [{ name: 'app', key: APP_KEY }] },
    }),
    { log: () => undefined },
  );
  client = new OpenAI({ baseURL: `${await gateway.listen()}/v1`, apiKey: APP_KEY, maxRetries: 0 });
});

afterAll(async () => {
  await gateway.close();
  await simulator.close();
});

/** The page the simulator's web search answers cite. */
const PAGE = { url: 'https://example.com/switchyard-sim-source', title: 'Switchyard simulator source' };

/** A question to the search route, with web search asked for (the gateway's `provider_options`) or not. */
function ask(content: string, webSearch: boolean): ChatCompletionCreateParamsNonStreaming {
  const params = { model: 'search', messages: [{ role: 'user' as const, content }] };
  return webSearch ? ({ ...params, provider_options: { openai: { web_search_options: {} } } } as ChatCompletionCreateParamsNonStreaming) : params;
}

/** The annotation the simulator's citation of `text`'s last word becomes. */
function lastWordAnnotation(text: string): OpenAI.ChatCompletionMessage.Annotation {
  return { type: 'url_citation', url_citation: { ...PAGE, start_index: text.lastIndexOf(' ') + 1, end_index: text.length } };
}

/** The JSON payloads of an SSE body's `data:` frames, `[DONE]` left out. */
function dataFrames(body: string): Record<string, unknown>[] {
  return body
    .split('\n\n')
    .filter((frame) => frame.startsWith('data: ') && frame !== 'data: [DONE]')
    .map((frame) => JSON.parse(frame.slice('data: '.length)) as Record<string, unknown>);
}

describe('web citations through the OpenAI ingress', () => {
  it('answers them as message.annotations, indexed into the content', async () => {
    const completion = await client.chat.completions.create(ask('What is new at the Louvre?', true));
    const { message } = completion.choices[0] ?? expect.unreachable('no choice');
    const content = message.content ?? '';
    expect(content).toMatch(/ \S+$/);
    expect(message.annotations).toEqual([lastWordAnnotation(content)]);
    const span = message.annotations?.[0]?.url_citation;
    expect(content.slice(span?.start_index, span?.end_index)).toBe(content.split(' ').at(-1));
  });

  it('streams them in one delta.annotations chunk after the text, which the SDK assembles into the same message', async () => {
    const raw = await client.chat.completions.create({ ...ask('What opens at the Louvre?', true), stream: true }).asResponse();
    const chunks = dataFrames(await raw.text()).map((chunk) => (chunk['choices'] as { delta: Record<string, unknown>; finish_reason: string | null }[])[0]);
    const kinds = chunks.map((choice) => (choice === undefined ? 'none' : choice.finish_reason !== null ? 'finish' : Object.keys(choice.delta).join(',')));
    const annotated = kinds.indexOf('annotations');
    expect(kinds.filter((kind) => kind === 'annotations')).toHaveLength(1);
    expect(kinds.lastIndexOf('content')).toBeLessThan(annotated);
    expect(kinds[annotated + 1]).toBe('finish');
    const text = chunks.map((choice) => (typeof choice?.delta['content'] === 'string' ? choice.delta['content'] : '')).join('');
    expect(chunks[annotated]?.delta).toEqual({ annotations: [lastWordAnnotation(text)] });

    const stream = client.chat.completions.stream({ ...ask('What opens at the Louvre?', true), stream: true });
    const final = await stream.finalChatCompletion();
    const message = final.choices[0]?.message;
    expect(message?.annotations).toEqual([lastWordAnnotation(message?.content ?? '')]);
  });

  it('leaves an answer that cites nothing as before: annotations [] whole, no annotations key in a stream', async () => {
    const whole = await client.chat.completions.create(ask('Hello there', false)).asResponse();
    const body = (await whole.json()) as { choices: { message: Record<string, unknown> }[] };
    const content = body.choices[0]?.message['content'];
    expect(typeof content).toBe('string');
    expect(JSON.stringify(body.choices[0]?.message)).toBe(JSON.stringify({ role: 'assistant', content, refusal: null, annotations: [] }));

    const streamed = await client.chat.completions.create({ ...ask('Hello there', false), stream: true }).asResponse();
    const text = await streamed.text();
    expect(dataFrames(text).length).toBeGreaterThan(2);
    expect(text).not.toContain('annotations');
  });
});

describe('toChatCompletion annotations of several text parts', () => {
  const web = (source: string, span?: { textStart: number; textEnd: number }): Citation => ({ type: 'url_citation', citedText: '', source, title: 'A page', provider: 'openai', ...span });
  const document: Citation = { type: 'char_location', citedText: 'The grass is green.', documentIndex: 0, documentTitle: 'Facts', start: 0, end: 19, provider: 'anthropic' };

  function answer(textParts: TextPart[]): ChatResponse {
    const text = textParts.map((part) => part.text).join('');
    return {
      id: 'r1',
      text,
      textParts,
      message: { role: 'assistant', content: textParts },
      toolCalls: [],
      reasoning: [],
      finishReason: 'stop',
      usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 },
      target: { provider: 'openai', model: 'gpt-4o' },
      route: 'r',
      attempts: [],
      latencyMs: 1,
      requestId: 'q',
      cached: false,
    };
  }

  it('indexes each citation from its part’s offset, takes the whole part without a span, and leaves out sources with no web address', () => {
    const parts: TextPart[] = [
      { type: 'text', text: 'Plain opening. ' },
      { type: 'text', text: 'Grass is green.', citations: [document, web('https://a.example/grass', { textStart: 9, textEnd: 14 })] },
      { type: 'text', text: ' And the sky.', citations: [web('http://b.example/sky'), { ...web('gs://bucket/sky.pdf'), type: 'retrievedContext' }, { ...web('file-abc123'), type: 'file_citation' }] },
    ];
    const completion = toChatCompletion(answer(parts), 'r', { created: 1 });
    const content = completion.choices[0].message.content ?? '';
    expect(completion.choices[0].message.annotations).toEqual([
      { type: 'url_citation', url_citation: { url: 'https://a.example/grass', title: 'A page', start_index: 24, end_index: 29 } },
      { type: 'url_citation', url_citation: { url: 'http://b.example/sky', title: 'A page', start_index: 30, end_index: 43 } },
    ]);
    expect(content.slice(24, 29)).toBe('green');
    expect(content.slice(30)).toBe(' And the sky.');
  });

  it('gives an untitled page an empty title, and keeps a span past its part inside the part', () => {
    const untitled: Citation = { type: 'web', citedText: '', source: 'https://c.example/', provider: 'gemini', textStart: 2, textEnd: 99 };
    const completion = toChatCompletion(answer([{ type: 'text', text: 'Cited.', citations: [untitled] }, { type: 'text', text: ' Next part.' }]), 'r', { created: 1 });
    expect(completion.choices[0].message.annotations).toEqual([{ type: 'url_citation', url_citation: { url: 'https://c.example/', title: '', start_index: 2, end_index: 6 } }]);
  });

  it('has annotations [] when only documents are cited', () => {
    const completion = toChatCompletion(answer([{ type: 'text', text: 'Grass is green.', citations: [document] }]), 'r', { created: 1 });
    expect(completion.choices[0].message.annotations).toEqual([]);
  });
});
