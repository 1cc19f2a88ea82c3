/**
 * Fuzzing the loader: configs mutated from the example files and the fixtures below (byte flips,
 * truncations, duplicated and deleted lines, deep nesting, aliases to themselves and to nothing,
 * anchors reused into a "billion laughs", huge scalars, thousands of keys, secrets written as keys
 * and alias names). Each must end, within a bounded time, in a valid config or a `ConfigError`
 * whose every problem has a path and a line (`(file)` for file-level ones), and no secret may
 * show in either.
 *
 * Seeded, so a failure can be replayed: SWITCHYARD_FUZZ_SEED=<seed> SWITCHYARD_FUZZ_RUNS=<n>
 * (SWITCHYARD_FUZZ_VERBOSE=1 prints a summary); a failing input is also written to a file.
 */
import { createSeededRandom } from '../../src/testing/seeded-random.js';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { inspect } from 'node:util';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/config-error.js';
import { parseConfig } from '../../src/config/load.js';
import { errorSurfaces, leakIn } from './leak-check.js';

const SEED = Number(process.env.SWITCHYARD_FUZZ_SEED ?? 0x5eed_c0f1);
const RUNS = Number(process.env.SWITCHYARD_FUZZ_RUNS ?? 300);
/** No single input may take longer (the slowest, ~10,000 keys, take a few hundred ms). */
const PER_INPUT_MS = 3_000;

/**
 * Distinctive secrets: random letters and digits, so no 8-character slice of one is an ordinary
 * word of a message, and none shaped like a known provider key (only the config's own rule finds
 * them).
 */
const SECRET_VARIABLES: Record<string, string> = {
  ANTHROPIC_API_KEY: 'fz7Qx2Lm9Vb4Kp1Zr8Tw',
  OPENAI_API_KEY: 'fz3Hd8Wq1Ny6Jc5Ug2Ek',
  GEMINI_API_KEY: 'fz9Pt4Bs7Xm2Rf6Lv1Yh',
  ONE_API_KEY: 'fz5Ka1Gz8Qe3Wn7Dj4Uc',
  SIM_API_KEY: 'fz2Mv6Tr9Hb1Xq5Ls8Np',
  CANARY_WEBHOOK_SECRET: 'fz8Ec3Yw6Kd2Pz9Gt4Rj',
  AUDIT_KEY: 'fz4Lb9Nq2Vh7Cs1Mx6Fa',
  GATEWAY_TOKEN: 'fz6Rk1Jd5Wp8Ty3Qb9Zm',
};
const REDIS_PASSWORD = 'fz1Xc7Hv4Bn9Qw2Ed5Ry';
const ENV: Record<string, string> = { ...SECRET_VARIABLES, REDIS_URL: `redis://:${REDIS_PASSWORD}@127.0.0.1:6379`, SIM_URL: 'http://127.0.0.1:45678' };
const SECRETS = [...Object.values(SECRET_VARIABLES), REDIS_PASSWORD];

/**
 * The secrets of one input, by the documented rule, judged from its text alone: a variable
 * written as the value of a credential-named key (`apiKey`, `Authorization`, `secret`, `key`), and
 * the password of the Redis URL wherever that is used. A secret text a mutation wrote somewhere
 * else, whose variable no such key uses, is not a secret of that input.
 */
function secretsOf(text: string): string[] {
  const secrets = Object.entries(SECRET_VARIABLES)
    .filter(([name]) => new RegExp(`\\b(?:apiKey|Authorization|secret|key)\\s*:\\s*"?(?:Bearer )?\\$\\{${name}[}:]`).test(text))
    .map(([, value]) => value);
  return text.includes('${REDIS_URL') ? [...secrets, REDIS_PASSWORD] : secrets;
}

