import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createMemoryCacheStore } from '../../../src/pipeline/cache/memory-cache-store.js';
import { createRedisCacheStore } from '../../../src/pipeline/cache/redis-cache-store.js';
import type { CachedEntry } from '../../../src/pipeline/cache/store.js';
import { connectTestRedis, hasRedis, redisUrl, uniquePrefix } from '../../support/redis.js';
import { redisServerBinary, startThrowawayRedis, type ThrowawayRedis } from '../../support/throwaway-redis.js';
import { upstreamResponse } from './call-context.js';

const entry = (text: string): CachedEntry => ({ response: upstreamResponse({ text }), storedAt: 1_700_000_000_000 });
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const quiet = (): void => undefined;

/** The two lines the store may say, as the breaker registry and the rate limiter word theirs. */
const UNAVAILABLE_LOCAL = /^switchyard cache: Redis unavailable \(.+\); using the process-local cache until it answers again$/;
const UNAVAILABLE_MISSES = /^switchyard cache: Redis unavailable \(.+\); serving cache misses until it answers again$/;
const ANSWERS_AGAIN = 'switchyard cache: Redis answers again; using the shared cache';

describe.skipIf(!hasRedis)('createRedisCacheStore against real Redis', () => {
  let redis: Redis;
  let other: Redis;
  let prefix: string;

  beforeAll(async () => {
    redis = await connectTestRedis();
    other = await connectTestRedis();
    prefix = uniquePrefix('cache-store');
  });

  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await Promise.all([redis.quit(), other.quit()]);
  });

  it('returns what was stored, field for field, and misses unknown keys', async () => {
    const store = createRedisCacheStore({ redis, failMode: 'open' });
    const stored = { response: upstreamResponse({ toolCalls: [{ id: 'c', name: 'lookup', arguments: { city: 'Oslo', nested: { a: [1, 2] } } }] }), storedAt: 123 };
    await store.set(`${prefix}roundtrip`, stored, 10_000);
    expect(await store.get(`${prefix}roundtrip`)).toEqual(stored);
    expect(await store.get(`${prefix}absent`)).toBeUndefined();
    expect(store.errors).toBe(0);
    expect(store.degraded).toBe(false);
  });

  it('sets the ttl on the Redis key and lets Redis expire it', async () => {
    const store = createRedisCacheStore({ redis, failMode: 'open' });
    const key = `${prefix}short`;
    await store.set(key, entry('short-lived'), 200);
    const ttl = await redis.pttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(200);
    expect((await store.get(key))?.response.text).toBe('short-lived');
    await sleep(600);
    expect(await store.get(key)).toBeUndefined();
  });

  it('shares entries between two store instances on two connections', async () => {
    const writer = createRedisCacheStore({ redis, failMode: 'open' });
    const reader = createRedisCacheStore({ redis: other, failMode: 'open' });
    await writer.set(`${prefix}shared`, entry('written by one process'), 10_000);
    expect((await reader.get(`${prefix}shared`))?.response.text).toBe('written by one process');
  });

  it('treats an unreadable value as a miss and counts it', async () => {
    const store = createRedisCacheStore({ redis, failMode: 'open' });
    await redis.set(`${prefix}garbage`, '{"not":"an entry"', 'PX', 10_000);
    await redis.set(`${prefix}wrong-shape`, '{"storedAt":"yesterday"}', 'PX', 10_000);
    expect(await store.get(`${prefix}garbage`)).toBeUndefined();
    expect(await store.get(`${prefix}wrong-shape`)).toBeUndefined();
    expect(store.errors).toBe(2);
    expect(store.degraded).toBe(false);
  });

  it('stores nothing for a ttl of zero', async () => {
    const store = createRedisCacheStore({ redis, failMode: 'open' });
    await store.set(`${prefix}zero`, entry('zero'), 0);
    expect(await redis.exists(`${prefix}zero`)).toBe(0);
  });

  it('leaves a shared client open on close, and quits one it owns', async () => {
    await createRedisCacheStore({ redis, failMode: 'open' }).close();
    expect(await redis.ping()).toBe('PONG');
    const owned = await connectTestRedis();
    await createRedisCacheStore({ redis: owned, failMode: 'open', ownsClient: true }).close();
    await vi.waitFor(() => expect(owned.status).toBe('end'), { timeout: 5_000 });
  });
});

