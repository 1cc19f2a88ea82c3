import { describe, expect, it } from 'vitest';
import { copyJson } from '../../../src/pipeline/cache/copy-json.js';

class Point {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
}

const nullPrototype = Object.assign(Object.create(null) as Record<string, unknown>, { kept: 1, dropped: undefined });

const samples: Record<string, unknown> = {
  'a cached answer': {
    response: {
      id: 'msg_1',
      text: 'Bonjour — 你好 \u2028 "quoted" \\ back',
      toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: { city: 'Paris', days: [1, 2, 3], nested: { a: true, b: null, c: '' } } }],
      finishReason: 'tool_calls',
      usage: { inputTokens: 12, outputTokens: 8, totalTokens: 20, cachedInputTokens: 0 },
      route: 'claude',
      target: { provider: 'anthropic', model: 'claude-2.0' },
    },
    storedAt: 1_795_705_855_244,
  },
  'undefined, functions and symbols in objects and arrays': { a: undefined, b: () => 1, c: Symbol('s'), d: [undefined, () => 1, Symbol('s'), 1] },
  'non-finite numbers': { nan: Number.NaN, inf: Number.POSITIVE_INFINITY, list: [Number.NEGATIVE_INFINITY, -0, 1.5] },
  'a date, a class instance, toJSON and a null prototype': { when: new Date(0), point: new Point(1, 2), custom: { toJSON: () => ({ replaced: true }) }, bare: nullPrototype },
  'empty containers and top-level primitives': { list: [], object: {}, deep: [[[]]] },
  'a string': 'just text',
  'a number': 42,
  null: null,
};

describe('copyJson', () => {
  for (const [name, value] of Object.entries(samples)) {
    it(`gives what a JSON round trip gives: ${name}`, () => {
      expect(copyJson(value)).toStrictEqual(JSON.parse(JSON.stringify(value)));
    });
  }

  it('shares nothing with the original', () => {
    const original = samples['a cached answer'] as { response: { toolCalls: { arguments: { days: number[] } }[] } };
    const copy = copyJson(original);
    expect(copy).not.toBe(original);
    expect(copy.response.toolCalls[0]?.arguments).not.toBe(original.response.toolCalls[0]?.arguments);
    copy.response.toolCalls[0]?.arguments.days.push(4);
    expect(original.response.toolCalls[0]?.arguments.days).toEqual([1, 2, 3]);
  });

  it('refuses a BigInt, as JSON.stringify does', () => {
    expect(() => copyJson({ tokens: 1n })).toThrow(TypeError);
  });
});
