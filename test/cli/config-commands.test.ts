import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run-cli.js';
import { LIBRARY_VERSION } from '../../src/version.js';

const directory = mkdtempSync(join(tmpdir(), 'switchyard-cli-'));

function write(name: string, text: string): string {
  const file = join(directory, name);
  writeFileSync(file, text);
  return file;
}

async function run(argv: readonly string[], env: Record<string, string | undefined> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text) }, { env });
  return { code, stdout, stderr };
}

const SECRET = 'sk-ant-api03-verysecretvalue-0123456789abcdef';

const GOOD = write(
  'good.yaml',
  `providers:
  anthropic: { type: anthropic, apiKey: "\${ANTHROPIC_API_KEY}" }
  openai: { type: openai, apiKey: "\${OPENAI_API_KEY:-}" }
routes:
  claude:
    targets:
      - { provider: anthropic, model: claude-a, weight: 3 }
      - { provider: anthropic, model: claude-b, weight: 1 }
    sticky: user
    fallbacks: [gpt]
    policies:
      retry: { attempts: 2 }
  gpt:
    targets: [{ provider: openai, model: gpt-4.1 }]
policies:
  rateLimit:
    perTenant: { rpm: 30 }
`,
);

const BAD = write(
  'bad.yaml',
  `providers:
  anthropic:
    type: antropic
    apikey: x
routes:
  claude:
    targets:
      - { provider: anthropic, model: claude-a, weight: -1 }
`,
);

/**
 * A config whose key comes from an unset variable. Each test uses its own name: the loader registers
 * the text of a value it could not interpolate as a secret, process-wide, so a second run in the
 * same process would show the name redacted.
 */
function unsetConfig(variable: string): string {
  return write(`unset-${variable}.yaml`, `providers:\n  anthropic: { type: anthropic, apiKey: "\${${variable}}" }\nroutes:\n  claude:\n    targets:\n      - { provider: anthropic, model: claude-a, weight: 3 }\n      - { provider: anthropic, model: claude-b, weight: 1 }\n    sticky: user\n`);
}

const CANARY = write(
  'canary.yaml',
  `providers:
  anthropic: { type: anthropic, apiKey: k }
routes:
  claude:
    canary:
      baseline: { provider: anthropic, model: claude-2.0 }
      candidate: { provider: anthropic, model: claude-2.1 }
      steps:
        - { weight: 5, minRequests: 100, minDuration: 10m }
        - { weight: 100 }
state:
  redis: { url: "redis://127.0.0.1:1" }
`,
);

