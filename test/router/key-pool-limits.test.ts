/**
 * Per-key limits and breakers of key pools over real sockets, against the simulator answering per
 * key: a key at its own rpm or tpm is passed over and the others take its calls; every key full
 * fails the call with the typed `rate_limit` error and sends nothing; a key answering 500 has its
 * breaker opened (reported by position on the `provider-key` event and metric) while the others
 * serve; a reload keeps the keys' counters; with REDIS_URL two routers spend one quota per key.
 * No key value reaches an error, an event or a metric.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { SwitchyardConfigInput } from '../../src/config/index.js';
import { createRouter } from '../../src/create-router.js';
import type { RouterEvents } from '../../src/events.js';
import type { Simulator } from '../../src/testing/simulator.js';
import type { ChatRequest } from '../../src/types.js';
import { connectTestRedis, hasRedis, redisUrl, uniquePrefix } from '../support/redis.js';
import { failure } from '../support/failure.js';
import { recordRouterEvents } from '../support/router-recorder.js';
import { FAST_POLICIES } from '../support/sim-config.js';
import { useSimulator } from '../support/simulator-fixture.js';

const KEYS = ['kl-test-key-alpha-2c81f0aa', 'kl-test-key-bravo-7d03e91b', 'kl-test-key-charlie-44be0c6d'] as const;
const [KEY_A, KEY_B, KEY_C] = KEYS;

let simulator: Simulator;
const fixture = useSimulator({ seed: 23, apiKey: KEY_A, extraApiKeys: [KEY_B, KEY_C] });
beforeEach(() => {
  ({ simulator } = fixture);
});

const ask = (text = 'hello'): ChatRequest => ({ model: 'r', messages: [{ role: 'user', content: text }] });

type PoolEntry = string | { key: string; weight?: number; limits?: { rps?: number; rpm?: number; tpm?: number } };

/** One `openai` provider with a key pool on the simulator, one route `r` to it. */
function poolConfig(apiKeys: readonly PoolEntry[], extra: { keyPool?: object; policies?: object; state?: object } = {}): SwitchyardConfigInput {
  return {
    providers: { pooled: { type: 'openai', apiKeys: [...apiKeys], baseUrl: `${simulator.url}/v1`, ...(extra.keyPool === undefined ? {} : { keyPool: extra.keyPool }) } },
    routes: { r: { targets: [{ provider: 'pooled', model: 'gpt-4' }] } },
    policies: extra.policies ?? FAST_POLICIES,
    ...(extra.state === undefined ? {} : { state: extra.state }),
  };
}

const ONE_TRY = { ...FAST_POLICIES, retry: { ...FAST_POLICIES.retry, attempts: 1 } };

const counts = (): number[] => KEYS.map((key) => simulator.keyCount(key));

describe('key pools: per-key limits', () => {
  it('passes over a key at its rpm: the other keys take its calls', async () => {
    const router = createRouter(poolConfig([{ key: KEY_A, limits: { rpm: 2 } }, { key: KEY_B, limits: { rpm: 100 } }, KEY_C]), { tracing: false });
    try {
      for (let index = 0; index < 9; index += 1) await router.chat(ask(`call ${index}`));
      // a b c a b c, then a has spent its 2 a minute: b and c share the rest.
      expect(counts()).toEqual([2, 4, 3]);
      const endings: RouterEvents['call-end'][] = [];
      router.on('call-end', (end) => endings.push(end));
      await router.chat(ask());
      expect(endings[0]?.attempts).toHaveLength(1);
    } finally {
      await router.close();
    }
  });

  it.each(['chat', 'stream'] as const)('charges the tokens of a %s answer to the key that served it (tpm)', async (mode) => {
    const router = createRouter(poolConfig([{ key: KEY_A, limits: { tpm: 2 } }, KEY_B]), { tracing: false });
    try {
      let tokens = 0;
      if (mode === 'chat') tokens = (await router.chat(ask())).usage.totalTokens;
      else for await (const event of router.stream(ask('streamed'))) if (event.type === 'finish') tokens = event.response.usage.totalTokens;
      expect(tokens).toBeGreaterThan(2);
      expect(counts().slice(0, 2)).toEqual([1, 0]);
      // A spent more than its 2 tokens a minute: B takes every call now (by weight alone, A would take every other).
      for (let index = 0; index < 3; index += 1) await router.chat(ask());
      expect(counts().slice(0, 2)).toEqual([1, 3]);
    } finally {
      await router.close();
    }
  });

  it('fails the call with a typed rate_limit error naming positions, and sends nothing, when every key is full', async () => {
    const router = createRouter(poolConfig([{ key: KEY_A, limits: { rpm: 1 } }, { key: KEY_B, limits: { rpm: 1 } }], { policies: ONE_TRY }), { tracing: false });
    const seen = recordRouterEvents(router);
    try {
      await router.chat(ask());
      await router.chat(ask());
      const error = await failure(router.chat(ask()));
      expect(error).toMatchObject({ category: 'rate_limit', code: 'rate_limit.key_pool', provider: 'pooled', retryable: true });
      expect(error.retryAfterMs).toBeGreaterThan(50_000);
      expect(error.retryAfterMs).toBeLessThanOrEqual(60_000);
      expect(error.message).toMatch(/no key of provider "pooled" can take a request now \(apiKeys\[0\] at its limits, apiKeys\[1\] at its limits\)/);
      expect(counts().slice(0, 2)).toEqual([1, 1]);
      for (const key of KEYS) expect(JSON.stringify(error) + error.message + seen.text()).not.toContain(key);
    } finally {
      await router.close();
    }
  });

  it('keeps a key’s counters across a reload that changes the provider', async () => {
    const router = createRouter(poolConfig([{ key: KEY_A, limits: { rpm: 1 } }, KEY_B]), { tracing: false });
    try {
      await router.chat(ask());
      expect(counts().slice(0, 2)).toEqual([1, 0]);
      // A new cooldown and weight make a new pool; A's minute is still spent.
      await router.reload(poolConfig([{ key: KEY_A, limits: { rpm: 1 } }, { key: KEY_B, weight: 2 }], { keyPool: { cooldown: '5s' } }));
      for (let index = 0; index < 3; index += 1) await router.chat(ask());
      expect(counts().slice(0, 2)).toEqual([1, 3]);
    } finally {
      await router.close();
    }
  });
});

