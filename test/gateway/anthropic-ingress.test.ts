/**
 * The Anthropic Messages ingress mapping, without sockets: request parsing (every field, and every
 * kind of wrong input named by its JSON path) and the `message` object. The stream's frames are in
 * anthropic-ingress-stream.test.ts, error answers in anthropic-ingress-errors.test.ts, and the same
 * functions behind a real server, called by the official SDK, in anthropic-ingress-sdk.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '../../src/errors.js';
import { parseMessagesRequest, toMessage } from '../../src/gateway/ingress/anthropic/index.js';
import { validateRequest } from '../../src/router/validate-request.js';
import type { ChatResponse, ToolCall } from '../../src/types.js';

/** A unified answer, with the fields a test cares about replaced. */
function answer(changes: Partial<ChatResponse> = {}): ChatResponse {
  return {
    id: 'msg_01Abc',
    text: 'Hello there.',
    toolCalls: [],
    reasoning: [],
    message: { role: 'assistant', content: 'Hello there.' },
    finishReason: 'stop',
    rawFinishReason: 'end_turn',
    usage: { inputTokens: 12, outputTokens: 3, totalTokens: 15 },
    route: 'claude',
    target: { provider: 'anthropic', model: 'claude-x' },
    attempts: [],
    latencyMs: 5,
    requestId: 'req-1',
    cached: false,
    ...changes,
  };
}

const weather: ToolCall = { id: 'toolu_01', name: 'get_weather', arguments: { city: 'Paris', days: 2 } };
const clock: ToolCall = { id: 'call_9', name: 'now', arguments: {} };

/** The smallest valid body, with fields replaced or added. */
function body(changes: Record<string, unknown> = {}): Record<string, unknown> {
  return { model: 'claude', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }], ...changes };
}

