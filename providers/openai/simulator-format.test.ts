/**
 * The simulator's OpenAI and Azure OpenAI wire formats (src/testing/formats/openai.ts and
 * azure-openai.ts): what they accept, and that what they render is what the real APIs send.
 */
import { describe, expect, it } from 'vitest';
import { azureOpenAIFormat } from '../../src/testing/formats/azure-openai.js';
import { openAIFormat } from '../../src/testing/formats/openai.js';
import type { SimAnswer, SimParsedRequest } from '../../src/testing/wire-format.js';
import { parseChatCompletionStream } from './stream.js';
import { collect, fromChunks } from './test-helpers.js';

const URL_OPENAI = new URL('http://127.0.0.1/v1/chat/completions');
const URL_AZURE = new URL('http://127.0.0.1/openai/deployments/my%20gpt/chat/completions?api-version=2024-10-21');

const TEXT_ANSWER: SimAnswer = { id: 'sim-1', text: 'Echo: hello world', toolCalls: [], finishReason: 'stop', usage: { inputTokens: 2, outputTokens: 3 } };
const TOOL_ANSWER: SimAnswer = {
  id: 'sim-2',
  text: '',
  toolCalls: [{ id: 'call_sim-2', name: 'lookup', arguments: { query: 'a fairly long query string' } }],
  finishReason: 'tool_calls',
  usage: { inputTokens: 2, outputTokens: 12 },
};

function parsed(overrides: Partial<SimParsedRequest> = {}): SimParsedRequest {
  return { model: 'gpt-4o', stream: true, lastUserText: 'hello world', toolNames: [], inputTokens: 2, includeUsage: true, ...overrides };
}

function payloads(frames: readonly string[]): unknown[] {
  return frames.map((frame): unknown => {
    expect(frame.startsWith('data: ')).toBe(true);
    expect(frame.endsWith('\n\n')).toBe(true);
    const data = frame.slice(6, -2);
    return data === '[DONE]' ? '[DONE]' : JSON.parse(data);
  });
}

describe('openAIFormat.match and authorize', () => {
  it('serves both /v1/chat/completions and /chat/completions, POST only', () => {
    expect(openAIFormat.match('POST', URL_OPENAI)).toEqual({});
    expect(openAIFormat.match('POST', new URL('http://h/chat/completions'))).toEqual({});
    expect(openAIFormat.match('GET', URL_OPENAI)).toBeUndefined();
    expect(openAIFormat.match('POST', new URL('http://h/v1/messages'))).toBeUndefined();
    expect(openAIFormat.match('POST', new URL('http://h/openai/deployments/x/chat/completions'))).toBeUndefined();
  });

  it('wants Authorization: Bearer <key>', () => {
    expect(openAIFormat.authorize({ authorization: 'Bearer k1' }, URL_OPENAI, 'k1')).toBe(true);
    expect(openAIFormat.authorize({ authorization: 'Bearer k2' }, URL_OPENAI, 'k1')).toBe(false);
    expect(openAIFormat.authorize({ 'api-key': 'k1' }, URL_OPENAI, 'k1')).toBe(false);
  });
});

describe('openAIFormat.parse', () => {
  it('reads model, last user text, tools, limits and stream options', () => {
    const result = openAIFormat.parse(
      {
        model: 'gpt-4o',
        messages: [
          { role: 'system', content: 'be brief' },
          { role: 'user', content: 'first question' },
          { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'lookup', arguments: '{}' } }] },
          { role: 'tool', tool_call_id: 'c1', content: 'result text' },
          { role: 'user', content: [{ type: 'text', text: 'second' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,AA==' } }] },
        ],
        tools: [{ type: 'function', function: { name: 'lookup', parameters: {} } }],
        max_completion_tokens: 64,
        stream: true,
        stream_options: { include_usage: true },
      },
      {},
      URL_OPENAI,
    );
    expect(result).toEqual({ model: 'gpt-4o', stream: true, lastUserText: 'second', toolNames: ['lookup'], maxTokens: 64, includeUsage: true, inputTokens: 7 });
  });

  it('reads max_tokens too, and include_usage only when asked', () => {
    const result = openAIFormat.parse({ model: 'm', messages: [{ role: 'user', content: 'x' }], max_tokens: 5, stream: true }, {}, URL_OPENAI);
    expect(result).toMatchObject({ maxTokens: 5, includeUsage: false });
  });

  it.each([
    ['no model', { messages: [{ role: 'user', content: 'x' }] }, 'model'],
    ['no messages', { model: 'm' }, 'messages'],
    ['empty messages', { model: 'm', messages: [] }, 'messages'],
    ['unknown role', { model: 'm', messages: [{ role: 'robot', content: 'x' }] }, 'role'],
    ['tool message without tool_call_id', { model: 'm', messages: [{ role: 'tool', content: 'x' }] }, 'tool_call_id'],
    ['tool call arguments as an object', { model: 'm', messages: [{ role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: {} } }] }] }, 'arguments'],
    ['image in an assistant message', { model: 'm', messages: [{ role: 'assistant', content: [{ type: 'image_url', image_url: { url: 'x' } }] }] }, 'image_url'],
    ['tool that is not a function', { model: 'm', messages: [{ role: 'user', content: 'x' }], tools: [{ type: 'web_search' }] }, 'tools[0].type'],
    ['stream_options without stream', { model: 'm', messages: [{ role: 'user', content: 'x' }], stream_options: { include_usage: true } }, 'stream_options'],
    ['max_tokens of zero', { model: 'm', messages: [{ role: 'user', content: 'x' }], max_tokens: 0 }, 'max_tokens'],
  ])('rejects %s with a message naming it', (_name, body, mention) => {
    const result = openAIFormat.parse(body, {}, URL_OPENAI);
    expect(typeof result).toBe('string');
    expect(result).toContain(mention);
  });
});