describe('key pools: per-key breakers', () => {
  it('opens the breaker of a key answering 500: the others serve, one event and metric by position, the provider breaker still sees the call', async () => {
    const keyPool = { breaker: { minRequests: 2, errorRate: 0.5, openFor: '1m' } };
    const router = createRouter(poolConfig([KEY_A, KEY_B, KEY_C], { keyPool }), { tracing: false });
    const seen = recordRouterEvents(router);
    simulator.setKeyAnswer(KEY_A, { status: 500 });
    try {
      // Each 500 on A is retried by the router on the next key; A answers two, then its breaker opens.
      for (let index = 0; index < 8; index += 1) await router.chat(ask(`call ${index}`));
      expect(simulator.keyCount(KEY_A)).toBe(2);
      expect(simulator.keyCount(KEY_B) + simulator.keyCount(KEY_C)).toBe(8);
      expect(seen.events['provider-key']).toEqual([{ provider: 'pooled', index: 0, change: 'breaker-open', status: 500, category: 'server', remaining: 3, size: 3 }]);
      // The two calls that met A's 500 failed a try each, as the route's breaker and retry see it.
      const endings = seen.events['call-end'] as RouterEvents['call-end'][];
      expect(endings.filter((end) => end.attempts.length === 2)).toHaveLength(2);
      const exposition = (await router.metrics?.metrics()) ?? '';
      expect(exposition).toContain('switchyard_key_pool_changes_total{provider="pooled",key_index="0",change="breaker-open"} 1');
      for (const key of KEYS) {
        expect(seen.text()).not.toContain(key);
        expect(exposition).not.toContain(key);
      }
    } finally {
      await router.close();
    }
  });

  it('keeps an open key breaker across a reload that leaves the provider unchanged', async () => {
    const keyPool = { breaker: { minRequests: 1, errorRate: 0.5, openFor: '1m' } };
    const config = poolConfig([KEY_A, KEY_B], { keyPool });
    const router = createRouter(config, { tracing: false });
    simulator.setKeyAnswer(KEY_A, { status: 503 });
    try {
      await router.chat(ask());
      simulator.setKeyAnswer(KEY_A, undefined);
      await router.reload({ ...config, routes: { r: { targets: [{ provider: 'pooled', model: 'gpt-4' }] }, other: { targets: [{ provider: 'pooled', model: 'gpt-4o' }] } } });
      for (let index = 0; index < 4; index += 1) await router.chat(ask());
      expect(counts().slice(0, 2)).toEqual([1, 5]);
    } finally {
      await router.close();
    }
  });
});

describe.skipIf(!hasRedis)('key pools: per-key limits shared through Redis', () => {
  it('spreads concurrent calls over the keys by turn while each waits on Redis for its key’s room', async () => {
    const state = { redis: { url: redisUrl as string, keyPrefix: uniquePrefix('key-limits-concurrent') } };
    const router = createRouter(poolConfig([{ key: KEY_A, limits: { rpm: 1_000 } }, { key: KEY_B, limits: { rpm: 1_000 } }], { state }), { tracing: false });
    try {
      await router.ready();
      await Promise.all(Array.from({ length: 8 }, (_, index) => router.chat(ask(`concurrent ${index}`))));
      expect(counts().slice(0, 2)).toEqual([4, 4]);
    } finally {
      await router.close();
    }
  });

  it('spends one quota per key across two routers, its state named by provider, position and digest', async () => {
    const keyPrefix = uniquePrefix('key-limits');
    const state = { redis: { url: redisUrl as string, keyPrefix } };
    const config = poolConfig([{ key: KEY_A, limits: { rpm: 2 } }, { key: KEY_B, limits: { rpm: 1 } }], { state, policies: ONE_TRY });
    const first = createRouter(config, { tracing: false });
    const second = createRouter(config, { tracing: false });
    try {
      await first.ready();
      await second.ready();
      await first.chat(ask());
      await first.chat(ask());
      // A has one call left of its 2, B none of its 1: whichever router asks.
      await second.chat(ask());
      expect(counts().slice(0, 2)).toEqual([2, 1]);
      const error = await failure(second.chat(ask()));
      expect(error).toMatchObject({ category: 'rate_limit', code: 'rate_limit.key_pool', provider: 'pooled' });
      const again = await failure(first.chat(ask()));
      expect(again.retryAfterMs).toBeGreaterThan(0);
      expect(counts().slice(0, 2)).toEqual([2, 1]);
      for (const key of KEYS) expect(error.message + again.message).not.toContain(key);
      const redis = await connectTestRedis();
      try {
        const stored = (await redis.keys(`${keyPrefix}*`)).map((name) => name.slice(keyPrefix.length)).sort();
        expect(stored).toEqual([expect.stringMatching(/^key-pool:pooled:0:[0-9a-f]{12}:\{rate-limit\}:global:rpm$/), expect.stringMatching(/^key-pool:pooled:1:[0-9a-f]{12}:\{rate-limit\}:global:rpm$/)]);
        for (const key of KEYS) expect(stored.join(' ')).not.toContain(key);
      } finally {
        redis.disconnect();
      }
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });
});
