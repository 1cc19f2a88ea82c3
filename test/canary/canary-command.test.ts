import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
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
    for (const option of ['--reason <text>', '--actor <name>', '--step <n>', '--html <file>', '--svg <file>']) expect(help.stdout).toContain(option);
    expect(help.stdout).toContain('(default: "<action> by an operator")');
    expect(help.stdout).toContain('restart a rolled-back or aborted rollout at step n (1-based; default 1)');
    expect(await run('--help')).toMatchObject({ code: 0, stdout: help.stdout });
    expect(await run('help')).toMatchObject({ code: 0, stdout: help.stdout });
    expect(await run('promote', '-h')).toMatchObject({ code: 0, stdout: help.stdout });
  });

  it('refuses flags that do not fit the action, and step numbers that are not from 1', async () => {
    const misuse = [
      [['promote', '--config', 'x.yaml', '--step', '2'], '--step applies to resume only'],
      [['resume', '--config', 'x.yaml', '--step', '0'], '--step must be a step number from 1, not "0"'],
      [['resume', '--config', 'x.yaml', '--step', 'two'], '--step must be a step number from 1'],
      [['status', '--config', 'x.yaml', '--reason', 'why'], '--reason applies to promote, pause, resume and abort, not to status'],
      [['report', '--config', 'x.yaml', '--actor', 'alice'], '--actor applies to promote, pause, resume and abort'],
      [['abort', '--config', 'x.yaml', '--reason', '  '], '--reason needs a value'],
      [['abort', '--config', 'x.yaml', '--html', 'out.html'], '--html applies to status and report'],
      [['pause', '--config', 'x.yaml', '--reason'], "Option '--reason <value>' argument missing"],
    ] as const;
    for (const [argv, message] of misuse) {
      const result = await run(...argv);
      expect(result.code, argv.join(' ')).toBe(2);
      expect(result.stderr).toContain(message);
      expect(result.stderr).toContain('Usage: switchyard canary');
    }
  });

  it('says so, successfully, when the config has no canary route to show', async () => {
    const file = join(directory, 'plain.yaml');
    writeFileSync(file, `providers:\n  anthropic: { type: anthropic, apiKey: sim-key, baseUrl: "http://127.0.0.1:9" }\nroutes:\n  claude:\n    targets: [{ provider: anthropic, model: claude-2.0 }]\n`);
    for (const action of ['status', 'report']) {
      const result = await run(action, '--config', file);
      expect(result).toMatchObject({ code: 0, stderr: '' });
      expect(result.stdout).toContain(`No route in ${file} has a canary`);
    }
    const promote = await run('promote', '--config', file);
    expect(promote.code).toBe(1);
    expect(promote.stderr).toContain('no route in the config has a canary');
    expect((await run('status', '--config', file, '--route', 'claude')).stderr).toContain('route "claude" has no canary');
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

      const promoted = await run('promote', '--config', file, '--reason', 'dashboards look fine <ok>', '--actor', 'alice');
      expect(promoted.code).toBe(0);
      expect(promoted.stdout).toContain('Route "claude": promoted by alice (dashboards look fine <ok>). Now running, step 2 of 4, candidate weight 25%.');
      await plugin.controller('claude').sync();
      expect(plugin.controller('claude').status()).toMatchObject({ step: 1, weight: 25 });
      expect(plugin.controller('claude').status().lastChange).toMatchObject({ decision: 'promote', by: 'operator', actor: 'alice', reason: 'dashboards look fine <ok>' });
      expect(plugin.controller('claude').status().decisions.at(-1)).toMatchObject({
        decision: 'promote',
        by: 'operator',
        actor: 'alice',
        rule: 'operator',
        reason: 'dashboards look fine <ok>',
        from: { step: 0, weight: 5 },
        to: { step: 1, weight: 25 },
      });

      const refused = await run('resume', '--config', file);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('cannot resume: the rollout is running');

      const paused = await run('pause', '--config', file);
      expect(paused.code).toBe(0);
      const defaultActor = userInfo().username || 'operator';
      expect(paused.stdout).toContain(`paused by ${defaultActor} (pause by an operator)`);

      const svgFile = join(directory, 'report.svg');
      const htmlFile = join(directory, 'report.html');
      const report = await run('report', '--config', file, '--svg', svgFile, '--html', htmlFile);
      expect(report.code).toBe(0);
      expect(report.stdout).toContain('Steps:');
      expect(report.stdout).toMatch(/1\s+5%.*promote/);
      expect(report.stdout).toMatch(/promote\s+alice \(operator\)\s+operator\s+step 1→2, 5%→25%\s+dashboards look fine <ok>/);
      expect(report.stdout).toContain(`pause     ${defaultActor} (operator)`);
      expect(report.stderr).toContain(`HTML report written to ${htmlFile}`);
      const svg = readFileSync(svgFile, 'utf8');
      expect(svg).toContain('<svg');
      expect(svg).toContain('promote by alice (operator): dashboards look fine &lt;ok&gt;');
      expect(readFileSync(htmlFile, 'utf8')).toMatch(/^<!DOCTYPE html>[\s\S]*<svg[\s\S]*<pre>Canary rollout/);
      expect((await run('resume', '--config', file, '--actor', 'alice')).code).toBe(0);

      const json = JSON.parse((await run('status', '--config', file, '--json')).stdout) as { state: string; step: number; history: unknown[] };
      expect(json).toMatchObject({ state: 'running', step: 1 });
      expect(json.history).toHaveLength(2);

      expect((await run('abort', '--config', file, '--actor', 'bob', '--reason', 'latency page')).stdout).toContain('aborted by bob (latency page). Now aborted');
      await plugin.controller('claude').sync();
      expect(plugin.controller('claude').status().weight).toBe(0);
      expect(plugin.controller('claude').status().lastChange).toMatchObject({ decision: 'abort', actor: 'bob', reason: 'latency page' });

      // Restart at the second step (1-based on the command line).
      const beyond = await run('resume', '--config', file, '--step', '9');
      expect(beyond.code).toBe(1);
      expect(beyond.stderr).toContain('step 9 does not exist (the rollout has 4 steps)');
      const resumed = await run('resume', '--config', file, '--step', '2', '--actor', 'bob', '--reason', 'fixed, retry at 25%');
      expect(resumed.code).toBe(0);
      expect(resumed.stdout).toContain('resumed by bob (fixed, retry at 25%). Now running, step 2 of 4, candidate weight 25%.');
      await plugin.controller('claude').sync();
      expect(plugin.controller('claude').status()).toMatchObject({ state: 'running', step: 1, weight: 25 });
      expect(plugin.controller('claude').status().decisions.at(-1)).toMatchObject({ decision: 'resume', actor: 'bob', reason: 'fixed, retry at 25%', from: { state: 'aborted' }, to: { state: 'running', step: 1 } });
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
      { weight: 5, minRequests: 200, minDurationMs: 600_000, approval: 'auto' },
      { weight: 25, minRequests: 500, minDurationMs: 1_800_000, approval: 'auto' },
      { weight: 50, minRequests: 1_000, minDurationMs: 0, approval: 'manual' },
      { weight: 100, minRequests: 0, minDurationMs: 0, approval: 'auto' },
    ]);
    expect(config.routes.claude?.targets).toEqual([
      { provider: 'anthropic', model: 'claude-2.0', weight: 95 },
      { provider: 'anthropic', model: 'claude-2.1', weight: 5 },
    ]);
    expect(config.state.redis).toBeUndefined();
  });
});