describe('parseMessagesRequest', () => {
  it('maps every documented field into the unified request the router accepts', () => {
    const parsed = parseMessagesRequest({
      model: 'anthropic/claude-sonnet-4-5',
      max_tokens: 1024,
      system: [
        { type: 'text', text: 'You are terse.', cache_control: { type: 'ephemeral' } },
        { type: 'text', text: 'Answer in French.' },
      ],
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is in this picture, and the weather?' },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
            { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
          ],
        },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'The user wants…', signature: 'sig' },
            { type: 'text', text: 'A cat. Checking the weather.' },
            { type: 'tool_use', id: 'toolu_01', name: 'get_weather', input: { city: 'Paris' } },
            { type: 'tool_use', id: 'toolu_02', name: 'get_weather', input: { city: 'Lyon' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_01', content: 'sunny' },
            { type: 'tool_result', tool_use_id: 'toolu_02', content: [{ type: 'text', text: 'rain' }, { type: 'text', text: 'wind' }], is_error: false },
            { type: 'text', text: 'Thanks!' },
          ],
        },
      ],
      tools: [{ name: 'get_weather', description: 'The weather in a city', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }],
      tool_choice: { type: 'any', disable_parallel_tool_use: true },
      stop_sequences: ['END'],
      temperature: 0.2,
      top_p: 0.9,
      top_k: 40,
      thinking: { type: 'enabled', budget_tokens: 2000 },
      stream: true,
      metadata: { user_id: 'user-42' },
      some_future_field: { anything: true },
    });
    expect(parsed).toEqual({
      requestedModel: 'anthropic/claude-sonnet-4-5',
      stream: true,
      user: 'user-42',
      request: {
        model: 'anthropic/claude-sonnet-4-5',
        parallelToolCalls: false,
        maxTokens: 1024,
        // A block with cache_control keeps the system prompt as parts, the breakpoint where the client put it.
        system: [{ type: 'text', text: 'You are terse.', cache: true }, { type: 'text', text: 'Answer in French.' }],
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'What is in this picture, and the weather?' },
              { type: 'image', data: 'iVBORw0KGgo=', mediaType: 'image/png' },
              { type: 'image', url: 'https://example.com/cat.jpg' },
            ],
          },
          {
            role: 'assistant',
            content: 'A cat. Checking the weather.',
            reasoning: [{ type: 'reasoning', text: 'The user wants…', signature: 'sig', provider: 'anthropic' }],
            toolCalls: [
              { id: 'toolu_01', name: 'get_weather', arguments: { city: 'Paris' } },
              { id: 'toolu_02', name: 'get_weather', arguments: { city: 'Lyon' } },
            ],
          },
          { role: 'tool', toolCallId: 'toolu_01', content: 'sunny' },
          { role: 'tool', toolCallId: 'toolu_02', content: 'rain\nwind' },
          { role: 'user', content: [{ type: 'text', text: 'Thanks!' }] },
        ],
        tools: [{ name: 'get_weather', description: 'The weather in a city', parameters: { type: 'object', properties: { city: { type: 'string' } } } }],
        toolChoice: 'required',
        stop: ['END'],
        temperature: 0.2,
        topP: 0.9,
        reasoning: { budgetTokens: 2000 },
      },
    });
    expect(() => validateRequest(parsed.request)).not.toThrow();
  });

  it('keeps the smallest body small: no stream, no user, nothing optional', () => {
    expect(parseMessagesRequest(body())).toEqual({
      requestedModel: 'claude',
      stream: false,
      request: { model: 'claude', maxTokens: 64, messages: [{ role: 'user', content: 'hi' }] },
    });
  });

  it.each([
    [{ type: 'auto' }, 'auto'],
    [{ type: 'none' }, 'none'],
    [{ type: 'any' }, 'required'],
    [{ type: 'tool', name: 'get_weather' }, { name: 'get_weather' }],
  ])('maps tool_choice %j to %j', (toolChoice, expected) => {
    const tools = [{ name: 'get_weather', input_schema: { type: 'object' } }];
    expect(parseMessagesRequest(body({ tools, tool_choice: toolChoice })).request.toolChoice).toEqual(expected);
  });

  it('keeps tool results in place among a user turn’s blocks, and images in a tool result as parts', () => {
    const parsed = parseMessagesRequest(
      body({
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'before' },
              { type: 'tool_result', tool_use_id: 'a', content: [{ type: 'text', text: 'chart:' }, { type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: '/9j/' } }] },
              { type: 'text', text: 'between' },
              { type: 'tool_result', tool_use_id: 'b' },
            ],
          },
        ],
      }),
    );
    expect(parsed.request.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'before' }] },
      { role: 'tool', toolCallId: 'a', content: [{ type: 'text', text: 'chart:' }, { type: 'image', data: '/9j/', mediaType: 'image/jpeg' }] },
      { role: 'user', content: [{ type: 'text', text: 'between' }] },
      { role: 'tool', toolCallId: 'b', content: '' },
    ]);
  });

  it('keeps several assistant text blocks as parts, one as a string, none as ""', () => {
    const messages = (content: unknown[]) => parseMessagesRequest(body({ messages: [{ role: 'user', content: 'q' }, { role: 'assistant', content }] })).request.messages[1];
    expect(messages([{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }])).toEqual({ role: 'assistant', content: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }] });
    expect(messages([{ type: 'text', text: 'a' }])).toEqual({ role: 'assistant', content: 'a' });
    expect(messages([{ type: 'tool_use', id: 't', name: 'f' }])).toEqual({ role: 'assistant', content: '', toolCalls: [{ id: 't', name: 'f', arguments: {} }] });
  });

  it('treats null optional fields as absent and drops an empty system', () => {
    const parsed = parseMessagesRequest(body({ system: '', tools: null, tool_choice: null, metadata: { user_id: null } }));
    expect(parsed).toEqual({ requestedModel: 'claude', stream: false, request: { model: 'claude', maxTokens: 64, messages: [{ role: 'user', content: 'hi' }] } });
  });

  const rejected: [string, unknown, string, string][] = [
    ['a body that is not an object', [1, 2], 'body', 'expected a JSON object, got an array'],
    ['no model', { max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }, 'model', 'required'],
    ['an empty model', body({ model: '' }), 'model', 'must not be empty'],
    ['no max_tokens', { model: 'claude', messages: [{ role: 'user', content: 'x' }] }, 'max_tokens', 'required'],
    ['a max_tokens of 0', body({ max_tokens: 0 }), 'max_tokens', 'expected a whole number ≥ 1, got 0'],
    ['a max_tokens given as text', body({ max_tokens: '100' }), 'max_tokens', 'expected a whole number, got a string'],
    ['a fractional max_tokens', body({ max_tokens: 1.5 }), 'max_tokens', 'expected a whole number, got a number'],
    ['no messages', body({ messages: undefined }), 'messages', 'required'],
    ['empty messages', body({ messages: [] }), 'messages', 'must not be empty'],
    ['a message that is not an object', body({ messages: ['hi'] }), 'messages[0]', 'expected an object, got a string'],
    ['a system role message', body({ messages: [{ role: 'system', content: 'x' }] }), 'messages[0].role', 'expected "user" or "assistant", got "system"'],
    ['a message without content', body({ messages: [{ role: 'user' }] }), 'messages[0].content', 'required'],
    ['content of the wrong type', body({ messages: [{ role: 'user', content: 7 }] }), 'messages[0].content', 'expected a string or an array of content blocks, got a number'],
    ['a block without a type', body({ messages: [{ role: 'user', content: [{ text: 'x' }] }] }), 'messages[0].content[0].type', 'required'],
    ['a text block without text', body({ messages: [{ role: 'user', content: [{ type: 'text' }] }] }), 'messages[0].content[0].text', 'required'],
    [
      'base64 image data that is not a string',
      body({ messages: [{ role: 'user', content: 'a' }, { role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: 42 } }] }] }),
      'messages[1].content[0].source.data',
      'expected a string, got a number',
    ],
    ['an image without a source', body({ messages: [{ role: 'user', content: [{ type: 'image' }] }] }), 'messages[0].content[0].source', 'required'],
    ['an image without a media type', body({ messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'base64', data: 'x' } }] }] }), 'messages[0].content[0].source.media_type', 'required'],
    ['an image from the Files API without its id', body({ messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'file' } }] }] }), 'messages[0].content[0].source.file_id', 'required'],
    ['a document from the Files API with an empty id', body({ messages: [{ role: 'user', content: [{ type: 'document', source: { type: 'file', file_id: '' } }] }] }), 'messages[0].content[0].source.file_id', 'must not be empty'],
    ['an image of another source type', body({ messages: [{ role: 'user', content: [{ type: 'image', source: { type: 's3', key: 'k' } }] }] }), 'messages[0].content[0].source.type', 'image source "s3" is not supported'],
    ['citations that are not an object', body({ messages: [{ role: 'user', content: [{ type: 'document', source: { type: 'url', url: 'https://x/a.pdf' }, citations: true }] }] }), 'messages[0].content[0].citations', 'expected an object, got a boolean'],
    ['a document context that is not a string', body({ messages: [{ role: 'user', content: [{ type: 'document', source: { type: 'url', url: 'https://x/a.pdf' }, context: 1 }] }] }), 'messages[0].content[0].context', 'expected a string, got a number'],
    ['a base64 document that is not a PDF', body({ messages: [{ role: 'user', content: [{ type: 'document', source: { type: 'base64', media_type: 'text/html', data: 'x' } }] }] }), 'messages[0].content[0].source.media_type', 'must be application/pdf'],
    ['a document in an assistant turn', body({ messages: [{ role: 'assistant', content: [{ type: 'document', source: { type: 'url', url: 'https://x/a.pdf' } }] }] }), 'messages[0].content[0].type', 'document blocks belong in user messages'],
    ['an is_error that is not a boolean', body({ messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'a', content: 'x', is_error: 'yes' }] }] }), 'messages[0].content[0].is_error', 'expected a boolean, got a string'],
    ['a search_result block', body({ messages: [{ role: 'user', content: [{ type: 'search_result' }] }] }), 'messages[0].content[0].type', '"search_result" blocks are not supported by the gateway'],
    ['a tool_use block from the user', body({ messages: [{ role: 'user', content: [{ type: 'tool_use', id: 'a', name: 'f', input: {} }] }] }), 'messages[0].content[0].type', 'tool_use blocks belong in assistant messages'],
    ['a tool_result block from the assistant', body({ messages: [{ role: 'assistant', content: [{ type: 'tool_result', tool_use_id: 'a' }] }] }), 'messages[0].content[0].type', 'tool_result blocks belong in user messages'],
    ['a tool_result without tool_use_id', body({ messages: [{ role: 'user', content: [{ type: 'tool_result', content: 'x' }] }] }), 'messages[0].content[0].tool_use_id', 'required'],
    ['a tool_result of a number', body({ messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'a', content: 3 }] }] }), 'messages[0].content[0].content', 'expected a string or an array of content blocks, got a number'],
    ['a document without a source in a tool_result', body({ messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'a', content: [{ type: 'document' }] }] }] }), 'messages[0].content[0].content[0].source', 'required'],
    ['a search_result in a tool_result', body({ messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'a', content: [{ type: 'search_result' }] }] }] }), 'messages[0].content[0].content[0].type', 'not supported in a tool result'],
    ['a tool_use input that is not an object', body({ messages: [{ role: 'assistant', content: [{ type: 'tool_use', id: 'a', name: 'f', input: '{}' }] }] }), 'messages[0].content[0].input', 'expected an object, got a string'],
    ['a tool_use without a name', body({ messages: [{ role: 'assistant', content: [{ type: 'tool_use', id: 'a', input: {} }] }] }), 'messages[0].content[0].name', 'required'],
    ['a system of the wrong type', body({ system: 5 }), 'system', 'expected a string or an array of text blocks, got a number'],
    ['a system block that is not text', body({ system: [{ type: 'image' }] }), 'system[0].type', 'expected "text", got "image"'],
    ['tools that are not a list', body({ tools: {} }), 'tools', 'expected an array, got an object'],
    ['a server tool', body({ tools: [{ type: 'web_search_20250305', name: 'web_search' }] }), 'tools[0].type', 'server tools ("web_search_20250305") are not supported'],
    ['a tool without a name', body({ tools: [{ input_schema: { type: 'object' } }] }), 'tools[0].name', 'required'],
    ['a tool without input_schema', body({ tools: [{ name: 'f' }] }), 'tools[0].input_schema', 'required'],
    ['a tool description of the wrong type', body({ tools: [{ name: 'f', description: 1, input_schema: {} }] }), 'tools[0].description', 'expected a string, got a number'],
    ['an unknown tool_choice', body({ tool_choice: { type: 'required' } }), 'tool_choice.type', 'expected "auto", "any", "tool" or "none", got "required"'],
    ['tool_choice naming a missing tool', body({ tools: [{ name: 'f', input_schema: {} }], tool_choice: { type: 'tool', name: 'g' } }), 'tool_choice.name', 'no tool named "g"'],
    ['tool_choice as a string', body({ tool_choice: 'auto' }), 'tool_choice', 'expected an object, got a string'],
    ['stop_sequences with a number', body({ stop_sequences: ['a', 3] }), 'stop_sequences[1]', 'expected a string, got a number'],
    ['a temperature above 1', body({ temperature: 1.5 }), 'temperature', 'expected a number from 0 to 1, got 1.5'],
    ['a top_p given as text', body({ top_p: '0.5' }), 'top_p', 'expected a number, got a string'],
    ['stream given as text', body({ stream: 'yes' }), 'stream', 'expected a boolean, got a string'],
    ['a user_id of the wrong type', body({ metadata: { user_id: 42 } }), 'metadata.user_id', 'expected a string, got a number'],
    ['metadata that is not an object', body({ metadata: 'x' }), 'metadata', 'expected an object, got a string'],
  ];
  it.each(rejected)('rejects %s as invalid_request naming %s', (_name, input, field, problem) => {
    let thrown: unknown;
    try {
      parseMessagesRequest(input);
    } catch (error) {
      thrown = error;
    }
    expect(SwitchyardError.isInstance(thrown)).toBe(true);
    const error = thrown as SwitchyardError;
    expect(error.category).toBe('invalid_request');
    expect(error.field).toBe(field);
    expect(error.message.startsWith(`${field}: `)).toBe(true);
    expect(error.message).toContain(problem);
  });
});

