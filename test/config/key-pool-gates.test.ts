/**
 * The config of per-key limits (`apiKeys[i].limits`) and per-key breakers (`keyPool.breaker`):
 * resolved values and defaults, and errors that name the YAML path and line, never a key.
 */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import { SwitchyardError } from '../../src/errors.js';

const KEY_A = 'cfg-gate-key-alpha-81d2';
const KEY_B = 'cfg-gate-key-bravo-c07e';

function yaml(secondLimits: string, keyPool = '{ breaker: { minRequests: 5, openFor: 10s } }'): string {
  return [
    'providers:',
    '  openai:',
    '    type: openai',
    '    apiKeys:',
    '      - { key: "${KEY_A}", weight: 3, limits: { rpm: 500, tpm: 80000 } }',
    `      - { key: "\${KEY_B}", limits: ${secondLimits} }`,
    `    keyPool: ${keyPool}`,
    'routes:',
    '  r: { targets: [{ provider: openai, model: gpt-4 }] }',
    '',
  ].join('\n');
}

const env = { KEY_A, KEY_B };

function problemsOf(text: string): readonly { path: string; message: string; line?: number }[] {
  try {
    parseConfig(text, { env });
  } catch (error) {
    if (!SwitchyardError.isInstance(error)) throw error;
    for (const key of [KEY_A, KEY_B]) expect(error.message).not.toContain(key);
    return (error as SwitchyardError & { problems: readonly { path: string; message: string; line?: number }[] }).problems;
  }
  throw new Error('expected a config error');
}

describe('key pool gates in the config', () => {
  it('resolves per-key limits (0 is none) and the key breaker over the policy breaker’s defaults', () => {
    const config = parseConfig(yaml('{ rpm: 0, rps: 2 }'), { env });
    const provider = config.providers.openai;
    expect(provider?.apiKeys?.map((entry) => entry.limits)).toEqual([{ rpm: 500, tpm: 80_000 }, { rps: 2 }]);
    expect(provider?.keyPool).toEqual({
      cooldownMs: 10_000,
      breaker: { enabled: true, errorRate: 0.5, minRequests: 5, windowMs: 60_000, openForMs: 10_000, halfOpenProbes: 1 },
    });
    expect(parseConfig(yaml('{ rpm: 0 }', '{ breaker: { enabled: false } }'), { env }).providers.openai?.apiKeys?.[1]?.limits).toBeUndefined();
    expect(parseConfig(yaml('{ rpm: 0 }', '{ breaker: { enabled: false } }'), { env }).providers.openai?.keyPool).toEqual({ cooldownMs: 10_000 });
  });

  it('names the YAML path and line of a bad limit', () => {
    expect(problemsOf(yaml('{ rpm: -1 }'))).toEqual([{ path: 'providers.openai.apiKeys[1].limits.rpm', line: 6, message: 'expected a number ≥ 0' }]);
    expect(problemsOf(yaml('{ concurrency: 2 }'))[0]).toMatchObject({ path: 'providers.openai.apiKeys[1].limits.concurrency', line: 6 });
    expect(problemsOf(yaml('{}', '{ breaker: { errorRate: 2 } }'))[0]).toMatchObject({ path: 'providers.openai.keyPool.breaker.errorRate', line: 7 });
  });

  it('makes a changed per-key limit a change of config, a rotated key not', () => {
    const base = parseConfig(yaml('{ rpm: 10 }'), { env });
    expect(parseConfig(yaml('{ rpm: 20 }'), { env }).versionHash).not.toBe(base.versionHash);
    expect(parseConfig(yaml('{ rpm: 10 }'), { env: { ...env, KEY_B: 'cfg-gate-key-rotated-9f9f' } }).versionHash).toBe(base.versionHash);
  });
});
