/**
 * The OpenAI Chat Completions ingress mapping, function by function: request bodies (every field,
 * and errors naming the JSON path), the `chat.completion` object, stream frames, and error answers.
 * test/gateway/openai-ingress-sdk.test.ts drives the same functions with the official `openai`
 * client over real sockets.
 */
import { describe, expect, it } from 'vitest';
import { createOpenAIError, readOpenAIErrorBody } from '../../providers/openai/errors.js';
import { ERROR_CATEGORIES, SwitchyardError } from '../../src/errors.js';
import {
  encodeChatCompletionStream,
  openAIError,
  parseChatCompletionRequest,
  toChatCompletion,
  type ChatCompletionStreamOptions,
} from '../../src/gateway/ingress/openai/index.js';
import type { ChatResponse, ErrorCategoryName, StreamEvent } from '../../src/types.js';
import { scriptedSource } from '../support/scripted-source.js';

const PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

const minimal = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  model: 'gpt4',
  messages: [{ role: 'user', content: 'hello' }],
  ...extra,
});

describe('parseChatCompletionRequest', () => {
  it('maps every field of a full request', () => {
    const parsed = parseChatCompletionRequest({
      model: 'openai/gpt-4o',
      messages: [
        { role: 'system', content: 'Be terse.' },
        { role: 'developer', content: [{ type: 'text', text: 'Answer in French.' }, { type: 'text', text: 'No emoji.' }] },
        {
          role: 'user',
          name: 'ana',
          content: [
            { type: 'text', text: 'What is in these?' },
            { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG_BASE64}`, detail: 'low' } },
            { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
          ],
        },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{"query":"cats","limit":2}' } }],
        },
        { role: 'tool', tool_call_id: 'call_1', content: 'two cats' },
        { role: 'assistant', content: [{ type: 'text', text: 'Deux chats.' }, { type: 'refusal', refusal: 'No more.' }] },
        { role: 'user', content: 'thanks' },
      ],
      tools: [
        { type: 'function', function: { name: 'lookup', description: 'Look up', parameters: { type: 'object', properties: { query: { type: 'string' } } }, strict: true } },
        { type: 'function', function: { name: 'now' } },
      ],
      tool_choice: { type: 'function', function: { name: 'lookup' } },
      max_completion_tokens: 300,
      max_tokens: 100,
      stop: ['END', 'STOP'],
      temperature: 0.2,
      top_p: 0.9,
      user: 'user-7',
      stream: true,
      stream_options: { include_usage: true, include_obfuscation: false },
      response_format: { type: 'json_schema', json_schema: { name: 'answer', schema: { type: 'object' }, strict: true, description: 'ignored' } },
      metadata: { intent: 'support', 'ticket-id': '42' },
      // Fields the gateway does not map are ignored.
      seed: 7,
      frequency_penalty: 0.5,
      service_tier: 'flex',
      prompt_cache_key: 'abc',
      some_future_field: { anything: true },
    });
    expect(parsed).toEqual({
      request: {
        model: 'openai/gpt-4o',
        system: 'Be terse.\n\nAnswer in French.\nNo emoji.',
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'What is in these?' },
              { type: 'image', data: PNG_BASE64, mediaType: 'image/png', detail: 'low' },
              { type: 'image', url: 'https://example.com/cat.jpg' },
            ],
          },
          { role: 'assistant', content: '', toolCalls: [{ id: 'call_1', name: 'lookup', arguments: { query: 'cats', limit: 2 } }] },
          { role: 'tool', toolCallId: 'call_1', content: 'two cats' },
          { role: 'assistant', content: [{ type: 'text', text: 'Deux chats.' }, { type: 'text', text: 'No more.' }] },
          { role: 'user', content: 'thanks' },
        ],
        tools: [
          { name: 'lookup', description: 'Look up', parameters: { type: 'object', properties: { query: { type: 'string' } } } },
          { name: 'now', parameters: { type: 'object', properties: {} } },
        ],
        toolChoice: { name: 'lookup' },
        maxTokens: 300,
        stop: ['END', 'STOP'],
        temperature: 0.2,
        topP: 0.9,
        responseFormat: { type: 'json_schema', name: 'answer', schema: { type: 'object' }, strict: true },
        metadata: { intent: 'support', 'ticket-id': '42' },
      },
      stream: true,
      includeUsage: true,
      user: 'user-7',
      requestedModel: 'openai/gpt-4o',
    });
  });

  it('reads a minimal request: no system, not streaming, no user', () => {
    expect(parseChatCompletionRequest(minimal())).toEqual({
      request: { model: 'gpt4', messages: [{ role: 'user', content: 'hello' }] },
      stream: false,
      includeUsage: false,
      requestedModel: 'gpt4',
    });
  });

  it.each([
    ['auto', 'auto'],
    ['none', 'none'],
    ['required', 'required'],
    [{ type: 'function', function: { name: 'f' } }, { name: 'f' }],
  ])('maps tool_choice %j', (choice, expected) => {
    expect(parseChatCompletionRequest(minimal({ tool_choice: choice })).request.toolChoice).toEqual(expected);
  });

  it('takes max_tokens alone, a stop string as a list, and null as absent', () => {
    const parsed = parseChatCompletionRequest(
      minimal({ max_tokens: 50, stop: 'END', temperature: null, top_p: null, tools: null, tool_choice: null, stream: null, stream_options: null, user: null, metadata: null, n: null, response_format: null }),
    );
    expect(parsed.request).toEqual({ model: 'gpt4', messages: [{ role: 'user', content: 'hello' }], maxTokens: 50, stop: ['END'] });
    expect(parsed.stream).toBe(false);
  });

  it.each([
    [{ type: 'text' }, undefined],
    [{ type: 'json_object' }, { type: 'json' }],
    // A json_schema without a schema can only be checked as JSON.
    [{ type: 'json_schema', json_schema: { name: 'only_name' } }, { type: 'json' }],
    [{ type: 'json_schema', json_schema: { name: 'n', schema: { type: 'object' }, strict: null } }, { type: 'json_schema', name: 'n', schema: { type: 'object' } }],
  ])('maps response_format %j', (format, expected) => {
    expect(parseChatCompletionRequest(minimal({ response_format: format })).request.responseFormat).toEqual(expected);
  });

  it('counts include_usage only on a streaming request, and accepts n = 1', () => {
    expect(parseChatCompletionRequest(minimal({ stream_options: { include_usage: true } })).includeUsage).toBe(false);
    expect(parseChatCompletionRequest(minimal({ stream: true, stream_options: { include_usage: true } })).includeUsage).toBe(true);
    expect(parseChatCompletionRequest(minimal({ stream: true })).includeUsage).toBe(false);
    expect(parseChatCompletionRequest(minimal({ n: 1 })).request.messages).toHaveLength(1);
  });

  it('reads assistant tool calls with empty arguments, and a refusal as what the assistant said', () => {
    const parsed = parseChatCompletionRequest(
      minimal({
        messages: [
          { role: 'user', content: 'hi' },
          { role: 'assistant', tool_calls: [{ id: 'c', type: 'function', function: { name: 'now', arguments: '' } }] },
          { role: 'tool', tool_call_id: 'c', content: [{ type: 'text', text: 'noon' }] },
          { role: 'assistant', content: null, refusal: 'I cannot.' },
        ],
      }),
    );
    expect(parsed.request.messages.slice(1)).toEqual([
      { role: 'assistant', content: '', toolCalls: [{ id: 'c', name: 'now', arguments: {} }] },
      { role: 'tool', toolCallId: 'c', content: 'noon' },
      { role: 'assistant', content: 'I cannot.' },
    ]);
  });

  const messages = (...list: unknown[]): Record<string, unknown> => minimal({ messages: list });
  const user = { role: 'user', content: 'hi' };

  it.each<[string, unknown, string, RegExp]>([
    ['a body that is not an object', [1, 2], 'body', /expected a JSON object, got an array/],
    ['no model', { messages: [user] }, 'model', /required/],
    ['a model that is not a string', minimal({ model: 4 }), 'model', /expected a string, got a number/],
    ['no messages', { model: 'gpt4' }, 'messages', /required/],
    ['messages that are not an array', minimal({ messages: 'hi' }), 'messages', /expected an array of messages, got a string/],
    ['an empty conversation', minimal({ messages: [] }), 'messages', /at least one message/],
    ['only a system message', messages({ role: 'system', content: 'x' }), 'messages', /besides the system and developer messages/],
    ['a message that is not an object', messages(user, 'hi'), 'messages[1]', /expected a message object, got a string/],
    ['an unknown role', messages(user, { role: 'robot', content: 'x' }), 'messages[1].role', /unknown role 'robot'/],
    ['the deprecated function role', messages(user, { role: 'function', name: 'f', content: 'x' }), 'messages[1].role', /deprecated 'function' role/],
    ['content of the wrong type', messages(user, user, { role: 'user', content: 5 }), 'messages[2].content', /expected a string or an array of content parts, got a number/],
    ['a part that is not an object', messages({ role: 'user', content: ['hi'] }), 'messages[0].content[0]', /expected a content part object/],
    ['an audio part', messages({ role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'x', format: 'wav' } }] }), 'messages[0].content[0].type', /'input_audio' is not supported here; expected 'text' or 'image_url' or 'file'/],
    ['an uploaded file part with an id that is not a string', messages({ role: 'user', content: [{ type: 'file', file: { file_id: 7 } }] }), 'messages[0].content[0].file.file_id', /expected a string, got a number/],
    ['a file that is not a data URL', messages({ role: 'user', content: [{ type: 'file', file: { file_data: 'JVBERi0=', filename: 'a.pdf' } }] }), 'messages[0].content[0].file.file_data', /base64 data: URL/],
    ['a file of another media type', messages({ role: 'user', content: [{ type: 'file', file: { file_data: 'data:text/html;base64,PGI+', filename: 'a.html' } }] }), 'messages[0].content[0].file.file_data', /"text\/html" is not supported/],
    ['an unknown image detail', messages({ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/a.png', detail: 'max' } }] }), 'messages[0].content[0].image_url.detail', /expected 'low', 'high' or 'auto'/],
    ['an image in a system message', messages({ role: 'system', content: [{ type: 'image_url', image_url: { url: 'https://x/y.png' } }] }, user), 'messages[0].content[0].type', /expected 'text'$/],
    ['a text part without text', messages({ role: 'user', content: [{ type: 'text', text: 3 }] }), 'messages[0].content[0].text', /expected a string, got a number/],
    ['an image_url without url', messages({ role: 'user', content: [{ type: 'image_url', image_url: {} }] }), 'messages[0].content[0].image_url.url', /required/],
    ['an image URL of another scheme', messages({ role: 'user', content: [{ type: 'image_url', image_url: { url: 'file:///etc/passwd' } }] }), 'messages[0].content[0].image_url.url', /http\(s\) URL or a base64 data: URL/],
    ['a data URL that is not base64', messages({ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/svg+xml,<svg/>' } }] }), 'messages[0].content[0].image_url.url', /only base64/],
    ['a data URL without a media type', messages({ role: 'user', content: [{ type: 'image_url', image_url: { url: `data:;base64,${PNG_BASE64}` } }] }), 'messages[0].content[0].image_url.url', /media type/],
    ['a tool message without tool_call_id', messages(user, { role: 'tool', content: 'x' }), 'messages[1].tool_call_id', /required/],
    ['an assistant message with neither content nor tool calls', messages(user, { role: 'assistant', content: null }), 'messages[1].content', /required unless the message has tool_calls/],
    ['tool_calls that are not an array', messages(user, { role: 'assistant', tool_calls: {} }), 'messages[1].tool_calls', /expected an array, got an object/],
    [
      'tool call arguments that are not JSON',
      messages(user, { role: 'assistant', tool_calls: [{ id: 'a', type: 'function', function: { name: 'f', arguments: '{}' } }, { id: 'b', type: 'function', function: { name: 'f', arguments: '{query: cats}' } }] }),
      'messages[1].tool_calls[1].function.arguments',
      /not valid JSON/,
    ],
    ['tool call arguments that are an array', messages(user, { role: 'assistant', tool_calls: [{ id: 'a', type: 'function', function: { name: 'f', arguments: '[1]' } }] }), 'messages[1].tool_calls[0].function.arguments', /got an array/],
    ['tool call arguments that are an object, not text', messages(user, { role: 'assistant', tool_calls: [{ id: 'a', type: 'function', function: { name: 'f', arguments: {} } }] }), 'messages[1].tool_calls[0].function.arguments', /expected a string of JSON, got an object/],
    ['a custom tool call', messages(user, { role: 'assistant', tool_calls: [{ id: 'a', type: 'custom', custom: { name: 'f', input: 'x' } }] }), 'messages[1].tool_calls[0].type', /'custom' is not supported/],
    ['a tool call without id', messages(user, { role: 'assistant', tool_calls: [{ type: 'function', function: { name: 'f', arguments: '{}' } }] }), 'messages[1].tool_calls[0].id', /required/],
    ['tools that are not an array', minimal({ tools: { type: 'function' } }), 'tools', /expected an array of tools/],
    ['a custom tool', minimal({ tools: [{ type: 'custom', custom: { name: 'x' } }] }), 'tools[0].type', /tool type 'custom' is not supported/],
    ['a tool without a name', minimal({ tools: [{ type: 'function', function: { parameters: {} } }] }), 'tools[0].function.name', /required/],
    ['tool parameters that are not an object', minimal({ tools: [{ type: 'function', function: { name: 'f', parameters: 'x' } }] }), 'tools[0].function.parameters', /expected an object, got a string/],
    ['an unknown tool_choice', minimal({ tool_choice: 'any' }), 'tool_choice', /unknown value 'any'/],
    ['an allowed_tools tool_choice', minimal({ tool_choice: { type: 'allowed_tools', allowed_tools: { mode: 'auto', tools: [] } } }), 'tool_choice.type', /'allowed_tools' is not supported/],
    ['a named tool_choice without a name', minimal({ tool_choice: { type: 'function', function: {} } }), 'tool_choice.function.name', /required/],
    ['max_tokens that is not a number', minimal({ max_tokens: '100' }), 'max_tokens', /expected a number, got a string/],
    ['max_tokens that is wrong while max_completion_tokens is fine', minimal({ max_tokens: '100', max_completion_tokens: 100 }), 'max_tokens', /expected a number/],
    ['max_completion_tokens below 1', minimal({ max_completion_tokens: 0 }), 'max_completion_tokens', /at least 1, got 0/],
    ['a fractional max_tokens', minimal({ max_tokens: 2.5 }), 'max_tokens', /whole number/],
    ['a stop list with a number', minimal({ stop: ['a', 1] }), 'stop[1]', /expected a string, got a number/],
    ['a stop of the wrong type', minimal({ stop: 5 }), 'stop', /a string or an array of strings/],
    ['a temperature that is a string', minimal({ temperature: 'hot' }), 'temperature', /expected a number, got a string/],
    ['a top_p that is a boolean', minimal({ top_p: true }), 'top_p', /expected a number, got a boolean/],
    ['a user that is a number', minimal({ user: 7 }), 'user', /expected a string/],
    ['stream that is a string', minimal({ stream: 'yes' }), 'stream', /expected a boolean, got a string/],
    ['stream_options that are not an object', minimal({ stream: true, stream_options: true }), 'stream_options', /expected an object/],
    ['include_usage that is a string', minimal({ stream: true, stream_options: { include_usage: 'yes' } }), 'stream_options.include_usage', /expected a boolean/],
    ['an unknown response_format', minimal({ response_format: { type: 'xml' } }), 'response_format.type', /unknown type 'xml'/],
    ['a json_schema format without a schema object', minimal({ response_format: { type: 'json_schema' } }), 'response_format.json_schema', /required/],
    ['a json_schema format without a name', minimal({ response_format: { type: 'json_schema', json_schema: { schema: {} } } }), 'response_format.json_schema.name', /required/],
    ['metadata that is not an object', minimal({ metadata: ['a'] }), 'metadata', /expected an object, got an array/],
    ['a metadata value that is not a string', minimal({ metadata: { ok: 'yes', count: 3 } }), 'metadata.count', /expected a string, got a number/],
    ['a metadata key that is not a plain name', minimal({ metadata: { 'ticket-id': 3 } }), 'metadata["ticket-id"]', /expected a string/],
    ['several choices', minimal({ n: 3 }), 'n', /only one choice per request is supported \(got n = 3\)/],
    ['n that is not a number', minimal({ n: 'two' }), 'n', /expected a number/],
    ['the deprecated functions', minimal({ functions: [{ name: 'f' }] }), 'functions', /use 'tools'/],
    ['the deprecated function_call', minimal({ function_call: 'auto' }), 'function_call', /use 'tool_choice'/],
  ])('refuses %s', (_name, body, field, message) => {
    let thrown: unknown;
    try {
      parseChatCompletionRequest(body);
    } catch (error) {
      thrown = error;
    }
    expect(SwitchyardError.isInstance(thrown)).toBe(true);
    const error = thrown as SwitchyardError;
    expect(error.category).toBe('invalid_request');
    expect(error.field).toBe(field);
    expect(error.message.startsWith(`${field}: `)).toBe(true);
    expect(error.message).toMatch(message);
  });
});

const answer = (changes: Partial<ChatResponse> = {}): ChatResponse => ({
  id: 'sim-1',
  text: 'Hello there',
  toolCalls: [],
  reasoning: [],
  message: { role: 'assistant', content: 'Hello there' },
  finishReason: 'stop',
  usage: { inputTokens: 10, outputTokens: 3, totalTokens: 13 },
  route: 'gpt4',
  target: { provider: 'openai', model: 'gpt-4o-2024-08-06' },
  attempts: [],
  latencyMs: 12,
  requestId: 'req-1',
  cached: false,
  ...changes,
});

describe('toChatCompletion', () => {
  it('builds the chat.completion object, naming the requested model', () => {
    expect(toChatCompletion(answer(), 'gpt4', { created: 1_700_000_000 })).toEqual({
      id: 'chatcmpl-sim-1',
      object: 'chat.completion',
      created: 1_700_000_000,
      model: 'gpt4',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hello there', refusal: null, annotations: [] }, logprobs: null, finish_reason: 'stop' }],
      usage: { prompt_tokens: 10, completion_tokens: 3, total_tokens: 13 },
      system_fingerprint: null,
    });
  });

  it('sends null content and JSON-text arguments for an answer that only calls tools', () => {
    const completion = toChatCompletion(
      answer({
        id: 'chatcmpl-abc',
        text: '',
        toolCalls: [{ id: 'call_1', name: 'lookup', arguments: { query: 'cats', nested: { n: 1 } } }],
        finishReason: 'tool_calls',
        usage: { inputTokens: 10, outputTokens: 3, totalTokens: 13, cachedInputTokens: 8 },
      }),
      'claude',
    );
    expect(completion.id).toBe('chatcmpl-abc');
    expect(completion.choices[0].message).toEqual({
      role: 'assistant',
      content: null,
      refusal: null,
      tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{"query":"cats","nested":{"n":1}}' } }],
      annotations: [],
    });
    expect(completion.choices[0].finish_reason).toBe('tool_calls');
    expect(completion.usage).toEqual({ prompt_tokens: 10, completion_tokens: 3, total_tokens: 13, prompt_tokens_details: { cached_tokens: 8 } });
    expect(Math.abs(completion.created - Date.now() / 1000)).toBeLessThan(5);
  });

  it('carries the reasoning text as DeepSeek-style message.reasoning_content, and nothing for redacted reasoning only', () => {
    const reasoned = toChatCompletion(
      answer({
        reasoning: [
          { type: 'reasoning', provider: 'anthropic', text: 'First, ' },
          { type: 'reasoning', provider: 'anthropic', text: '', redactedData: 'ZW5j' },
          { type: 'reasoning', provider: 'anthropic', text: 'then.' },
        ],
      }),
      'gpt4',
    );
    expect(reasoned.choices[0].message.reasoning_content).toBe('First, then.');
    const redacted = toChatCompletion(answer({ reasoning: [{ type: 'reasoning', provider: 'anthropic', text: '', redactedData: 'ZW5j' }] }), 'gpt4');
    expect(redacted.choices[0].message).not.toHaveProperty('reasoning_content');
    expect(toChatCompletion(answer(), 'gpt4').choices[0].message).not.toHaveProperty('reasoning_content');
  });

  it.each([
    ['stop', 'stop'],
    ['length', 'length'],
    ['tool_calls', 'tool_calls'],
    ['content_filter', 'content_filter'],
    ['other', 'stop'],
  ] as const)('reports finish reason %s as %s', (reason, expected) => {
    expect(toChatCompletion(answer({ finishReason: reason }), 'gpt4').choices[0].finish_reason).toBe(expected);
  });
});

const STREAM: ChatCompletionStreamOptions = { id: 'req-9', requestedModel: 'gpt4', includeUsage: true, created: 1_700_000_000 };

async function frames(events: AsyncIterable<StreamEvent>, options: ChatCompletionStreamOptions = STREAM): Promise<string[]> {
  const all: string[] = [];
  for await (const frame of encodeChatCompletionStream(events, options)) all.push(frame);
  return all;
}

/** The JSON payload of a `data:` frame. */
function payload(frame: string | undefined): Record<string, unknown> {
  expect(frame).toMatch(/^data: .*\n\n$/s);
  return JSON.parse((frame as string).slice('data: '.length)) as Record<string, unknown>;
}

describe('encodeChatCompletionStream', () => {
  const response = answer({
    text: 'Hi there',
    toolCalls: [
      { id: 'call_1', name: 'lookup', arguments: { query: 'a' } },
      { id: 'call_2', name: 'now', arguments: {} },
    ],
    finishReason: 'tool_calls',
    usage: { inputTokens: 5, outputTokens: 7, totalTokens: 12, cachedInputTokens: 2 },
  });
  const events: StreamEvent[] = [
    { type: 'text-delta', text: 'Hi ' },
    { type: 'text-delta', text: 'there' },
    { type: 'tool-call', toolCall: { id: 'call_1', name: 'lookup', arguments: { query: 'a' } } },
    { type: 'tool-call', toolCall: { id: 'call_2', name: 'now', arguments: {} } },
    { type: 'usage', usage: response.usage },
    { type: 'finish', response },
  ];
  const envelope = { id: 'chatcmpl-req-9', object: 'chat.completion.chunk', created: 1_700_000_000, model: 'gpt4', system_fingerprint: null };
  const choice = (delta: unknown, finishReason: string | null = null): unknown => ({ index: 0, delta, logprobs: null, finish_reason: finishReason });
  /** The gateway's own field on the finish chunk: what served the answer. */
  const switchyard = { route: 'gpt4', provider: 'openai', model: 'gpt-4o-2024-08-06' };

  it('sends the role, text deltas, whole tool calls, the finish, the usage chunk and [DONE]', async () => {
    const sent = await frames(scriptedSource(events).iterable);
    expect(sent.at(-1)).toBe('data: [DONE]\n\n');
    expect(sent.slice(0, -1).map(payload)).toEqual([
      { ...envelope, choices: [choice({ role: 'assistant', content: '' })], usage: null },
      { ...envelope, choices: [choice({ content: 'Hi ' })], usage: null },
      { ...envelope, choices: [choice({ content: 'there' })], usage: null },
      { ...envelope, choices: [choice({ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{"query":"a"}' } }] })], usage: null },
      { ...envelope, choices: [choice({ tool_calls: [{ index: 1, id: 'call_2', type: 'function', function: { name: 'now', arguments: '{}' } }] })], usage: null },
      { ...envelope, choices: [choice({}, 'tool_calls')], switchyard, usage: null },
      { ...envelope, choices: [], usage: { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12, prompt_tokens_details: { cached_tokens: 2 } } },
    ]);
  });

  it('sends tool calls from their argument deltas: the first piece with id and name, later pieces by index', async () => {
    const streamed: StreamEvent[] = [
      { type: 'tool-call-delta', toolCallId: 'call_1', toolName: 'lookup', argumentsDelta: '{"query":' },
      { type: 'tool-call-delta', toolCallId: 'call_1', toolName: 'lookup', argumentsDelta: ' "a"}' },
      { type: 'tool-call-delta', toolCallId: 'call_2', toolName: 'now', argumentsDelta: '{}' },
      { type: 'tool-call', toolCall: { id: 'call_1', name: 'lookup', arguments: { query: 'a' } } },
      { type: 'tool-call', toolCall: { id: 'call_2', name: 'now', arguments: {} } },
      // A call that came without deltas (a custom adapter's) still goes whole, at the next index.
      { type: 'tool-call', toolCall: { id: 'call_3', name: 'now', arguments: {} } },
      { type: 'finish', response },
    ];
    const sent = await frames(scriptedSource(streamed).iterable, { ...STREAM, includeUsage: false });
    expect(sent.slice(1, -2).map((frame) => payload(frame).choices)).toEqual([
      [choice({ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{"query":' } }] })],
      [choice({ tool_calls: [{ index: 0, function: { arguments: ' "a"}' } }] })],
      [choice({ tool_calls: [{ index: 1, id: 'call_2', type: 'function', function: { name: 'now', arguments: '{}' } }] })],
      [choice({ tool_calls: [{ index: 2, id: 'call_3', type: 'function', function: { name: 'now', arguments: '{}' } }] })],
    ]);
  });

  it('leaves out usage without include_usage', async () => {
    const sent = await frames(scriptedSource(events).iterable, { ...STREAM, includeUsage: false });
    expect(sent).toHaveLength(7);
    expect(sent.at(-1)).toBe('data: [DONE]\n\n');
    for (const frame of sent.slice(0, -1)) expect(payload(frame)).not.toHaveProperty('usage');
    expect(payload(sent.at(-2))).toEqual({ ...envelope, choices: [choice({}, 'tool_calls')], switchyard });
  });

  it('sends reasoning deltas as DeepSeek-style delta.reasoning_content, before the text', async () => {
    const thought: StreamEvent[] = [
      { type: 'reasoning-delta', text: 'think ' },
      { type: 'reasoning-delta', text: '' },
      { type: 'reasoning-delta', text: 'hard' },
      { type: 'text-delta', text: 'Hi' },
      { type: 'finish', response: answer({ text: 'Hi' }) },
    ];
    const sent = await frames(scriptedSource(thought).iterable, { ...STREAM, includeUsage: false });
    expect(sent.slice(0, 4).map((frame) => payload(frame).choices)).toEqual([
      [choice({ role: 'assistant', content: '' })],
      [choice({ reasoning_content: 'think ' })],
      [choice({ reasoning_content: 'hard' })],
      [choice({ content: 'Hi' })],
    ]);
  });

  it('keeps text that needs escaping intact', async () => {
    const text = 'line\nbreak "quoted" \u2028 é 🎉 </script>';
    const sent = await frames(scriptedSource<StreamEvent>([{ type: 'text-delta', text }, { type: 'finish', response: answer({ text }) }]).iterable);
    expect((payload(sent[1]).choices as { delta: { content: string } }[])[0]?.delta.content).toBe(text);
    expect(sent[1]?.indexOf('\n')).toBe(sent[1]!.length - 2);
  });

  it('answers an empty stream that finished with the role, the finish and [DONE]', async () => {
    const sent = await frames(scriptedSource<StreamEvent>([{ type: 'finish', response: answer({ text: '', finishReason: 'length' }) }]).iterable, { ...STREAM, includeUsage: false });
    expect(sent.map((frame) => (frame === 'data: [DONE]\n\n' ? 'DONE' : payload(frame).choices))).toEqual([[choice({ role: 'assistant', content: '' })], [choice({}, 'length')], 'DONE']);
  });

  it('lets a failure before the first frame propagate, so the server can answer an HTTP error', async () => {
    const upstream = new SwitchyardError({ category: 'rate_limit', message: 'slow down', retryAfterMs: 2000 });
    const source = scriptedSource<StreamEvent>([{ type: 'usage', usage: response.usage }], { failAfter: 1, failWith: upstream });
    const iterator = encodeChatCompletionStream(source.iterable, STREAM)[Symbol.asyncIterator]();
    await expect(iterator.next()).rejects.toBe(upstream);
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
  });

  it('ends a failure after the first frame with an error frame and no [DONE]', async () => {
    const cut = new SwitchyardError({ category: 'network', message: 'network error (ECONNRESET): socket hang up at http://10.0.0.5:8080/v1/chat/completions' });
    const sent = await frames(scriptedSource(events, { failAfter: 2, failWith: cut }).iterable);
    expect(sent).toHaveLength(4);
    expect(sent.slice(0, 3).map((frame) => (payload(frame).choices as { delta: unknown }[])[0]?.delta)).toEqual([{ role: 'assistant', content: '' }, { content: 'Hi ' }, { content: 'there' }]);
    expect(payload(sent[3])).toEqual({ error: { message: 'network error (ECONNRESET): socket hang up at <upstream>', type: 'server_error', param: null, code: null } });
    expect(sent).not.toContain('data: [DONE]\n\n');
  });

  it('reports a foreign error after output without its message', async () => {
    const sent = await frames(scriptedSource(events, { failAfter: 1, failWith: new Error('secret internals') }).iterable);
    expect(payload(sent.at(-1))).toEqual({ error: { message: 'the stream failed', type: 'server_error', param: null, code: null } });
  });

  it('never fakes a finish: events that end without one end with an error frame', async () => {
    const sent = await frames(scriptedSource<StreamEvent>([{ type: 'text-delta', text: 'Hi' }]).iterable);
    expect(sent).toHaveLength(3);
    expect(payload(sent[2])).toMatchObject({ error: { message: 'the stream ended without a finish event', type: 'server_error' } });
    await expect(frames(scriptedSource<StreamEvent>([]).iterable)).rejects.toThrow(/without a finish event/);
  });

  it('ends the events when the consumer stops reading', async () => {
    const source = scriptedSource(events);
    const iterator = encodeChatCompletionStream(source.iterable, STREAM)[Symbol.asyncIterator]();
    await iterator.next();
    await iterator.next();
    const reads = source.reads();
    expect(await iterator.return?.()).toEqual({ done: true, value: undefined });
    expect(source.closed()).toBe(true);
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
    expect(source.reads()).toBe(reads);
  });

  it('hands out overlapping next() calls in order', async () => {
    const iterator = encodeChatCompletionStream(scriptedSource(events).iterable, STREAM)[Symbol.asyncIterator]();
    const steps = await Promise.all(Array.from({ length: 10 }, () => iterator.next()));
    expect(steps.map((step) => step.done)).toEqual([false, false, false, false, false, false, false, false, true, true]);
    expect(steps[7]?.value).toBe('data: [DONE]\n\n');
    expect((payload(steps[2]?.value).choices as { delta: unknown }[])[0]?.delta).toEqual({ content: 'there' });
  });
});

/** What each category becomes: status, type, code. */
const EXPECTED: Readonly<Record<ErrorCategoryName, readonly [number, string, string | null]>> = {
  invalid_request: [400, 'invalid_request_error', null],
  context_length: [400, 'invalid_request_error', 'context_length_exceeded'],
  content_filter: [400, 'invalid_request_error', 'content_filter'],
  auth: [401, 'authentication_error', 'invalid_api_key'],
  permission: [403, 'permission_error', 'permission_denied'],
  not_found: [404, 'invalid_request_error', 'model_not_found'],
  rate_limit: [429, 'rate_limit_error', 'rate_limit_exceeded'],
  quota: [429, 'insufficient_quota', 'insufficient_quota'],
  overloaded: [503, 'service_unavailable_error', 'server_is_overloaded'],
  circuit_open: [503, 'service_unavailable_error', null],
  timeout: [504, 'server_error', null],
  server: [502, 'server_error', null],
  invalid_output: [502, 'server_error', 'invalid_output'],
  network: [502, 'server_error', null],
  unknown: [502, 'server_error', null],
  canceled: [499, 'invalid_request_error', null],
  config: [500, 'server_error', null],
};

/** The category Switchyard's own OpenAI adapter reads back from the answer (a gateway behind a gateway). */
const READ_BACK: Readonly<Record<ErrorCategoryName, ErrorCategoryName>> = {
  ...(Object.fromEntries(ERROR_CATEGORIES.map((category) => [category, category])) as Record<ErrorCategoryName, ErrorCategoryName>),
  circuit_open: 'overloaded',
  network: 'server',
  unknown: 'server',
  config: 'server',
  invalid_output: 'server',
};

describe('openAIError', () => {
  it.each(ERROR_CATEGORIES)('maps %s', (category) => {
    const [status, type, code] = EXPECTED[category];
    const answer = openAIError(new SwitchyardError({ category, message: `failed: ${category}` }));
    expect(answer.status).toBe(status);
    expect(answer.body).toEqual({ error: { message: `failed: ${category}`, type, param: category === 'context_length' ? 'messages' : null, code } });
    expect(answer.headers['content-type']).toBe('application/json');
    const readBack = createOpenAIError(readOpenAIErrorBody(answer.body, JSON.stringify(answer.body)), { status });
    expect(readBack.category).toBe(READ_BACK[category]);
  });

  it('names the field at fault as param, in the spelling the client used', () => {
    expect(openAIError(new SwitchyardError({ category: 'invalid_request', message: 'm', field: 'messages[2].content' })).body.error.param).toBe('messages[2].content');
    expect(openAIError(new SwitchyardError({ category: 'invalid_request', message: 'm', field: 'topP' })).body.error.param).toBe('top_p');
    expect(openAIError(new SwitchyardError({ category: 'invalid_request', message: 'm', field: 'toolChoice.name' })).body.error.param).toBe('tool_choice.function.name');
    expect(openAIError(new SwitchyardError({ category: 'context_length', message: 'm', field: 'system' })).body.error.param).toBe('system');
  });

  it('tells the client how long to wait, in seconds rounded up and in milliseconds', () => {
    const limited = openAIError(new SwitchyardError({ category: 'rate_limit', message: 'slow down', retryAfterMs: 1_200 }));
    expect(limited.headers).toEqual({ 'content-type': 'application/json', 'x-should-retry': 'true', 'retry-after': '2', 'retry-after-ms': '1200' });
    const open = openAIError(new SwitchyardError({ category: 'circuit_open', message: 'breaker open', retryAfterMs: 30_000 }));
    expect(open.status).toBe(503);
    expect(open.headers['retry-after']).toBe('30');
    expect(openAIError(new SwitchyardError({ category: 'rate_limit', message: 'x' })).headers).not.toHaveProperty('retry-after');
  });

  it('tells the SDK not to retry what no retry fixes', () => {
    const quota = openAIError(new SwitchyardError({ category: 'quota', message: 'quota spent', retryAfterMs: 60_000 }));
    expect(quota.status).toBe(429);
    expect(quota.headers['x-should-retry']).toBe('false');
    expect(quota.headers).not.toHaveProperty('retry-after');
    expect(openAIError(new SwitchyardError({ category: 'config', message: 'no provider' })).headers['x-should-retry']).toBe('false');
    expect(openAIError(new SwitchyardError({ category: 'overloaded', message: 'busy' })).headers['x-should-retry']).toBe('true');
  });

  it('answers an upstream refusing the gateway credentials as a bad gateway, not the client key', () => {
    const answer = openAIError(new SwitchyardError({ category: 'auth', message: 'HTTP 401 invalid_api_key: Incorrect API key', provider: 'openai', status: 401 }));
    expect(answer.status).toBe(502);
    expect(answer.body.error.type).toBe('server_error');
    expect(answer.body.error.message).toMatch(/^an upstream provider refused the gateway's credentials \(your key was accepted\): HTTP 401/);
    expect(openAIError(new SwitchyardError({ category: 'permission', message: 'forbidden', provider: 'anthropic' })).status).toBe(502);
    expect(openAIError(new SwitchyardError({ category: 'auth', message: 'unknown virtual key' })).status).toBe(401);
  });

  it('never shows upstream addresses', () => {
    const error = new SwitchyardError({ category: 'network', message: 'all 2 attempts failed: local/llama3 network (connect ECONNREFUSED 10.1.2.3:8000); azure/gpt4 timeout (https://my-resource.openai.azure.com/openai/deployments/gpt4)' });
    expect(openAIError(error).body.error.message).toBe('all 2 attempts failed: local/llama3 network (connect ECONNREFUSED <upstream>); azure/gpt4 timeout (<upstream>)');
  });
});

