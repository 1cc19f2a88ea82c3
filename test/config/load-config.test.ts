import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICIES } from '../../src/config/defaults.js';
import { defineConfig, loadConfig, parseConfig, resolveConfig } from '../../src/config/load.js';

const CONFIG_DIRECTORY = join(import.meta.dirname, '../../config');

/** The variables each example file needs. */
const EXAMPLE_ENV: Readonly<Record<string, Record<string, string>>> = {
  'example.yaml': { ANTHROPIC_API_KEY: 'example-anthropic-key', OPENAI_API_KEY: 'example-openai-key', GEMINI_API_KEY: 'example-gemini-key' },
  'demo.yaml': { SIM_URL: 'http://127.0.0.1:45678' },
  'canary.yaml': { ANTHROPIC_API_KEY: 'example-anthropic-key', OPENAI_API_KEY: 'example-openai-key' },
  'finance-audit.yaml': { ANTHROPIC_API_KEY: 'example-anthropic-key', OPENAI_API_KEY: 'example-openai-key', AUDIT_PSEUDONYM_KEY: 'example-pseudonym-key-0123456789' },
};

/** Files in config/ that are not Switchyard configs. */
const OTHER_FILES: ReadonlySet<string> = new Set(['prometheus.yml']); // Prometheus's scrape config for /metrics

