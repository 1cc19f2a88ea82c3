import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../../src/config/index.js';
import { parseSize } from '../../src/config/size.js';
import { SwitchyardError } from '../../src/errors.js';

const providers = `providers:
  anthropic: { type: anthropic, apiKey: test-key }
`;

function problemsOf(yaml: string): string {
  try {
    parseConfig(yaml);
  } catch (error) {
    if (SwitchyardError.isInstance(error)) return error.message;
    throw error;
  }
  throw new Error('expected the config to be refused');
}

describe('canary routes', () => {
  it('resolves a canary with its defaults and derives the targets from the first step', () => {
    const config = parseConfig(`${providers}routes:
  claude:
    canary:
      baseline: { provider: anthropic, model: claude-2.0 }
      candidate: { provider: anthropic, model: claude-2.1 }
      steps:
        - { weight: 5, minRequests: 200, minDuration: 10m }
        - { weight: 100 }
`);
    const route = config.routes.claude;
    expect(route?.canary).toMatchObject({ sticky: 'user', salt: 'claude', confidence: 0.95, shadow: false, brokenAt: { errorRate: 0.5, minCalls: 20 } });
    expect(route?.canary?.steps).toEqual([
      { weight: 5, minRequests: 200, minDurationMs: 600_000 },
      { weight: 100, minRequests: 0, minDurationMs: 0 },
    ]);
    expect(route?.targets).toEqual([
      { provider: 'anthropic', model: 'claude-2.0', weight: 95 },
      { provider: 'anthropic', model: 'claude-2.1', weight: 5 },
    ]);
  });

  it('refuses a route with both targets and a canary, decreasing steps and an unknown provider, naming each line', () => {
    const message = problemsOf(`${providers}routes:
  claude:
    targets: [{ provider: anthropic, model: a }]
    canary:
      baseline: { provider: anthropic, model: a }
      candidate: { provider: nowhere, model: b }
      steps: [{ weight: 50 }, { weight: 10 }]
`);
    expect(message).toContain('routes.claude.canary: a route has either targets or a canary');
    expect(message).toMatch(/routes\.claude\.canary\.candidate\.provider: unknown provider "nowhere".*\(line 8\)/);
    expect(message).toMatch(/routes\.claude\.canary\.steps\[1\]\.weight: weights must not decrease.*\(line 9\)/);
  });
});

describe('audit, metrics, filters and pricing', () => {
  it('applies defaults and keeps the pseudonymisation key out of the version hash', () => {
    const base = `${providers}audit:
  sink: { type: file, path: ./audit/a.jsonl, rotate: { size: 100MB } }
  pseudonymize: { key: KEY_ONE_0123456789 }
`;
    const one = parseConfig(base);
    const two = parseConfig(base.replace('KEY_ONE_0123456789', 'KEY_TWO_0123456789'));
    expect(one.audit).toMatchObject({ content: 'hash', include: { ip: false }, sink: { type: 'file', rotateBytes: 100_000_000, fsync: 'always', queueSize: 10_000, flushIntervalMs: 1_000 } });
    expect(one.audit?.redact).toEqual(['email', 'phone', 'card', 'iban', 'cn_id', 'secret']);
    expect(one.versionHash).toBe(two.versionHash);
    expect(one.metrics).toEqual({ enabled: true, prefix: 'switchyard_', intents: [], processMetrics: false });
    expect(one.pricing).toEqual({});
  });

  it('never echoes a short pseudonymisation key in an error', () => {
    const message = problemsOf(`${providers}audit:\n  sink: { type: stdout }\n  pseudonymize: { key: tiny-secret }\n`);
    expect(message).toMatch(/audit\.pseudonymize\.key: .*at least 16 characters/);
    expect(message).not.toContain('tiny-secret');
  });

  it('reads sensitive words from a file next to the config', () => {
    const directory = mkdtempSync(join(tmpdir(), 'switchyard-config-'));
    writeFileSync(join(directory, 'words.txt'), '# one word a line\n机密\n\nsecret plan\n');
    writeFileSync(join(directory, 'switchyard.yaml'), `${providers}filters:\n  sensitiveWords: { words: [inline], file: words.txt, action: mask }\n`);
    const config = loadConfig(join(directory, 'switchyard.yaml'));
    expect(config.filters.sensitiveWords).toEqual({ words: ['inline', '机密', 'secret plan'], action: 'mask', maskCharacter: '*' });
  });

  it('reports an unreadable word file', () => {
    expect(problemsOf(`${providers}filters:\n  sensitiveWords: { file: /no/such/words.txt }\n`)).toContain('filters.sensitiveWords.file: cannot be read');
  });
});

describe('parseSize', () => {
  it.each([
    ['100MB', 100_000_000],
    ['512KiB', 524_288],
    ['1.5GB', 1_500_000_000],
    ['2048', 2_048],
    [4096, 4_096],
  ] as const)('%s → %i bytes', (input, bytes) => {
    expect(parseSize(input)).toBe(bytes);
  });

  it('names the accepted forms for a bad size', () => {
    expect(() => parseSize('lots')).toThrow(/expected a size such as 100MB/);
  });
});
