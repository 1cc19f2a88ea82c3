import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ChatRequest, Message } from '../../src/types.js';
import { buildGeminiRequest, SKIP_THOUGHT_SIGNATURE } from './request.js';
import { parseGeminiResponse } from './response.js';
import { geminiModelThinks } from './thinking.js';

function fixture(name: string): unknown {
  return JSON.parse(readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8'));
}

const ASK: Message = { role: 'user', content: 'Weather in Paris?' };

function body(request: Omit<ChatRequest, 'model'>, model = 'gemini-2.5-flash'): Record<string, unknown> {
  return buildGeminiRequest({ model: 'route', ...request }, model) as unknown as Record<string, unknown>;
}

describe('Gemini thinking: request', () => {
  it.each([
    [{ effort: 'low' } as const, 1024],
    [{ effort: 'medium' } as const, 4096],
    [{ effort: 'high' } as const, 16384],
    [{ budgetTokens: 777 }, 777],
  ])('maps %j to thinkingConfig.thinkingBudget %i with thought summaries', (reasoning, budget) => {
    expect(body({ messages: [ASK], reasoning, maxTokens: 100 }).generationConfig).toEqual({ maxOutputTokens: 100, thinkingConfig: { thinkingBudget: budget, includeThoughts: true } });
  });

  it('sends no thinkingConfig to models without thinking, nor without reasoning', () => {
    expect(body({ messages: [ASK], reasoning: { effort: 'high' } }, 'gemini-2.0-flash')).not.toHaveProperty('generationConfig');
    expect(body({ messages: [ASK] })).not.toHaveProperty('generationConfig');
    expect(geminiModelThinks('gemini-3-pro-preview')).toBe(true);
    expect(geminiModelThinks('gemini-1.5-pro')).toBe(false);
  });

  it('sends the real signature back on the first function call (instead of the placeholder)', () => {
    const call = { id: 'call_0', name: 'weather', arguments: { city: 'Paris' } };
    const assistant = (reasoning: Message['reasoning']): Message => ({ role: 'assistant', content: '', toolCalls: [call, { ...call, id: 'call_1' }], reasoning });
    const tool: Message = { role: 'tool', toolCallId: 'call_0', name: 'weather', content: '{"c":21}' };
    const sent = body({ messages: [ASK, assistant([{ type: 'reasoning', text: 'summary', signature: 'EskgCsYg', provider: 'gemini' }]), tool] }, 'gemini-3-pro-preview');
    expect((sent.contents as { parts: unknown[] }[])[1]?.parts).toEqual([
      { functionCall: { name: 'weather', args: { city: 'Paris' } }, thoughtSignature: 'EskgCsYg' },
      { functionCall: { name: 'weather', args: { city: 'Paris' } } },
    ]);
    // Another provider's reasoning is dropped: Gemini 3 then gets its documented placeholder.
    const fromClaude = body({ messages: [ASK, assistant([{ type: 'reasoning', text: 't', signature: 'sig', provider: 'anthropic' }]), tool] }, 'gemini-3-pro-preview');
    expect((fromClaude.contents as { parts: Record<string, unknown>[] }[])[1]?.parts[0]?.thoughtSignature).toBe(SKIP_THOUGHT_SIGNATURE);
  });

  it('puts the signature of an answer without calls on its text part', () => {
    const sent = body({ messages: [ASK, { role: 'assistant', content: 'Sunny.', reasoning: [{ type: 'reasoning', text: '', signature: 'EqsF', provider: 'gemini' }] }, { role: 'user', content: 'Thanks' }] });
    expect((sent.contents as { parts: unknown[] }[])[1]?.parts).toEqual([{ text: 'Sunny.', thoughtSignature: 'EqsF' }]);
  });
});

describe('Gemini thinking: answers', () => {
  it('keeps the signature Gemini put on the first function call (tool-call fixture)', () => {
    const result = parseGeminiResponse(fixture('tool-call.json'), 'google');
    expect(result.reasoning).toEqual([{ type: 'reasoning', text: '', signature: 'EskgCsYgAb4+9vtF7', provider: 'gemini' }]);
  });
});
