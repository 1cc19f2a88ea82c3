import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '../../src/errors.js';
import { mapGeminiFinishReason, mapGeminiUsage, parseGeminiResponse } from './response.js';

function fixture(name: string): unknown {
  return JSON.parse(readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8'));
}

describe('parseGeminiResponse', () => {
  it('reads text, skipping thought summaries, with usage, id and served model', () => {
    const result = parseGeminiResponse(fixture('text.json'), 'google');
    expect(result).toEqual({
      id: 'Un6LacrVMcjUxs0PmJfWoQc',
      text: "There are **3** r's in strawberry. Here is the breakdown: st**r**awbe**rr**y.",
      toolCalls: [],
      finishReason: 'stop',
      rawFinishReason: 'STOP',
      // Thinking tokens are billed as output: 28 + 244.
      usage: { inputTokens: 9, outputTokens: 272, totalTokens: 281, cacheReadInputTokens: 5, cachedInputTokens: 5, reasoningTokens: 244 },
      // The thought summary is reasoning, not text; the signature on the text part is kept with it.
      reasoning: [{ type: 'reasoning', text: 'I think about it.', signature: 'EtoFCtcFAb4+9vtfe4MXRxQjw48U1WKrR', provider: 'gemini' }],
      servedModel: 'gemini-2.5-pro',
    });
  });

  it('gives function calls stable positional ids and reports tool_calls for STOP', () => {
    const result = parseGeminiResponse(fixture('tool-call.json'), 'google');
    expect(result.finishReason).toBe('tool_calls');
    expect(result.rawFinishReason).toBe('STOP');
    expect(result.toolCalls).toEqual([
      { id: 'call_0', name: 'weather', arguments: { location: 'San Francisco' } },
      { id: 'call_1', name: 'time', arguments: {} },
      { id: 'call_2', name: 'ping', arguments: {} },
    ]);
    // The same body parses to the same ids every time (retries and caches compare them).
    expect(parseGeminiResponse(fixture('tool-call.json'), 'google').toolCalls).toEqual(result.toolCalls);
  });

  it('keeps an id Gemini did send', () => {
    const body = { candidates: [{ content: { parts: [{ functionCall: { id: 'fc-9', name: 'x', args: { a: 1 } } }] }, finishReason: 'STOP' }] };
    expect(parseGeminiResponse(body, 'google').toolCalls).toEqual([{ id: 'fc-9', name: 'x', arguments: { a: 1 } }]);
  });

  it('maps a SAFETY stop without parts to content_filter with empty text', () => {
    const result = parseGeminiResponse(fixture('safety.json'), 'google');
    expect(result.text).toBe('');
    expect(result.finishReason).toBe('content_filter');
    expect(result.rawFinishReason).toBe('SAFETY');
  });

  it('throws content_filter when the prompt itself was blocked', () => {
    let caught: unknown;
    try {
      parseGeminiResponse(fixture('prompt-blocked.json'), 'google');
    } catch (error) {
      caught = error;
    }
    expect(SwitchyardError.isInstance(caught)).toBe(true);
    const error = caught as SwitchyardError;
    expect(error.category).toBe('content_filter');
    expect(error.providerCode).toBe('PROHIBITED_CONTENT');
    expect(error.retryable).toBe(false);
  });

  it('throws server for a body without candidates or that is not an object', () => {
    expect(() => parseGeminiResponse({ usageMetadata: {} }, 'google')).toThrow(/no candidates/);
    expect(() => parseGeminiResponse('nope', 'google')).toThrow(/not an object/);
  });

  it('generates an id when the response has none', () => {
    const result = parseGeminiResponse({ candidates: [{ content: { parts: [{ text: 'hi' }] }, finishReason: 'STOP' }] }, 'google');
    expect(result.id).toMatch(/^gemini-[0-9a-f-]{36}$/);
    expect(result.usage).toEqual({ inputTokens: 0, outputTokens: 0, totalTokens: 0 });
  });
});

describe('mapGeminiFinishReason', () => {
  it.each([
    ['STOP', false, 'stop'],
    ['STOP', true, 'tool_calls'],
    ['MAX_TOKENS', false, 'length'],
    ['MAX_TOKENS', true, 'length'],
    ['SAFETY', false, 'content_filter'],
    ['RECITATION', false, 'content_filter'],
    ['BLOCKLIST', false, 'content_filter'],
    ['PROHIBITED_CONTENT', false, 'content_filter'],
    ['SPII', false, 'content_filter'],
    ['IMAGE_SAFETY', false, 'content_filter'],
    ['LANGUAGE', false, 'other'],
    ['OTHER', false, 'other'],
    ['MALFORMED_FUNCTION_CALL', false, 'other'],
    ['UNEXPECTED_TOOL_CALL', false, 'other'],
    ['FINISH_REASON_UNSPECIFIED', false, 'other'],
    [undefined, false, 'other'],
  ] as const)('%s (tool calls: %s) → %s', (raw, hasToolCalls, expected) => {
    expect(mapGeminiFinishReason(raw, hasToolCalls)).toBe(expected);
  });
});

describe('mapGeminiUsage', () => {
  it('derives the total when Gemini omits it and ignores junk', () => {
    expect(mapGeminiUsage({ promptTokenCount: 3, candidatesTokenCount: 4 })).toEqual({ inputTokens: 3, outputTokens: 4, totalTokens: 7 });
    expect(mapGeminiUsage({ promptTokenCount: 'x' })).toEqual({ inputTokens: 0, outputTokens: 0, totalTokens: 0 });
    expect(mapGeminiUsage(undefined)).toEqual({ inputTokens: 0, outputTokens: 0, totalTokens: 0 });
  });
});
