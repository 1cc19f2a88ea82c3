/**
 * Bedrock and Vertex adapters authorise each request themselves (SigV4, Google tokens, or one
 * bearer `apiKey`): a key pool there would be accepted and silently ignored, its limits and
 * breakers never applied, so `apiKeys` is a config error naming its YAML path and line.
 */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import { SwitchyardError } from '../../src/errors.js';

const KEYS = { KEY_A: 'cloud-pool-key-alpha-3b9e', KEY_B: 'cloud-pool-key-bravo-71c4' };

function configFor(type: 'bedrock' | 'vertex' | 'openai'): string {
  const cloud = type === 'bedrock' ? ['    region: us-east-1'] : type === 'vertex' ? ['    region: us-east5', '    project: my-project-1'] : [];
  return [
    'providers:',
    '  p:',
    `    type: ${type}`,
    ...cloud,
    '    apiKeys:',
    '      - { key: "${KEY_A}", limits: { rpm: 5 } }',
    '      - "${KEY_B}"',
    'routes:',
    '  r: { targets: [{ provider: p, model: m }] }',
    '',
  ].join('\n');
}

describe('key pools on cloud provider types', () => {
  it.each(['bedrock', 'vertex'] as const)('type %s refuses apiKeys at its path and line, naming no key', (type) => {
    let caught: unknown;
    try {
      parseConfig(configFor(type), { env: KEYS });
    } catch (error) {
      caught = error;
    }
    expect(SwitchyardError.isInstance(caught)).toBe(true);
    const error = caught as SwitchyardError & { problems: readonly { path: string; message: string; line?: number }[] };
    expect(error.problems).toContainEqual(expect.objectContaining({ path: 'providers.p.apiKeys', message: expect.stringContaining(`not supported for type ${type}`) as unknown }));
    for (const key of Object.values(KEYS)) expect(error.message).not.toContain(key);
  });

  it('type openai still takes the same pool', () => {
    expect(() => parseConfig(configFor('openai'), { env: KEYS })).not.toThrow();
  });
});
