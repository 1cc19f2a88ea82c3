import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '../../src/errors.js';
import type { ChatRequest } from '../../src/types.js';
import { buildChatCompletionsBody, toOpenAIMessages, toOpenAIToolChoice, type BodyOptions } from './request.js';

const CHAT: BodyOptions = { model: 'gpt-4.1', stream: false, tokenLimitField: 'max_completion_tokens', streamUsage: true };

function request(overrides: Partial<ChatRequest>): ChatRequest {
  return { model: 'route', messages: [{ role: 'user', content: 'hi' }], ...overrides };
}

describe('toOpenAIMessages', () => {
  it.each<[string, Pick<ChatRequest, 'system' | 'messages'>, unknown[]]>([
    ['system prompt first, as a system message', { system: 'Be brief.', messages: [{ role: 'user', content: 'hi' }] }, [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'hi' },
    ]],
    ['empty system prompt is left out', { system: '', messages: [{ role: 'user', content: 'hi' }] }, [{ role: 'user', content: 'hi' }]],
    ['system messages inside the conversation stay system messages', { messages: [{ role: 'system', content: 'rule' }, { role: 'user', content: 'q' }] }, [
      { role: 'system', content: 'rule' },
      { role: 'user', content: 'q' },
    ]],
    ['text-only parts become one string', { messages: [{ role: 'user', content: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }] }] }, [
      { role: 'user', content: 'a\nb' },
    ]],
    ['image URL becomes an image_url part', { messages: [{ role: 'user', content: [{ type: 'text', text: 'what is this?' }, { type: 'image', url: 'https://example.com/cat.png' }] }] }, [
      { role: 'user', content: [{ type: 'text', text: 'what is this?' }, { type: 'image_url', image_url: { url: 'https://example.com/cat.png' } }] },
    ]],
    ['base64 image becomes a data URL', { messages: [{ role: 'user', content: [{ type: 'image', data: 'iVBORw0KGgo=', mediaType: 'image/png' }] }] }, [
      { role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } }] },
    ]],
    ['assistant text', { messages: [{ role: 'assistant', content: 'hello' }] }, [{ role: 'assistant', content: 'hello' }]],
    ['assistant tool calls carry JSON-string arguments and null content', {
      messages: [{ role: 'assistant', content: '', toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: { city: 'Paris', days: 2 } }] }],
    }, [
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris","days":2}' } }] },
    ]],
    ['an assistant answer in pieces (a cited answer) is joined as it was answered, with nothing between', {
      messages: [{ role: 'assistant', content: [{ type: 'text', text: 'The sky is ' }, { type: 'text', text: 'blue' }, { type: 'text', text: '.' }] }],
    }, [{ role: 'assistant', content: 'The sky is blue.' }]],
    ['assistant text and tool calls together', {
      messages: [{ role: 'assistant', content: 'Checking.', toolCalls: [{ id: 'c', name: 'f', arguments: {} }] }],
    }, [{ role: 'assistant', content: 'Checking.', tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } }] }]],
    ['tool results become tool messages with tool_call_id', { messages: [{ role: 'tool', toolCallId: 'call_1', name: 'get_weather', content: '{"temp":21}' }] }, [
      { role: 'tool', tool_call_id: 'call_1', content: '{"temp":21}' },
    ]],
    ['tool results given as text parts are joined', { messages: [{ role: 'tool', toolCallId: 'c', content: [{ type: 'text', text: 'x' }, { type: 'text', text: 'y' }] }] }, [
      { role: 'tool', tool_call_id: 'c', content: 'x\ny' },
    ]],
  ])('%s', (_name, input, expected) => {
    expect(toOpenAIMessages(input)).toEqual(expected);
  });

  it.each<[string, ChatRequest['messages'], string]>([
    ['a tool message without toolCallId', [{ role: 'tool', content: 'x' }], 'messages[0].toolCallId'],
    ['an image given as data without a media type', [{ role: 'user', content: [{ type: 'image', data: 'AAAA' }] }], 'messages[0].content[0].mediaType'],
    ['an image with neither url nor data', [{ role: 'user', content: [{ type: 'image' }] }], 'messages[0].content[0]'],
    ['an image in an assistant message', [{ role: 'assistant', content: [{ type: 'image', url: 'https://x/y.png' }] }], 'messages[0].content[0]'],
  ])('rejects %s as invalid_request naming the field', (_name, messages, field) => {
    let caught: unknown;
    try {
      toOpenAIMessages({ messages });
    } catch (error) {
      caught = error;
    }
    expect(SwitchyardError.isInstance(caught)).toBe(true);
    expect(caught).toMatchObject({ category: 'invalid_request', field });
  });
});

