import { describe, expect, it } from 'vitest';
import { apiKeyVariable } from '../../src/config/api-key.js';
import { ConfigError } from '../../src/config/config-error.js';
import { parseConfig, resolveConfig } from '../../src/config/load.js';

const yaml = (apiKey: string, type = 'anthropic'): string => `providers:
  anthropic:
    type: ${type}
    baseUrl: http://127.0.0.1:11434/v1
    apiKey: ${apiKey}
routes:
  claude:
    targets: [{ provider: anthropic, model: claude-x }]
`;

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (ConfigError.isConfigError(error)) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('an empty apiKey', () => {
  it('is a config error naming the provider path and the variable, never a value', () => {
    const error = configError(() => parseConfig(yaml('${ANTHROPIC_API_KEY}'), { env: { ANTHROPIC_API_KEY: '', OTHER: 'sk-ant-secret-value-123' } }));
    expect(error.category).toBe('config');
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]?.path).toBe('providers.anthropic.apiKey');
    expect(error.problems[0]?.line).toBe(5);
    expect(error.problems[0]?.message).toContain('environment variable ANTHROPIC_API_KEY is set to the empty string');
    expect(error.problems[0]?.message).toContain('apiKey: none');
    expect(error.message).not.toContain('sk-ant');
  });

  it('counts a key of only spaces as empty', () => {
    const error = configError(() => parseConfig(yaml('"${ANTHROPIC_API_KEY}"'), { env: { ANTHROPIC_API_KEY: '  ' } }));
    expect(error.problems[0]?.message).toContain('ANTHROPIC_API_KEY');
  });

  it('names every variable of a key made of several', () => {
    const error = configError(() => parseConfig(yaml('"${KEY_A}${KEY_B}"'), { env: { KEY_A: '', KEY_B: '' } }));
    expect(error.problems[0]?.message).toContain('environment variables KEY_A, KEY_B are set to the empty string');
  });

  it('is an error when written as the empty string', () => {
    const error = configError(() => parseConfig(yaml('""'), { env: {} }));
    expect(error.problems[0]).toMatchObject({ path: 'providers.anthropic.apiKey' });
    expect(error.problems[0]?.message).toMatch(/^is the empty string/);
  });

  it('is an error in a typed config too', () => {
    const error = configError(() =>
      resolveConfig({ providers: { anthropic: { type: 'anthropic', apiKey: '${ANTHROPIC_API_KEY}' } } }, { env: { ANTHROPIC_API_KEY: '' } }),
    );
    expect(error.problems[0]?.path).toBe('providers.anthropic.apiKey');
    expect(error.problems[0]?.message).toContain('ANTHROPIC_API_KEY');
  });
});

describe('keyless servers', () => {
  it('apiKey: none sends no key', () => {
    const config = parseConfig(yaml('none', 'openai-compatible'), { env: {} });
    expect(config.providers.anthropic && 'apiKey' in config.providers.anthropic).toBe(false);
  });

  it('${KEY:-none} uses the key when set and none otherwise', () => {
    const unset = parseConfig(yaml('${LOCAL_KEY:-none}', 'openai-compatible'), { env: {} });
    expect(unset.providers.anthropic && 'apiKey' in unset.providers.anthropic).toBe(false);
    const set = parseConfig(yaml('${LOCAL_KEY:-none}', 'openai-compatible'), { env: { LOCAL_KEY: 'local-key-1' } });
    expect(set.providers.anthropic?.apiKey).toBe('local-key-1');
  });

  it('${KEY:-} keeps meaning "optional": an empty key counts as absent', () => {
    const config = parseConfig(yaml('${LOCAL_KEY:-}', 'openai-compatible'), { env: { LOCAL_KEY: '' } });
    expect(config.providers.anthropic && 'apiKey' in config.providers.anthropic).toBe(false);
  });

  it('leaving apiKey out sends no key', () => {
    const config = resolveConfig({ providers: { local: { type: 'openai-compatible', baseUrl: 'http://127.0.0.1:11434/v1' } } }, { env: {} });
    expect(config.providers.local && 'apiKey' in config.providers.local).toBe(false);
  });
});

describe('apiKeyVariable', () => {
  it('remembers the variable a key was read from, not the key', () => {
    const config = parseConfig(yaml('${ANTHROPIC_API_KEY}'), { env: { ANTHROPIC_API_KEY: 'sk-ant-1234567890' } });
    expect(apiKeyVariable(config, 'anthropic')).toBe('ANTHROPIC_API_KEY');
    expect(apiKeyVariable(config, 'missing')).toBeUndefined();
    expect(apiKeyVariable(parseConfig(yaml('literal-key-1'), { env: {} }), 'anthropic')).toBeUndefined();
  });
});

describe('the word none', () => {
  it('is not taken for a secret: messages that say "none" keep it', async () => {
    const { SwitchyardError } = await import('../../src/errors.js');
    const { findConfigSecrets } = await import('../../src/config/secrets.js');
    const config = parseConfig(yaml('none', 'openai-compatible'), { env: {} });
    expect(findConfigSecrets(config)).toEqual([]);
    expect(findConfigSecrets({ providers: { local: { apiKey: ' none ' } } })).toEqual([]);
    expect(new SwitchyardError({ category: 'config', message: 'none of the targets answered' }).message).toBe('none of the targets answered');
  });
});
