/**
 * A router with `state.redis` whose `close()` is forgotten does not keep the process alive: checked
 * in a child process (cockatiel's habit for process-exit behaviour).
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/testing/simulator.js';
import { deleteKeysWithPrefix, hasRedis, redisUrl, uniquePrefix } from '../support/redis.js';

let simulator: Simulator;
const prefix = uniquePrefix('forgotten-close');
beforeAll(async () => {
  simulator = await startSimulator();
});
afterAll(async () => {
  await simulator.close();
  await deleteKeysWithPrefix(prefix);
});

function runWorker(env: Record<string, string>): Promise<{ code: number | null; output: string; ms: number }> {
  const started = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', new URL('./fixtures/forgotten-close-worker.ts', import.meta.url).pathname], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => {
    const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('exit', (code) => {
      clearTimeout(killer);
      resolve({ code, output, ms: Date.now() - started });
    });
  });
}

describe.skipIf(!hasRedis)('a router with state.redis and no close()', () => {
  it('lets the process exit once its work is done', async () => {
    const result = await runWorker({ SIM_URL: simulator.url, SIM_KEY: simulator.apiKey, REDIS_URL: redisUrl as string, PREFIX: prefix });
    expect(result.output).toContain('answered=');
    expect(result.code).toBe(0);
  }, 30_000);
});
