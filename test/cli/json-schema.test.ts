import { readdirSync, readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildConfigJsonSchema } from '../../src/config/json-schema.js';
import { parseConfig } from '../../src/config/index.js';

const ajv = new Ajv2020({ allErrors: true, strict: false });
const validate = ajv.compile(buildConfigJsonSchema());

const BASE = 'providers:\n  anthropic: { type: anthropic, apiKey: k }\n';

/** Cases the loader rejects; the schema must reject them too. */
const REJECTED: readonly (readonly [string, string])[] = [
  ['unknown top-level key', `${BASE}polices: {}\n`],
  ['unknown nested key', 'providers:\n  anthropic: { type: anthropic, apikey: k }\n'],
  ['empty provider type', 'providers:\n  anthropic: { type: "" }\n'],
  ['wrong type (string weight)', `${BASE}routes:\n  r:\n    targets: [{ provider: anthropic, model: m, weight: heavy }]\n`],
  ['negative weight', `${BASE}routes:\n  r:\n    targets: [{ provider: anthropic, model: m, weight: -1 }]\n`],
  ['empty targets', `${BASE}routes:\n  r:\n    targets: []\n`],
  ['bad duration unit', `${BASE}policies:\n  timeout: { total: 5d }\n`],
  ['boolean duration', `${BASE}policies:\n  timeout: { total: true }\n`],
  ['bad jitter enum', `${BASE}policies:\n  retry: { jitter: Full }\n`],
  ['retry attempts not a whole number', `${BASE}policies:\n  retry: { attempts: 1.5 }\n`],
  ['breaker errorRate above 1', `${BASE}policies:\n  breaker: { errorRate: 2 }\n`],
  ['no providers', 'routes: {}\n'],
  ['route name with a slash', `${BASE}routes:\n  a/b:\n    targets: [{ provider: anthropic, model: m }]\n`],
  ['bad audit sink type', `${BASE}audit:\n  sink: { type: fille, path: x }\n`],
  ['bad fsync', `${BASE}audit:\n  sink: { type: file, path: x, fsync: sometimes }\n`],
  ['bad rotate size', `${BASE}audit:\n  sink: { type: file, path: x, rotate: { size: lots } }\n`],
  ['short pseudonymize key', `${BASE}audit:\n  sink: { type: stdout }\n  pseudonymize: { key: short }\n`],
  ['bad sensitive-word action', `${BASE}filters:\n  sensitiveWords: { words: [x], action: shout }\n`],
  ['canary weight over 100', `${BASE}routes:\n  r:\n    canary:\n      baseline: { provider: anthropic, model: a }\n      candidate: { provider: anthropic, model: b }\n      steps: [{ weight: 150 }]\n`],
  ['bad sticky', `${BASE}routes:\n  r:\n    targets: [{ provider: anthropic, model: m }]\n    sticky: session\n`],
];

describe('the JSON Schema of a config', () => {
  it('accepts every shipped config', () => {
    const files = readdirSync('config').filter((name) => name.endsWith('.yaml'));
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (const name of files) {
      const data: unknown = parse(readFileSync(`config/${name}`, 'utf8'), { merge: true });
      const valid = validate(data);
      expect(valid, `${name}: ${ajv.errorsText(validate.errors)}`).toBe(true);
    }
  });

  it.each(REJECTED)('rejects what the loader rejects: %s', (_name, yaml) => {
    expect(() => parseConfig(yaml, { env: {} })).toThrow(/Invalid Switchyard configuration/);
    expect(validate(parse(yaml))).toBe(false);
  });

  it('accepts durations and sizes as strings or numbers, ${VAR}s, and x- keys', () => {
    const yaml = `x-fast: &fast { attempts: 2 }\n${BASE}policies:\n  retry: *fast\n  timeout: { total: 1m30s, connect: 500, idle: "\${IDLE:-30s}" }\naudit:\n  sink: { type: file, path: x, rotate: { size: 512KiB } }\n`;
    expect(() => parseConfig(yaml, { env: {} })).not.toThrow();
    expect(validate(parse(yaml, { merge: true })), ajv.errorsText(validate.errors)).toBe(true);
  });

  it('accepts a custom adapter type, and key pools', () => {
    const yaml = 'providers:\n  mine: { type: echo-llm, baseUrl: "http://127.0.0.1:9" }\n  anthropic:\n    type: anthropic\n    apiKeys: ["${KEY_A}", { key: "${KEY_B}", weight: 3 }]\n    keyPool: { cooldown: 30s }\n';
    expect(() => parseConfig(yaml, { env: { KEY_A: 'key-a-0123456789', KEY_B: 'key-b-0123456789' } })).not.toThrow();
    expect(validate(parse(yaml)), ajv.errorsText(validate.errors)).toBe(true);
    expect(validate(parse('providers:\n  anthropic: { type: anthropic, apiKeys: [{ key: k, weight: 0 }] }\n'))).toBe(false);
  });

  it('documents the known difference: cross-field rules are the loader\'s alone', () => {
    // A target naming a provider that does not exist: valid for the schema, refused by the loader.
    const yaml = `${BASE}routes:\n  r:\n    targets: [{ provider: nobody, model: m }]\n`;
    expect(() => parseConfig(yaml, { env: {} })).toThrow(/unknown provider/);
    expect(validate(parse(yaml))).toBe(true);
    // A typo of a built-in type, or a custom type without baseUrl: the schema cannot tell them from a custom type.
    const typo = 'providers:\n  anthropic: { type: antropic, baseUrl: "http://127.0.0.1:9" }\n';
    expect(() => parseConfig(typo, { env: {} })).toThrow(/did you mean "anthropic"/);
    expect(validate(parse(typo))).toBe(true);
  });
});
