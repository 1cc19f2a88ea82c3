/**
 * Documents as `file` parts, image `detail` and tool results in the Chat Completions mapping
 * (https://platform.openai.com/docs/api-reference/chat/create, file content part).
 */
import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '../../src/errors.js';
import type { Message } from '../../src/types.js';
import { toOpenAIMessages } from './request.js';

const PDF = 'JVBERi0xLjQK';

function failureOf(messages: readonly Message[]): SwitchyardError {
  try {
    toOpenAIMessages({ messages });
  } catch (error) {
    if (SwitchyardError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected an error');
}

describe('Chat Completions documents and image detail', () => {
  it.each<[string, Message['content'], unknown[]]>([
    ['a PDF becomes a file part with a data URL and its title as filename', [{ type: 'text', text: 'Summarise.' }, { type: 'document', mediaType: 'application/pdf', data: PDF, title: 'q3.pdf' }], [
      { type: 'text', text: 'Summarise.' },
      { type: 'file', file: { filename: 'q3.pdf', file_data: `data:application/pdf;base64,${PDF}` } },
    ]],
    ['an untitled document gets a file name (OpenAI asks for one with file_data)', [{ type: 'document', mediaType: 'text/plain', data: 'aGk=' }], [
      { type: 'file', file: { filename: 'document.txt', file_data: 'data:text/plain;base64,aGk=' } },
    ]],
    ['image detail becomes image_url.detail', [{ type: 'image', url: 'https://example.com/cat.png', detail: 'low' }], [
      { type: 'image_url', image_url: { url: 'https://example.com/cat.png', detail: 'low' } },
    ]],
  ])('%s', (_name, content, expected) => {
    expect(toOpenAIMessages({ messages: [{ role: 'user', content }] })).toEqual([{ role: 'user', content: expected }]);
  });

  it('refuses a document by URL, naming the field', () => {
    const error = failureOf([{ role: 'user', content: [{ type: 'document', mediaType: 'application/pdf', url: 'https://example.com/a.pdf' }] }]);
    expect(error.category).toBe('invalid_request');
    expect(error.message).toContain('messages[0].content[0].url');
    expect(error.message).toContain('not by URL');
  });
});

describe('Chat Completions tool results', () => {
  const call: Message = { role: 'assistant', content: '', toolCalls: [{ id: 'call_1', name: 'fetch', arguments: {} }] };

  it('sends text parts as the tool message text; isError has no field (the text says it)', () => {
    const messages = toOpenAIMessages({ messages: [call, { role: 'tool', toolCallId: 'call_1', isError: true, content: [{ type: 'text', text: 'error:' }, { type: 'text', text: 'timeout' }] }] });
    expect(messages[1]).toEqual({ role: 'tool', tool_call_id: 'call_1', content: 'error:\ntimeout' });
  });

  it('refuses an image in a tool result, naming it', () => {
    const error = failureOf([call, { role: 'tool', toolCallId: 'call_1', content: [{ type: 'text', text: 'chart' }, { type: 'image', url: 'https://example.com/c.png' }] }]);
    expect(error.category).toBe('invalid_request');
    expect(error.message).toContain('messages[1].content[1]');
    expect(error.message).toContain('image');
  });
});
