/**
 * The Anthropic ingress's reasoning mapping without a server: thinking blocks ↔ reasoning parts
 * (Anthropic's own, redacted ones, and other providers' parts carried inside the signature), and
 * the stream frames for them.
 */
import { describe, expect, it } from 'vitest';
import { parseMessagesRequest } from '../../src/gateway/ingress/anthropic/parse-request.js';
import { MessagesStreamFrames } from '../../src/gateway/ingress/anthropic/stream-frames.js';
import { contentOf } from '../../src/gateway/ingress/anthropic/to-message.js';
import type { ChatResponse, ReasoningPart, StreamEvent } from '../../src/types.js';

const signed: ReasoningPart = { type: 'reasoning', text: 'let me think', signature: 'c2lnbmVk', provider: 'anthropic' };
const redacted: ReasoningPart = { type: 'reasoning', text: '', redactedData: 'ZW5jcnlwdGVk', provider: 'anthropic' };
const gemini: ReasoningPart = { type: 'reasoning', text: 'a thought summary', signature: 'Z2VtaW5p', provider: 'gemini' };
const deepseek: ReasoningPart = { type: 'reasoning', text: 'reasoning content', provider: 'openai-compatible' };

/** The request an Anthropic client sends back with `blocks` as the assistant turn. */
function sentBack(blocks: unknown[]): ReturnType<typeof parseMessagesRequest> {
  return parseMessagesRequest({ model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'q' }, { role: 'assistant', content: blocks }, { role: 'user', content: 'next' }] });
}

describe('thinking blocks', () => {
  it('show every reasoning part and come back as the same part', () => {
    const blocks = contentOf({ text: 'answer', toolCalls: [], reasoning: [signed, redacted, gemini, deepseek] });
    expect(blocks).toEqual([
      { type: 'thinking', thinking: 'let me think', signature: 'c2lnbmVk' },
      { type: 'redacted_thinking', data: 'ZW5jcnlwdGVk' },
      { type: 'thinking', thinking: 'a thought summary', signature: 'switchyard:gemini:Z2VtaW5p' },
      { type: 'thinking', thinking: 'reasoning content', signature: 'switchyard:openai-compatible:' },
      { type: 'text', text: 'answer' },
    ]);
    const assistant = sentBack(blocks).request.messages[1];
    expect(assistant).toEqual({ role: 'assistant', content: 'answer', reasoning: [signed, redacted, gemini, deepseek] });
  });

  it('name the field of a malformed block', () => {
    expect(() => sentBack([{ type: 'thinking', thinking: 'x' }])).toThrow(/messages\[1\]\.content\[0\]\.signature/);
    expect(() => sentBack([{ type: 'redacted_thinking' }])).toThrow(/messages\[1\]\.content\[0\]\.data/);
  });

  it('read `thinking` as a budget, and `disabled` as none', () => {
    const base = { model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'q' }] };
    expect(parseMessagesRequest({ ...base, thinking: { type: 'enabled', budget_tokens: 2048 } }).request.reasoning).toEqual({ budgetTokens: 2048 });
    expect(parseMessagesRequest({ ...base, thinking: { type: 'disabled' } }).request.reasoning).toBeUndefined();
    expect(() => parseMessagesRequest({ ...base, thinking: { type: 'enabled' } })).toThrow(/thinking\.budget_tokens/);
  });
});

describe('stream frames for reasoning', () => {
  function framesOf(events: StreamEvent[]): { event: string; data: Record<string, unknown> }[] {
    const frames = new MessagesStreamFrames({ id: 'msg_1', requestedModel: 'm' });
    const text = events.map((event) => frames.write(event)).join('');
    return text
      .split('\n\n')
      .filter((frame) => frame !== '')
      .map((frame) => {
        const [eventLine = '', dataLine = ''] = frame.split('\n');
        return { event: eventLine.slice('event: '.length), data: JSON.parse(dataLine.slice('data: '.length)) as Record<string, unknown> };
      });
  }

  it('give a thinking block its deltas and signature, a redacted part a whole block, then the text at the next index', () => {
    const response = { text: 'hi', toolCalls: [], reasoning: [signed, redacted], finishReason: 'stop', usage: { inputTokens: 1, outputTokens: 2, totalTokens: 3 }, id: 'x', route: 'r', target: { provider: 'p', model: 'm' } } as unknown as ChatResponse;
    const frames = framesOf([
      { type: 'reasoning-delta', text: 'let me ' },
      { type: 'reasoning-delta', text: 'think' },
      { type: 'reasoning', part: signed },
      { type: 'reasoning', part: redacted },
      { type: 'text-delta', text: 'hi' },
      { type: 'finish', response },
    ]);
    expect(frames.filter((frame) => frame.event !== 'ping').map((frame) => [frame.event, frame.data['index'] ?? null, (frame.data['delta'] as { type?: string } | undefined)?.type ?? (frame.data['content_block'] as { type?: string } | undefined)?.type ?? null])).toEqual([
      ['message_start', null, null],
      ['content_block_start', 0, 'thinking'],
      ['content_block_delta', 0, 'thinking_delta'],
      ['content_block_delta', 0, 'thinking_delta'],
      ['content_block_delta', 0, 'signature_delta'],
      ['content_block_stop', 0, null],
      ['content_block_start', 1, 'redacted_thinking'],
      ['content_block_stop', 1, null],
      ['content_block_start', 2, 'text'],
      ['content_block_delta', 2, 'text_delta'],
      ['content_block_stop', 2, null],
      ['message_delta', null, null],
      ['message_stop', null, null],
    ]);
    expect(frames[1]?.data['content_block']).toEqual({ type: 'thinking', thinking: '', signature: '' });
    expect(frames.find((frame) => (frame.data['delta'] as { type?: string } | undefined)?.type === 'signature_delta')?.data['delta']).toEqual({ type: 'signature_delta', signature: 'c2lnbmVk' });
    expect(frames.find((frame) => (frame.data['content_block'] as { type?: string } | undefined)?.type === 'redacted_thinking')?.data['content_block']).toEqual({ type: 'redacted_thinking', data: 'ZW5jcnlwdGVk' });
  });

  it('keep the empty text block of an answer that only thought', () => {
    const response = { text: '', toolCalls: [], reasoning: [signed], finishReason: 'stop', usage: { inputTokens: 1, outputTokens: 2, totalTokens: 3 }, id: 'x', route: 'r', target: { provider: 'p', model: 'm' } } as unknown as ChatResponse;
    const frames = framesOf([{ type: 'reasoning', part: signed }, { type: 'finish', response }]);
    const starts = frames.filter((frame) => frame.event === 'content_block_start').map((frame) => (frame.data['content_block'] as { type: string }).type);
    expect(starts).toEqual(['thinking', 'text']);
    expect(contentOf(response).map((block) => block.type)).toEqual(['thinking', 'text']);
  });
});
