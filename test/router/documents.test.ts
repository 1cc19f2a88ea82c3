/**
 * Documents, image detail and tool results with errors, end to end: the router maps them for each
 * provider, the simulator accepts the shapes the real APIs accept and answers 400 to malformed ones,
 * and a part a provider cannot take is refused before any request is sent.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { Router } from '../../src/router/router.js';
import type { Simulator } from '../../src/testing/simulator.js';
import type { Message } from '../../src/types.js';
import { failure } from '../support/failure.js';
import { FAST_POLICIES, nativeProviders } from '../support/sim-config.js';
import { useSimulatorRouter } from '../support/simulator-fixture.js';

let simulator: Simulator;
let router: Router;
const PDF = Buffer.from('%PDF-1.4 tiny').toString('base64');

const fixture = useSimulatorRouter({ seed: 3 }, (sim) => ({
  providers: nativeProviders(sim),
  routes: {
    claude: { targets: [{ provider: 'anthropic', model: 'claude-sonnet-4-5' }] },
    gpt: { targets: [{ provider: 'openai', model: 'gpt-4o' }] },
    gemini: { targets: [{ provider: 'gemini', model: 'gemini-2.5-flash' }] },
  },
  policies: FAST_POLICIES,
}));
beforeEach(() => {
  ({ simulator, router } = fixture);
});

const withDocument: Message = {
  role: 'user',
  content: [
    { type: 'document', mediaType: 'application/pdf', data: PDF, title: 'report.pdf' },
    { type: 'image', data: 'iVBORw0KGgo=', mediaType: 'image/png', detail: 'low' },
    { type: 'text', text: 'Summarise the report.' },
  ],
};

const failedToolTurn: Message[] = [
  { role: 'user', content: 'Fetch the report.' },
  { role: 'assistant', content: '', toolCalls: [{ id: 'call_1', name: 'fetch', arguments: { id: 7 } }] },
  { role: 'tool', toolCallId: 'call_1', content: 'not found', isError: true },
];
const FETCH_TOOL = { name: 'fetch', parameters: { type: 'object', properties: { id: { type: 'integer' } } } };

function lastBody(): Record<string, unknown> {
  return simulator.requests.at(-1)?.body as Record<string, unknown>;
}

describe('documents reach every provider in its own shape', () => {
  it('Anthropic: a document block and is_error on the tool result', async () => {
    const response = await router.chat({ model: 'claude', tools: [FETCH_TOOL], messages: [...failedToolTurn, withDocument] });
    expect(response.finishReason).toBeDefined();
    const messages = lastBody().messages as { role: string; content: unknown[] }[];
    expect(messages.at(-1)?.content).toEqual([
      { type: 'tool_result', tool_use_id: 'call_1', content: 'not found', is_error: true },
      { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: PDF }, title: 'report.pdf' },
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
      { type: 'text', text: 'Summarise the report.' },
    ]);
  });

  it('OpenAI: a file part with a data URL and image_url.detail', async () => {
    await router.chat({ model: 'gpt', messages: [withDocument] });
    const messages = lastBody().messages as { content: unknown[] }[];
    expect(messages[0]?.content).toEqual([
      { type: 'file', file: { filename: 'report.pdf', file_data: `data:application/pdf;base64,${PDF}` } },
      { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'low' } },
      { type: 'text', text: 'Summarise the report.' },
    ]);
  });

  it('Gemini: inlineData, and the failed tool call as functionResponse.response.error', async () => {
    await router.chat({ model: 'gemini', tools: [FETCH_TOOL], messages: [...failedToolTurn, withDocument] });
    const contents = lastBody().contents as { role: string; parts: unknown[] }[];
    expect(contents.at(-2)?.parts).toEqual([{ functionResponse: { name: 'fetch', response: { error: 'not found' } } }]);
    expect(contents.at(-1)?.parts[0]).toEqual({ inlineData: { mimeType: 'application/pdf', data: PDF } });
  });
});

describe('refusals', () => {
  it('a malformed document is refused before any request', async () => {
    const error = await failure(router.chat({ model: 'claude', messages: [{ role: 'user', content: [{ type: 'document', mediaType: 'application/pdf' }] }] }));
    expect(error.category).toBe('invalid_request');
    expect(error.message).toContain('messages[0].content[0]');
    expect(simulator.requests).toHaveLength(0);
  });

  it('a document by URL is refused for OpenAI, naming the provider limit and the field', async () => {
    const error = await failure(router.chat({ model: 'gpt', messages: [{ role: 'user', content: [{ type: 'document', mediaType: 'application/pdf', url: 'https://example.com/a.pdf' }] }] }));
    expect(error.category).toBe('invalid_request');
    expect(error.message).toContain('messages[0].content[0].url');
    expect(simulator.requests).toHaveLength(0);
  });
});

describe('the simulator answers 400 to malformed media like the real APIs', () => {
  async function post(path: string, headers: Record<string, string>, body: unknown): Promise<{ status: number; message: string }> {
    const response = await fetch(`${simulator.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    const parsed = (await response.json()) as { error?: { message?: string } };
    return { status: response.status, message: parsed.error?.message ?? '' };
  }

  it('Anthropic: a base64 document that is not a PDF', async () => {
    const answer = await post('/v1/messages', { 'x-api-key': simulator.apiKey, 'anthropic-version': '2023-06-01' }, {
      model: 'claude-sonnet-4-5',
      max_tokens: 64,
      messages: [{ role: 'user', content: [{ type: 'document', source: { type: 'base64', media_type: 'text/plain', data: 'aGk=' } }] }],
    });
    expect(answer).toEqual({ status: 400, message: "messages.0.content.0.source.base64.media_type: Input should be 'application/pdf'" });
  });

  it('OpenAI: a file part with file_data but no filename', async () => {
    const answer = await post('/v1/chat/completions', { authorization: `Bearer ${simulator.apiKey}` }, {
      model: 'gpt-4o',
      messages: [{ role: 'user', content: [{ type: 'file', file: { file_data: `data:application/pdf;base64,${PDF}` } }] }],
    });
    expect(answer).toEqual({ status: 400, message: "Missing required parameter: 'messages[0].content[0].file.file_id'." });
  });
});
