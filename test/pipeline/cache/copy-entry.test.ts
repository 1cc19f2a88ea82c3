import { describe, expect, it } from 'vitest';
import { answerFields, packEntry, unpackEntry } from '../../../src/pipeline/cache/copy-entry.js';
import type { CachedEntry, CachedResponse } from '../../../src/pipeline/cache/store.js';
import { upstreamResponse } from './call-context.js';

/** What the Redis store would give back for an entry holding only an answer's own fields. */
function jsonRoundTrip(entry: CachedEntry): unknown {
  return JSON.parse(JSON.stringify(entry)) as unknown;
}

const answers: Record<string, CachedResponse> = {
  'plain text': answerFields(upstreamResponse()),
  'tool calls with nested arguments': answerFields(
    upstreamResponse({
      text: '',
      finishReason: 'tool_calls',
      toolCalls: [
        { id: 'call_1', name: 'lookup', arguments: { city: 'Oslo', units: ['c', 'f'], nested: { deep: [1, { x: null }] } } },
        { id: 'call_2', name: 'noop', arguments: {} },
      ],
    }),
  ),
  'served model and cached input tokens': answerFields(
    upstreamResponse({ servedModel: 'gpt-4o-mini-2024-07-18', usage: { inputTokens: 100, outputTokens: 5, totalTokens: 105, cacheReadInputTokens: 64, cachedInputTokens: 64 } }),
  ),
  'prompt-cache reads and writes': answerFields(
    upstreamResponse({ usage: { inputTokens: 100, outputTokens: 5, totalTokens: 105, cacheReadInputTokens: 60, cacheWriteInputTokens: 30, cachedInputTokens: 60 } }),
  ),
  'no raw finish reason': { id: 'r', text: 't', toolCalls: [], finishReason: 'stop', usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 }, route: 'chat', target: { provider: 'p', model: 'm' } },
};

/** What a store holds and hands back: a packed copy, unpacked. */
const roundTrip = (entry: CachedEntry): CachedEntry => unpackEntry(packEntry(entry, Number.POSITIVE_INFINITY));

describe('packEntry and unpackEntry', () => {
  for (const [name, response] of Object.entries(answers)) {
    it(`gives what a JSON round trip gives: ${name}`, () => {
      const entry: CachedEntry = { response, storedAt: 1_700_000_000_000 };
      expect(roundTrip(entry)).toStrictEqual(jsonRoundTrip(entry));
    });
  }

  it('keeps no object of what was packed, and unpacks fresh objects every time', () => {
    const original = JSON.parse(JSON.stringify(answers['tool calls with nested arguments'])) as CachedResponse;
    const packed = packEntry({ response: original, storedAt: 0 }, 1_000);
    (original.toolCalls[0]?.arguments as { city: string }).city = 'changed after storing';
    (original.usage as { inputTokens: number }).inputTokens = -1;
    const first = unpackEntry(packed);
    expect(first.response).toStrictEqual(answers['tool calls with nested arguments']);
    (first.response.toolCalls[0]?.arguments as { city: string }).city = 'changed by a reader';
    expect(unpackEntry(packed).response).toStrictEqual(answers['tool calls with nested arguments']);
  });

  it('shares no object between an unpacked entry and the original', () => {
    const entry: CachedEntry = { response: answers['tool calls with nested arguments'] as CachedResponse, storedAt: 0 };
    const copy = roundTrip(entry);
    expect(copy.response).not.toBe(entry.response);
    expect(copy.response.usage).not.toBe(entry.response.usage);
    expect(copy.response.target).not.toBe(entry.response.target);
    expect(copy.response.toolCalls).not.toBe(entry.response.toolCalls);
    expect(copy.response.toolCalls[0]).not.toBe(entry.response.toolCalls[0]);
    expect(copy.response.toolCalls[0]?.arguments).not.toBe(entry.response.toolCalls[0]?.arguments);
    expect((copy.response.toolCalls[0]?.arguments as { nested: object }).nested).not.toBe((entry.response.toolCalls[0]?.arguments as { nested: object }).nested);
  });

  it('leaves out optional fields that are undefined, as JSON text does', () => {
    const response = { ...(answers['no raw finish reason'] as CachedResponse), rawFinishReason: undefined, servedModel: undefined, usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2, cachedInputTokens: undefined, cacheReadInputTokens: undefined, cacheWriteInputTokens: undefined } };
    const copy = roundTrip({ response, storedAt: 0 });
    expect(Object.keys(copy.response)).not.toContain('rawFinishReason');
    expect(Object.keys(copy.response)).not.toContain('servedModel');
    expect(Object.keys(copy.response.usage)).toEqual(['inputTokens', 'outputTokens', 'totalTokens']);
  });
});

describe('answerFields', () => {
  it("keeps an answer's own fields and drops the per-call ones", () => {
    const response = upstreamResponse({ servedModel: 'm-1' });
    const answer = answerFields(response);
    expect(answer).toStrictEqual({
      id: response.id,
      text: response.text,
      toolCalls: response.toolCalls,
      finishReason: response.finishReason,
      rawFinishReason: response.rawFinishReason,
      usage: response.usage,
      route: response.route,
      target: response.target,
      servedModel: 'm-1',
    });
    for (const perCall of ['attempts', 'latencyMs', 'requestId', 'cached']) expect(answer).not.toHaveProperty(perCall);
  });
});
