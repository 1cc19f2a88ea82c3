/**
 * The one canonical JSON function (src/canonical-json.ts) behind the config's versionHash, the audit
 * hash chain and cache keys: `JSON.stringify`'s text with keys sorted by UTF-16 code units, whichever
 * of its two paths (the engine's serialiser for values already in order, the walk for the rest)
 * writes it; and the same text as each of the three writers it replaced, on every plain JSON value,
 * so config versions, record hashes and cache keys written before it still match.
 */
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/canonical-json.js';
import { computeVersionHash } from '../../src/config/resolve-config.js';
import { resolveConfig } from '../../src/config/index.js';
import { createSeededRandom } from '../../src/testing/seeded-random.js';

// The three writers as they were before src/canonical-json.ts (config version, audit chain, cache key).
function configWriter(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => configWriter(item === undefined ? null : item)).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${configWriter(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function auditWriter(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
    case 'number':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((item: unknown) => (item === undefined ? 'null' : auditWriter(item))).join(',')}]`;
      const object = value as Record<string, unknown>;
      const members = Object.keys(object)
        .sort()
        .filter((key) => object[key] !== undefined)
        .map((key) => `${JSON.stringify(key)}:${auditWriter(object[key])}`);
      return `{${members.join(',')}}`;
    }
    default:
      return 'null';
  }
}

function cacheWriter(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((item: unknown) => cacheWriter(item) ?? 'null').join(',')}]`;
  const object = value as Record<string, unknown>;
  const members = Object.keys(object)
    .sort()
    .flatMap((key) => {
      const member = cacheWriter(object[key]);
      return member === undefined ? [] : [`${JSON.stringify(key)}:${member}`];
    });
  return `{${members.join(',')}}`;
}

const KEYS = ['a', 'b', 'B', 'z', 'role', 'content', '10', '2', 'é', '\uffff', '😀', 'key with "quotes"', 'prevHash', 'seq', ''];

/** A random plain JSON value (what records, configs and requests hold), keys in random order. */
function randomJson(random: () => number, depth = 0): unknown {
  const pick = random();
  if (depth > 4 || pick < 0.35) {
    const leaves = [null, true, false, 0, -0, 1.5, -12, 1e21, 0.1 + 0.2, 'text', '', 'line\nbreak \u2028 "q" \\ ünï', undefined];
    return leaves[Math.floor(random() * leaves.length)];
  }
  if (pick < 0.6) return Array.from({ length: Math.floor(random() * 4) }, () => randomJson(random, depth + 1));
  const object: Record<string, unknown> = {};
  const count = Math.floor(random() * 6);
  for (let index = 0; index < count; index += 1) object[KEYS[Math.floor(random() * KEYS.length)] as string] = randomJson(random, depth + 1);
  return object;
}

/** The same value with every object's keys set in sorted order (the engine's path). */
function inOrder(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(inOrder);
  if (typeof value !== 'object' || value === null) return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) sorted[key] = inOrder((value as Record<string, unknown>)[key]);
  return sorted;
}

describe('canonicalJson', () => {
  it('sorts keys at every level by UTF-16 code units, and leaves out undefined members', () => {
    expect(canonicalJson({ b: { d: 1, c: undefined }, a: [{ z: 1, y: 2 }, undefined] })).toBe('{"a":[{"y":2,"z":1},null],"b":{"d":1}}');
    expect(canonicalJson({ '2': 0, '10': 0, z: 0, é: 0, '😀': 0, '\uffff': 0, B: 0 })).toBe('{"10":0,"2":0,"B":0,"z":0,"é":0,"😀":0,"\uffff":0}');
  });

  it('writes JSON.stringify text for values already in order, and for everything JSON.stringify has a rule for', () => {
    const value = { a: [1, 'two', null, undefined, true, Number.NaN, -0, 1e21, () => 1], b: 'quote " and \\ and \n and \u2028', c: undefined, d: Symbol('s') };
    expect(canonicalJson(value)).toBe(JSON.stringify(value));
    expect(canonicalJson({ at: new Date(0), n: Object(1) as number, s: Object('x') as string })).toBe('{"at":"1970-01-01T00:00:00.000Z","n":1,"s":"x"}');
    expect(canonicalJson(undefined)).toBe('null');
    expect(canonicalJson('text')).toBe('"text"');
  });

  it('refuses cycles and BigInts, and allows a value deeper than the engine path takes, and shared objects', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(() => canonicalJson(cyclic)).toThrow(TypeError);
    expect(() => canonicalJson({ z: 1, a: { n: 1n } })).toThrow(TypeError);
    let deep: unknown = { leaf: true };
    for (let level = 0; level < 100; level += 1) deep = { next: deep };
    expect(canonicalJson(deep)).toBe(JSON.stringify(deep));
    const shared = { x: 1 };
    expect(canonicalJson([shared, shared])).toBe('[{"x":1},{"x":1}]');
  });

  it('gives the same text on both paths, and the same text as each writer it replaced, on random JSON', () => {
    const random = createSeededRandom(17);
    for (let run = 0; run < 2_000; run += 1) {
      const value = randomJson(random);
      const expected = configWriter(value);
      expect(canonicalJson(value)).toBe(expected);
      expect(canonicalJson(inOrder(value))).toBe(expected);
      expect(auditWriter(value)).toBe(expected);
      expect(cacheWriter(value) ?? 'null').toBe(expected);
    }
  });

  it('hashes a config\'s data, not its redacted dump: versionHash does not change when only a secret does', () => {
    // Every object of a resolved config has a toJSON that prints it with its secrets redacted; the
    // version hash must not see it (here the filter word is redacted in one config's dump only).
    const withKey = (apiKey: string): ReturnType<typeof resolveConfig> =>
      resolveConfig({
        providers: { openai: { type: 'openai', apiKey, baseUrl: 'http://127.0.0.1:9/v1' } },
        routes: { main: { targets: [{ provider: 'openai', model: 'gpt-4o' }] } },
        filters: { sensitiveWords: { words: ['sk-test-key-000000000001'] } },
      });
    const first = withKey('sk-test-key-000000000001');
    const second = withKey('sk-test-key-000000000002');
    expect(JSON.stringify(first.filters)).not.toBe(JSON.stringify(second.filters));
    expect(first.versionHash).toBe(second.versionHash);
    const { versionHash, ...rest } = first;
    expect(computeVersionHash(rest)).toBe(versionHash);
  });
});