const FIXTURES = [
  `x-retry: &retry { attempts: 2, minDelay: 100ms, maxDelay: 1s }
x-provider: &compatible
  type: openai-compatible
  defaultMaxTokens: 1024
providers:
  openai:
    type: openai
    apiKey: "\${OPENAI_API_KEY}"
  gateway:
    <<: *compatible
    baseUrl: http://127.0.0.1:9000/v1
    headers:
      Authorization: "Bearer \${GATEWAY_TOKEN}"
routes:
  gpt:
    targets: [{ provider: openai, model: gpt-4.1, weight: 3 }, { provider: gateway, model: llama }]
    fallbacks: [local]
    policies: { retry: *retry, timeout: { total: 30s } }
  local:
    targets: [{ provider: gateway, model: llama }]
    policies:
      rateLimit: { global: { rps: 5 }, wait: 1s }
      cache: { ttl: 10m }
state:
  redis: { url: "\${REDIS_URL}", failMode: closed }
audit:
  sink: { type: file, path: ./audit.jsonl, rotate: { size: 10MB } }
  pseudonymize: { key: "\${AUDIT_KEY}" }
pricing:
  gpt-4.1: { input: 2, output: 8 }
`,
  `providers:
  anthropic: { type: anthropic, apiKey: "\${ANTHROPIC_API_KEY}" }
routes:
  claude:
    canary:
      baseline: { provider: anthropic, model: claude-2.0 }
      candidate: { provider: anthropic, model: claude-2.1 }
      steps: [{ weight: 5, minDuration: 10m }, { weight: 100 }]
      webhooks:
        - { url: "https://hooks.example.com/canary", secret: "\${CANARY_WEBHOOK_SECRET}" }
metrics: { prefix: sy_ }
filters:
  sensitiveWords: { words: [alpha, beta], action: mask }
`,
];

const CONFIG_DIRECTORY = join(import.meta.dirname, '../../config');
const CORPUS = [
  ...readdirSync(CONFIG_DIRECTORY)
    .filter((name) => name.endsWith('.yaml'))
    .map((name) => readFileSync(join(CONFIG_DIRECTORY, name), 'utf8')),
  ...FIXTURES,
];


type Random = () => number;
const integer = (random: Random, below: number): number => Math.floor(random() * below);
const pick = <T>(random: Random, items: readonly T[]): T => items[integer(random, items.length)] as T;

const SIGNIFICANT = [':', '{', '}', '[', ']', ',', '&', '*', '!', '|', '>', '-', '#', "'", '"', '\n', '\t', ' ', '$', '%', '@', '?', '<', '=', '\\', '\r', '\u0000', '\u00e9', '\ud83d', 'a', '0'];

/** A line's value part (after `key: `), if it has one. */
function valueAt(line: string): number | undefined {
  const colon = line.indexOf(': ');
  return colon === -1 ? undefined : colon + 2;
}

/** Replaces the value of a random `key: value` line. */
function replaceValue(random: Random, text: string, value: string): string {
  const lines = text.split('\n');
  const candidates = lines.map((line, index) => ({ line, index })).filter(({ line }) => valueAt(line) !== undefined && !line.trimStart().startsWith('#'));
  if (candidates.length === 0) return text + value;
  const { line, index } = pick(random, candidates);
  lines[index] = line.slice(0, valueAt(line)) + value;
  return lines.join('\n');
}

