/**
 * Documents, image detail and tool-result errors in the Anthropic request mapping
 * (https://platform.claude.com/docs/en/build-with-claude/pdf-support, tool_result `is_error`).
 */
import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '../../src/errors.js';
import type { ProviderSettings } from '../../src/provider-spec.js';
import type { ChatRequest, Message } from '../../src/types.js';
import { buildAnthropicRequest } from './request.js';

const settings: ProviderSettings = { id: 'anthropic', type: 'anthropic', apiKey: 'k', baseUrl: 'https://api.anthropic.com', headers: {}, defaultMaxTokens: 256 };
const PDF = 'JVBERi0xLjQK';

function messagesOf(messages: readonly Message[]): unknown {
  const request: ChatRequest = { model: 'route', messages };
  return buildAnthropicRequest({ request, model: 'claude-sonnet-4-5', settings }).messages;
}

describe('Anthropic document parts', () => {
  it.each<[string, Message['content'], unknown[]]>([
    ['a base64 PDF becomes a base64 document source, with its title', [{ type: 'document', mediaType: 'application/pdf', data: PDF, title: 'Q3 report' }, { type: 'text', text: 'Summarise.' }], [
      { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: PDF }, title: 'Q3 report' },
      { type: 'text', text: 'Summarise.' },
    ]],
    ['a PDF URL becomes a url source', [{ type: 'document', mediaType: 'application/pdf', url: 'https://example.com/a.pdf' }], [
      { type: 'document', source: { type: 'url', url: 'https://example.com/a.pdf' } },
    ]],
    ['plain text travels as a text source, decoded', [{ type: 'document', mediaType: 'text/plain', data: Buffer.from('héllo doc').toString('base64') }], [
      { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'héllo doc' } },
    ]],
    ['a breakpoint on a document becomes its cache_control', [{ type: 'document', mediaType: 'application/pdf', data: PDF, cache: true }], [
      { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: PDF }, cache_control: { type: 'ephemeral' } },
    ]],
    ['image detail is ignored', [{ type: 'image', url: 'https://example.com/cat.png', detail: 'low' }], [
      { type: 'image', source: { type: 'url', url: 'https://example.com/cat.png' } },
    ]],
  ])('%s', (_name, content, expected) => {
    expect(messagesOf([{ role: 'user', content }])).toEqual([{ role: 'user', content: expected }]);
  });

  it('refuses a text/plain document by URL, naming the field', () => {
    let error: unknown;
    try {
      messagesOf([{ role: 'user', content: [{ type: 'text', text: 'x' }, { type: 'document', mediaType: 'text/plain', url: 'https://example.com/a.txt' }] }]);
    } catch (caught) {
      error = caught;
    }
    expect(SwitchyardError.isInstance(error) && error.category).toBe('invalid_request');
    expect((error as Error).message).toContain('messages[0].content[1].url');
  });
});

describe('Anthropic tool results', () => {
  const call: Message = { role: 'assistant', content: '', toolCalls: [{ id: 'toolu_1', name: 'fetch', arguments: {} }] };

  it('sends isError as is_error', () => {
    const messages = messagesOf([{ role: 'user', content: 'go' }, call, { role: 'tool', toolCallId: 'toolu_1', content: 'timeout after 5 s', isError: true }]);
    expect((messages as { content: unknown[] }[])[2]?.content).toEqual([{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'timeout after 5 s', is_error: true }]);
  });

  it('leaves is_error out when the tool succeeded', () => {
    const messages = messagesOf([{ role: 'user', content: 'go' }, call, { role: 'tool', toolCallId: 'toolu_1', content: 'ok', isError: false }]);
    expect((messages as { content: unknown[] }[])[2]?.content).toEqual([{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'ok' }]);
  });

  it('sends text, image and document parts as tool_result content blocks', () => {
    const content: Message['content'] = [
      { type: 'text', text: 'the chart and the source' },
      { type: 'image', data: 'iVBORw0KGgo=', mediaType: 'image/png' },
      { type: 'document', mediaType: 'application/pdf', data: PDF },
    ];
    const messages = messagesOf([{ role: 'user', content: 'go' }, call, { role: 'tool', toolCallId: 'toolu_1', content }]);
    expect((messages as { content: unknown[] }[])[2]?.content).toEqual([
      {
        type: 'tool_result',
        tool_use_id: 'toolu_1',
        content: [
          { type: 'text', text: 'the chart and the source' },
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
          { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: PDF } },
        ],
      },
    ]);
  });
});
