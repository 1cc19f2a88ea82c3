import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '../../src/errors.js';
import type { ProviderSettings } from '../../src/provider-spec.js';
import type { ChatRequest } from '../../src/types.js';
import { buildAnthropicHeaders, buildAnthropicRequest, DEFAULT_ANTHROPIC_VERSION } from './request.js';

const settings: ProviderSettings = {
  id: 'anthropic',
  type: 'anthropic',
  apiKey: 'sk-ant-test-key-123456',
  baseUrl: 'https://api.anthropic.com',
  headers: {},
  defaultMaxTokens: 1024,
};

function build(request: Omit<ChatRequest, 'model'>, overrides: Partial<ProviderSettings> = {}) {
  return buildAnthropicRequest({ request: { model: 'route', ...request }, model: 'claude-sonnet-4-5', settings: { ...settings, ...overrides } });
}

describe('buildAnthropicRequest', () => {
  const cases: readonly { readonly name: string; readonly request: Omit<ChatRequest, 'model'>; readonly expected: Record<string, unknown> }[] = [
    {
      name: 'a plain user message, max_tokens from the settings default',
      request: { messages: [{ role: 'user', content: 'Hello' }] },
      expected: { model: 'claude-sonnet-4-5', max_tokens: 1024, messages: [{ role: 'user', content: [{ type: 'text', text: 'Hello' }] }] },
    },
    {
      name: 'system prompt and system messages lifted to top-level system',
      request: {
        system: 'Be brief.',
        messages: [
          { role: 'system', content: 'Answer in French.' },
          { role: 'user', content: 'Hi' },
        ],
      },
      expected: { system: 'Be brief.\n\nAnswer in French.', messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }] },
    },
    {
      name: 'sampling options, stop sequences and max tokens from the request',
      request: { messages: [{ role: 'user', content: 'x' }], maxTokens: 50, temperature: 0.2, topP: 0.9, stop: ['END', '###'] },
      expected: { max_tokens: 50, temperature: 0.2, top_p: 0.9, stop_sequences: ['END', '###'] },
    },
    {
      name: 'consecutive messages of one role merged into one turn',
      request: {
        messages: [
          { role: 'user', content: 'one' },
          { role: 'user', content: [{ type: 'text', text: 'two' }] },
          { role: 'assistant', content: 'three' },
        ],
      },
      expected: {
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'one' }, { type: 'text', text: 'two' }] },
          { role: 'assistant', content: [{ type: 'text', text: 'three' }] },
        ],
      },
    },
    {
      name: 'assistant tool calls as tool_use blocks, empty text dropped',
      request: {
        messages: [
          { role: 'user', content: 'weather?' },
          { role: 'assistant', content: '', toolCalls: [{ id: 'toolu_1', name: 'get_weather', arguments: { city: 'Paris' } }] },
        ],
      },
      expected: {
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'weather?' }] },
          { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } }] },
        ],
      },
    },
    {
      name: 'consecutive tool results merged into one user message, then the user text',
      request: {
        messages: [
          { role: 'user', content: 'compare' },
          {
            role: 'assistant',
            content: 'Checking both.',
            toolCalls: [
              { id: 'toolu_a', name: 'get_weather', arguments: { city: 'Paris' } },
              { id: 'toolu_b', name: 'get_weather', arguments: { city: 'Rome' } },
            ],
          },
          { role: 'tool', toolCallId: 'toolu_a', content: '18C' },
          { role: 'tool', toolCallId: 'toolu_b', content: [{ type: 'text', text: '24C' }] },
          { role: 'user', content: 'and tomorrow?' },
        ],
      },
      expected: {
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'compare' }] },
          {
            role: 'assistant',
            content: [
              { type: 'text', text: 'Checking both.' },
              { type: 'tool_use', id: 'toolu_a', name: 'get_weather', input: { city: 'Paris' } },
              { type: 'tool_use', id: 'toolu_b', name: 'get_weather', input: { city: 'Rome' } },
            ],
          },
          {
            role: 'user',
            content: [
              { type: 'tool_result', tool_use_id: 'toolu_a', content: '18C' },
              { type: 'tool_result', tool_use_id: 'toolu_b', content: '24C' },
              { type: 'text', text: 'and tomorrow?' },
            ],
          },
        ],
      },
    },
    {
      name: 'images as base64 data, data URLs and https URLs',
      request: {
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'What is in these?' },
              { type: 'image', data: 'iVBORw0KGgo=', mediaType: 'image/png' },
              { type: 'image', url: 'data:image/jpeg;base64,/9j/4AAQ' },
              { type: 'image', url: 'https://example.com/cat.webp' },
            ],
          },
        ],
      },
      expected: {
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'What is in these?' },
              { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
              { type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: '/9j/4AAQ' } },
              { type: 'image', source: { type: 'url', url: 'https://example.com/cat.webp' } },
            ],
          },
        ],
      },
    },
    {
      name: 'a tool result holding an image keeps its blocks',
      request: {
        messages: [
          { role: 'tool', toolCallId: 'toolu_c', content: [{ type: 'text', text: 'chart:' }, { type: 'image', data: 'AAAA', mediaType: 'image/gif' }] },
        ],
      },
      expected: {
        messages: [
          {
            role: 'user',
            content: [
              {
                type: 'tool_result',
                tool_use_id: 'toolu_c',
                content: [
                  { type: 'text', text: 'chart:' },
                  { type: 'image', source: { type: 'base64', media_type: 'image/gif', data: 'AAAA' } },
                ],
              },
            ],
          },
        ],
      },
    },
    {
      name: 'tools with input_schema and no tool_choice',
      request: {
        messages: [{ role: 'user', content: 'x' }],
        tools: [{ name: 'get_weather', description: 'Weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } } } }],
      },
      expected: {
        tools: [{ name: 'get_weather', description: 'Weather for a city', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }],
      },
    },
  ];

  it.each(cases)('$name', ({ request, expected }) => {
    expect(build(request)).toMatchObject(expected);
  });

  it.each([
    ['auto', { type: 'auto' }],
    ['none', { type: 'none' }],
    ['required', { type: 'any' }],
    [{ name: 'get_weather' }, { type: 'tool', name: 'get_weather' }],
  ] as const)('maps toolChoice %j to %j', (toolChoice, expected) => {
    const body = build({ messages: [{ role: 'user', content: 'x' }], tools: [{ name: 'get_weather', parameters: { type: 'object' } }], toolChoice });
    expect(body.tool_choice).toEqual(expected);
  });

  it('leaves out every optional field the request does not set, and never sends metadata', () => {
    const body = build({ messages: [{ role: 'user', content: 'x' }], toolChoice: 'auto', metadata: { intent: 'test' } });
    expect(Object.keys(body).sort()).toEqual(['max_tokens', 'messages', 'model']);
  });

  it('rejects a tool message without the id of the call it answers', () => {
    const error = (() => {
      try {
        build({ messages: [{ role: 'tool', content: 'result' }] });
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(SwitchyardError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ category: 'invalid_request', field: 'messages[0].toolCallId' });
  });

  it('rejects an image with neither url nor data, and data without a media type', () => {
    expect(() => build({ messages: [{ role: 'user', content: [{ type: 'image' }] }] })).toThrow(/messages\[0\]\.content\[0\]/);
    expect(() => build({ messages: [{ role: 'user', content: [{ type: 'image', data: 'AAAA' }] }] })).toThrow(/mediaType/);
  });
});

describe('buildAnthropicHeaders', () => {
  it('sends the key as x-api-key and the default anthropic-version', () => {
    expect(buildAnthropicHeaders(settings)).toEqual({ 'x-api-key': 'sk-ant-test-key-123456', 'anthropic-version': DEFAULT_ANTHROPIC_VERSION });
    expect(DEFAULT_ANTHROPIC_VERSION).toBe('2023-06-01');
  });

  it('uses settings.apiVersion and adds the configured headers', () => {
    const headers = buildAnthropicHeaders({ ...settings, apiVersion: '2024-01-01', headers: { 'anthropic-beta': 'prompt-caching-2024-07-31' } });
    expect(headers).toEqual({ 'x-api-key': 'sk-ant-test-key-123456', 'anthropic-version': '2024-01-01', 'anthropic-beta': 'prompt-caching-2024-07-31' });
  });

  it('lets a configured Anthropic-Version replace the default instead of sending it twice', () => {
    const headers = buildAnthropicHeaders({ ...settings, headers: { 'Anthropic-Version': '2099-01-01' } });
    expect(headers['anthropic-version']).toBe('2099-01-01');
    expect(Object.keys(headers).filter((name) => name.toLowerCase() === 'anthropic-version')).toHaveLength(1);
  });

  it('sends no x-api-key when the provider has no key', () => {
    expect(buildAnthropicHeaders({ ...settings, apiKey: undefined })).not.toHaveProperty('x-api-key');
  });
});