const MUTATIONS: Readonly<Record<string, (random: Random, text: string) => string>> = {
  flip: (random, text) => {
    const characters = Array.from(text);
    for (let count = 1 + integer(random, 4); count > 0; count -= 1) characters[integer(random, characters.length)] = pick(random, SIGNIFICANT);
    return characters.join('');
  },
  truncate: (random, text) => text.slice(0, integer(random, text.length)),
  duplicateLine: (random, text) => {
    const lines = text.split('\n');
    const index = integer(random, lines.length);
    lines.splice(random() < 0.7 ? index + 1 : integer(random, lines.length), 0, lines[index] ?? '');
    return lines.join('\n');
  },
  duplicateBlock: (random, text) => {
    const lines = text.split('\n');
    const start = integer(random, lines.length);
    const block = lines.slice(start, start + 2 + integer(random, 8));
    lines.splice(start + block.length, 0, ...block);
    return lines.join('\n');
  },
  deleteLine: (random, text) => {
    const lines = text.split('\n');
    lines.splice(integer(random, lines.length), 1 + integer(random, 3));
    return lines.join('\n');
  },
  indent: (random, text) => {
    const lines = text.split('\n');
    const index = integer(random, lines.length);
    const line = lines[index] ?? '';
    lines[index] = random() < 0.5 ? ' '.repeat(1 + integer(random, 4)) + line : line.replace(/^ {1,4}/, '');
    return lines.join('\n');
  },
  deepNest: (random, text) => {
    const depth = pick(random, [10, 70, 500, 5_000, 50_000]);
    const open = pick(random, ['[', '{a: ', '- ']);
    const close = open === '[' ? ']' : open === '{a: ' ? '}' : '';
    return replaceValue(random, text, open === '- ' ? `\n${Array.from({ length: Math.min(depth, 300) }, (_, level) => `${' '.repeat(level * 2)}- `).join('\n')}x` : `${open.repeat(depth)}1${random() < 0.7 ? close.repeat(depth) : ''}`);
  },
  selfAlias: (random, text) => replaceValue(random, text, pick(random, ['&z [*z]', '&z { a: *z }', '&z { <<: *z }', '&z [[[*z]]]', '&z\n      - b: *z'])),
  unknownAlias: (random, text) => replaceValue(random, text, `*${pick(random, [...SECRETS, 'nowhere', 'sk-live-fz0123456789abcdefXYZ'])}`),
  reuseAnchor: (random, text) => {
    const anchored = replaceValue(random, text, '&shared { attempts: 2, minDelay: 10ms }');
    return replaceValue(random, anchored, '*shared');
  },
  laughs: (random, text) => {
    const levels = ['x-l0: &l0 [a, a, a, a, a, a, a, a, a, a]'];
    for (let level = 1; level < 2 + integer(random, 9); level += 1) levels.push(`x-l${level}: &l${level} [${Array.from({ length: 10 }, () => `*l${level - 1}`).join(', ')}]`);
    return `${levels.join('\n')}\n${text}`;
  },
  mergeOdd: (random, text) => replaceValue(random, text, pick(random, ['{ <<: 3 }', '{ <<: [1, 2] }', '{ <<: *nowhere }', '{ <<: {}, <<: {} }'])),
  hugeScalar: (random, text) => {
    const length = pick(random, [1_000, 100_000, 600_000]);
    const value = pick(random, ['x', '9', 'é', ' ', '$', 'a: ']).repeat(length);
    return replaceValue(random, text, random() < 0.5 ? `"${value}"` : value);
  },
  manyKeys: (random, text) => {
    const count = pick(random, [500, 10_001]);
    return `${text}\nx-many:\n${Array.from({ length: count }, (_, index) => `  k${index % (random() < 0.5 ? count : 97)}: ${index}`).join('\n')}\n`;
  },
  secretAsKey: (random, text) => {
    const lines = text.split('\n');
    lines.splice(integer(random, lines.length), 0, `${' '.repeat(2 * integer(random, 3))}${pick(random, SECRETS)}: ${pick(random, ['1', '{}', pick(random, SECRETS)])}`);
    return lines.join('\n');
  },
  secretAsValue: (random, text) => replaceValue(random, text, pick(random, ['"${OPENAI_API_KEY}"', '${GATEWAY_TOKEN}', pick(random, SECRETS), `"${pick(random, SECRETS)}xyz"`])),
  interpolation: (random, text) => replaceValue(random, text, pick(random, ['${', '${}', '${UNSET}', '${A:-${B}}', '$${x}', '"${ANTHROPIC_API_KEY:-}"', `\${${'N'.repeat(5_000)}}`])),
  documents: (random, text) => pick(random, [`---\n${text}`, `${text}\n---\nextra: 1\n`, `%YAML 1.1\n---\n${text}`, `\ufeff${text}`, text.replace(/\n/g, '\r\n')]),
  tags: (random, text) => replaceValue(random, text, pick(random, ['!!binary aGVsbG8=', '!!set { a, b }', '!!omap [ a: 1 ]', '!x!tag 1', '!<tag:yaml.org,2002:str> 1', '!!timestamp 2001-12-14', '!!int x'])),
};
const NAMES = Object.keys(MUTATIONS);

