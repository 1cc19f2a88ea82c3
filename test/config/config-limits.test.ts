import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, type ConfigProblem } from '../../src/config/config-error.js';
import { CONFIG_LIMITS } from '../../src/config/limits.js';
import { loadConfig, parseConfig, resolveConfig } from '../../src/config/load.js';

const PROVIDERS = 'providers:\n  openai: { type: openai }\n';

/** The error a config must end in (anything else thrown fails the test), and how long it took. */
function refused(load: () => unknown): { error: ConfigError; milliseconds: number } {
  const started = performance.now();
  try {
    load();
  } catch (error) {
    if (error instanceof ConfigError) return { error, milliseconds: performance.now() - started };
    throw error;
  }
  throw new Error('expected the config to be refused');
}

function problemsOf(yaml: string): ConfigProblem[] {
  return refused(() => parseConfig(yaml, { env: {} })).error.problems as ConfigProblem[];
}

describe('aliases that refer to themselves', () => {
  it.each([
    ['a list holding itself', `${PROVIDERS}policies:\n  retry: &r [*r]\n`, 'policies.retry[0]', 4],
    ['a mapping holding itself', `${PROVIDERS}policies:\n  retry: &loop { attempts: *loop }\n`, 'policies.retry.attempts', 4],
    ['a mapping merging itself', `${PROVIDERS}x-base: &loop\n  <<: *loop\n`, 'x-base', 4],
    ['a cycle two levels down', `${PROVIDERS}x-a: &a\n  b:\n    - c: *a\n`, 'x-a.b[0].c', 5],
  ])('%s is a config error at the alias, not a stack overflow', (_label, yaml, path, line) => {
    expect(problemsOf(yaml)).toEqual([
      { path, message: 'this alias refers to a node that contains it (a cycle); an alias must not refer to an enclosing mapping or list', line },
    ]);
  });

  it('an alias to an anchor defined later, or never, names its path and line', () => {
    expect(problemsOf(`${PROVIDERS}policies:\n  retry: *later\nx-later: &later { attempts: 2 }\n`)).toEqual([
      { path: 'policies.retry', message: 'this alias (*name) refers to no anchor (&name) defined before it', line: 4 },
    ]);
  });

  it('a typed object that contains itself', () => {
    const input: Record<string, unknown> = { providers: { openai: { type: 'openai' } } };
    input.policies = { retry: input };
    expect(refused(() => resolveConfig(input as never)).error.problems).toEqual([{ path: 'policies.retry', message: 'this object contains itself (a cycle)' }]);
  });

  it('aliases shared many times are fine, and a billion laughs is refused before it is expanded', () => {
    const shared = `${PROVIDERS}x-retry: &fast { attempts: 2 }\nroutes:\n${Array.from({ length: 500 }, (_, index) => `  r${index}: { targets: [{ provider: openai, model: m }], policies: { retry: *fast } }`).join('\n')}\n`;
    expect(Object.keys(parseConfig(shared, { env: {} }).routes)).toHaveLength(500);

    const levels = ['x-l0: &l0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let level = 1; level < 9; level += 1) levels.push(`x-l${level}: &l${level} [${Array.from({ length: 10 }, () => `*l${level - 1}`).join(', ')}]`);
    const { error, milliseconds } = refused(() => parseConfig(`${PROVIDERS}${levels.join('\n')}\n`, { env: {} }));
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatchObject({ path: 'x-l4[7]', line: 7, message: expect.stringContaining(`more than ${CONFIG_LIMITS.maxValues} values`) });
    expect(milliseconds).toBeLessThan(2_000);
  });
});

describe('nesting', () => {
  it(`refuses more than ${CONFIG_LIMITS.maxDepth} levels, naming the limit, the path and the line`, () => {
    const problems = problemsOf(`${PROVIDERS}x-deep: ${'['.repeat(100)}${']'.repeat(100)}\n`);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ message: `nested deeper than ${CONFIG_LIMITS.maxDepth} levels; this is the limit`, line: 3 });
    expect(problems[0]?.path).toMatch(/^x-deep(\[0\])+/);
    expect(() => parseConfig(`${PROVIDERS}x-deep: ${'['.repeat(60)}${']'.repeat(60)}\n`, { env: {} })).not.toThrow();
  });

  it('nesting too deep for the parser is a syntax error in words, not a stack overflow', () => {
    const { error, milliseconds } = refused(() => parseConfig(`${PROVIDERS}x-deep: ${'{a: '.repeat(50_000)}\n`, { env: {} }));
    expect(error.problems[0]).toMatchObject({ path: 'YAML syntax', message: expect.stringContaining('nested too deeply'), line: 3 });
    expect(error.message).not.toMatch(/call stack/);
    expect(milliseconds).toBeLessThan(5_000);
  });

  it('text on which the parser itself runs out of stack is a file-level error', () => {
    const demo = readFileSync(join(import.meta.dirname, '../../config/demo.yaml'), 'utf8');
    const text = demo.replace('type: openai\n', `type: ${'a: '.repeat(20_000)}\n`);
    expect(refused(() => parseConfig(text, { env: {} })).error.problems).toEqual([{ path: '(file)', message: 'the YAML nests too deeply to be read' }]);
  });

  it('text that falls apart into a piece per character is refused as a whole, quickly', () => {
    const { error, milliseconds } = refused(() => parseConfig(`${PROVIDERS}${'}'.repeat(200_000)}\n`, { env: {} }));
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatchObject({ path: '(file)', message: expect.stringMatching(/^the YAML breaks into more than 50000 top-level pieces/) });
    // Before the bound, a million of these took 17 s (an error object each).
    expect(milliseconds).toBeLessThan(2_000);
  });

  it('a typed object nested too deeply', () => {
    let deep: unknown = 1;
    for (let level = 0; level < 10_000; level += 1) deep = { a: deep };
    const { error } = refused(() => resolveConfig({ providers: { openai: { type: 'openai' } }, policies: deep } as never));
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]?.message).toBe(`nested deeper than ${CONFIG_LIMITS.maxDepth} levels; this is the limit`);
  });
});

