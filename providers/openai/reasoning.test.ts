import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ChatRequest, Message } from '../../src/types.js';
import { buildChatCompletionsBody, type BodyOptions } from './request.js';
import { effortForBudget } from '../../src/reasoning-effort.js';
import { openAIModelReasons } from './reasoning.js';
import { parseChatCompletion, parseOpenAIUsage } from './response.js';

const responses = JSON.parse(readFileSync(new URL('./__fixtures__/responses.json', import.meta.url), 'utf8')) as Record<string, unknown>;

const ASK: Message = { role: 'user', content: 'What is 2+2?' };

function openAIBody(request: Omit<ChatRequest, 'model'>, model: string): Record<string, unknown> {
  const options: BodyOptions = { model, stream: false, tokenLimitField: 'max_completion_tokens', streamUsage: true, reasoning: { model, effort: 'reasoning-models' } };
  return buildChatCompletionsBody({ model: 'route', ...request }, options) as unknown as Record<string, unknown>;
}

function compatibleBody(request: Omit<ChatRequest, 'model'>, model = 'deepseek-chat'): Record<string, unknown> {
  const options: BodyOptions = { model, stream: false, tokenLimitField: 'max_tokens', streamUsage: true, reasoning: { model, effort: 'always', sendBack: 'openai-compatible' } };
  return buildChatCompletionsBody({ model: 'route', ...request }, options) as unknown as Record<string, unknown>;
}

describe('Chat Completions reasoning: request', () => {
  it('sends reasoning_effort to OpenAI reasoning models only', () => {
    expect(openAIBody({ messages: [ASK], reasoning: { effort: 'high' } }, 'o3-mini').reasoning_effort).toBe('high');
    expect(openAIBody({ messages: [ASK], reasoning: { effort: 'low' } }, 'gpt-5').reasoning_effort).toBe('low');
    // gpt-4o has no reasoning and answers 400 to the field: it is left out.
    expect(openAIBody({ messages: [ASK], reasoning: { effort: 'high' } }, 'gpt-4o')).not.toHaveProperty('reasoning_effort');
    expect(openAIBody({ messages: [ASK] }, 'o3')).not.toHaveProperty('reasoning_effort');
    expect(openAIModelReasons('o4-mini')).toBe(true);
    expect(openAIModelReasons('gpt-4.1')).toBe(false);
    // The chat variant of GPT-5 does not reason, and OpenAI refuses reasoning fields for it.
    expect(openAIModelReasons('gpt-5-chat-latest')).toBe(false);
    expect(openAIModelReasons('gpt-5-mini')).toBe(true);
  });

  it.each([
    [1024, 'low'],
    [2048, 'low'],
    [4096, 'medium'],
    [8192, 'medium'],
    [20_000, 'high'],
  ] as const)('maps a budget of %i tokens to effort %s', (budgetTokens, effort) => {
    expect(effortForBudget(budgetTokens)).toBe(effort);
    expect(compatibleBody({ messages: [ASK], reasoning: { budgetTokens } }).reasoning_effort).toBe(effort);
  });

  it('compatible servers: reasoning_content goes back only on assistant turns that called tools, and only their own', () => {
    const messages: Message[] = [
      ASK,
      { role: 'assistant', content: '4', reasoning: [{ type: 'reasoning', text: 'Plain turn.', provider: 'openai-compatible' }] },
      { role: 'user', content: 'Check it' },
      {
        role: 'assistant',
        content: '',
        toolCalls: [{ id: 'call_1', name: 'calc', arguments: { expression: '2+2' } }],
        reasoning: [{ type: 'reasoning', text: 'Use the calculator.', provider: 'openai-compatible' }],
      },
      { role: 'tool', toolCallId: 'call_1', content: '4' },
      { role: 'assistant', content: '', toolCalls: [{ id: 'call_2', name: 'calc', arguments: {} }], reasoning: [{ type: 'reasoning', text: 'signed', signature: 's', provider: 'anthropic' }] },
      { role: 'tool', toolCallId: 'call_2', content: '4' },
    ];
    const sent = compatibleBody({ messages, reasoning: { effort: 'high' } }).messages as Record<string, unknown>[];
    expect(sent[1]).toEqual({ role: 'assistant', content: '4' });
    expect(sent[3]).toEqual({
      role: 'assistant',
      content: null,
      tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'calc', arguments: '{"expression":"2+2"}' } }],
      reasoning_content: 'Use the calculator.',
    });
    expect(sent[5]).not.toHaveProperty('reasoning_content');
    // OpenAI never receives reasoning_content.
    const toOpenAI = openAIBody({ messages, reasoning: { effort: 'high' } }, 'o3').messages as Record<string, unknown>[];
    expect(toOpenAI.some((message) => 'reasoning_content' in message)).toBe(false);
  });
});

describe('Chat Completions reasoning: answers', () => {
  it('DeepSeek reasoning_content becomes a reasoning part, not text', () => {
    const result = parseChatCompletion(responses['deepseek-reasoner'], 'deepseek', 'openai-compatible');
    expect(result.text).toBe('4');
    expect(result.reasoning).toEqual([{ type: 'reasoning', text: '2 plus 2 is 4.', provider: 'openai-compatible' }]);
  });

  it('reports completion_tokens_details.reasoning_tokens as reasoningTokens (left out when 0)', () => {
    expect(parseOpenAIUsage({ prompt_tokens: 10, completion_tokens: 500, total_tokens: 510, completion_tokens_details: { reasoning_tokens: 448 } })).toEqual({
      inputTokens: 10,
      outputTokens: 500,
      totalTokens: 510,
      reasoningTokens: 448,
    });
    expect(parseChatCompletion(responses['openai-text'], 'openai').usage).not.toHaveProperty('reasoningTokens');
  });
});
