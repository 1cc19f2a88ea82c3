/**
 * Citations from OpenAI (Responses and Chat Completions) and Gemini, end to end over the simulator:
 * a web search (asked for through `providerOptions`) answers with text parts that cite a page, a
 * stream shows one `citations` event and finishes with the same parts, and the cited answer goes back
 * in the next turn as plain text (neither API takes citations back).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRouter } from '../../src/create-router.js';
import type { Router } from '../../src/router/router-api.js';
import { startSimulator, type Simulator } from '../../src/testing/simulator.js';
import type { ChatRequest, ChatResponse, StreamEvent } from '../../src/types.js';
import { FAST_POLICIES } from '../support/sim-config.js';

let simulator: Simulator;
let router: Router;

beforeAll(async () => {
  simulator = await startSimulator({ seed: 11 });
  const key = simulator.apiKey;
  router = createRouter({
    providers: {
      responses: { type: 'openai', api: 'responses', apiKey: key, baseUrl: `${simulator.url}/v1` },
      openai: { type: 'openai', apiKey: key, baseUrl: `${simulator.url}/v1` },
      gemini: { type: 'gemini', apiKey: key, baseUrl: simulator.url },
    },
    routes: {
      responses: { targets: [{ provider: 'responses', model: 'gpt-4.1' }] },
      chat: { targets: [{ provider: 'openai', model: 'gpt-4o-search-preview' }] },
      gemini: { targets: [{ provider: 'gemini', model: 'gemini-2.5-flash' }] },
    },
    policies: { ...FAST_POLICIES, retry: { ...FAST_POLICIES.retry, attempts: 1 } },
  });
});
afterAll(async () => {
  await router.close();
  await simulator.close();
});
afterEach(() => simulator.reset());

/** Each API's way to ask for a web search, and the citation its simulated answer carries. */
const CASES = [
  {
    route: 'responses',
    providerOptions: { openai: { tools: [{ type: 'web_search' }] } },
    citation: { type: 'url_citation', citedText: '', source: 'https://example.com/switchyard-sim-source', title: 'Switchyard simulator source', provider: 'openai-responses' },
  },
  {
    route: 'chat',
    providerOptions: { openai: { web_search_options: {} } },
    citation: { type: 'url_citation', citedText: '', source: 'https://example.com/switchyard-sim-source', title: 'Switchyard simulator source', provider: 'openai' },
  },
  {
    route: 'gemini',
    providerOptions: { gemini: { tools: [{ googleSearch: {} }] } },
    citation: { type: 'web', citedText: '', source: 'https://vertexaisearch.cloud.google.com/grounding-api-redirect/switchyard-sim', title: 'example.com', searchResultIndex: 0, provider: 'gemini' },
  },
] as const;

function request(route: string, providerOptions: ChatRequest['providerOptions']): ChatRequest {
  return { model: route, messages: [{ role: 'user', content: 'What is new at the Louvre?' }], providerOptions };
}

/** The span the simulator cites: the answer's last word. */
function lastWordSpan(text: string): { textStart: number; textEnd: number } {
  return { textStart: text.lastIndexOf(' ') + 1, textEnd: text.length };
}

describe.each(CASES)('$route citations', ({ route, providerOptions, citation }) => {
  it('chat answers with one text part citing the page over the cited words', async () => {
    const response = await router.chat(request(route, providerOptions));
    expect(response.text).not.toBe('');
    expect(response.textParts).toEqual([{ type: 'text', text: response.text, citations: [{ ...citation, ...lastWordSpan(response.text) }] }]);
    expect(response.message.content).toEqual(response.textParts);
  });

  it('an answer without web search has no text parts', async () => {
    const response = await router.chat(request(route, undefined));
    expect(response.textParts).toBeUndefined();
    expect(response.message.content).toBe(response.text);
  });

  it('a stream shows one citations event after the text and finishes with the same parts as chat', async () => {
    const events: StreamEvent[] = [];
    for await (const event of router.stream(request(route, providerOptions))) events.push(event);
    const finish = events.at(-1);
    if (finish?.type !== 'finish') throw new Error('the stream did not finish');
    const { text } = finish.response;
    const cited = events.filter((event) => event.type === 'citations');
    expect(cited).toEqual([{ type: 'citations', text, citations: [{ ...citation, ...lastWordSpan(text) }] }]);
    const types = events.map((event) => event.type);
    expect(types.lastIndexOf('text-delta')).toBeLessThan(types.indexOf('citations'));
    expect(finish.response.textParts).toEqual([{ type: 'text', text, citations: cited[0]?.citations }]);
  });

  it('the cited answer goes back in the next turn as plain text', async () => {
    const first: ChatResponse = await router.chat(request(route, providerOptions));
    await router.chat({ model: route, messages: [...request(route, undefined).messages, first.message, { role: 'user', content: 'When does it open?' }] });
    const body = JSON.stringify(simulator.requests.at(-1)?.body);
    expect(body).toContain(JSON.stringify(first.text));
    expect(body).not.toContain('switchyard-sim');
  });
});
