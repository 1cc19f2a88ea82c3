/**
 * Documents and tool-result errors in the Gemini request mapping
 * (ai.google.dev/gemini-api/docs/document-processing; FunctionResponse.response's `output` and
 * `error` keys).
 */
import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '../../src/errors.js';
import type { Message } from '../../src/types.js';
import { buildGeminiRequest } from './request.js';

const PDF = 'JVBERi0xLjQK';
const call: Message = { role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 'fetch', arguments: {} }] };

describe('Gemini document parts', () => {
  it('sends base64 documents as inlineData and URLs as fileData, detail ignored', () => {
    const body = buildGeminiRequest(
      {
        model: 'route',
        messages: [
          {
            role: 'user',
            content: [
              { type: 'document', mediaType: 'application/pdf', data: PDF, title: 'ignored by Gemini' },
              { type: 'document', mediaType: 'text/plain', url: 'gs://bucket/notes.txt' },
              { type: 'image', url: 'https://example.com/cat.png', detail: 'high' },
              { type: 'text', text: 'Compare.' },
            ],
          },
        ],
      },
      'gemini-2.5-flash',
    );
    expect(body.contents).toEqual([
      {
        role: 'user',
        parts: [
          { inlineData: { mimeType: 'application/pdf', data: PDF } },
          { fileData: { fileUri: 'gs://bucket/notes.txt', mimeType: 'text/plain' } },
          { fileData: { fileUri: 'https://example.com/cat.png', mimeType: 'image/png' } },
          { text: 'Compare.' },
        ],
      },
    ]);
  });
});

describe('Gemini tool results', () => {
  it('sends a failed call as functionResponse.response.error', () => {
    const body = buildGeminiRequest({ model: 'route', messages: [{ role: 'user', content: 'go' }, call, { role: 'tool', toolCallId: 'c1', content: 'timeout', isError: true }] }, 'gemini-2.5-flash');
    expect(body.contents.at(-1)).toEqual({ role: 'user', parts: [{ functionResponse: { name: 'fetch', response: { error: 'timeout' } } }] });
  });

  it('refuses an image in a tool result, naming the part', () => {
    let error: unknown;
    try {
      buildGeminiRequest(
        { model: 'route', messages: [{ role: 'user', content: 'go' }, call, { role: 'tool', toolCallId: 'c1', content: [{ type: 'text', text: 'chart' }, { type: 'image', url: 'https://example.com/c.png' }] }] },
        'gemini-2.5-flash',
      );
    } catch (caught) {
      error = caught;
    }
    expect(SwitchyardError.isInstance(error) && error.category).toBe('invalid_request');
    expect((error as Error).message).toContain('messages[2].content[1]');
  });
});