describe('switchyard (top level)', () => {
  it('prints the version, help, and usage mistakes with exit code 2', async () => {
    expect(await run(['--version'])).toMatchObject({ code: 0, stdout: `${LIBRARY_VERSION}\n` });
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    for (const command of ['validate', 'explain', 'routes', 'schema', 'canary', 'audit verify']) expect(help.stdout).toContain(command);
    expect((await run([])).code).toBe(2);
    const unknown = await run(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "frobnicate"');
  });

  it('has --help on every command', async () => {
    for (const command of ['validate', 'explain', 'routes', 'schema', 'canary', 'audit']) {
      const result = await run([command, '--help']);
      expect(result.code, command).toBe(0);
      expect(result.stdout.toLowerCase(), command).toContain(`switchyard ${command}`);
    }
  });
});

describe('switchyard validate', () => {
  it('accepts a valid config (exit 0) with a note on relative weights', async () => {
    const result = await run(['validate', GOOD], { ANTHROPIC_API_KEY: SECRET, OPENAI_API_KEY: 'sk-other-secret-value-123456' });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`${GOOD}: valid`);
    expect(result.stdout).toMatch(/note\s+routes\.claude\.targets: the weights add up to 4, not 100; they are relative, so the shares are: anthropic\/claude-a 75%, anthropic\/claude-b 25% \(line 7\)/);
    expect(result.stdout).not.toContain(SECRET);
  });

  it('warns about a provider without a key', async () => {
    const result = await run(['validate', GOOD], { ANTHROPIC_API_KEY: SECRET });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('warning providers.openai.apiKey: no API key: calls to openai (openai) will fail with auth');
  });

  it('lists every problem with its path and line (exit 1), with did-you-mean', async () => {
    const result = await run(['validate', BAD]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${BAD}: invalid (3 problems)`);
    expect(result.stderr).toMatch(/providers\.anthropic\.type: expected one of anthropic \| openai \| azure-openai \| gemini \| openai-compatible( \| [a-z-]+)* \(did you mean "anthropic"\?\), or the name of a custom adapter type \(line 3\)/);
    expect(result.stderr).toContain('providers.anthropic.apikey: unknown key "apikey" (did you mean "apiKey"?) (line 4)');
    expect(result.stderr).toContain('routes.claude.targets[0].weight: expected a number ≥ 0 (line 8)');
  });

  it('reports unset variables as problems with their path, or as warnings with --allow-unset-env', async () => {
    const strict = await run(['validate', unsetConfig('FIRSTTOKEN')]);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toContain('error   providers.anthropic.apiKey: environment variable FIRSTTOKEN is not set');
    expect(strict.stderr).toContain('--allow-unset-env');
    const lenient = await run(['validate', unsetConfig('SECONDVAL'), '--allow-unset-env']);
    expect(lenient.code, lenient.stderr).toBe(0);
    expect(lenient.stdout).toContain('warning providers.anthropic.apiKey: environment variable SECONDVAL is not set');
    expect(lenient.stdout).toContain('the weights add up to 4');
  });

  it('prints JSON for CI', async () => {
    const result = await run(['validate', BAD, '--json']);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as { valid: boolean; problems: { path: string; line?: number }[] };
    expect(report.valid).toBe(false);
    expect(report.problems.map((problem) => problem.path)).toEqual(['providers.anthropic.type', 'providers.anthropic.apikey', 'routes.claude.targets[0].weight']);
  });

  it('exits 1 for a missing file and 2 for usage mistakes', async () => {
    const missing = await run(['validate', join(directory, 'absent.yaml')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('cannot be read (ENOENT)');
    expect((await run(['validate'])).code).toBe(2);
    expect((await run(['validate', GOOD, '--bogus'])).code).toBe(2);
    expect((await run(['validate', GOOD, BAD])).code).toBe(2);
  });

  it('validates every shipped config with --allow-unset-env', async () => {
    for (const name of ['example', 'demo', 'canary', 'finance-audit']) {
      const result = await run(['validate', `config/${name}.yaml`, '--allow-unset-env']);
      expect(result.code, `${name}: ${result.stderr}`).toBe(0);
    }
  });
});

describe('switchyard explain', () => {
  it('tells the sticky target, why, the candidates and the fallback chain', async () => {
    const result = await run(['explain', GOOD, '--route', 'claude', '--user', 'u-42'], { ANTHROPIC_API_KEY: SECRET });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^route claude for user "u-42" → anthropic\/claude-[ab]\n {2}why: sticky:user/);
    expect(result.stdout).toMatch(/anthropic\/claude-a\s+3\s+75%/);
    expect(result.stdout).toContain('1. gpt → openai/gpt-4.1');
    expect(result.stdout).not.toContain(SECRET);
    const again = await run(['explain', GOOD, '--route', 'claude', '--user', 'u-42'], { ANTHROPIC_API_KEY: SECRET });
    expect(again.stdout).toBe(result.stdout);
  });

  it('says when the pick is random, and runs with unset variables (placeholders, named)', async () => {
    const result = await run(['explain', unsetConfig('THIRDONE'), '--route', 'claude']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('a weighted-random pick per call; give --user');
    expect(result.stderr).toContain('unset variables given placeholders (routing needs no keys): THIRDONE');
  });

  it('explains a canary route without connecting to its Redis', async () => {
    const result = await run(['explain', CANARY, '--route', 'claude', '--user', 'u-1', '--json']);
    expect(result.code).toBe(0);
    const explanation = JSON.parse(result.stdout) as { route: string; target: { model: string }; reason: string; fallbacks: string[] };
    expect(explanation.route).toBe('claude');
    expect(['claude-2.0', 'claude-2.1']).toContain(explanation.target.model);
    expect(explanation.reason).toContain('step 1');
  });

  it('exits 1 for an unknown route or an invalid config, 2 without --route', async () => {
    const unknown = await run(['explain', GOOD, '--route', 'nope'], { ANTHROPIC_API_KEY: SECRET });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('unknown route "nope"');
    expect((await run(['explain', BAD, '--route', 'claude'])).code).toBe(1);
    const usage = await run(['explain', GOOD]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('Missing --route');
  });
});

describe('switchyard routes', () => {
  it('lists routes, weights, shares, fallbacks and merged policies', async () => {
    const result = await run(['routes', GOOD], { ANTHROPIC_API_KEY: SECRET });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^claude\n/);
    expect(result.stdout).toMatch(/anthropic\/claude-b\s+1\s+25%/);
    expect(result.stdout).toContain('fallbacks gpt');
    expect(result.stdout).toContain('retry     2 attempts');
    expect(result.stdout).toContain('rateLimit perTenant rpm 30');
    expect(result.stdout).toContain('providers: anthropic (anthropic), openai (openai)');
    expect(result.stdout).not.toContain(SECRET);
  });

  it('shows canary steps', async () => {
    const result = await run(['routes', CANARY]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('baseline anthropic/claude-2.0 → candidate anthropic/claude-2.1');
    expect(result.stdout).toMatch(/1\s+5%\s+100\s+10m\s+auto/);
    const json = await run(['routes', CANARY, '--json']);
    expect(JSON.parse(json.stdout)).toHaveLength(1);
  });

  it('exits 1 for an invalid config and 2 for usage mistakes', async () => {
    expect((await run(['routes', BAD])).code).toBe(1);
    expect((await run(['routes'])).code).toBe(2);
  });
});

describe('switchyard schema', () => {
  it('prints the JSON Schema', async () => {
    const result = await run(['schema']);
    expect(result.code).toBe(0);
    const schema = JSON.parse(result.stdout) as { $schema: string; properties: Record<string, unknown> };
    expect(schema.$schema).toContain('2020-12');
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['providers', 'routes', 'policies', 'audit', 'canary' in schema.properties ? 'canary' : 'filters']));
    expect((await run(['schema', 'extra'])).code).toBe(2);
  });
});
