/**
 * The ingresses and documents: Anthropic `document` blocks (with `title`, `context`, `citations`,
 * file sources) and `tool_result.is_error`, OpenAI `file` parts (data or `file_id`) and
 * `image_url.detail` become the unified parts and flags the adapters map back.
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

describe('Anthropic ingress: citations, context and file ids', () => {
  it('reads title, context and citations.enabled, and file sources with their provider left to bind', () => {
    const parsed = parseMessagesRequest({
      model: 'claude',
      max_tokens: 10,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'a' }, title: 'T', context: 'about a', citations: { enabled: true } },
            { type: 'document', source: { type: 'file', file_id: 'file_1' } },
            { type: 'image', source: { type: 'file', file_id: 'file_2' } },
          ],
        },
      ],
    });
    expect(parsed.request.messages[0]?.content).toEqual([
      { type: 'document', mediaType: 'text/plain', data: Buffer.from('a').toString('base64'), title: 'T', context: 'about a', citations: true },
      { type: 'document', mediaType: 'application/pdf', file: { id: 'file_1', provider: '' } },
      { type: 'image', file: { id: 'file_2', provider: '' } },
    ]);
    expect(parsed.fileIds).toEqual({ field: 'messages[0].content[1].source.file_id', providerTypes: ['anthropic'] });
  });

  it('notes no file ids when the body has none', () => {
    expect(parseMessagesRequest({ model: 'claude', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] })).not.toHaveProperty('fileIds');
  });

  it('reads cited text blocks of an assistant turn as text parts with Anthropic citations', () => {
    const citation = { type: 'page_location', cited_text: 'x', document_index: 1, document_title: null, start_page_number: 2, end_page_number: 3 };
    const { request } = parseMessagesRequest({ model: 'claude', max_tokens: 10, messages: [{ role: 'user', content: 'q' }, { role: 'assistant', content: [{ type: 'text', text: 'It says x.', citations: [citation] }] }] });
    expect(request.messages[1]).toEqual({ role: 'assistant', content: [{ type: 'text', text: 'It says x.', citations: [{ type: 'page_location', citedText: 'x', documentIndex: 1, start: 2, end: 3, provider: 'anthropic' }] }] });
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

  it('reads a file_id part as an uploaded PDF with its provider left to bind, and reasoning_content as DeepSeek-style reasoning', () => {
    const parsed = parseChatCompletionRequest({
      model: 'gpt',
      messages: [
        { role: 'user', content: [{ type: 'file', file: { file_id: 'file-abc' } }] },
        { role: 'assistant', content: 'ok', reasoning_content: 'I thought.' },
        { role: 'assistant', content: 'again', reasoning_content: '' },
      ],
    });
    expect(parsed.request.messages).toEqual([
      { role: 'user', content: [{ type: 'document', mediaType: 'application/pdf', file: { id: 'file-abc', provider: '' } }] },
      { role: 'assistant', content: 'ok', reasoning: [{ type: 'reasoning', text: 'I thought.', provider: 'openai-compatible' }] },
      { role: 'assistant', content: 'again' },
    ]);
    expect(parsed.fileIds).toEqual({ field: 'messages[0].content[0].file.file_id', providerTypes: ['openai'] });
  });
});
