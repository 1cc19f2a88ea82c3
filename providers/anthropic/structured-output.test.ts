import { describe, expect, it } from 'vitest';
import type { ChatRequest } from '../../src/types.js';
import { buildAnthropicRequest } from './request.js';
import { answerToolAsText, hasNativeStructuredOutput, planStructuredOutput } from './structured-output.js';

const SCHEMA = { type: 'object', properties: { a: { type: 'string' } } };
const settings = { id: 'anthropic', type: 'anthropic' as const, baseUrl: 'http://x', headers: {}, defaultMaxTokens: 100 };
const build = (request: Partial<ChatRequest>, model = 'claude-3-5-haiku-20241022') =>
  buildAnthropicRequest({ request: { model: 'chat', messages: [{ role: 'user', content: 'hi' }], ...request }, model, settings });

describe('hasNativeStructuredOutput', () => {
  it.each([
    ['claude-sonnet-4-5', true],
    ['claude-sonnet-4-5-20250929', true],
    ['claude-opus-4-6', true],
    ['claude-haiku-4-5@20251001', true],
    ['us.anthropic.claude-opus-4-5-20251101-v1:0', true],
    ['claude-sonnet-5', true],
    ['claude-sonnet-4-20250514', false],
    ['claude-opus-4-1-20250805', false],
    ['claude-3-7-sonnet-20250219', false],
    ['claude-3-5-haiku-20241022', false],
    ['claude-2.1', false],
  ])('%s → %s', (model, native) => {
    expect(hasNativeStructuredOutput(model)).toBe(native);
  });
});

describe('planStructuredOutput and the request body', () => {
  it('forces a tool named after the schema on older models, overriding the caller tool choice', () => {
    const body = build({ responseFormat: { type: 'json_schema', name: 'answer', schema: SCHEMA }, tools: [{ name: 'search', parameters: {} }], toolChoice: 'auto' });
    expect(body.tools?.map((tool) => tool.name)).toEqual(['search', 'answer']);
    expect(body.tools?.[1]?.input_schema).toBe(SCHEMA);
    expect(body.tool_choice).toEqual({ type: 'tool', name: 'answer' });
    expect(body.output_config).toBeUndefined();
  });

  it('uses output_config.format on models that have it, unless method is tool', () => {
    const format = { type: 'json_schema' as const, schema: SCHEMA };
    expect(build({ responseFormat: format }, 'claude-sonnet-4-5')).toMatchObject({ output_config: { format: { type: 'json_schema', schema: SCHEMA } } });
    expect(build({ responseFormat: { ...format, method: 'tool' } }, 'claude-sonnet-4-5').tool_choice).toEqual({ type: 'tool', name: 'response' });
    expect(build({ responseFormat: { ...format, method: 'native' } }, 'claude-2.1').output_config).toEqual({ format: { type: 'json_schema', schema: SCHEMA } });
  });

  it('asks for any JSON object through the tool path', () => {
    expect(planStructuredOutput({ type: 'json' }, 'claude-sonnet-4-5')).toEqual({ kind: 'tool', toolName: 'response', schema: { type: 'object' } });
  });
});

describe('answerToolAsText', () => {
  it('turns the answer tool call into JSON text and a tool_use stop into stop', () => {
    const result = answerToolAsText(
      { id: 'm', text: 'Here you go:', toolCalls: [{ id: 't', name: 'answer', arguments: { a: 'x' } }], finishReason: 'tool_calls', rawFinishReason: 'tool_use', usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 } },
      'answer',
    );
    expect(result).toMatchObject({ text: '{"a":"x"}', toolCalls: [], finishReason: 'stop', rawFinishReason: 'tool_use' });
  });
});

describe('cache_control', () => {
  it('marks system parts, message parts, images, tool results and tools', () => {
    const body = build({
      system: [{ type: 'text', text: 'sys', cache: { ttl: '1h' } }],
      tools: [{ name: 'search', parameters: {}, cache: true }],
      messages: [
        { role: 'user', content: [{ type: 'image', data: 'AAAA', mediaType: 'image/png', cache: true }, { type: 'text', text: 'q' }] },
        { role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 'search', arguments: {} }] },
        { role: 'tool', toolCallId: 'c1', content: [{ type: 'text', text: 'result', cache: true }] },
      ],
    });
    expect(body.system).toEqual([{ type: 'text', text: 'sys', cache_control: { type: 'ephemeral', ttl: '1h' } }]);
    expect(body.tools?.[0]).toEqual({ name: 'search', input_schema: {}, cache_control: { type: 'ephemeral' } });
    expect(body.messages[0]?.content[0]).toMatchObject({ type: 'image', cache_control: { type: 'ephemeral' } });
    expect(body.messages[2]?.content[0]).toEqual({ type: 'tool_result', tool_use_id: 'c1', content: 'result', cache_control: { type: 'ephemeral' } });
  });

  it('keeps the system prompt a string without breakpoints', () => {
    expect(build({ system: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }] }).system).toBe('a\n\nb');
  });
});
