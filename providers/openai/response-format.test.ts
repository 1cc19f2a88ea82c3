import { describe, expect, it } from 'vitest';
import { buildChatCompletionsBody, toOpenAIResponseFormat } from './request.js';

describe('response_format', () => {
  it.each([
    [{ type: 'json' as const }, { type: 'json_object' }],
    [{ type: 'json_schema' as const, schema: { type: 'object' } }, { type: 'json_schema', json_schema: { name: 'response', schema: { type: 'object' } } }],
    [{ type: 'json_schema' as const, schema: { type: 'object' }, name: 'x', strict: true }, { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'object' }, strict: true } }],
  ])('%j → %j', (format, wire) => {
    expect(toOpenAIResponseFormat(format)).toEqual(wire);
  });

  it('is sent in the body; a system prompt given as parts is one system message', () => {
    const body = buildChatCompletionsBody(
      { model: 'm', system: [{ type: 'text', text: 'a', cache: true }, { type: 'text', text: 'b' }], messages: [{ role: 'user', content: 'hi' }], responseFormat: { type: 'json' } },
      { model: 'gpt-4o', stream: false, tokenLimitField: 'max_completion_tokens', streamUsage: false },
    );
    expect(body.response_format).toEqual({ type: 'json_object' });
    expect(body.messages[0]).toEqual({ role: 'system', content: 'a\n\nb' });
  });
});
