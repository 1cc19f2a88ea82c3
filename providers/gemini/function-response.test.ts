/**
 * Tool results with images and documents: Gemini 3's multimodal function responses
 * (`functionResponse.parts`, https://ai.google.dev/gemini-api/docs/function-calling#multimodal) as
 * the adapter builds them for the Gemini API and Vertex AI, the refusals for earlier models and
 * for what Gemini cannot take, and the simulator's checks of the shape (raw HTTP and the router).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createRouter } from '../../src/create-router.js';
import { startSimulator, type Simulator } from '../../src/testing/simulator.js';
import type { ChatRequest, ContentPart, Message, ToolDefinition } from '../../src/types.js';
import { failure } from '../../test/support/failure.js';
import { FAST_POLICIES } from '../../test/support/sim-config.js';
import { buildGeminiRequest, SKIP_THOUGHT_SIGNATURE } from './request.js';

const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
const PDF = 'JVBERi0xLjQKJcfsj6IKMSAwIG9iago8PD4+CmVuZG9iagp0cmFpbGVyCjw8Pj4KJSVFT0YK';
const CHART: ToolDefinition = { name: 'chart', description: 'Draws a chart', parameters: { type: 'object', properties: { query: { type: 'string' } } } };

/** A conversation whose last message is a tool result with `content`. */
function withToolResult(content: string | readonly ContentPart[]): Message[] {
  return [
    { role: 'user', content: 'Draw the sales chart' },
    { role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 'chart', arguments: { query: 'sales' } }] },
    { role: 'tool', toolCallId: 'c1', content },
  ];
}

function functionResponse(request: Omit<ChatRequest, 'model'>, model: string, vertex = false): Record<string, unknown> {
  const body = buildGeminiRequest({ model: 'r', ...request }, model, { vertex });
  const part = body.contents.at(-1)?.parts[0] as { functionResponse: Record<string, unknown> };
  return part.functionResponse;
}

describe('functionResponse.parts in the request', () => {
  it('puts a Gemini 3 tool result\'s images and documents in parts, its text in response', () => {
    const content: ContentPart[] = [
      { type: 'text', text: 'the chart:' },
      { type: 'image', data: PNG, mediaType: 'image/png' },
      { type: 'image', url: `data:image/webp;base64,${PNG}` },
      { type: 'document', data: PDF, mediaType: 'application/pdf', title: 'report.pdf' },
    ];
    expect(functionResponse({ messages: withToolResult(content) }, 'gemini-3-flash-preview')).toEqual({
      name: 'chart',
      response: { output: 'the chart:' },
      parts: [{ inlineData: { mimeType: 'image/png', data: PNG } }, { inlineData: { mimeType: 'image/webp', data: PNG } }, { inlineData: { mimeType: 'application/pdf', data: PDF } }],
    });
    // Text only: no parts, as before.
    expect(functionResponse({ messages: withToolResult('{"rows":3}') }, 'gemini-3-flash-preview')).toEqual({ name: 'chart', response: { rows: 3 } });
  });

  it('sends media by URL as fileData to Vertex AI only', () => {
    const messages = withToolResult([
      { type: 'image', url: 'gs://bucket/chart.jpg' },
      { type: 'document', url: 'gs://bucket/report.pdf', mediaType: 'application/pdf' },
    ]);
    expect(functionResponse({ messages }, 'gemini-3-pro-preview', true).parts).toEqual([
      { fileData: { fileUri: 'gs://bucket/chart.jpg', mimeType: 'image/jpeg' } },
      { fileData: { fileUri: 'gs://bucket/report.pdf', mimeType: 'application/pdf' } },
    ]);
    expect(() => functionResponse({ messages }, 'gemini-3-pro-preview')).toThrow(/messages\[2\]\.content\[0\]: the Gemini API takes media in a function response as base64 data only/);
  });

  it.each<[string, string | readonly ContentPart[], RegExp]>([
    ['gemini-2.5-flash', [{ type: 'image', data: PNG, mediaType: 'image/png' }], /messages\[2\]\.content\[0\]: Gemini function responses before Gemini 3 take only text/],
    ['gemini-3-flash-preview', [{ type: 'image', data: PNG, mediaType: 'image/gif' }], /messages\[2\]\.content\[0\]\.mediaType: "image\/gif" cannot go in a Gemini function response/],
    ['gemini-3-flash-preview', [{ type: 'image', data: PNG }], /messages\[2\]\.content\[0\]\.mediaType: is required with base64 data/],
    ['gemini-3-flash-preview', [{ type: 'document', mediaType: 'application/pdf', file: { id: 'https://generativelanguage.googleapis.com/v1beta/files/abc', provider: 'gemini' } }], /messages\[2\]\.content\[0\]\.file: an uploaded file cannot go in a Gemini function response/],
  ])('refuses, for %s, %j with invalid_request naming the part', (model, content, message) => {
    expect(() => functionResponse({ messages: withToolResult(content) }, model)).toThrow(message);
  });
});

