/**
 * The Anthropic ingress and prompt caching: `cache_control` on tools, system, text, image and
 * `tool_result` blocks becomes the unified `cache`; usage goes back with Anthropic's cache fields.
 */
import { describe, expect, it } from 'vitest';
import { parseMessagesRequest } from '../../src/gateway/ingress/anthropic/index.js';
import { usageOf } from '../../src/gateway/ingress/anthropic/message-fields.js';
import { openAIUsage } from '../../src/gateway/ingress/openai/completion-fields.js';
import { SwitchyardError } from '../../src/errors.js';

const body = (extra: Record<string, unknown>) => ({ model: 'claude', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }], ...extra });

describe('cache_control → cache', () => {
  it('marks tools, message blocks and tool results where the client put the breakpoints', () => {
    const { request } = parseMessagesRequest(
      body({
        tools: [{ name: 'lookup', input_schema: { type: 'object' }, cache_control: { type: 'ephemeral', ttl: '1h' } }],
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'doc', cache_control: { type: 'ephemeral' } }, { type: 'image', source: { type: 'url', url: 'https://x/a.png' }, cache_control: { type: 'ephemeral' } }] },
          { role: 'assistant', content: [{ type: 'text', text: 'calling', cache_control: { type: 'ephemeral' } }, { type: 'tool_use', id: 't1', name: 'lookup', input: {} }] },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: 'found', cache_control: { type: 'ephemeral' } }] },
        ],
      }),
    );
    expect(request.tools).toEqual([{ name: 'lookup', parameters: { type: 'object' }, cache: { ttl: '1h' } }]);
    expect(request.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'doc', cache: true }, { type: 'image', url: 'https://x/a.png', cache: true }] },
      { role: 'assistant', content: [{ type: 'text', text: 'calling', cache: true }], toolCalls: [{ id: 't1', name: 'lookup', arguments: {} }] },
      { role: 'tool', toolCallId: 't1', content: [{ type: 'text', text: 'found', cache: true }] },
    ]);
  });

  it('keeps requests without breakpoints as they were: strings stay strings', () => {
    const { request } = parseMessagesRequest(body({ system: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }], messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: 'r' }] }] }));
    expect(request.system).toBe('a\n\nb');
    expect(request.messages).toEqual([{ role: 'tool', toolCallId: 't', content: 'r' }]);
  });

  it.each([
    [{ type: 'persistent' }, 'system[0].cache_control.type'],
    [{ type: 'ephemeral', ttl: '2h' }, 'system[0].cache_control.ttl'],
    ['yes', 'system[0].cache_control'],
  ])('refuses cache_control %j naming %s', (control, field) => {
    try {
      parseMessagesRequest(body({ system: [{ type: 'text', text: 'a', cache_control: control }] }));
      expect.unreachable();
    } catch (error) {
      expect(SwitchyardError.isInstance(error) && error.field).toBe(field);
    }
  });
});

describe('usage back out', () => {
  it('gives Anthropic clients input_tokens without the cache reads and writes, and both cache fields', () => {
    expect(usageOf({ inputTokens: 1_000, outputTokens: 5, totalTokens: 1_005, cacheReadInputTokens: 700, cacheWriteInputTokens: 200 })).toEqual({
      input_tokens: 100,
      output_tokens: 5,
      cache_read_input_tokens: 700,
      cache_creation_input_tokens: 200,
      cache_creation: { ephemeral_5m_input_tokens: 200, ephemeral_1h_input_tokens: 0 },
    });
    expect(usageOf({ inputTokens: 1_000, outputTokens: 5, totalTokens: 1_005, cacheWriteInputTokens: 300, cacheWrite1hInputTokens: 100 }).cache_creation).toEqual({
      ephemeral_5m_input_tokens: 200,
      ephemeral_1h_input_tokens: 100,
    });
    expect(usageOf({ inputTokens: 10, outputTokens: 5, totalTokens: 15, cacheWriteInputTokens: 0 })).toEqual({ input_tokens: 10, output_tokens: 5, cache_creation_input_tokens: 0 });
  });

  it('gives OpenAI clients the reads as prompt_tokens_details.cached_tokens', () => {
    expect(openAIUsage({ inputTokens: 1_000, outputTokens: 5, totalTokens: 1_005, cacheReadInputTokens: 700, cacheWriteInputTokens: 200 })).toEqual({
      prompt_tokens: 1_000,
      completion_tokens: 5,
      total_tokens: 1_005,
      prompt_tokens_details: { cached_tokens: 700 },
    });
  });
});
