/**
 * The simulator's Gemini wire format, spoken to over raw HTTP (no adapter in between), so the
 * adapter tests cannot hide a format that only agrees with our own adapter.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { geminiFormat } from '../../src/testing/formats/gemini.js';
import { startSimulator, type Simulator } from '../../src/testing/simulator.js';

let simulator: Simulator;

beforeAll(async () => {
  simulator = await startSimulator();
});

afterAll(async () => {
  await simulator.close();
});

beforeEach(() => {
  simulator.reset();
});

const USER_HELLO = { contents: [{ role: 'user', parts: [{ text: 'hello world' }] }] };

async function post(path: string, body: unknown, headers: Record<string, string> = { 'x-goog-api-key': 'sim-key' }): Promise<{ status: number; text: string; json: () => unknown }> {
  const response = await fetch(`${simulator.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, text, json: (): unknown => JSON.parse(text) };
}

describe('simulator Gemini format', () => {
  it('answers generateContent with a GenerateContentResponse', async () => {
    const response = await post('/v1beta/models/gemini-2.5-flash:generateContent', USER_HELLO);
    expect(response.status).toBe(200);
    expect(response.json()).toEqual({
      candidates: [{ content: { parts: [{ text: 'Echo: hello world' }], role: 'model' }, finishReason: 'STOP', index: 0 }],
      usageMetadata: { promptTokenCount: 2, candidatesTokenCount: 3, totalTokenCount: 5 },
      modelVersion: 'gemini-2.5-flash',
      responseId: expect.stringMatching(/^sim-\d+$/) as unknown,
    });
  });

  it('accepts the key as the key query parameter and rejects a wrong one with UNAUTHENTICATED', async () => {
    expect((await post('/v1beta/models/m:generateContent?key=sim-key', USER_HELLO, {})).status).toBe(200);
    const wrong = await post('/v1beta/models/m:generateContent', USER_HELLO, { 'x-goog-api-key': 'nope' });
    expect(wrong.status).toBe(401);
    expect(wrong.json()).toEqual({ error: { code: 401, message: 'invalid api key', status: 'UNAUTHENTICATED' } });
  });

  it('streams CRLF-terminated data frames: text in pieces, then finishReason with usage', async () => {
    const response = await post('/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse', USER_HELLO);
    expect(response.status).toBe(200);
    const frames = response.text.split('\r\n\r\n');
    expect(frames.at(-1)).toBe('');
    const chunks = frames.slice(0, -1).map((frame) => {
      expect(frame.startsWith('data: ')).toBe(true);
      return JSON.parse(frame.slice('data: '.length)) as { candidates: { content: { parts: { text?: string }[] }; finishReason?: string }[]; usageMetadata?: unknown };
    });
    expect(chunks.map((chunk) => chunk.candidates[0]?.content.parts[0]?.text ?? '').join('')).toBe('Echo: hello world');
    expect(chunks.slice(0, -1).every((chunk) => chunk.candidates[0]?.finishReason === undefined)).toBe(true);
    expect(chunks.at(-1)?.candidates[0]?.finishReason).toBe('STOP');
    expect(chunks.at(-1)?.usageMetadata).toEqual({ promptTokenCount: 2, candidatesTokenCount: 3, totalTokenCount: 5 });
  });

  it('calls the first offered tool for "!tool", but none when functionCallingConfig says NONE', async () => {
    const tools = [{ functionDeclarations: [{ name: 'lookup', parametersJsonSchema: { type: 'object' } }] }];
    const contents = [{ role: 'user', parts: [{ text: '!tool abc' }] }];
    const called = (await post('/v1beta/models/m:generateContent', { contents, tools })).json() as { candidates: { content: { parts: unknown[] } }[] };
    expect(called.candidates[0]?.content.parts).toEqual([{ functionCall: { name: 'lookup', args: { query: 'abc' } } }]);
    const refused = (await post('/v1beta/models/m:generateContent', { contents, tools, toolConfig: { functionCallingConfig: { mode: 'NONE' } } })).json() as {
      candidates: { content: { parts: unknown[] } }[];
    };
    expect(refused.candidates[0]?.content.parts).toEqual([{ text: 'Echo: !tool abc' }]);
  });

  it.each([
    ['no contents', {}, 'contents must be a non-empty array'],
    ['an unknown role', { contents: [{ role: 'assistant', parts: [{ text: 'x' }] }] }, 'role must be "user" or "model"'],
    ['a part with two kinds', { contents: [{ parts: [{ text: 'x', inlineData: { mimeType: 'a', data: 'b' } }] }] }, 'exactly one of'],
    ['a functionResponse without an object', { contents: [{ parts: [{ functionResponse: { name: 'f', response: 'x' } }] }] }, 'response must be an object'],
    ['a bad temperature', { ...USER_HELLO, generationConfig: { temperature: 3 } }, 'temperature'],
    ['six stop sequences', { ...USER_HELLO, generationConfig: { stopSequences: ['a', 'b', 'c', 'd', 'e', 'f'] } }, 'at most 5'],
    ['an unknown calling mode', { ...USER_HELLO, toolConfig: { functionCallingConfig: { mode: 'SOMETIMES' } } }, 'mode'],
  ])('answers 400 INVALID_ARGUMENT for %s', async (_label, body, message) => {
    const response = await post('/v1beta/models/m:generateContent', body);
    expect(response.status).toBe(400);
    const error = (response.json() as { error: { code: number; status: string; message: string } }).error;
    expect(error.code).toBe(400);
    expect(error.status).toBe('INVALID_ARGUMENT');
    expect(error.message).toContain(message);
  });

  it('refuses streamGenerateContent without alt=sse (the JSON-array stream is not simulated)', async () => {
    expect((await post('/v1beta/models/m:streamGenerateContent', USER_HELLO)).status).toBe(400);
  });

  it.each([
    [400, 'INVALID_ARGUMENT'],
    [401, 'UNAUTHENTICATED'],
    [403, 'PERMISSION_DENIED'],
    [404, 'NOT_FOUND'],
    [429, 'RESOURCE_EXHAUSTED'],
    [500, 'INTERNAL'],
    [503, 'UNAVAILABLE'],
    [504, 'DEADLINE_EXCEEDED'],
    [502, 'UNKNOWN'],
  ])('renders HTTP %i with status %s', (status, name) => {
    const { body } = geminiFormat.renderError(status, 'boom');
    expect(body).toMatchObject({ error: { code: status, message: 'boom', status: name } });
  });
});