describe('multimodal function responses against the simulator', () => {
  let simulator: Simulator;
  beforeAll(async () => {
    simulator = await startSimulator();
  });
  afterAll(async () => {
    await simulator.close();
  });
  beforeEach(() => simulator.reset());

  it('a Gemini 3 tool loop whose result is an image goes through, chat and stream, Gemini API and Vertex AI', async () => {
    const router = createRouter({
      providers: {
        gemini: { type: 'gemini', apiKey: simulator.apiKey, baseUrl: simulator.url },
        gcp: { type: 'vertex', project: 'sim-project', region: 'global', baseUrl: simulator.url, apiKey: simulator.apiKey },
      },
      routes: {
        gemini3: { targets: [{ provider: 'gemini', model: 'gemini-3-flash-preview' }] },
        vertex3: { targets: [{ provider: 'gcp', model: 'gemini-3-pro-preview' }] },
        old: { targets: [{ provider: 'gemini', model: 'gemini-2.5-flash' }] },
      },
      policies: { ...FAST_POLICIES, retry: { ...FAST_POLICIES.retry, attempts: 1 } },
    });
    try {
      for (const route of ['gemini3', 'vertex3']) {
        const messages: Message[] = [{ role: 'user', content: '!tool sales' }];
        const first = await router.chat({ model: route, tools: [CHART], messages });
        messages.push(first.message, { role: 'tool', toolCallId: first.toolCalls[0]?.id ?? '', content: [{ type: 'image', data: PNG, mediaType: 'image/png' }] });
        expect((await router.chat({ model: route, tools: [CHART], messages })).finishReason).toBe('tool_calls');
        let finished = false;
        for await (const event of router.stream({ model: route, tools: [CHART], messages })) if (event.type === 'finish') finished = true;
        expect(finished).toBe(true);
        const sent = simulator.requests.at(-1)?.body as { contents: { parts: Record<string, unknown>[] }[] };
        expect(sent.contents[2]?.parts[0]).toEqual({ functionResponse: { name: 'chart', response: {}, parts: [{ inlineData: { mimeType: 'image/png', data: PNG } }] } });
      }
      // An earlier model: refused before any request goes out.
      const count = simulator.count();
      const error = await failure(router.chat({ model: 'old', tools: [CHART], messages: withToolResult([{ type: 'image', data: PNG, mediaType: 'image/png' }]) }));
      expect([error.category, simulator.count()]).toEqual(['invalid_request', count]);
    } finally {
      await router.close();
    }
  });

  async function post(path: string, headers: Record<string, string>, parts: unknown): Promise<{ status: number; message: string }> {
    const call = { functionCall: { name: 'chart', args: {} }, thoughtSignature: SKIP_THOUGHT_SIGNATURE };
    const response = await fetch(`${simulator.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'chart' }] }, { role: 'model', parts: [call] }, { role: 'user', parts: [{ functionResponse: { name: 'chart', response: {}, parts } }] }] }),
    });
    const body = (await response.json()) as { error?: { message: string } };
    return { status: response.status, message: body.error?.message ?? '' };
  }
  const GEMINI_API = ['/v1beta/models/gemini-3-flash-preview:generateContent', { 'x-goog-api-key': 'sim-key' }] as const;
  const VERTEX = ['/v1/projects/p/locations/global/publishers/google/models/gemini-3-flash-preview:generateContent', { authorization: 'Bearer sim-key' }] as const;

  it('checks the parts as the references describe them', async () => {
    const gsFile = [{ fileData: { fileUri: 'gs://b/c.png', mimeType: 'image/png' } }];
    expect(await post(...GEMINI_API, [{ inlineData: { mimeType: 'application/pdf', data: PDF } }])).toEqual({ status: 200, message: '' });
    expect(await post(...VERTEX, gsFile)).toEqual({ status: 200, message: '' });
    expect(await post(...GEMINI_API, gsFile)).toEqual({ status: 400, message: 'contents[2].parts[0].functionResponse.parts[0].fileData is not supported in the Gemini API' });
    expect(await post(...GEMINI_API, [{ inlineData: { mimeType: 'image/gif', data: PNG } }])).toEqual({ status: 400, message: 'contents[2].parts[0].functionResponse.parts[0]: unsupported MIME type image/gif in a function response' });
    expect((await post(...GEMINI_API, [{ text: 'no' }])).status).toBe(400);
    expect((await post(...GEMINI_API, { inlineData: {} })).status).toBe(400);
  });
});