interface Outcome {
  readonly kind: 'valid' | 'refused';
  readonly milliseconds: number;
}

/** Loads one input and checks the contract; returns what went wrong, if anything. */
function check(text: string): { outcome?: Outcome; failure?: string } {
  const secrets = secretsOf(text);
  const started = performance.now();
  let outcome: Outcome;
  try {
    const config = parseConfig(text, { env: ENV, sourceName: 'fuzz.yaml' });
    const milliseconds = performance.now() - started;
    const leaked = leakIn(`${JSON.stringify(config)}\n${inspect(config, { depth: Infinity })}`, secrets);
    if (leaked !== undefined) return { failure: `the valid config prints "${leaked}"` };
    outcome = { kind: 'valid', milliseconds };
  } catch (error) {
    const milliseconds = performance.now() - started;
    if (!(error instanceof ConfigError)) return { failure: `threw ${inspect(error).slice(0, 1_000)}` };
    if (error.problems.length === 0) return { failure: 'a ConfigError without problems' };
    for (const problem of error.problems) {
      if (typeof problem.path !== 'string' || problem.path === '') return { failure: `a problem without a path: ${JSON.stringify(problem)}` };
      if (problem.line === undefined && problem.path !== '(file)') return { failure: `a problem without a line: ${JSON.stringify(problem)}` };
    }
    for (const [surface, shown] of Object.entries(errorSurfaces(error))) {
      const leaked = leakIn(shown, secrets);
      if (leaked !== undefined) return { failure: `the error's ${surface} shows "${leaked}": ${error.message.slice(0, 1_000)}` };
    }
    outcome = { kind: 'refused', milliseconds };
  }
  if (outcome.milliseconds > PER_INPUT_MS) return { failure: `took ${Math.round(outcome.milliseconds)} ms` };
  return { outcome };
}

describe('fuzzing the config loader', () => {
  it(`${RUNS} mutated configs (seed ${SEED}) each end in a config or a ConfigError with paths and lines, quickly, without secrets`, () => {
    const random = createSeededRandom(SEED);
    const failures: string[] = [];
    const counts = { valid: 0, refused: 0 };
    let slowest = 0;
    for (let run = 0; run < RUNS; run += 1) {
      let text = pick(random, CORPUS);
      const applied: string[] = [];
      for (let count = 1 + integer(random, 3); count > 0; count -= 1) {
        // The costliest mutations (thousands of keys, huge scalars) are drawn less often.
        let name = pick(random, NAMES);
        if ((name === 'manyKeys' || name === 'hugeScalar') && random() < 0.7) name = 'flip';
        applied.push(name);
        text = (MUTATIONS[name] as (random: Random, text: string) => string)(random, text);
      }
      const { outcome, failure } = check(text);
      if (failure !== undefined) {
        // The whole input is kept in a file, to replay it.
        const file = join(mkdtempSync(join(tmpdir(), 'switchyard-fuzz-')), `run-${run}.yaml`);
        writeFileSync(file, text);
        failures.push(`run ${run} (${applied.join(' + ')}): ${failure}\n--- input in ${file}, first 600 characters ---\n${text.slice(0, 600)}`);
      }
      if (outcome !== undefined) {
        counts[outcome.kind] += 1;
        slowest = Math.max(slowest, outcome.milliseconds);
      }
    }
    if (process.env.SWITCHYARD_FUZZ_VERBOSE !== undefined) console.info(`fuzz seed ${SEED}: ${counts.valid} valid, ${counts.refused} refused, slowest ${Math.round(slowest)} ms, ${failures.length} failed`);
    expect(failures.slice(0, 3).join('\n\n')).toBe('');
    // Both outcomes occur: the mutations are neither all harmless nor all fatal.
    expect(counts.valid).toBeGreaterThan(RUNS / 20);
    expect(counts.refused).toBeGreaterThan(RUNS / 2);
    expect(slowest).toBeLessThan(PER_INPUT_MS);
  }, Math.max(20_000, RUNS * 60));
});
