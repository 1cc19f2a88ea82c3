import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REFERENCE_COMMAND, collectReferenceRows, referenceSectionOf, renderConfigReference, replaceReferenceSection } from '../../src/config/config-reference.js';
import { parseDuration } from '../../src/config/duration.js';
import { parseSize } from '../../src/config/size.js';
import { parseConfig } from '../../src/config/index.js';
import { buildConfigJsonSchema } from '../../src/config/json-schema.js';

const PAGE = new URL('../../docs/configuration.md', import.meta.url);

type JsonSchema = Record<string, unknown>;

/** Every key of every object in the JSON Schema, with its schema, however deep and in whichever union branch. */
function everyProperty(schema: unknown, path = ''): { path: string; schema: JsonSchema }[] {
  if (typeof schema !== 'object' || schema === null) return [];
  if (Array.isArray(schema)) return schema.flatMap((item) => everyProperty(item, path));
  const node = schema as JsonSchema;
  const own =
    typeof node.properties === 'object' && node.properties !== null
      ? Object.entries(node.properties as Record<string, JsonSchema>).flatMap(([key, child]) => [{ path: `${path}.${key}`, schema: child }, ...everyProperty(child, `${path}.${key}`)])
      : [];
  const nested = Object.entries(node)
    .filter(([key]) => key !== 'properties')
    .flatMap(([, value]) => everyProperty(value, path));
  return [...own, ...nested];
}

/** The values of an enum row's type (`` `chat` | `embedding` ``), or undefined for any other type. */
function enumValuesOf(type: string): string[] | undefined {
  const values = type.split(' | ').map((part) => /^`([^`]+)`$/.exec(part)?.[1]);
  return values.length > 1 && values.every((value) => value !== undefined) ? (values) : undefined;
}

describe('the configuration reference', () => {
  it('in docs/configuration.md is the one generated from the schema', () => {
    const page = readFileSync(PAGE, 'utf8');
    const expected = referenceSectionOf(replaceReferenceSection(page, renderConfigReference()));
    expect(referenceSectionOf(page), `docs/configuration.md is out of date: run ${REFERENCE_COMMAND}`).toBe(expected);
  });

  it('describes every key of the schema in one line', () => {
    const properties = everyProperty(buildConfigJsonSchema());
    expect(properties.length).toBeGreaterThan(100);
    const undescribed = properties.filter((property) => typeof property.schema.description !== 'string' || property.schema.description.trim() === '').map((property) => property.path);
    expect(undescribed).toEqual([]);
    const multiline = properties.filter((property) => String(property.schema.description).includes('\n')).map((property) => property.path);
    expect(multiline).toEqual([]);
  });

  it('lists every leaf key with a type and a description', () => {
    const rows = collectReferenceRows();
    const leaves = rows.filter((row) => row.leaf);
    expect(leaves.length).toBeGreaterThan(60);
    expect(leaves.filter((row) => row.description === '' || row.type === '' || row.type === 'any').map((row) => row.path)).toEqual([]);
    for (const section of ['providers', 'routes', 'routes.<name>.canary', 'policies', 'state', 'allowDirect', 'pricing', 'audit', 'metrics', 'filters']) {
      expect(rows.some((row) => row.section === section), section).toBe(true);
    }
    expect(new Set(rows.map((row) => row.path)).size).toBe(rows.length);
  });

  /** Defaults written as one value (`` `5s` ``) that differ from what the loader fills in. */
  it('gives the defaults the loader applies', () => {
    const resolved = parseConfig(
      [
        'providers:',
        '  p: { type: anthropic, apiKeys: [{ key: pool-key-0123456789 }], keyPool: {} }',
        'routes:',
        '  r: { targets: [{ provider: p, model: m }] }',
        '  c:',
        '    canary:',
        '      baseline: { provider: p, model: a }',
        '      candidate: { provider: p, model: b }',
        '      steps: [{ weight: 10 }]',
        '      webhooks: [{ url: "https://example.com/hook" }]',
        'policies: { rateLimit: {}, cache: {} }',
        'state: { redis: { url: "redis://localhost:6379" } }',
        'audit: { sink: { type: file, path: audit.log } }',
        'filters: { sensitiveWords: { words: [] } }',
        'gateway: { keys: [{ name: app, key: sy-aaaaaaaaaaaaaaaaaaaaaaaa }], timeouts: {}, store: {}, log: {} }',
      ].join('\n'),
      { env: {} },
    ) as unknown;
    // Not the value at the same path: a route's policies resolve to the merged copy, `routes` to the routes above.
    const different = new Set(['routes', 'routes.<name>.policies', 'providers.<id>.pool.connectTimeout', 'gateway.keys']);
    // Enum defaults the loader leaves out, so configs written before the key existed keep their `versionHash`.
    const defaultWhenAbsent = new Set(['routes.<name>.kind']);
    const checked: string[] = [];
    for (const row of collectReferenceRows()) {
      const literal = /^`([^`]+)`$/.exec(row.defaultValue)?.[1];
      if (literal === undefined || different.has(row.path)) continue;
      const segments = row.path
        .replace(/<id>/g, 'p')
        .replace(/<name>/g, row.path.includes('.canary') ? 'c' : 'r')
        .replace(/\[\]/g, '.0')
        .split('.');
      const key = segments.pop() ?? '';
      const parent = segments.reduce<unknown>((value, segment) => (value as Record<string, unknown> | undefined)?.[segment], resolved) as Record<string, unknown> | undefined;
      const enumValues = enumValuesOf(row.type);
      if (enumValues !== undefined) expect(enumValues, `${row.path}: the default is one of its values`).toContain(literal);
      if (parent !== undefined && defaultWhenAbsent.has(row.path)) {
        expect(enumValues, `${row.path}: only an enum default may be left out`).toBeDefined();
        expect(key in parent, `${row.path}: the loader leaves the default out`).toBe(false);
      } else if (parent !== undefined && key in parent) {
        let expected: unknown;
        try {
          expected = parse(literal);
        } catch {
          expected = literal;
        }
        expect(parent[key], row.path).toEqual(expected);
      } else if (row.type === 'size') {
        expect(parent?.[`${key}Bytes`], row.path).toBe(parseSize(literal));
      } else if (row.type === 'duration') {
        expect(parent?.[`${key}Ms`], row.path).toBe(literal === '0' ? 0 : parseDuration(literal));
      } else {
        expect.fail(`${row.path}: the loader does not fill in its documented default ${row.defaultValue}`);
      }
      checked.push(row.path);
    }
    expect(checked.length).toBeGreaterThan(50);
  });
});