describe('size and key counts', () => {
  it(`refuses text over ${CONFIG_LIMITS.maxBytes / 1024} KiB with a file-level error naming the limit, without parsing it`, () => {
    const text = `${PROVIDERS}x-pad: "${'é'.repeat(CONFIG_LIMITS.maxBytes / 2)}"\n`;
    const { error, milliseconds } = refused(() => parseConfig(text, { env: {}, sourceName: 'big.yaml' }));
    // Counted in UTF-8 bytes: the text has fewer characters than the limit.
    expect(text.length).toBeLessThan(CONFIG_LIMITS.maxBytes);
    expect(error.problems).toEqual([{ path: '(file)', message: `is ${Buffer.byteLength(text)} bytes long; a config may be at most 262144 bytes (256 KiB)` }]);
    expect(error.message).toMatch(/^Invalid Switchyard configuration in big\.yaml/);
    expect(milliseconds).toBeLessThan(500);
  });

  it('loadConfig checks the size before reading the file', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'switchyard-limits-')), 'big.yaml');
    writeFileSync(file, `${PROVIDERS}${'#'.repeat(2 * CONFIG_LIMITS.maxBytes)}\n`);
    const { error } = refused(() => loadConfig(file, { env: {} }));
    expect(error.problems[0]).toMatchObject({ path: '(file)', message: expect.stringContaining('at most 262144 bytes') });
  });

  it(`refuses a mapping of more than ${CONFIG_LIMITS.maxKeysPerMapping} keys, at its path and line`, () => {
    const keys = Array.from({ length: CONFIG_LIMITS.maxKeysPerMapping + 1 }, (_, index) => `  m${index}: 1`).join('\n');
    const { error, milliseconds } = refused(() => parseConfig(`${PROVIDERS}pricing:\n${keys}\n`, { env: {} }));
    expect(error.problems).toEqual([{ path: 'pricing', message: 'a mapping with 10001 keys; at most 10000 are allowed in one mapping', line: 4 }]);
    expect(milliseconds).toBeLessThan(5_000);
  });

  it('finds a key written twice among thousands in linear time, naming both lines', () => {
    const keys = Array.from({ length: 9_000 }, (_, index) => `  m${index}: { input: 1 }`).join('\n');
    const { error, milliseconds } = refused(() => parseConfig(`${PROVIDERS}pricing:\n${keys}\n  m7: { input: 3 }\n`, { env: {} }));
    expect(error.problems).toEqual([{ path: 'pricing.m7', message: 'this key is written twice in one mapping (first on line 11)', line: 9_004 }]);
    // The parser's own check took 1.5 s for 10,000 keys and grew with the square of the count.
    expect(milliseconds).toBeLessThan(5_000);
  });

  it('counts keys that become the same text (1 and "1") as written twice; merged keys are not duplicates', () => {
    expect(problemsOf(`${PROVIDERS}x-a: { 1: a, "1": b }\n`)).toEqual([{ path: 'x-a["1"]', message: 'this key is written twice in one mapping (first on line 3)', line: 3 }]);
    const merged = parseConfig(`x-base: &base { type: openai, defaultMaxTokens: 10 }\nproviders:\n  openai:\n    <<: *base\n    defaultMaxTokens: 20\n`, { env: {} });
    expect(merged.providers.openai?.defaultMaxTokens).toBe(20);
  });

  it('refuses a merge of something other than mappings, and a key that is a mapping', () => {
    expect(problemsOf(`${PROVIDERS}x-a:\n  <<: 3\n`)).toEqual([{ path: 'x-a', message: 'a merge key (<<) takes a mapping, an alias to one, or a list of those', line: 4 }]);
    expect(problemsOf(`${PROVIDERS}x-a:\n  ? [1, 2]\n  : 3\n`)).toEqual([{ path: 'x-a', message: 'a key must be a plain value (a name), not a mapping or a list', line: 4 }]);
  });
});

