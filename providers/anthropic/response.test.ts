import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '../../src/errors.js';
import { mapStopReason, mapUsage, parseAnthropicMessage } from './response.js';

function fixture(name: string): unknown {
  return JSON.parse(readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8'));
}

describe('parseAnthropicMessage', () => {
  it('joins text blocks and keeps the id, served model and raw stop reason', () => {
    expect(parseAnthropicMessage(fixture('text.response.json'), 'anthropic')).toEqual({
      id: 'msg_01TestTextResponse',
      text: 'Hello! How can I help?',
      toolCalls: [],
      finishReason: 'stop',
      rawFinishReason: 'end_turn',
      usage: { inputTokens: 10, outputTokens: 5, totalTokens: 15, cacheReadInputTokens: 0, cacheWriteInputTokens: 0, cachedInputTokens: 0 },
      servedModel: 'claude-sonnet-4-5-20250929',
    });
  });

  it('turns tool_use blocks into tool calls, skips thinking blocks, and counts cached input', () => {
    const result = parseAnthropicMessage(fixture('tool-use.response.json'), 'anthropic');
    expect(result.text).toBe("I'll check the current weather in San Francisco for you.");
    expect(result.toolCalls).toEqual([{ id: 'toolu_01A09q90qw90lq917835lq9', name: 'get_weather', arguments: { location: 'San Francisco, CA', unit: 'celsius' } }]);
    expect(result.finishReason).toBe('tool_calls');
    // input_tokens counts only tokens after the last cache breakpoint: total = 50 + 248 + 1800.
    expect(result.usage).toEqual({ inputTokens: 2098, outputTokens: 42, totalTokens: 2140, cacheReadInputTokens: 1800, cacheWriteInputTokens: 248, cachedInputTokens: 1800 });
  });

  it('rejects a body that is not a message as a server error', () => {
    for (const body of [null, 'text', { id: 'msg_1' }, { content: 'not a list' }]) {
      const attempt = () => parseAnthropicMessage(body, 'anthropic');
      expect(attempt).toThrow(SwitchyardError);
      try {
        attempt();
      } catch (error) {
        expect(error).toMatchObject({ category: 'server', provider: 'anthropic' });
      }
    }
  });

  it('generates an id when the message has none', () => {
    expect(parseAnthropicMessage({ content: [], stop_reason: 'end_turn' }, 'anthropic').id).toMatch(/^msg_/);
  });
});

describe('mapStopReason', () => {
  it.each([
    ['end_turn', 'stop'],
    ['stop_sequence', 'stop'],
    ['max_tokens', 'length'],
    ['tool_use', 'tool_calls'],
    ['refusal', 'content_filter'],
    ['pause_turn', 'other'],
    ['model_context_window_exceeded', 'other'],
    [null, 'other'],
    [undefined, 'other'],
  ] as const)('%s → %s', (raw, unified) => {
    expect(mapStopReason(raw)).toBe(unified);
  });
});

describe('mapUsage', () => {
  it('sums uncached input, cache writes and cache reads into the input total', () => {
    expect(mapUsage({ input_tokens: 5, cache_creation_input_tokens: 10, cache_read_input_tokens: 100, output_tokens: 7 })).toEqual({
      inputTokens: 115,
      outputTokens: 7,
      totalTokens: 122,
      cacheReadInputTokens: 100,
      cacheWriteInputTokens: 10,
      cachedInputTokens: 100,
    });
  });

  it('treats missing and null counts as zero and omits cachedInputTokens when unreported', () => {
    expect(mapUsage({ input_tokens: 3, output_tokens: 4, cache_creation_input_tokens: null, cache_read_input_tokens: null })).toEqual({
      inputTokens: 3,
      outputTokens: 4,
      totalTokens: 7,
    });
    expect(mapUsage(undefined)).toEqual({ inputTokens: 0, outputTokens: 0, totalTokens: 0 });
  });
});
