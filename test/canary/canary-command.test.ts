import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCanaryPlugin } from '../../src/canary/canary-plugin.js';
import { canaryCommand } from '../../src/cli/canary-command.js';
import { loadConfig } from '../../src/config/index.js';
import { createRouter } from '../../src/create-router.js';
import { startSimulator, type Simulator } from '../../src/testing/simulator.js';
import { hasRedis, redisUrl, uniquePrefix } from '../support/redis.js';
import { sendCalls } from './e2e-support.js';

const directory = mkdtempSync(join(tmpdir(), 'switchyard-canary-cli-'));

function writeConfig(name: string, baseUrl: string, state = ''): string {
  const file = join(directory, name);
  writeFileSync(
    file,
    `providers:
  anthropic: { type: anthropic, apiKey: sim-key, baseUrl: "${baseUrl}" }
routes:
  claude:
    canary:
      baseline:  { provider: anthropic, model: claude-2.0 }
      candidate: { provider: anthropic, model: claude-2.1 }
      sticky: user
      salt: claude-2.1-rollout
      steps:
        - { weight: 5,  minRequests: 200, minDuration: 10m }
        - { weight: 25, minRequests: 500, minDuration: 30m }
        - { weight: 50, minRequests: 1000 }
        - { weight: 100 }
${state}`,
  );
  return file;
}

async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await canaryCommand(argv, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text) });
  return { code, stdout, stderr };
}

describe('switchyard canary (CLI)', () => {
  it('explains usage mistakes with exit code 2 and prints help with 0', async () => {
    const missing = await run();
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('Missing the action');
    expect((await run('launch', '--config', 'x.yaml')).stderr).toContain('Unknown action "launch"');
    expect((await run('status')).stderr).toContain('Missing --config');
    expect((await run('status', '--bogus')).code).toBe(2);
    const help = await run('canary', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('switchyard canary <status|report|promote|pause|resume|abort>');
  });

  it('says clearly that in-memory state cannot be read or changed from outside, and prints the plan', async () => {
    const file = writeConfig('memory.yaml', 'http://127.0.0.1:9');
    const status = await run('status', '--config', file);
    expect(status.code).toBe(1);
    expect(status.stderr).toContain('keeps its state in memory inside each router process');
    expect(status.stderr).toContain('does not set state.redis');
    expect(status.stdout).toContain('step 1: candidate weight 5% (≥ 200 candidate calls, ≥ 10m 0s)');
    expect(status.stdout).toContain('step 4: candidate weight 100%');
    expect((await run('promote', '--config', file)).stderr).toContain('no shared state for this command to change');
  });

  it('reports unknown routes and unreadable configs with exit code 1', async () => {
    const file = writeConfig('routes.yaml', 'http://127.0.0.1:9');
    const unknown = await run('status', '--config', file, '--route', 'gpt4');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('route "gpt4" has no canary');
    expect((await run('status', '--config', join(directory, 'nope.yaml'))).code).toBe(1);
  });
});

describe.skipIf(!hasRedis)('switchyard canary against Redis and a running router', () => {
  let simulator: Simulator;
  beforeAll(async () => {
    simulator = await startSimulator({ seed: 2 });
  });
  afterAll(async () => {
    await simulator.close();
  });

  it('reads the rollout a router runs, promotes it for every process, and writes the SVG chart', async () => {
    const prefix = uniquePrefix('canary-cli');
    const file = writeConfig('redis.yaml', simulator.url, `state:\n  redis: { url: "${redisUrl ?? ''}", keyPrefix: "${prefix}" }\n`);
    expect((await run('status', '--config', file)).stdout).toContain('has not started');

    const config = loadConfig(file);
    const redis = new Redis(redisUrl ?? '');
    const plugin = createCanaryPlugin({ config, redis, logger: () => undefined, syncIntervalMs: 60_000 });
    const routed = createRouter(config, { canary: plugin, logger: () => undefined });
    try {
      await plugin.ready();
      await sendCalls(routed, 120, 'cli-user');
      await plugin.controller('claude').sync();

      const status = await run('status', '--config', file);
      expect(status.code).toBe(0);
      expect(status.stdout).toContain('State: running · step 1 of 4 · candidate weight 5%');
      expect(status.stdout).toContain('state shared through Redis');
      expect(status.stdout).toMatch(/baseline\s+anthropic\/claude-2\.0\s+1\d\d\s+0/);
      expect(status.stdout).toContain('Decision: hold — step 1 needs');

      const promoted = await run('promote', '--config', file);
      expect(promoted.code).toBe(0);
      expect(promoted.stdout).toContain('Route "claude": promoted. Now running, step 2 of 4, candidate weight 25%.');
      await plugin.controller('claude').sync();
      expect(plugin.controller('claude').status()).toMatchObject({ step: 1, weight: 25 });
      expect(plugin.controller('claude').status().lastChange).toMatchObject({ decision: 'promote', by: 'operator', reason: 'promote from the command line' });

      const refused = await run('resume', '--config', file);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('cannot resume: the rollout is running');

      const svgFile = join(directory, 'report.svg');
      const report = await run('report', '--config', file, '--svg', svgFile);
      expect(report.code).toBe(0);
      expect(report.stdout).toContain('Steps:');
      expect(report.stdout).toMatch(/1\s+5%.*promote/);
      expect(readFileSync(svgFile, 'utf8')).toContain('<svg');

      const json = JSON.parse((await run('status', '--config', file, '--json')).stdout) as { state: string; step: number; history: unknown[] };
      expect(json).toMatchObject({ state: 'running', step: 1 });
      expect(json.history).toHaveLength(2);

      expect((await run('abort', '--config', file)).stdout).toContain('aborted. Now aborted');
      await plugin.controller('claude').sync();
      expect(plugin.controller('claude').status().weight).toBe(0);
    } finally {
      await routed.close();
      await redis.quit();
    }
  });
});

describe('config/canary.yaml', () => {
  it('resolves to the issue’s example rollout', () => {
    const config = loadConfig(join(import.meta.dirname, '../../config/canary.yaml'), { env: { ANTHROPIC_API_KEY: 'a', OPENAI_API_KEY: 'o' } });
    const canary = config.routes.claude?.canary;
    expect(canary).toMatchObject({
      baseline: { provider: 'anthropic', model: 'claude-2.0' },
      candidate: { provider: 'anthropic', model: 'claude-2.1' },
      sticky: 'user',
      salt: 'claude-2.1-rollout',
      guards: { errorRate: { maxIncrease: 0.02 }, latencyP95: { maxRatio: 1.25 }, costPerCall: { maxRatio: 1.5 } },
      confidence: 0.95,
      shadow: false,
    });
    expect(canary?.steps).toEqual([
      { weight: 5, minRequests: 200, minDurationMs: 600_000 },
      { weight: 25, minRequests: 500, minDurationMs: 1_800_000 },
      { weight: 50, minRequests: 1_000, minDurationMs: 0 },
      { weight: 100, minRequests: 0, minDurationMs: 0 },
    ]);
    expect(config.routes.claude?.targets).toEqual([
      { provider: 'anthropic', model: 'claude-2.0', weight: 95 },
      { provider: 'anthropic', model: 'claude-2.1', weight: 5 },
    ]);
    expect(config.state.redis).toBeUndefined();
  });
});
