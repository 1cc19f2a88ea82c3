import { inspect, format } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/config-error.js';
import { parseConfig, resolveConfig } from '../../src/config/load.js';
import { createRouter } from '../../src/create-router.js';
import { expectNoLeak, leakIn } from './leak-check.js';

/** One distinctive value per kind of secret; none has the shape of a known provider key. */
const ENV = {
  OPENAI_KEY: 'zqOpenAI-4d9a7c2e8f1b6d30',
  GATEWAY_TOKEN: 'zqGateway-6b2e9f4a1c8d7e53',
  REDIS_PASSWORD: 'zqRedis-9c4f1a7e3b6d2f85',
  AUDIT_KEY: 'zqAudit-2f8b5d1e9a4c7b62',
  HOOK_SECRET: 'zqHook-7e1c4a9f2d6b3e18',
} as const;
const SECRETS = Object.values(ENV);

/** A config holding every kind of secret, each from the environment. */
const FULL = `providers:
  openai:
    type: openai
    apiKey: "\${OPENAI_KEY}"
  gateway:
    type: openai-compatible
    baseUrl: http://127.0.0.1:9000/v1
    headers:
      Authorization: "Bearer \${GATEWAY_TOKEN}"
state:
  redis:
    url: "redis://:\${REDIS_PASSWORD}@127.0.0.1:6379"
audit:
  sink: { type: stdout }
  pseudonymize: { key: "\${AUDIT_KEY}" }
routes:
  rollout:
    canary:
      baseline: { provider: openai, model: a }
      candidate: { provider: openai, model: b }
      steps: [{ weight: 5 }, { weight: 100 }]
      webhooks:
        - { url: "https://hooks.example.com/canary", secret: "\${HOOK_SECRET}" }
`;

function refused(yaml: string, env: Record<string, string> = ENV): ConfigError {
  try {
    parseConfig(yaml, { env, sourceName: 'secrets.yaml' });
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected the config to be refused');
}

describe('config errors never show a secret of the file', () => {
  const variables = Object.keys(ENV) as (keyof typeof ENV)[];

  it.each(variables)('%s placed where values are quoted (duration, provider, fallback)', (name) => {
    const error = refused(`${FULL}  echo:
    targets: [{ provider: "\${${name}}", model: m }]
    fallbacks: ["\${${name}}"]
    policies: { timeout: { total: "\${${name}}" } }
`);
    expect(error.problems.map((problem) => problem.path)).toEqual(['routes.echo.targets[0].provider', 'routes.echo.fallbacks[0]', 'routes.echo.policies.timeout.total']);
    expect(error.problems.every((problem) => problem.line !== undefined)).toBe(true);
    expectNoLeak(error, SECRETS);
  });

  it.each(variables)('%s written as a mapping key and a route name', (name) => {
    const secret = ENV[name];
    const error = refused(`${FULL}  ${secret}:
    targets: [{ provider: nowhere, model: m }]
${secret}: 1
`);
    expect(error.problems.map((problem) => `${problem.path} @${problem.line}`)).toEqual(['routes.[redacted].targets[0].provider @25', '[redacted] @26']);
    expectNoLeak(error, SECRETS);
  });

  it.each(variables)('%s as the name of an unresolved alias (the YAML step, which fails before validation)', (name) => {
    const error = refused(`${FULL}policies:\n  retry: *${ENV[name]}\n`);
    expect(error.problems).toEqual([{ path: 'policies.retry', message: 'this alias (*name) refers to no anchor (&name) defined before it', line: 25 }]);
    expectNoLeak(error, SECRETS);
  });

  it.each([
    ['a tag with an unknown handle', (secret: string) => `policies: !x!${secret} {}\n`],
    ['a block scalar header with extra characters', (secret: string) => `policies: |${secret}\n  text\n`],
    ['an unterminated quote', (secret: string) => `policies: "${secret}\n`],
    ['a bad escape', (secret: string) => `policies: "\\q${secret}"\n`],
    ['a flow mapping left open', (secret: string) => `policies: { retry: ${secret}\n`],
    ['a second document', (secret: string) => `---\n${secret}: 1\n`],
  ])('YAML syntax errors: %s', (_label, write) => {
    for (const secret of SECRETS) {
      const error = refused(`${FULL}${write(secret)}`);
      expect(error.problems.length).toBeGreaterThan(0);
      for (const problem of error.problems) expect(problem.line).toBeGreaterThan(0);
      expectNoLeak(error, SECRETS);
    }
  });

  it('also a literal key, and a token shaped like a provider key that is no value of the file', () => {
    const literal = 'zqLiteral-1a2b3c4d5e6f7a8b';
    const shaped = 'sk-live-zq0123456789abcdefXYZ';
    const error = refused(`providers:
  openai: { type: openai, apiKey: ${literal} }
${literal}: 1
${shaped}: 2
routes:
  ${shaped}: { targets: [{ provider: ${literal}, model: m }] }
`);
    expect(error.problems.map((problem) => problem.path)).toEqual(['[redacted]', '[redacted]', 'routes.[redacted].targets[0].provider']);
    expectNoLeak(error, [literal, shaped]);
    expectNoLeak(refused(`providers:\n  openai: { type: openai }\npolicies: *${shaped}\n`), [shaped]);
  });

  it('a typed object with the key as a key', () => {
    const key = 'zqTyped-5e6f7a8b9c0d1e2f';
    let thrown: unknown;
    try {
      resolveConfig({ providers: { openai: { type: 'openai', apiKey: key } }, [key]: 1 } as never);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).problems[0]?.path).toBe('[redacted]');
    expectNoLeak(thrown, [key]);
  });

  it('leaves no beginning of a key where a long value is cut', () => {
    const key = 'zqLongKey-0f1e2d3c4b5a69788796a5b4c3d2e1f0';
    // The quoted prefix (40 characters) ends inside the key: what is left of it is redacted too.
    const error = refused(`providers:
  openai: { type: openai, apiKey: ${key} }
policies:
  timeout: { total: "${'1'.repeat(28)}${key.slice(0, 20)}tail" }
`);
    expect(error.problems[0]?.message).toMatch(/^"1{28}\[redacted\]…" is not a valid duration/);
    expectNoLeak(error, [key]);
  });
});

