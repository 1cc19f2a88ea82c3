import { describe, expect, it } from 'vitest';
import type { ProviderSettings } from '../../src/provider-spec.js';
import type { ChatRequest } from '../../src/types.js';
import { buildAnthropicRequest } from './request.js';

const settings: ProviderSettings = { id: 'anthropic', type: 'anthropic', baseUrl: 'https://api.anthropic.com', headers: {}, defaultMaxTokens: 1024 };
const TOOLS: ChatRequest['tools'] = [{ name: 'lookup', parameters: { type: 'object' } }];

function toolChoiceOf(request: Partial<ChatRequest>): unknown {
  return buildAnthropicRequest({ request: { model: 'route', messages: [{ role: 'user', content: 'hi' }], ...request }, model: 'claude-sonnet-4-5', settings }).tool_choice;
}

describe('Anthropic: parallelToolCalls → tool_choice.disable_parallel_tool_use', () => {
  it.each<[string, Partial<ChatRequest>, unknown]>([
    ['false without a tool choice: auto with the flag', { tools: TOOLS, parallelToolCalls: false }, { type: 'auto', disable_parallel_tool_use: true }],
    ['false with auto', { tools: TOOLS, toolChoice: 'auto', parallelToolCalls: false }, { type: 'auto', disable_parallel_tool_use: true }],
    ['false with required (any)', { tools: TOOLS, toolChoice: 'required', parallelToolCalls: false }, { type: 'any', disable_parallel_tool_use: true }],
    ['false with a named tool', { tools: TOOLS, toolChoice: { name: 'lookup' }, parallelToolCalls: false }, { type: 'tool', name: 'lookup', disable_parallel_tool_use: true }],
    ['false with none: none has no such flag', { tools: TOOLS, toolChoice: 'none', parallelToolCalls: false }, { type: 'none' }],
    ['true: the API default, nothing sent', { tools: TOOLS, parallelToolCalls: true }, undefined],
    ['false without tools: nothing sent', { parallelToolCalls: false }, undefined],
  ])('%s', (_name, request, expected) => {
    expect(toolChoiceOf(request)).toEqual(expected);
  });

  it('applies to the tool a structured answer is forced through', () => {
    const choice = toolChoiceOf({ tools: TOOLS, parallelToolCalls: false, responseFormat: { type: 'json_schema', schema: { type: 'object' }, name: 'answer', method: 'tool' } });
    expect(choice).toMatchObject({ type: 'tool', disable_parallel_tool_use: true });
  });
});