describe('createRedisCacheStore with Redis unreachable', () => {
  function unreachable(): Redis {
    return new Redis('redis://127.0.0.1:1', { lazyConnect: true, connectTimeout: 200, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
  }

  it('answers misses, never throws, counts errors and logs once per outage', async () => {
    const redis = unreachable();
    redis.on('error', () => undefined);
    const logs: string[] = [];
    const store = createRedisCacheStore({ redis, failMode: 'closed', logger: (message) => logs.push(message), recheckMs: 0 });
    for (let round = 0; round < 3; round += 1) {
      await expect(store.set('k', entry('lost'), 1_000)).resolves.toBeUndefined();
      await expect(store.get('k')).resolves.toBeUndefined();
    }
    expect(store.errors).toBe(6);
    expect(store.degraded).toBe(true);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatch(UNAVAILABLE_MISSES);
    await store.close();
    redis.disconnect();
  });

  it('serves from the fallback store with failMode open', async () => {
    const redis = unreachable();
    redis.on('error', () => undefined);
    const store = createRedisCacheStore({ redis, failMode: 'open', fallback: createMemoryCacheStore({ maxEntries: 10 }), logger: quiet });
    await store.set('k', entry('kept locally'), 1_000);
    expect((await store.get('k'))?.response.text).toBe('kept locally');
    expect(store.degraded).toBe(true);
    await store.close();
    redis.disconnect();
  });

  it('ignores the fallback with failMode closed', async () => {
    const redis = unreachable();
    redis.on('error', () => undefined);
    const fallback = createMemoryCacheStore({ maxEntries: 10 });
    const store = createRedisCacheStore({ redis, failMode: 'closed', fallback, logger: quiet });
    await store.set('k', entry('not kept'), 1_000);
    expect(await store.get('k')).toBeUndefined();
    expect(fallback.size).toBe(0);
    await store.close();
    redis.disconnect();
  });

  it('skips Redis for recheckMs after a failure, then tries it again', async () => {
    const redis = unreachable();
    redis.on('error', () => undefined);
    let time = 0;
    const store = createRedisCacheStore({ redis, failMode: 'open', recheckMs: 1_000, now: () => time, logger: quiet });
    await store.get('k');
    await store.get('k');
    expect(store.errors).toBe(1);
    time += 1_000;
    await store.get('k');
    expect(store.errors).toBe(2);
    redis.disconnect();
  });

  it('counts a command that hangs past operationTimeoutMs as a failure', async () => {
    // With the offline queue on and no connection, commands wait; the store must not.
    const redis = new Redis('redis://127.0.0.1:1', { lazyConnect: true, connectTimeout: 5_000, retryStrategy: () => 1_000 });
    redis.on('error', () => undefined);
    const store = createRedisCacheStore({ redis, failMode: 'open', operationTimeoutMs: 50, logger: quiet });
    const started = performance.now();
    await expect(store.get('k')).resolves.toBeUndefined();
    expect(performance.now() - started).toBeLessThan(4_000);
    expect(store.errors).toBe(1);
    redis.disconnect();
  });
});

describe.skipIf(!hasRedis)('createRedisCacheStore when its connection to the real Redis drops and comes back', () => {
  it('failMode open: says unavailable once and answers again once per outage, two outages in a row', async () => {
    // Its own client, failing fast while disconnected (the options createRouter uses).
    const redis = new Redis(redisUrl as string, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2_000 });
    redis.on('error', () => undefined);
    const prefix = uniquePrefix('cache-outage');
    const logs: string[] = [];
    const store = createRedisCacheStore({ redis, failMode: 'open', fallback: createMemoryCacheStore({ maxEntries: 100 }), logger: (message) => logs.push(message), recheckMs: 0 });
    try {
      await redis.connect();
      for (let outage = 1; outage <= 2; outage += 1) {
        await store.set(`${prefix}shared-${outage}`, entry('shared'), 10_000);
        expect(await redis.exists(`${prefix}shared-${outage}`)).toBe(1);

        redis.disconnect();
        for (let index = 0; index < 5; index += 1) {
          await store.set(`${prefix}local-${outage}-${index}`, entry('local'), 10_000);
          expect((await store.get(`${prefix}local-${outage}-${index}`))?.response.text).toBe('local');
        }
        expect(store.degraded).toBe(true);

        await vi.waitFor(() => expect(redis.status).toBe('end'), { timeout: 5_000 });
        await redis.connect();
        for (let index = 0; index < 5; index += 1) await store.set(`${prefix}after-${outage}-${index}`, entry('shared again'), 10_000);
        expect(store.degraded).toBe(false);
        expect(await redis.exists(`${prefix}after-${outage}-4`)).toBe(1);
      }
      expect(store.errors).toBe(20); // every call of both outages failed on Redis; each outage was said once
      expect(logs).toHaveLength(4);
      expect(logs[0]).toMatch(UNAVAILABLE_LOCAL);
      expect(logs[1]).toBe(ANSWERS_AGAIN);
      expect(logs[2]).toMatch(UNAVAILABLE_LOCAL);
      expect(logs[3]).toBe(ANSWERS_AGAIN);
    } finally {
      await store.close();
      const keys = await redis.keys(`${prefix}*`).catch(() => []);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    }
  });
});

describe.skipIf(redisServerBinary === undefined)('createRedisCacheStore when its Redis is killed and restarted', () => {
  const servers: ThrowawayRedis[] = [];
  afterAll(async () => {
    for (const server of servers.splice(0)) await server.kill();
  });

  it('failMode open: serves locally through the outage and says exactly once that Redis is unavailable and once that it answers again', async () => {
    const server = await startThrowawayRedis();
    servers.push(server);
    const redis = new Redis({ host: '127.0.0.1', port: server.port, enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 500, retryStrategy: () => 100 });
    redis.on('error', () => undefined);
    const logs: string[] = [];
    const store = createRedisCacheStore({ redis, failMode: 'open', fallback: createMemoryCacheStore({ maxEntries: 100 }), logger: (message) => logs.push(message), recheckMs: 50 });
    try {
      await new Promise<void>((resolve) => redis.once('ready', () => resolve()));
      await store.set('before', entry('shared'), 10_000);
      expect((await store.get('before'))?.response.text).toBe('shared');

      await server.kill();
      // Calls go on through the outage, answered from the local fallback, and Redis is tried again every recheckMs.
      for (let index = 0; index < 20; index += 1) {
        await store.set(`during-${index}`, entry(`local ${index}`), 10_000);
        expect((await store.get(`during-${index}`))?.response.text).toBe(`local ${index}`);
        await sleep(10);
      }
      expect(store.degraded).toBe(true);
      expect(store.errors).toBeGreaterThan(1);
      expect(logs).toHaveLength(1);

      servers.push(await startThrowawayRedis(server.port));
      const deadline = Date.now() + 5_000;
      while (store.degraded && Date.now() < deadline) {
        await store.get('after');
        await sleep(20);
      }
      expect(store.degraded).toBe(false);
      for (let index = 0; index < 10; index += 1) await store.set(`after-${index}`, entry('shared again'), 10_000);
      expect(await redis.exists('after-9')).toBe(1);

      expect(logs.filter((line) => line.includes('Redis unavailable'))).toHaveLength(1);
      expect(logs.filter((line) => line.includes('Redis answers again'))).toHaveLength(1);
      expect(logs).toHaveLength(2);
      expect(logs[0]).toMatch(UNAVAILABLE_LOCAL);
      expect(logs[1]).toBe(ANSWERS_AGAIN);
    } finally {
      await store.close();
      redis.disconnect();
    }
  });
});