describe('openAIFormat rendering', () => {
  it('renders a chat.completion object', () => {
    const body = openAIFormat.renderResponse(TOOL_ANSWER, parsed({ stream: false })) as Record<string, unknown>;
    expect(body).toMatchObject({
      id: 'chatcmpl-sim-2',
      object: 'chat.completion',
      model: 'gpt-4o',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: null, tool_calls: [{ id: 'call_sim-2', type: 'function', function: { name: 'lookup', arguments: '{"query":"a fairly long query string"}' } }] },
          finish_reason: 'tool_calls',
        },
      ],
      usage: { prompt_tokens: 2, completion_tokens: 12, total_tokens: 14, prompt_tokens_details: { cached_tokens: 0 } },
    });
    expect(typeof body.created).toBe('number');
  });

  it('streams role, text, finish, a usage chunk with choices: [] and [DONE]; usage is null before', () => {
    const frames = payloads(openAIFormat.renderStream({ answer: TEXT_ANSWER, textChunks: ['Echo: ', 'hello ', 'world'] }, parsed()));
    expect(frames).toHaveLength(7);
    expect(frames[0]).toMatchObject({ object: 'chat.completion.chunk', choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }], usage: null });
    expect(frames.slice(1, 4).map((frame) => (frame as { choices: { delta: { content: string } }[] }).choices[0]?.delta.content)).toEqual(['Echo: ', 'hello ', 'world']);
    expect(frames[4]).toMatchObject({ choices: [{ delta: {}, finish_reason: 'stop' }], usage: null });
    expect(frames[5]).toMatchObject({ choices: [], usage: { prompt_tokens: 2, completion_tokens: 3, total_tokens: 5 } });
    expect(frames[6]).toBe('[DONE]');
  });

  it('sends no usage field at all without include_usage', () => {
    const frames = payloads(openAIFormat.renderStream({ answer: TEXT_ANSWER, textChunks: ['x'] }, parsed({ includeUsage: false })));
    expect(frames.at(-1)).toBe('[DONE]');
    for (const frame of frames.slice(0, -1)) expect(frame).not.toHaveProperty('usage');
  });

  it('streams a tool call as id and name first, then the arguments in several pieces', () => {
    const frames = payloads(openAIFormat.renderStream({ answer: TOOL_ANSWER, textChunks: [] }, parsed())) as { choices: { delta: { tool_calls?: { index: number; id?: string; function: { name?: string; arguments: string } }[] } }[] }[];
    const deltas = frames.flatMap((frame) => (typeof frame === 'object' ? (frame.choices[0]?.delta.tool_calls ?? []) : []));
    expect(deltas[0]).toEqual({ index: 0, id: 'call_sim-2', type: 'function', function: { name: 'lookup', arguments: '' } });
    expect(deltas.length).toBeGreaterThanOrEqual(3);
    expect(deltas.slice(1).every((delta) => delta.id === undefined && delta.index === 0)).toBe(true);
    expect(deltas.map((delta) => delta.function.arguments).join('')).toBe('{"query":"a fairly long query string"}');
  });

  it('round-trips through the adapter stream parser', async () => {
    const frames = openAIFormat.renderStream({ answer: TOOL_ANSWER, textChunks: [] }, parsed());
    const parts = await collect(parseChatCompletionStream(fromChunks([new TextEncoder().encode(frames.join(''))]), { provider: 'sim' }));
    const call = TOOL_ANSWER.toolCalls[0];
    // The arguments arrive in pieces; joined, they are the call's arguments.
    const deltas = parts.flatMap((part) => (part.type === 'tool-call-delta' ? [part] : []));
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.every((delta) => delta.toolCallId === call?.id && delta.toolName === call.name)).toBe(true);
    expect(JSON.parse(deltas.map((delta) => delta.argumentsDelta).join(''))).toEqual(call?.arguments);
    expect(parts.filter((part) => part.type !== 'response-metadata' && part.type !== 'tool-call-delta')).toEqual([
      { type: 'tool-call', toolCall: call },
      { type: 'usage', usage: { inputTokens: 2, outputTokens: 12, totalTokens: 14, cacheReadInputTokens: 0, cachedInputTokens: 0 } },
      { type: 'finish', finishReason: 'tool_calls', rawFinishReason: 'tool_calls' },
    ]);
  });

  it.each([
    [400, 'invalid_request_error', null],
    [401, 'invalid_request_error', 'invalid_api_key'],
    [403, 'request_forbidden', 'unsupported_country_region_territory'],
    [404, 'invalid_request_error', 'model_not_found'],
    [422, 'invalid_request_error', null],
    [429, 'requests', 'rate_limit_exceeded'],
    [500, 'server_error', null],
    [503, 'server_error', null],
  ])('renders %i as { error: { type: %s, code: %s } }', (status, type, code) => {
    const { body } = openAIFormat.renderError(status, 'boom');
    expect(body).toEqual({ error: { message: 'boom', type, param: null, code } });
  });

  it('renders a 429 about quota as insufficient_quota, and a stream error as an error data frame', () => {
    expect(openAIFormat.renderError(429, 'You exceeded your current quota').body).toMatchObject({ error: { type: 'insufficient_quota', code: 'insufficient_quota' } });
    expect(payloads([openAIFormat.renderStreamError?.(500, 'mid-stream') ?? ''])).toEqual([{ error: { message: 'mid-stream', type: 'server_error', param: null, code: null } }]);
  });
});