describe('toMessage', () => {
  it('answers with exactly the documented message object', () => {
    expect(toMessage(answer(), 'claude')).toStrictEqual({
      id: 'msg_01Abc',
      type: 'message',
      role: 'assistant',
      model: 'claude',
      content: [{ type: 'text', text: 'Hello there.' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 12, output_tokens: 3 },
    });
  });

  it('puts the text first, then one tool_use block per call; a tools-only answer has no text block', () => {
    expect(toMessage(answer({ text: 'Let me check.', toolCalls: [weather, clock], finishReason: 'tool_calls', rawFinishReason: 'tool_use' }), 'claude').content).toStrictEqual([
      { type: 'text', text: 'Let me check.' },
      { type: 'tool_use', id: 'toolu_01', name: 'get_weather', input: { city: 'Paris', days: 2 } },
      { type: 'tool_use', id: 'call_9', name: 'now', input: {} },
    ]);
    expect(toMessage(answer({ text: '', toolCalls: [clock], finishReason: 'tool_calls' }), 'claude').content).toStrictEqual([{ type: 'tool_use', id: 'call_9', name: 'now', input: {} }]);
    expect(toMessage(answer({ text: '' }), 'claude').content).toStrictEqual([{ type: 'text', text: '' }]);
  });

  it.each([
    ['stop', 'end_turn', false, 'end_turn'],
    ['stop', 'stop_sequence', false, 'stop_sequence'],
    ['stop', 'stop', false, 'end_turn'],
    ['stop', 'STOP', true, 'tool_use'],
    ['length', 'length', false, 'max_tokens'],
    ['length', 'MAX_TOKENS', false, 'max_tokens'],
    ['tool_calls', 'tool_calls', true, 'tool_use'],
    ['tool_calls', 'tool_use', true, 'tool_use'],
    ['content_filter', 'content_filter', false, 'refusal'],
    ['content_filter', 'SAFETY', false, 'refusal'],
    ['content_filter', 'refusal', false, 'refusal'],
    ['other', 'pause_turn', false, 'pause_turn'],
    ['other', 'model_context_window_exceeded', false, 'model_context_window_exceeded'],
    ['other', 'RECITATION', false, 'end_turn'],
    ['other', undefined, false, 'end_turn'],
  ] as const)('finish %s (raw %s, tool calls: %s) → stop_reason %s', (finishReason, rawFinishReason, withTools, expected) => {
    const response = answer({ finishReason, rawFinishReason, toolCalls: withTools ? [weather] : [] });
    expect(toMessage(response, 'claude').stop_reason).toBe(expected);
  });

  it('names the stop sequence only when the request had exactly one', () => {
    const stopped = answer({ rawFinishReason: 'stop_sequence' });
    expect(toMessage(stopped, 'claude', { stopSequences: ['###'] }).stop_sequence).toBe('###');
    expect(toMessage(stopped, 'claude', { stopSequences: ['###', 'END'] }).stop_sequence).toBeNull();
    expect(toMessage(stopped, 'claude').stop_sequence).toBeNull();
    expect(toMessage(answer(), 'claude', { stopSequences: ['###'] }).stop_sequence).toBeNull();
  });

  it('counts cache reads apart from input tokens, as Anthropic does, only when reported', () => {
    expect(toMessage(answer({ usage: { inputTokens: 1100, outputTokens: 7, totalTokens: 1107, cachedInputTokens: 1000 } }), 'claude').usage).toStrictEqual({
      input_tokens: 100,
      output_tokens: 7,
      cache_read_input_tokens: 1000,
    });
    expect(toMessage(answer({ usage: { inputTokens: 5, outputTokens: 1, totalTokens: 6, cachedInputTokens: 0 } }), 'claude').usage).toStrictEqual({
      input_tokens: 5,
      output_tokens: 1,
      cache_read_input_tokens: 0,
    });
  });

  it('answers with the requested model name and an msg_ id whatever served it', () => {
    const fromOpenAI = toMessage(answer({ id: 'chatcmpl-9xYz_1', target: { provider: 'openai', model: 'gpt-4o' }, servedModel: 'gpt-4o-2024-08-06' }), 'smart');
    expect(fromOpenAI.model).toBe('smart');
    expect(fromOpenAI.id).toBe('msg_chatcmpl9xYz_1');
    expect(toMessage(answer({ id: '' }), 'smart').id).toMatch(/^msg_[0-9a-f]{32}$/);
  });
});
