import { describe, expect, it } from 'vitest';
import { ConfigError, type ConfigProblem } from '../../src/config/config-error.js';
import { parseConfig, resolveConfig } from '../../src/config/load.js';
import { SwitchyardError } from '../../src/errors.js';

/** Parses YAML that must fail and returns the thrown error. */
function failure(yaml: string, env: Record<string, string> = {}): ConfigError {
  try {
    parseConfig(yaml, { env, sourceName: 'test.yaml' });
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected the config to be refused');
}

function problem(yaml: string, env: Record<string, string> = {}): ConfigProblem {
  const { problems } = failure(yaml, env);
  expect(problems).toHaveLength(1);
  return problems[0] as ConfigProblem;
}

const PROVIDERS = `providers:
  anthropic:
    type: anthropic
    apiKey: test-key
  openai:
    type: openai
`;

describe('a broken config', () => {
  it('throws one SwitchyardError of category config listing path, wording and line', () => {
    const error = failure(`${PROVIDERS}routes:
  claude:
    targets:
      - provider: anthropic
        model: a
      - provider: anthropic
        model: b
        weight: -1
`);
    expect(SwitchyardError.isInstance(error)).toBe(true);
    expect(error.category).toBe('config');
    expect(error.retryable).toBe(false);
    expect(ConfigError.isConfigError(error)).toBe(true);
    expect(error.message).toBe(
      'Invalid Switchyard configuration in test.yaml (1 problem):\n  routes.claude.targets[1].weight: expected a number ≥ 0 (line 14)',
    );
    expect(error.problems).toEqual([{ path: 'routes.claude.targets[1].weight', message: 'expected a number ≥ 0', line: 14 }]);
  });

  it('names a value of the wrong type and what it got', () => {
    expect(problem(`${PROVIDERS}routes:
  claude:
    targets:
      - provider: anthropic
        model: a
        weight: heavy
`)).toEqual({ path: 'routes.claude.targets[0].weight', message: 'expected a number, got a string', line: 12 });
  });

  it('names an unknown key on the key line and suggests the right spelling', () => {
    expect(problem(`providers:
  anthropic:
    type: anthropic
    apikey: test-key
`)).toEqual({ path: 'providers.anthropic.apikey', message: 'unknown key "apikey" (did you mean "apiKey"?)', line: 4 });
  });

  it('lists the allowed keys when nothing is close', () => {
    const found = problem(`${PROVIDERS}policies:
  retry:
    foo: 1
`);
    expect(found.path).toBe('policies.retry.foo');
    expect(found.message).toBe('unknown key "foo" (allowed: attempts, minDelay, maxDelay, factor, jitter, on, budget)');
    expect(found.line).toBe(9);
  });

  it('names an unknown provider in a target', () => {
    expect(problem(`${PROVIDERS}routes:
  claude:
    targets:
      - provider: antropic
        model: a
`)).toEqual({ path: 'routes.claude.targets[0].provider', message: 'unknown provider "antropic" (configured: anthropic, openai)', line: 10 });
  });

  it('names a fallback to a route that does not exist', () => {
    expect(problem(`${PROVIDERS}routes:
  claude:
    targets: [{ provider: anthropic, model: a }]
    fallbacks: [gpt5]
`)).toEqual({ path: 'routes.claude.fallbacks[0]', message: 'unknown route "gpt5" (configured: claude)', line: 10 });
  });

  it('finds a fallback cycle and shows it', () => {
    expect(problem(`${PROVIDERS}routes:
  claude:
    targets: [{ provider: anthropic, model: a }]
    fallbacks: [gpt4]
  gpt4:
    targets: [{ provider: openai, model: b }]
    fallbacks:
      - claude
`)).toEqual({
      path: 'routes.gpt4.fallbacks[0]',
      message: 'fallback cycle: claude → gpt4 → claude (a route must not fall back to itself, directly or through others)',
      line: 14,
    });
  });

  it('finds a route that falls back to itself', () => {
    expect(problem(`${PROVIDERS}routes:
  claude:
    targets: [{ provider: anthropic, model: a }]
    fallbacks: [claude]
`).message).toMatch(/^fallback cycle: claude → claude/);
  });

  it('takes an unknown type for a custom adapter type, which needs a baseUrl, and lists the built-in ones', () => {
    const found = problem(`providers:
  mistral:
    type: mistral
`);
    expect(found).toMatchObject({ path: 'providers.mistral.baseUrl', line: 3 });
    expect(found.message).toMatch(/^required for type mistral: not a built-in type \(anthropic \| openai \| azure-openai \| gemini \| openai-compatible.*\), so a custom adapter serves it/);
  });

  it('refuses a type a letter or two off a built-in one', () => {
    const found = problem(`providers:
  anthropic:
    type: antropic
    baseUrl: http://127.0.0.1:9
`);
    expect(found).toMatchObject({ path: 'providers.anthropic.type', line: 3 });
    expect(found.message).toMatch(/\(did you mean "anthropic"\?\), or the name of a custom adapter type$/);
  });

  it('says a missing key is required, at the line of its mapping', () => {
    expect(problem(`${PROVIDERS}routes:
  claude:
    targets:
      - provider: anthropic
`)).toEqual({ path: 'routes.claude.targets[0].model', message: 'required', line: 10 });
  });

  it('names the built-in types when a provider has no type (any other name being a custom adapter type)', () => {
    expect(problem(`providers:
  mistral:
    apiKey: x
`)).toEqual({
      path: 'providers.mistral.type',
      message: 'required (one of anthropic | openai | azure-openai | gemini | openai-compatible | bedrock | vertex, or a string)',
      line: 3,
    });
  });

  it('explains a bad duration', () => {
    expect(problem(`${PROVIDERS}policies:
  timeout:
    total: 2 minutes
`)).toEqual({
      path: 'policies.timeout.total',
      message: '"2 minutes" is not a valid duration: the number 2 has no unit; use ms, s, m or h',
      line: 9,
    });
    expect(problem(`${PROVIDERS}policies:
  breaker:
    openFor: 0s
`)).toEqual({ path: 'policies.breaker.openFor', message: 'expected a duration greater than 0', line: 9 });
  });

  it('names the line of a YAML syntax error', () => {
    const error = failure(`providers:
  anthropic:
    type: anthropic
    headers: { a: 1
routes: {}
`);
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]?.path).toBe('YAML syntax');
    expect(error.problems[0]?.line).toBeGreaterThanOrEqual(4);
    expect(error.message).toMatch(/YAML syntax: .+ \(line \d+\)/);
  });

  it('hints at quoting when ${...} breaks a flow mapping, once per line', () => {
    const error = failure(`providers:
  two:
    type: gemini
    pool: { connections: \${CONNECTIONS} }
`);
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatchObject({ path: 'YAML syntax', line: 4, message: expect.stringContaining('put values using ${...} in quotes') });
  });

  it('reports a key written twice at its path and second line, naming the first', () => {
    expect(problem(`providers:
  a: { type: openai }
  a: { type: gemini }
`)).toEqual({ path: 'providers.a', message: 'this key is written twice in one mapping (first on line 2)', line: 3 });
  });

  it('reports an unset variable with its name, path and line', () => {
    expect(problem(`providers:
  anthropic:
    type: anthropic
    apiKey: \${ANTHROPIC_API_KEY}
`)).toMatchObject({ path: 'providers.anthropic.apiKey', message: expect.stringMatching(/^environment variable ANTHROPIC_API_KEY is not set/), line: 4 });
  });

  it('reports a variable once, not again as the invalid value it left behind', () => {
    const { problems } = failure(`providers:
  one-api:
    type: openai-compatible
    baseUrl: \${ONE_API_URL}
`);
    expect(problems.map((found) => found.path)).toEqual(['providers.one-api.baseUrl']);
    expect(problems[0]?.message).toMatch(/ONE_API_URL is not set/);
  });

  it('checks base URLs', () => {
    expect(problem(`providers:
  local:
    type: openai-compatible
`)).toEqual({ path: 'providers.local.baseUrl', message: 'required for type openai-compatible', line: 3 });
    expect(problem(`providers:
  local:
    type: openai-compatible
    baseUrl: ftp://example.com
`)).toEqual({ path: 'providers.local.baseUrl', message: 'expected an http:// or https:// URL', line: 4 });
    expect(problem(`providers:
  local:
    type: openai
    baseUrl: https://example.com/v1?key=abc
`).message).toMatch(/must not contain a query/);
  });

  it('refuses targets whose weights add up to 0, and a route without targets', () => {
    expect(problem(`${PROVIDERS}routes:
  claude:
    targets:
      - { provider: anthropic, model: a, weight: 0 }
`)).toEqual({ path: 'routes.claude.targets', message: 'the weights add up to 0; give at least one target a weight above 0', line: 10 });
    expect(problem(`${PROVIDERS}routes:
  claude:
    targets: []
`)).toEqual({ path: 'routes.claude.targets', message: 'expected at least 1 item', line: 9 });
  });

  it('refuses a minDelay above maxDelay where the override is written', () => {
    expect(problem(`${PROVIDERS}policies:
  retry: { maxDelay: 5s }
routes:
  claude:
    targets: [{ provider: anthropic, model: a }]
    policies:
      retry:
        minDelay: 6s
`)).toEqual({ path: 'routes.claude.policies.retry.minDelay', message: 'minDelay (6s) must not be greater than maxDelay (5s)', line: 14 });
  });

  it('refuses a connect timeout in a route, where it could not apply', () => {
    expect(problem(`${PROVIDERS}routes:
  claude:
    targets: [{ provider: anthropic, model: a }]
    policies:
      timeout: { connect: 1s }
`)).toEqual({
      path: 'routes.claude.policies.timeout.connect',
      message: 'a route cannot set a connect timeout: connections are pooled per provider; set providers.<id>.pool.connectTimeout',
      line: 11,
    });
  });

  it('explains a value that fits neither form of a union', () => {
    expect(problem(`${PROVIDERS}policies:
  cache: yes please
`)).toEqual({ path: 'policies.cache', message: 'expected false or a mapping, got a string', line: 8 });
  });

  it('refuses route names and provider ids containing "/"', () => {
    expect(problem(`providers:
  "a/b": { type: openai }
`)).toEqual({ path: 'providers["a/b"]', message: 'invalid key: a name must be non-empty and contain no "/" or whitespace', line: 2 });
  });

  it('gives one line per problem when there are several, ordered by line', () => {
    const error = failure(`providers:
  anthropic:
    type: anthropic
    apiKey: 42
  bogus:
    type: bogus
routes:
  claude:
    targets:
      - { provider: nowhere, model: a, weight: -3 }
    sticky: sometimes
    fallbacks: [missing]
policies:
  retry:
    attempts: 0
    minDelay: soon
allowDirect: maybe
extra: 1
`);
    expect(error.problems.map((found) => `${found.path} @${found.line}`)).toEqual([
      'providers.anthropic.apiKey @4',
      'providers.bogus.baseUrl @6',
      'routes.claude.targets[0].provider @10',
      'routes.claude.targets[0].weight @10',
      'routes.claude.sticky @11',
      'routes.claude.fallbacks[0] @12',
      'policies.retry.attempts @15',
      'policies.retry.minDelay @16',
      'allowDirect @17',
      'extra @18',
    ]);
    const lines = error.message.split('\n');
    expect(lines[0]).toBe('Invalid Switchyard configuration in test.yaml (10 problems):');
    expect(lines).toHaveLength(11);
    expect(lines[1]).toBe('  providers.anthropic.apiKey: expected a string, got a number (line 4)');
  });

  it('reports problems of a typed object by path, without lines', () => {
    let thrown: unknown;
    try {
      // @ts-expect-error: the weight is deliberately of the wrong type.
      resolveConfig({ providers: { openai: { type: 'openai' } }, routes: { r: { targets: [{ provider: 'openai', model: 'm', weight: '2' }] } } });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).problems).toEqual([{ path: 'routes.r.targets[0].weight', message: 'expected a number, got a string' }]);
  });
});