describe('azureOpenAIFormat', () => {
  it('takes the deployment from the path and wants the api-key header', () => {
    expect(azureOpenAIFormat.match('POST', URL_AZURE)).toEqual({ pathModel: 'my gpt' });
    expect(azureOpenAIFormat.match('POST', URL_OPENAI)).toBeUndefined();
    expect(azureOpenAIFormat.authorize({ 'api-key': 'k' }, URL_AZURE, 'k')).toBe(true);
    expect(azureOpenAIFormat.authorize({ authorization: 'Bearer k' }, URL_AZURE, 'k')).toBe(false);
  });

  it('needs api-version, and no model in the body', () => {
    const body = { messages: [{ role: 'user', content: 'hi' }] };
    expect(azureOpenAIFormat.parse(body, { pathModel: 'dep' }, URL_AZURE)).toMatchObject({ model: 'dep', lastUserText: 'hi' });
    const missing = azureOpenAIFormat.parse(body, { pathModel: 'dep' }, new URL('http://h/openai/deployments/dep/chat/completions'));
    expect(missing).toContain('api-version');
  });

  it('adds prompt and completion filter results to a response', () => {
    const body = azureOpenAIFormat.renderResponse(TEXT_ANSWER, parsed({ stream: false })) as Record<string, unknown>;
    expect(body).toMatchObject({
      prompt_filter_results: [{ prompt_index: 0, content_filter_results: { hate: { filtered: false, severity: 'safe' } } }],
      choices: [{ finish_reason: 'stop', content_filter_results: { violence: { filtered: false, severity: 'safe' } } }],
    });
  });

  it('starts a stream with the prompt-filter chunk that has no choices', () => {
    const frames = payloads(azureOpenAIFormat.renderStream({ answer: TEXT_ANSWER, textChunks: ['hi'] }, parsed()));
    expect(frames[0]).toEqual({ choices: [], created: 0, id: '', model: '', object: '', prompt_filter_results: expect.any(Array) });
    expect(frames[2]).toMatchObject({ choices: [{ delta: { content: 'hi' }, content_filter_results: { hate: { filtered: false } } }] });
    expect(frames.at(-1)).toBe('[DONE]');
  });

  it.each([
    [401, { code: '401', message: 'denied' }],
    [404, { code: 'DeploymentNotFound', message: 'denied' }],
    [429, { code: '429', message: 'denied' }],
    [503, { code: 'ServiceUnavailable', message: 'denied' }],
  ])('renders gateway error %i with a string code', (status, expected) => {
    expect(azureOpenAIFormat.renderError(status, 'denied').body).toEqual({ error: expected });
  });

  it('renders a content-filter 400 with code content_filter and an innererror', () => {
    const { body } = azureOpenAIFormat.renderError(400, 'The response was filtered due to the prompt triggering content management policy');
    expect(body).toMatchObject({ error: { code: 'content_filter', param: 'prompt', status: 400, innererror: { code: 'ResponsibleAIPolicyViolation' } } });
  });
});