describe('long values in messages', () => {
  it('quotes at most 40 characters of a value, then …', () => {
    const problems = problemsOf(`${PROVIDERS}policies:\n  timeout: { total: "${'9'.repeat(100_000)}", idle: "1${'x'.repeat(100_000)}" }\n`);
    expect(problems.map((problem) => problem.path)).toEqual(['policies.timeout.idle', 'policies.timeout.total']);
    for (const problem of problems) expect(problem.message.length).toBeLessThan(300);
    expect(problems[1]?.message).toMatch(/^"9{40}…" is not a valid duration/);
    expect(problems[0]?.message).toBe(`"1${'x'.repeat(39)}…" is not a valid duration: unknown unit "${'x'.repeat(40)}…"; use ms, s, m or h`);
  });

  it('cuts long names: an unknown key, provider, route, variable, and the paths they are in', () => {
    // Just under the 1024 characters YAML allows an implicit key.
    const long = 'n'.repeat(1_000);
    const problems = problemsOf(`${PROVIDERS}${long}: 1
routes:
  ${long}:
    targets: [{ provider: ${long}, model: m }]
    fallbacks: [${long}x]
    policies: { timeout: { total: "\${${long}}" } }
`);
    expect(problems).toHaveLength(4);
    for (const problem of problems) {
      expect(problem.path.length).toBeLessThanOrEqual(201);
      expect(problem.message.length).toBeLessThanOrEqual(501);
    }
    expect(problems[0]?.message).toBe(`unknown key "${'n'.repeat(40)}…" (allowed: providers, routes, policies, state, allowDirect, pricing, audit, metrics, filters, gateway)`);
  });

  it('lists at most 100 problems and counts the others', () => {
    const routes = Array.from({ length: 150 }, (_, index) => `  r${index}: { targets: [{ provider: nowhere, model: m }] }`).join('\n');
    const { error } = refused(() => parseConfig(`${PROVIDERS}routes:\n${routes}\n`, { env: {} }));
    expect(error.problems).toHaveLength(CONFIG_LIMITS.maxProblems);
    expect(error.omittedProblems).toBe(50);
    // The message lists what fits in a few kilobytes, and counts the rest.
    const lines = error.message.split('\n');
    const listed = lines.length - 2;
    expect(listed).toBeGreaterThan(20);
    expect(lines[0]).toBe(`Invalid Switchyard configuration (150 problems, the first ${listed} listed):`);
    expect(lines.at(-1)).toBe(`  … and ${150 - listed} more`);
    expect(error.message.length).toBeLessThan(4_000);
    expect(JSON.parse(JSON.stringify(error))).toMatchObject({ omittedProblems: 50 });
  });

  it('a fallback chain through thousands of routes: one cycle, shortened, and no stack overflow', () => {
    const count = 2_000;
    const routes = Array.from({ length: count }, (_, index) => `  r${index}: { targets: [{ provider: openai, model: m }], fallbacks: [r${(index + 1) % count}] }`).join('\n');
    const { error } = refused(() => parseConfig(`${PROVIDERS}routes:\n${routes}\n`, { env: {} }));
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]?.path).toBe(`routes.r${count - 1}.fallbacks[0]`);
    expect(error.problems[0]?.message).toMatch(/^fallback cycle: r0 → r1 → .* → … \(1993 more\) → r0 \(a route must not/);
  });
});