describe('secrets in errors', () => {
  const SECRET = 'plain-secret-value-9f8e7d';

  it('never echoes an apiKey, even when the same value is misplaced into a field that is echoed', () => {
    const error = failure(
      `providers:
  anthropic:
    type: anthropic
    apiKey: \${ANTHROPIC_API_KEY}
policies:
  timeout:
    total: \${ANTHROPIC_API_KEY}
`,
      { ANTHROPIC_API_KEY: SECRET },
    );
    expect(error.problems[0]?.path).toBe('policies.timeout.total');
    expect(error.message).not.toContain(SECRET);
    expect(JSON.stringify(error.problems)).not.toContain(SECRET);
    expect(JSON.stringify(error.toJSON())).not.toContain(SECRET);
  });

  it('does not echo a value that fails validation in the apiKey field', () => {
    const error = failure(`providers:
  anthropic:
    type: anthropic
    apiKey: [${SECRET}]
`);
    expect(error.problems).toEqual([{ path: 'providers.anthropic.apiKey', message: 'expected a string, got a list', line: 4 }]);
    expect(error.message).not.toContain(SECRET);
  });

  it('does not echo a secret header or a key placed in a URL', () => {
    const error = failure(`providers:
  one:
    type: openai-compatible
    baseUrl: https://user:${SECRET}@example.com
    headers:
      Authorization: Bearer \${TOKEN}
  two:
    type: gemini
    pool: { connections: "\${TOKEN}" }
`, { TOKEN: 'tok-abcdef-123456' });
    expect(error.message).not.toContain(SECRET);
    expect(error.message).not.toContain('tok-abcdef-123456');
    expect(error.problems.map((found) => found.path)).toEqual(['providers.one.baseUrl', 'providers.two.pool.connections']);
  });
});