describe('toOpenAIToolChoice', () => {
  it.each([
    ['auto', 'auto'],
    ['none', 'none'],
    ['required', 'required'],
    [{ name: 'get_weather' }, { type: 'function', function: { name: 'get_weather' } }],
  ] as const)('%j → %j', (choice, expected) => {
    expect(toOpenAIToolChoice(choice)).toEqual(expected);
  });
});

describe('buildChatCompletionsBody', () => {
  it('maps every sampling option and the tools', () => {
    const body = buildChatCompletionsBody(
      request({
        tools: [{ name: 'get_weather', description: 'Weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } } } }, { name: 'noop', parameters: {} }],
        toolChoice: { name: 'get_weather' },
        maxTokens: 256,
        temperature: 0.2,
        topP: 0.9,
        stop: ['END'],
        metadata: { intent: 'never sent' },
      }),
      CHAT,
    );
    expect(body).toEqual({
      model: 'gpt-4.1',
      messages: [{ role: 'user', content: 'hi' }],
      tools: [
        { type: 'function', function: { name: 'get_weather', description: 'Weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } } } } },
        { type: 'function', function: { name: 'noop', parameters: {} } },
      ],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
      max_completion_tokens: 256,
      temperature: 0.2,
      top_p: 0.9,
      stop: ['END'],
    });
  });

  it('uses the field the provider asks for the output limit', () => {
    expect(buildChatCompletionsBody(request({ maxTokens: 50 }), { ...CHAT, tokenLimitField: 'max_tokens' })).toMatchObject({ max_tokens: 50 });
    expect(buildChatCompletionsBody(request({ maxTokens: 50 }), { ...CHAT, tokenLimitField: 'max_tokens' })).not.toHaveProperty('max_completion_tokens');
  });

  it('sends the default limit when the request gives none, and nothing when neither does', () => {
    expect(buildChatCompletionsBody(request({}), { ...CHAT, defaultMaxTokens: 4096 })).toMatchObject({ max_completion_tokens: 4096 });
    expect(buildChatCompletionsBody(request({ maxTokens: 10 }), { ...CHAT, defaultMaxTokens: 4096 })).toMatchObject({ max_completion_tokens: 10 });
    const bare = buildChatCompletionsBody(request({}), CHAT);
    expect(bare).not.toHaveProperty('max_completion_tokens');
    expect(bare).not.toHaveProperty('max_tokens');
  });

  it('leaves model out when the provider names it in the path (Azure)', () => {
    expect(buildChatCompletionsBody(request({}), { ...CHAT, model: undefined })).not.toHaveProperty('model');
  });

  it('asks streams for a final usage chunk, unless told not to', () => {
    expect(buildChatCompletionsBody(request({}), { ...CHAT, stream: true })).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    const withoutUsage = buildChatCompletionsBody(request({}), { ...CHAT, stream: true, streamUsage: false });
    expect(withoutUsage).toMatchObject({ stream: true });
    expect(withoutUsage).not.toHaveProperty('stream_options');
    const chat = buildChatCompletionsBody(request({}), CHAT);
    expect(chat).not.toHaveProperty('stream');
    expect(chat).not.toHaveProperty('stream_options');
  });

  it('sends tool_choice only together with tools, and no empty stop list', () => {
    const body = buildChatCompletionsBody(request({ toolChoice: 'required', stop: [] }), CHAT);
    expect(body).not.toHaveProperty('tool_choice');
    expect(body).not.toHaveProperty('tools');
    expect(body).not.toHaveProperty('stop');
  });
});
