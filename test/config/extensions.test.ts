import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../../src/config/index.js';
import { DEFAULT_CANARY_GUARDS } from '../../src/config/resolve-extensions.js';
import { parseSize } from '../../src/config/size.js';
import { redactSecrets, SwitchyardError } from '../../src/errors.js';

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
    expect(route?.canary).toMatchObject({
      sticky: 'user',
      salt: 'claude',
      confidence: 0.95,
      shadow: false,
      shadowConcurrency: 4,
      brokenAt: { errorRate: 0.5, minCalls: 20 },
      sampleRatio: { alpha: 0.001, onSustained: 'pause', sustainedForMs: 600_000 },
      stallAfterMs: 300_000,
      startupWaitMs: 2_000,
      webhooks: [],
    });
    expect(route?.canary?.guards).toEqual(DEFAULT_CANARY_GUARDS);
    expect(route?.canary?.steps).toEqual([
      { weight: 5, minRequests: 200, minDurationMs: 600_000, approval: 'auto' },
      { weight: 100, minRequests: 0, minDurationMs: 0, approval: 'auto' },
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

describe('canary guards, gates and webhooks', () => {
  const canaryRoute = (extra: string): string => `${providers}routes:
  claude:
    canary:
      baseline: { provider: anthropic, model: claude-2.0 }
      candidate: { provider: anthropic, model: claude-2.1 }
      steps: [{ weight: 5 }, { weight: 100 }]
${extra}`;

  it('the default guards are errors, cancellations, median and p95 latency, and quality; cost is opt-in', () => {
    expect(DEFAULT_CANARY_GUARDS).toEqual({
      errorRate: { maxIncrease: 0.02 },
      cancelRate: { maxIncrease: 0.05 },
      latencyP50: { maxRatio: 1.25 },
      latencyP95: { maxRatio: 1.25 },
      lengthFinishRate: { maxIncrease: 0.05 },
      contentFilterRate: { maxIncrease: 0.05 },
      emptyAnswerRate: { maxIncrease: 0.05 },
      invalidToolCallRate: { maxIncrease: 0.05 },
      invalidOutputRate: { maxIncrease: 0.05 },
    });
    expect(DEFAULT_CANARY_GUARDS.costPerCall).toBeUndefined();
  });

  it('merges the configured guards into the defaults; false turns one off', () => {
    const config = parseConfig(
      canaryRoute(`      guards:
        errorRate: { maxIncrease: 0.05 }
        cancelRate: false
        invalidOutputRate: false
        latencyP50: { maxRatio: 1.1 }
        costPerCall: { maxRatio: 1.5 }
`),
    );
    const { cancelRate: _cancelRate, invalidOutputRate: _invalidOutputRate, ...kept } = DEFAULT_CANARY_GUARDS;
    expect(config.routes.claude?.canary?.guards).toEqual({ ...kept, errorRate: { maxIncrease: 0.05 }, latencyP50: { maxRatio: 1.1 }, costPerCall: { maxRatio: 1.5 } });
    expect(Object.keys(config.routes.claude?.canary?.guards ?? {})).not.toContain('cancelRate');
  });

  it('reads the sample-ratio gate, stallAfter, startupWait and manual approval of a step', () => {
    const config = parseConfig(
      canaryRoute(`      sampleRatio: { alpha: 0.01, onSustained: rollback, sustainedFor: 30m }
      stallAfter: 90s
      startupWait: 500ms
`).replace('steps: [{ weight: 5 }, { weight: 100 }]', 'steps: [{ weight: 5, approval: manual }, { weight: 100 }]'),
    );
    expect(config.routes.claude?.canary).toMatchObject({ sampleRatio: { alpha: 0.01, onSustained: 'rollback', sustainedForMs: 1_800_000 }, stallAfterMs: 90_000, startupWaitMs: 500 });
    expect(config.routes.claude?.canary?.steps.map((step) => step.approval)).toEqual(['manual', 'auto']);
    expect(problemsOf(canaryRoute(`      sampleRatio: { onSustained: explode }\n`))).toContain('routes.claude.canary.sampleRatio.onSustained');
  });

  it('resolves webhooks with their defaults and registers their secrets for redaction', () => {
    const secret = 'whsec-extensions-test-0123456789';
    const config = parseConfig(
      canaryRoute(`      webhooks:
        - { url: "https://hooks.example.com/canary", secret: ${secret}, events: [rollback, approval-requested] }
        - { url: "http://127.0.0.1:9000/hook", retries: 0, timeout: 2s }
`),
    );
    expect(config.routes.claude?.canary?.webhooks).toEqual([
      { url: 'https://hooks.example.com/canary', events: ['rollback', 'approval-requested'], secret, retries: 3, timeoutMs: 5_000 },
      { url: 'http://127.0.0.1:9000/hook', events: [], retries: 0, timeoutMs: 2_000 },
    ]);
    const redacted = redactSecrets(`delivery signed with ${secret} failed`);
    expect(redacted).not.toContain(secret);
    expect(redacted).toBe('delivery signed with [redacted] failed');
    expect(new SwitchyardError({ category: 'server', message: `bad ${secret}` }).message).toBe('bad [redacted]');
  });

  it('keeps webhook secrets out of the version hash', () => {
    const yaml = (secret: string): string => canaryRoute(`      webhooks:\n        - { url: "https://hooks.example.com/canary", secret: ${secret} }\n`);
    expect(parseConfig(yaml('whsec-one-0123456789abcdef')).versionHash).toBe(parseConfig(yaml('whsec-two-0123456789abcdef')).versionHash);
  });

  it('refuses a webhook URL that is not http(s) and a short secret, naming the YAML path and line, without echoing the secret', () => {
    const message = problemsOf(
      canaryRoute(`      webhooks:
        - { url: "ftp://hooks.example.com/canary" }
        - { url: "https://hooks.example.com/canary", secret: tiny-hook-key }
        - { url: "not a url" }
`),
    );
    expect(message).toMatch(/routes\.claude\.canary\.webhooks\[0\]\.url: expected an http\(s\) URL \(line 10\)/);
    expect(message).toMatch(/routes\.claude\.canary\.webhooks\[1\]\.secret: .*at least 16 characters \(line 11\)/);
    expect(message).toMatch(/routes\.claude\.canary\.webhooks\[2\]\.url: expected an http\(s\) URL \(line 12\)/);
    expect(message).not.toContain('tiny-hook-key');
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