describe('a resolved config prints without its secrets', () => {
  const config = parseConfig(FULL, { env: ENV });

  it('JSON.stringify and util.inspect show [redacted], of the whole config and of any part', () => {
    const printed = [
      JSON.stringify(config),
      JSON.stringify(config, null, 2),
      inspect(config, { depth: Infinity }),
      format('%o %O %j', config, config, config),
      JSON.stringify(config.providers.openai),
      inspect(config.providers.gateway?.headers),
      JSON.stringify(config.state.redis),
      inspect(config.audit),
      JSON.stringify(config.routes.rollout?.canary?.webhooks),
      inspect(config.routes.rollout?.canary?.webhooks[0], { depth: 0 }),
    ];
    for (const text of printed) expect(leakIn(text, SECRETS)).toBeUndefined();
    expect(JSON.parse(JSON.stringify(config)).providers.openai.apiKey).toBe('[redacted]');
    expect(JSON.parse(JSON.stringify(config)).providers.gateway.headers.Authorization).toBe('[redacted]');
    expect(JSON.parse(JSON.stringify(config)).state.redis.url).toBe('redis://:[redacted]@127.0.0.1:6379');
    expect(inspect(config.audit)).toContain("pseudonymizeKey: '[redacted]'");
    // What is not secret prints as it is.
    expect(JSON.parse(JSON.stringify(config)).providers.gateway.baseUrl).toBe('http://127.0.0.1:9000/v1');
    expect(JSON.parse(JSON.stringify(config)).versionHash).toBe(config.versionHash);
  });

  it('code reading the secrets still gets them; keys, equality, freezing and the version hash are unchanged', () => {
    expect(config.providers.openai?.apiKey).toBe(ENV.OPENAI_KEY);
    expect(config.providers.gateway?.headers.Authorization).toBe(`Bearer ${ENV.GATEWAY_TOKEN}`);
    expect(config.state.redis?.url).toBe(`redis://:${ENV.REDIS_PASSWORD}@127.0.0.1:6379`);
    expect(config.audit?.pseudonymizeKey).toBe(ENV.AUDIT_KEY);
    expect(config.routes.rollout?.canary?.webhooks[0]?.secret).toBe(ENV.HOOK_SECRET);
    expect(Object.keys(config.providers.openai ?? {})).toContain('apiKey');
    expect({ ...config.providers.openai }.apiKey).toBe(ENV.OPENAI_KEY);
    expect(config.providers.openai).toEqual(parseConfig(FULL, { env: ENV }).providers.openai);
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.providers.openai)).toBe(true);
    const rotated = parseConfig(FULL, { env: Object.fromEntries(Object.entries(ENV).map(([name, value]) => [name, `${value}-rotated`])) });
    expect(rotated.versionHash).toBe(config.versionHash);
  });

  it('router.config prints redacted, also for a config built by hand', async () => {
    const yaml = `providers:
  openai: { type: openai, apiKey: "\${OPENAI_KEY}", headers: { Authorization: "Bearer \${GATEWAY_TOKEN}" } }
routes:
  gpt: { targets: [{ provider: openai, model: m }] }
`;
    const resolved = parseConfig(yaml, { env: ENV });
    for (const given of [resolved, structuredClone(resolved)]) {
      const router = createRouter(given, { tracing: false });
      try {
        expect(leakIn(JSON.stringify(router.config), SECRETS)).toBeUndefined();
        expect(leakIn(inspect(router.config, { depth: Infinity }), SECRETS)).toBeUndefined();
        expect(leakIn(inspect(router, { depth: 4 }), SECRETS)).toBeUndefined();
        expect(router.config.providers.openai?.apiKey).toBe(ENV.OPENAI_KEY);
        expect(router.config.versionHash).toBe(resolved.versionHash);
      } finally {
        await router.close();
      }
    }
  });
});

describe('unresolved `${VAR}` placeholders are names, not secrets', () => {
  it('a config whose key variable is unset does not make later errors lose the variable name or the provider id', () => {
    const yaml = 'providers:\n  placeholder-provider: { type: anthropic, apiKey: "${PLACEHOLDER_UNSET_KEY}" }\nroutes:\n  r: { targets: [{ provider: placeholder-provider, model: m }] }\n';
    for (let attempt = 0; attempt < 2; attempt += 1) {
      let error: unknown;
      try {
        parseConfig(yaml, { env: {} });
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(ConfigError);
      // The second time round, the first attempt's text must not have been registered as a secret.
      expect(String(error)).toContain('PLACEHOLDER_UNSET_KEY');
      expect(String(error)).toContain('providers.placeholder-provider.apiKey');
    }
  });
});
