import { describe, expect, it } from 'vitest';
import type { ChatRequest } from '../../src/types.js';
import { buildChatCompletionsBody, type BodyOptions } from './request.js';

const CHAT: BodyOptions = { model: 'gpt-4.1', stream: false, tokenLimitField: 'max_completion_tokens', streamUsage: true };
const TOOLS: ChatRequest['tools'] = [{ name: 'lookup', parameters: { type: 'object' } }];

function parallelOf(request: Partial<ChatRequest>): unknown {
  return buildChatCompletionsBody({ model: 'route', messages: [{ role: 'user', content: 'hi' }], ...request }, CHAT).parallel_tool_calls;
}

describe('OpenAI: parallelToolCalls → parallel_tool_calls', () => {
  it.each<[string, Partial<ChatRequest>, unknown]>([
    ['false with tools', { tools: TOOLS, parallelToolCalls: false }, false],
    ['true with tools', { tools: TOOLS, parallelToolCalls: true }, true],
    ['absent: left to the API default', { tools: TOOLS }, undefined],
    ['without tools: not sent (the API refuses it without tools)', { parallelToolCalls: false }, undefined],
  ])('%s', (_name, request, expected) => {
    expect(parallelOf(request)).toBe(expected);
  });
});
