import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSse, type SseEvent } from '../../src/streaming/sse.js';
import { anthropicFormat } from '../../src/testing/formats/anthropic.js';
import { startSimulator, type Simulator } from '../../src/testing/simulator.js';
import type { SimAnswer, SimParsedRequest } from '../../src/testing/wire-format.js';

let simulator: Simulator;

beforeAll(async () => {
  simulator = await startSimulator();
});

afterAll(async () => {
  await simulator.close();
});

function post(body: unknown, headers: Record<string, string> = { 'x-api-key': 'sim-key', 'anthropic-version': '2023-06-01' }): Promise<Response> {
  return fetch(`${simulator.url}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

const VALID = { model: 'claude-sim', max_tokens: 100, messages: [{ role: 'user', content: 'hi there' }] };

describe('the simulator speaking the Anthropic Messages format', () => {
  it.each([
    ['a missing anthropic-version header', VALID, { 'x-api-key': 'sim-key' }, 'anthropic-version'],
    ['a missing model', { max_tokens: 10, messages: [] }, undefined, 'model'],
    ['a missing max_tokens', { model: 'claude-sim', messages: [] }, undefined, 'max_tokens'],
    ['missing messages', { model: 'claude-sim', max_tokens: 10 }, undefined, 'messages'],
  ] as const)('answers %s with a 400 invalid_request_error', async (_name, body, headers, field) => {
    const response = await post(body, headers);
    expect(response.status).toBe(400);
    const json = (await response.json()) as { type: string; error: { type: string; message: string } };
    expect(json.type).toBe('error');
    expect(json.error.type).toBe('invalid_request_error');
    expect(json.error.message).toContain(field);
  });

  it('answers a wrong key with a 401 authentication_error', async () => {
    const response = await post(VALID, { 'x-api-key': 'nope', 'anthropic-version': '2023-06-01' });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
  });

  it('answers with a message object', async () => {
    const response = await post({ ...VALID, system: [{ type: 'text', text: 'be nice' }], messages: [{ role: 'user', content: [{ type: 'text', text: 'block content' }] }] });
    expect(response.status).toBe(200);
    const json = await response.json();
    expect(json).toMatchObject({
      id: expect.stringMatching(/^msg_/),
      type: 'message',
      role: 'assistant',
      model: 'claude-sim',
      content: [{ type: 'text', text: 'Echo: block content' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 4, output_tokens: 3 },
    });
  });

  it('streams the documented event sequence, one event: and data: line per frame', async () => {
    const response = await post({ ...VALID, stream: true });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const raw = await response.text();
    for (const frame of raw.split('\n\n').filter((piece) => piece !== '')) {
      expect(frame).toMatch(/^event: [a-z_]+\ndata: \{.*\}$/);
    }
    const events: SseEvent[] = [];
    async function* once(): AsyncGenerator<Uint8Array> {
      yield new TextEncoder().encode(raw);
    }
    for await (const event of parseSse(once())) events.push(event);
    expect(events.map((event) => event.event)).toEqual([
      'message_start',
      'content_block_start',
      'ping',
      'content_block_delta',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    for (const event of events) expect(JSON.parse(event.data)).toMatchObject({ type: event.event });
  });

  it('streams tool input as several input_json_delta pieces, the first empty', () => {
    const answer: SimAnswer = {
      id: 'sim-9',
      text: '',
      toolCalls: [{ id: 'toolu_9', name: 'search', arguments: { query: 'a long enough query' } }],
      finishReason: 'tool_calls',
      usage: { inputTokens: 3, outputTokens: 12 },
    };
    const request: SimParsedRequest = { model: 'claude-sim', stream: true, lastUserText: '!tool', toolNames: ['search'], inputTokens: 3 };
    const frames = anthropicFormat.renderStream({ answer, textChunks: [] }, request);
    expect(frames[0]).toMatch(/^event: message_start\n/);
    const partials = frames
      .filter((frame) => frame.includes('input_json_delta'))
      .map((frame) => (JSON.parse(frame.split('data: ')[1] ?? '') as { delta: { partial_json: string } }).delta.partial_json);
    expect(partials.length).toBeGreaterThan(2);
    expect(partials[0]).toBe('');
    expect(JSON.parse(partials.join(''))).toEqual({ query: 'a long enough query' });
    expect(frames.at(-2)).toContain('"stop_reason":"tool_use"');
    expect(frames.at(-1)).toBe('event: message_stop\ndata: {"type":"message_stop"}\n\n');
  });

  it.each([
    [400, 'invalid_request_error'],
    [401, 'authentication_error'],
    [403, 'permission_error'],
    [404, 'not_found_error'],
    [413, 'request_too_large'],
    [429, 'rate_limit_error'],
    [500, 'api_error'],
    [529, 'overloaded_error'],
    [418, 'invalid_request_error'],
    [502, 'api_error'],
  ] as const)('renders status %i as %s', (status, type) => {
    expect(anthropicFormat.renderError(status, 'boom').body).toMatchObject({ type: 'error', error: { type, message: 'boom' } });
  });

  it('refuses citations on some documents but not others, as the citations guide says the API does', async () => {
    // https://platform.claude.com/docs/en/build-with-claude/citations: "citations must be enabled on all or none of the documents within a request".
    const doc = (citations: boolean | undefined): Record<string, unknown> => ({
      type: 'document',
      source: { type: 'text', media_type: 'text/plain', data: 'The grass is green. The sky is blue.' },
      title: 'My Document',
      ...(citations === undefined ? {} : { citations: { enabled: citations } }),
    });
    const ask = { type: 'text', text: 'What colour is the grass?' };
    const mixed = await post({ ...VALID, messages: [{ role: 'user', content: [doc(true), doc(undefined), ask] }] });
    expect(mixed.status).toBe(400);
    expect(await mixed.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error', message: expect.stringContaining('citations') as unknown } });
    const inToolResult = await post({
      ...VALID,
      messages: [
        { role: 'user', content: [doc(false), ask] },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'lookup', input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: [doc(true)] }] },
      ],
    });
    expect(inToolResult.status).toBe(400);
    for (const consistent of [[doc(true), doc(true), ask], [doc(false), doc(undefined), ask]]) {
      expect((await post({ ...VALID, messages: [{ role: 'user', content: consistent }] })).status).toBe(200);
    }
  });

  it('renders an in-stream error as an error event', () => {
    expect(anthropicFormat.renderStreamError?.(529, 'Overloaded')).toBe('event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n');
  });
});
