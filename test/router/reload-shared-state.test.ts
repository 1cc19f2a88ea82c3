/**
 * `router.reload()` with shared state in a real Redis: breakers are shared per provider settings
 * (an unchanged provider keeps the fleet's open breaker, a changed one starts fresh while processes
 * on the old settings keep theirs), and a changed canary route reads its rollout back from Redis.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SwitchyardConfigInput } from '../../src/config/index.js';
import { createRouter } from '../../src/create-router.js';
import type { Router } from '../../src/router/router.js';
import { startSimulator, type Simulator } from '../../src/testing/simulator.js';
import { failure } from '../support/failure.js';
import { connectTestRedis, hasRedis, redisUrl, uniquePrefix } from '../support/redis.js';
import { FAST_POLICIES } from '../support/sim-config.js';

const ROTATED_KEY = 'sim-rotated-key-for-redis-0123456789';
let simulator: Simulator;
beforeAll(async () => {
  simulator = await startSimulator({ extraApiKeys: [ROTATED_KEY] });
});
afterAll(async () => {
  await simulator.close();
});

const ask = { model: 'chat', messages: [{ role: 'user' as const, content: 'hi' }] };

async function until(check: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, 20));
}

describe.skipIf(!hasRedis)('reload with state in Redis', () => {
  it('keeps the shared open breaker of an unchanged provider, and gives a changed provider a fresh one', async () => {
    (await connectTestRedis()).disconnect();
    const prefix = uniquePrefix('reload-breakers');
    const policies = { ...FAST_POLICIES, retry: { ...FAST_POLICIES.retry, attempts: 1 }, breaker: { enabled: true, errorRate: 0.5, minRequests: 2, window: '60s', openFor: '60s' } };
    const config = (apiKey: string, routes: Record<string, unknown> = {}): SwitchyardConfigInput =>
      ({
        providers: { anthropic: { type: 'anthropic', apiKey, baseUrl: simulator.url } },
        routes: { chat: { targets: [{ provider: 'anthropic', model: 'redis-breaker-model' }] }, ...routes },
        policies,
        state: { redis: { url: redisUrl, keyPrefix: prefix } },
      }) as SwitchyardConfigInput;
    const reloaded = createRouter(config(simulator.apiKey), { logger: () => undefined, tracing: false });
    const other = createRouter(config(simulator.apiKey), { logger: () => undefined, tracing: false });
    const routers: Router[] = [reloaded, other];
    try {
      await Promise.all(routers.map((router) => router.ready()));
      simulator.enqueueFault('redis-breaker-model', { kind: 'status', status: 500 }, 2);
      for (let index = 0; index < 2; index += 1) await failure(reloaded.chat(ask));
      // Both processes see the shared breaker open.
      await until(async () => (await failure(other.chat(ask)).catch(() => undefined))?.category === 'circuit_open');
      await until(async () => (await failure(reloaded.chat(ask)).catch(() => undefined))?.category === 'circuit_open');

      await reloaded.reload(config(simulator.apiKey, { extra: { targets: [{ provider: 'anthropic', model: 'other-model' }] } }));
      expect((await failure(reloaded.chat(ask))).category).toBe('circuit_open');

      await reloaded.reload(config(ROTATED_KEY));
      expect((await reloaded.chat(ask)).text).toBe('Echo: hi');
      // The process on the old settings still shares the old, open breaker.
      expect((await failure(other.chat(ask))).category).toBe('circuit_open');
    } finally {
      await Promise.all(routers.map((router) => router.close()));
    }
  });

  it("reads a changed canary route's rollout back from Redis", async () => {
    const prefix = uniquePrefix('reload-canary');
    const route = (total: string) => ({
      canary: {
        baseline: { provider: 'anthropic', model: 'claude-2.0' },
        candidate: { provider: 'anthropic', model: 'claude-2.1' },
        salt: 'reload-redis',
        steps: [{ weight: 10, minRequests: 1_000_000 }, { weight: 50, minRequests: 1_000_000 }, { weight: 100 }],
      },
      policies: { timeout: { total } },
    });
    const config = (total: string): SwitchyardConfigInput =>
      ({
        providers: { anthropic: { type: 'anthropic', apiKey: simulator.apiKey, baseUrl: simulator.url } },
        routes: { rollout: route(total) },
        policies: FAST_POLICIES,
        state: { redis: { url: redisUrl, keyPrefix: prefix } },
      }) as SwitchyardConfigInput;
    const router = createRouter(config('10s'), { logger: () => undefined, tracing: false });
    try {
      await router.ready();
      await router.canary('rollout').promote();
      expect(router.canary('rollout').status().weight).toBe(50);
      const result = await router.reload(config('20s'));
      expect(result.changes.routes.changed).toEqual(['rollout']);
      expect(router.canary('rollout').status()).toMatchObject({ weight: 50, step: 1 });
    } finally {
      await router.close();
    }
  });
});
