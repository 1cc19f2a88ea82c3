/**
 * The ingresses and documents: Anthropic `document` blocks and `tool_result.is_error`, OpenAI
 * `file` parts and `image_url.detail` become the unified parts and flags the adapters map back.
 */
import { describe, expect, it } from 'vitest';
import { parseMessagesRequest } from '../../src/gateway/ingress/anthropic/index.js';
import { parseChatCompletionRequest } from '../../src/gateway/ingress/openai/index.js';

const PDF = 'JVBERi0xLjQK';

describe('Anthropic ingress', () => {
  it('reads document blocks of every source and is_error on tool results', () => {
    const { request } = parseMessagesRequest({
      model: 'claude',
      max_tokens: 10,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: PDF }, title: 'Q3', cache_control: { type: 'ephemeral' } },
            { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'plain notes' } },
            { type: 'document', source: { type: 'url', url: 'https://example.com/a.pdf' } },
            { type: 'text', text: 'Compare.' },
          ],
        },
        { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'fetch', input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', is_error: true, content: [{ type: 'text', text: 'partial' }, { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: PDF } }] }] },
      ],
    });
    expect(request.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'document', mediaType: 'application/pdf', data: PDF, title: 'Q3', cache: true },
          { type: 'document', mediaType: 'text/plain', data: Buffer.from('plain notes').toString('base64') },
          { type: 'document', mediaType: 'application/pdf', url: 'https://example.com/a.pdf' },
          { type: 'text', text: 'Compare.' },
        ],
      },
      { role: 'assistant', content: '', toolCalls: [{ id: 't1', name: 'fetch', arguments: {} }] },
      { role: 'tool', toolCallId: 't1', isError: true, content: [{ type: 'text', text: 'partial' }, { type: 'document', mediaType: 'application/pdf', data: PDF }] },
    ]);
  });
});

describe('OpenAI ingress', () => {
  it('reads file parts as documents, the filename as title', () => {
    const { request } = parseChatCompletionRequest({
      model: 'gpt',
      messages: [{ role: 'user', content: [{ type: 'file', file: { filename: 'q3.pdf', file_data: `data:application/pdf;base64,${PDF}` } }, { type: 'image_url', image_url: { url: 'https://example.com/a.png', detail: 'high' } }] }],
    });
    expect(request.messages).toEqual([
      { role: 'user', content: [{ type: 'document', mediaType: 'application/pdf', data: PDF, title: 'q3.pdf' }, { type: 'image', url: 'https://example.com/a.png', detail: 'high' }] },
    ]);
  });
});
