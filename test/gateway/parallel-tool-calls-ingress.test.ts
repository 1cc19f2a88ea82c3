/** Both ingresses carry the parallel tool calls switch into `ChatRequest.parallelToolCalls`. */
import { describe, expect, it } from 'vitest';
import { parseMessagesRequest } from '../../src/gateway/ingress/anthropic/index.js';
import { parseChatCompletionRequest } from '../../src/gateway/ingress/openai/index.js';

const TOOLS_OPENAI = [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object' } } }];
const TOOLS_ANTHROPIC = [{ name: 'lookup', input_schema: { type: 'object' } }];

describe('OpenAI ingress: parallel_tool_calls', () => {
  const parse = (extra: Record<string, unknown>) => parseChatCompletionRequest({ model: 'gpt', messages: [{ role: 'user', content: 'hi' }], tools: TOOLS_OPENAI, ...extra }).request;

  it.each([true, false])('%s is carried', (value) => {
    expect(parse({ parallel_tool_calls: value }).parallelToolCalls).toBe(value);
  });

  it('absent stays absent', () => {
    expect(parse({})).not.toHaveProperty('parallelToolCalls');
  });

  it('a value that is not a boolean is refused naming the field', () => {
    expect(() => parse({ parallel_tool_calls: 'no' })).toThrow(expect.objectContaining({ category: 'invalid_request', field: 'parallel_tool_calls' }) as Error);
  });
});

describe('Anthropic ingress: tool_choice.disable_parallel_tool_use', () => {
  const parse = (toolChoice: unknown) => parseMessagesRequest({ model: 'claude', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }], tools: TOOLS_ANTHROPIC, tool_choice: toolChoice }).request;

  it.each([
    [{ type: 'auto', disable_parallel_tool_use: true }, 'auto'],
    [{ type: 'any', disable_parallel_tool_use: true }, 'required'],
    [{ type: 'tool', name: 'lookup', disable_parallel_tool_use: true }, { name: 'lookup' }],
  ])('%j → parallelToolCalls false', (choice, toolChoice) => {
    const request = parse(choice);
    expect(request.parallelToolCalls).toBe(false);
    expect(request.toolChoice).toEqual(toolChoice);
  });

  it('false or absent leaves the default (parallel allowed)', () => {
    expect(parse({ type: 'auto', disable_parallel_tool_use: false })).not.toHaveProperty('parallelToolCalls');
    expect(parse({ type: 'auto' })).not.toHaveProperty('parallelToolCalls');
  });

  it('a value that is not a boolean is refused naming the field', () => {
    expect(() => parse({ type: 'auto', disable_parallel_tool_use: 1 })).toThrow(expect.objectContaining({ field: 'tool_choice.disable_parallel_tool_use' }) as Error);
  });
});
