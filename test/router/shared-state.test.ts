/**
 * Router instances sharing state through a real Redis: separate OS processes share one limit, and a
 * Redis killed mid-run does not fail calls with `failMode: open`.
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRouter } from '../../src/create-router.js';
import { startSimulator, type Simulator } from '../../src/testing/simulator.js';
import { connectTestRedis, hasRedis, redisUrl, uniquePrefix } from '../support/redis.js';
import { redisServerBinary, startThrowawayRedis } from '../support/throwaway-redis.js';

let simulator: Simulator;
beforeAll(async () => {
  simulator = await startSimulator();
});
afterAll(async () => {
  await simulator.close();
});

function startWorker(env: Record<string, string>): { ready: Promise<void>; go: () => void; result: Promise<string> } {
  const child = spawn(process.execPath, ['--import', 'tsx', new URL('./fixtures/limited-router-worker.ts', import.meta.url).pathname], {
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const result = new Promise<string>((resolve, reject) => {
    child.on('exit', (code) => (code === 0 ? resolve(output.trim()) : reject(new Error(`worker exited with ${code}: ${output}`))));
  });
  return { ready: new Promise((resolve) => setTimeout(resolve, 1_500)), go: () => child.stdin.end('go\n'), result };
}

describe.skipIf(!hasRedis)('shared state through Redis', () => {
  it('two router processes with rpm 10 admit 10 calls together, not 20', async () => {
    const redis = await connectTestRedis(); // fails the test when REDIS_URL is set and Redis is down
    await redis.quit();
    const env = { SIM_URL: simulator.url, REDIS_URL: redisUrl as string, PREFIX: uniquePrefix('router-limit'), RPM: '10', CALLS: '15' };
    const workers = [startWorker(env), startWorker(env)];
    await Promise.all(workers.map((worker) => worker.ready));
    for (const worker of workers) worker.go();
    const outputs = await Promise.all(workers.map((worker) => worker.result));
    const admitted = outputs.map((line) => Number(/admitted=(\d+)/.exec(line)?.[1]));
    // Each process alone would admit 10 (20 together); sharing one Redis limit, they admit 10 in all.
    // How the 10 split between them depends on which process started first.
    expect(admitted.reduce((sum, count) => sum + count, 0)).toBe(10);
  }, 30_000);
});

describe.skipIf(redisServerBinary === undefined)('Redis killed mid-run', () => {
  it('keeps calls succeeding on local state with failMode open, and says so once', async () => {
    const redis = await startThrowawayRedis();
    const warnings: string[] = [];
    const router = createRouter(
      {
        providers: { openai: { type: 'openai', apiKey: simulator.apiKey, baseUrl: `${simulator.url}/v1` } },
        routes: { gpt4: { targets: [{ provider: 'openai', model: 'gpt-4' }] } },
        policies: {
          rateLimit: { global: { rps: 1_000 }, perUser: { concurrency: 10 }, wait: '0s' },
          cache: { ttl: '10s' },
          retry: { attempts: 2, minDelay: '5ms', maxDelay: '10ms' },
        },
        state: { redis: { url: `redis://127.0.0.1:${redis.port}`, failMode: 'open' } },
      },
      { logger: (message) => warnings.push(message) },
    );
    await new Promise((resolve) => setTimeout(resolve, 300)); // let the client connect
    let failures = 0;
    for (let index = 0; index < 60; index += 1) {
      if (index === 20) await redis.kill();
      try {
        await router.chat({ model: 'gpt4', messages: [{ role: 'user', content: `q ${index}` }], temperature: 0 }, { user: 'u' });
      } catch {
        failures += 1;
      }
    }
    expect(failures).toBe(0);
    expect(warnings.length).toBeGreaterThan(0);
    expect(new Set(warnings).size).toBe(warnings.length); // each warning said once
    await router.close();
  }, 30_000);

  it('with failMode open the breaker, the limiter and the cache each say once that Redis is unavailable and once that it answers again', async () => {
    const redis = await startThrowawayRedis();
    let restarted: Awaited<ReturnType<typeof startThrowawayRedis>> | undefined;
    const said: string[] = []; // every 'shared-state' warning event, before the logger's own once-only filter
    const router = createRouter(
      {
        providers: { openai: { type: 'openai', apiKey: simulator.apiKey, baseUrl: `${simulator.url}/v1` } },
        routes: { gpt4: { targets: [{ provider: 'openai', model: 'gpt-4' }] } },
        policies: {
          rateLimit: { global: { rps: 1_000 }, perUser: { concurrency: 10 }, wait: '0s' },
          cache: { ttl: '10s' },
          retry: { attempts: 2, minDelay: '5ms', maxDelay: '10ms' },
        },
        state: { redis: { url: `redis://127.0.0.1:${redis.port}`, failMode: 'open' } },
      },
      { logger: () => undefined },
    );
    router.on('warning', (warning) => {
      if (warning.code === 'shared-state') said.push(warning.message);
    });
    const components = [/^switchyard breaker: /, /^rate-limit store /, /^switchyard cache: /];
    const lines = (component: RegExp, state: RegExp): string[] => said.filter((line) => component.test(line) && state.test(line));
    const down = /\bRedis\)? unavailable\b/;
    const back = /\bRedis\)? answers again;/;
    const allSaid = (state: RegExp): boolean => components.every((component) => lines(component, state).length > 0);
    let index = 0;
    let failures = 0;
    const callUntil = async (done: () => boolean): Promise<void> => {
      const deadline = Date.now() + 15_000;
      while (!done() && Date.now() < deadline) {
        index += 1;
        try {
          await router.chat({ model: 'gpt4', messages: [{ role: 'user', content: `q ${index}` }], temperature: 0 }, { user: 'u' });
        } catch {
          failures += 1;
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };
    try {
      await new Promise((resolve) => setTimeout(resolve, 300)); // let the client connect
      await callUntil(() => index >= 10);
      expect(said).toEqual([]);
      await redis.kill();
      await callUntil(() => allSaid(down));
      restarted = await startThrowawayRedis(redis.port);
      await callUntil(() => allSaid(back));
      const recoveredAt = index;
      await callUntil(() => index >= recoveredAt + 20); // more calls with Redis back: nothing more to say
      expect(failures).toBe(0);
      for (const component of components) {
        expect(lines(component, down), `${component} unavailable`).toHaveLength(1);
        expect(lines(component, back), `${component} answers again`).toHaveLength(1);
      }
      expect(said).toHaveLength(6);
    } finally {
      await router.close();
      await redis.kill();
      await restarted?.kill();
    }
  }, 40_000);
});
