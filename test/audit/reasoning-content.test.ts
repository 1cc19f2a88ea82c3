import { describe, expect, it } from 'vitest';
import { recordContent } from '../../src/audit/content.js';
import type { AuditConfig } from '../../src/config/types.js';
import type { ChatRequest, ChatResponse, ReasoningPart } from '../../src/types.js';

const audit = (content: AuditConfig['content']): AuditConfig => ({ sink: { type: 'callback' }, content, redact: ['email', 'secret'], include: { ip: false } });

const THOUGHT: ReasoningPart = { type: 'reasoning', text: 'Mail ada@example.com about it.', signature: 'SIGNATURE-NOT-CONTENT', provider: 'anthropic' };
const request: ChatRequest = {
  model: 'claude',
  messages: [
    { role: 'user', content: 'Hi' },
    { role: 'assistant', content: 'Hello', reasoning: [THOUGHT] },
    { role: 'user', content: 'Again' },
  ],
};
const response = { text: 'Done', toolCalls: [], reasoning: [THOUGHT] } as unknown as ChatResponse;

describe('audit content: reasoning', () => {
  it('records reasoning text like output text: redacted in redacted mode, never the signature', () => {
    const content = recordContent(audit('redacted'), request, response);
    expect(content?.response).toEqual({ reasoning: 'Mail [email] about it.', text: 'Done', toolCalls: [] });
    expect(content?.messages[1]).toEqual({ content: 'Hello', reasoning: 'Mail [email] about it.', role: 'assistant' });
    expect(JSON.stringify(content)).not.toContain('SIGNATURE-NOT-CONTENT');
  });

  it('keeps it as is in full mode and leaves it out in hash mode', () => {
    expect(recordContent(audit('full'), request, response)?.response?.reasoning).toBe('Mail ada@example.com about it.');
    expect(recordContent(audit('hash'), request, response)).toBeUndefined();
  });
});