describe('the example files', () => {
  const files = readdirSync(CONFIG_DIRECTORY).filter((name) => (name.endsWith('.yaml') || name.endsWith('.yml')) && !OTHER_FILES.has(name));

  it('are all covered here', () => {
    expect(files.sort()).toEqual(Object.keys(EXAMPLE_ENV).sort());
  });

  it.each(files)('%s loads', (name) => {
    const config = loadConfig(join(CONFIG_DIRECTORY, name), { env: EXAMPLE_ENV[name] ?? {} });
    expect(Object.keys(config.providers).length).toBeGreaterThan(0);
    expect(config.versionHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('example.yaml carries the reference numbers', () => {
    const config = loadConfig(join(CONFIG_DIRECTORY, 'example.yaml'), { env: EXAMPLE_ENV['example.yaml'] ?? {} });
    const claude = config.routes.claude;
    expect(claude?.targets.map((target) => target.weight)).toEqual([90, 10]);
    expect(claude?.sticky).toBe('user');
    expect(claude?.fallbacks).toEqual(['gpt4']);
    expect(config.policies.retry).toMatchObject({ attempts: 3, minDelayMs: 2_000, maxDelayMs: 10_000, factor: 2 });
    expect(config.policies.breaker).toMatchObject({ errorRate: 0.15, openForMs: 30_000 });
    expect(config.policies.rateLimit).toEqual({ global: { rps: 50 }, perUser: { concurrency: 5 }, perTenant: { rpm: 30 }, waitMs: 500 });
    expect(claude?.policies.cache).toMatchObject({ ttlMs: 600_000, keyPrefix: 'claude:' });
    expect(config.routes.gpt4?.policies.cache).toBeUndefined();
    expect(config.providers.anthropic?.pool).toMatchObject({ connections: 100, keepAliveTimeoutMs: 300_000 });
    expect(config.providers['one-api']).toMatchObject({ type: 'openai-compatible', baseUrl: 'http://127.0.0.1:3000/v1' });
    expect(config.providers['one-api']?.apiKey).toBeUndefined();
    expect(config.state).toEqual({});
  });

  it('example.yaml shares state through Redis when REDIS_URL is set', () => {
    const config = loadConfig(join(CONFIG_DIRECTORY, 'example.yaml'), {
      env: { ...EXAMPLE_ENV['example.yaml'], REDIS_URL: 'redis://127.0.0.1:6379' },
    });
    expect(config.state.redis).toEqual({ url: 'redis://127.0.0.1:6379', failMode: 'open', keyPrefix: 'switchyard:' });
  });

  it('demo.yaml points every provider at the simulator with short retries', () => {
    const config = loadConfig(join(CONFIG_DIRECTORY, 'demo.yaml'), { env: { SIM_URL: 'http://127.0.0.1:45678/' } });
    expect(Object.values(config.providers).map((provider) => [provider.type, provider.baseUrl, provider.apiKey])).toEqual([
      ['anthropic', 'http://127.0.0.1:45678', 'sim-key'],
      ['openai', 'http://127.0.0.1:45678/v1', 'sim-key'],
      ['gemini', 'http://127.0.0.1:45678', 'sim-key'],
    ]);
    expect(config.routes.claude?.targets).toEqual([
      { provider: 'sim-anthropic', model: 'claude-2.0', weight: 90 },
      { provider: 'sim-anthropic', model: 'claude-2.1', weight: 10 },
    ]);
    expect(config.policies.retry.maxDelayMs).toBeLessThanOrEqual(500);
  });
});

const MINIMAL = `providers:
  openai:
    type: openai
    apiKey: \${OPENAI_API_KEY:-}
routes:
  gpt:
    targets:
      - provider: openai
        model: gpt-4.1
`;

describe('defaults', () => {
  it('fills every key a config leaves out', () => {
    const config = parseConfig(MINIMAL, { env: {} });
    expect(config.policies).toEqual(DEFAULT_POLICIES);
    expect(config.policies.rateLimit).toBeUndefined();
    expect(config.policies.cache).toBeUndefined();
    expect(config.providers.openai).toEqual({
      id: 'openai',
      type: 'openai',
      baseUrl: 'https://api.openai.com/v1',
      headers: {},
      defaultMaxTokens: 4096,
      pool: { connections: 100, keepAliveTimeoutMs: 300_000, connectTimeoutMs: 5_000 },
    });
    expect(config.routes.gpt).toEqual({
      name: 'gpt',
      targets: [{ provider: 'openai', model: 'gpt-4.1', weight: 1 }],
      sticky: 'none',
      fallbacks: [],
      policies: DEFAULT_POLICIES,
    });
    expect(config.state).toEqual({});
    expect(config.allowDirect).toBe(true);
  });

  it('uses each provider type’s public endpoint', () => {
    const config = parseConfig('providers:\n  a: { type: anthropic }\n  g: { type: gemini }\n', { env: {} });
    expect(config.providers.a?.baseUrl).toBe('https://api.anthropic.com');
    expect(config.providers.g?.baseUrl).toBe('https://generativelanguage.googleapis.com');
  });

  it('turns on a cache or rate limits written as an empty mapping, with their defaults', () => {
    const config = parseConfig(`${MINIMAL}policies:\n  cache: {}\n  rateLimit: {}\n`, { env: {} });
    expect(config.policies.cache).toEqual({ ttlMs: 600_000, keyPrefix: 'switchyard:', maxEntries: 10_000, cacheSampled: false, perUser: false });
    expect(config.policies.rateLimit).toEqual({ waitMs: 0 });
  });

  it('takes the pool connect timeout from the global connect timeout unless the pool sets one', () => {
    const config = parseConfig(
      'providers:\n  a: { type: openai }\n  b: { type: openai, pool: { connectTimeout: 2s } }\npolicies:\n  timeout: { connect: 3s }\n',
      { env: {} },
    );
    expect(config.providers.a?.pool.connectTimeoutMs).toBe(3_000);
    expect(config.providers.b?.pool.connectTimeoutMs).toBe(2_000);
  });

  it('normalises base URLs and treats empty optional values as absent', () => {
    const config = parseConfig(
      `providers:
  local:
    type: openai-compatible
    baseUrl: "http://127.0.0.1:11434/v1/"
    apiKey: none
state:
  redis:
    url: ""
`,
      { env: {} },
    );
    expect(config.providers.local?.baseUrl).toBe('http://127.0.0.1:11434/v1');
    expect(config.providers.local && 'apiKey' in config.providers.local).toBe(false);
    expect(config.state.redis).toBeUndefined();
  });

  it('returns a frozen config', () => {
    const config = parseConfig(MINIMAL, { env: {} });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.routes.gpt?.targets[0])).toBe(true);
    expect(Object.isFrozen(config.policies.retry.on)).toBe(true);
  });
});

describe('route policies', () => {
  const yaml = `providers:
  openai: { type: openai }
routes:
  fast:
    targets: [{ provider: openai, model: a }]
    policies:
      retry: { attempts: 2 }
      timeout: { total: 20s }
      rateLimit:
        perUser: { rpm: 10 }
      cache: false
  plain:
    targets: [{ provider: openai, model: b }]
policies:
  retry: { attempts: 5, minDelay: 1s }
  rateLimit:
    global: { rps: 50 }
    perUser: { concurrency: 5 }
    wait: 250ms
  cache: { ttl: 10m }
`;

  it('merge over the global ones key by key', () => {
    const config = parseConfig(yaml, { env: {} });
    const fast = config.routes.fast?.policies;
    expect(fast?.retry).toEqual({ ...DEFAULT_POLICIES.retry, attempts: 2, minDelayMs: 1_000 });
    expect(fast?.timeout).toEqual({ ...DEFAULT_POLICIES.timeout, totalMs: 20_000 });
    expect(fast?.rateLimit).toEqual({ global: { rps: 50 }, perUser: { concurrency: 5, rpm: 10 }, waitMs: 250 });
    expect(fast?.breaker).toEqual(DEFAULT_POLICIES.breaker);
  });

  it('can turn the cache off for one route', () => {
    const config = parseConfig(yaml, { env: {} });
    expect(config.routes.fast?.policies.cache).toBeUndefined();
    expect(config.routes.plain?.policies.cache?.ttlMs).toBe(600_000);
    expect(config.policies.cache?.ttlMs).toBe(600_000);
  });

  it('leave a route without overrides on the global policies', () => {
    const config = parseConfig(yaml, { env: {} });
    expect(config.routes.plain?.policies).toEqual(config.policies);
    expect(config.policies.retry).toEqual({ ...DEFAULT_POLICIES.retry, attempts: 5, minDelayMs: 1_000 });
  });
});

describe('versionHash', () => {
  const withKey = (key: string, weight = 1): string => `providers:
  openai:
    type: openai
    apiKey: ${key}
routes:
  gpt:
    targets: [{ provider: openai, model: gpt-4.1, weight: ${weight} }]
`;

  it('is stable for the same config', () => {
    expect(parseConfig(withKey('key-one'), { env: {} }).versionHash).toBe(parseConfig(withKey('key-one'), { env: {} }).versionHash);
  });

  it('does not depend on the apiKey', () => {
    expect(parseConfig(withKey('key-one'), { env: {} }).versionHash).toBe(parseConfig(withKey('key-two'), { env: {} }).versionHash);
  });

  it('does not depend on the order keys are written in', () => {
    const reordered = `routes:
  gpt:
    targets: [{ weight: 1, model: gpt-4.1, provider: openai }]
providers:
  openai:
    apiKey: key-one
    type: openai
`;
    expect(parseConfig(reordered, { env: {} }).versionHash).toBe(parseConfig(withKey('key-one'), { env: {} }).versionHash);
  });

  it('changes when anything else changes', () => {
    expect(parseConfig(withKey('key-one', 2), { env: {} }).versionHash).not.toBe(parseConfig(withKey('key-one', 1), { env: {} }).versionHash);
  });

  it('is the same for YAML and an equivalent typed object', () => {
    const typed = resolveConfig(
      defineConfig({ providers: { openai: { type: 'openai', apiKey: 'other' } }, routes: { gpt: { targets: [{ provider: 'openai', model: 'gpt-4.1' }] } } }),
    );
    expect(typed.versionHash).toBe(parseConfig(withKey('key-one'), { env: {} }).versionHash);
  });
});

describe('typed objects and YAML conveniences', () => {
  it('resolveConfig interpolates and applies defaults like YAML', () => {
    const config = resolveConfig(
      defineConfig({
        providers: { local: { type: 'openai-compatible', baseUrl: '${LOCAL_URL:-http://127.0.0.1:8000/v1}', apiKey: '${LOCAL_KEY}' } },
        routes: { local: { targets: [{ provider: 'local', model: 'llama' }], policies: { timeout: { total: '45s' } } } },
      }),
      { env: { LOCAL_KEY: 'local-key' } },
    );
    expect(config.providers.local).toMatchObject({ baseUrl: 'http://127.0.0.1:8000/v1', apiKey: 'local-key' });
    expect(config.routes.local?.policies.timeout.totalMs).toBe(45_000);
  });

  it('ignores top-level x- keys so they can hold YAML anchors', () => {
    const config = parseConfig(
      `x-fast-retry: &fast
  attempts: 2
  minDelay: 10ms
providers:
  openai: { type: openai }
routes:
  gpt:
    targets: [{ provider: openai, model: a }]
    policies:
      retry: *fast
`,
      { env: {} },
    );
    expect(config.routes.gpt?.policies.retry).toMatchObject({ attempts: 2, minDelayMs: 10 });
  });

  it('accepts YAML merge keys', () => {
    const config = parseConfig(
      `x-base: &base
  type: openai-compatible
  defaultMaxTokens: 1024
providers:
  one:
    <<: *base
    baseUrl: http://127.0.0.1:3000/v1
`,
      { env: {} },
    );
    expect(config.providers.one).toMatchObject({ type: 'openai-compatible', defaultMaxTokens: 1024 });
  });

  it('loadConfig reports a missing file as a config error', () => {
    expect(() => loadConfig(join(CONFIG_DIRECTORY, 'does-not-exist.yaml'))).toThrow(/does-not-exist\.yaml[\s\S]*cannot be read \(ENOENT\)/);
  });
});
