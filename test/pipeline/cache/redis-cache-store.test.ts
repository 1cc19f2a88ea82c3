import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createMemoryCacheStore, createRedisCacheStore } from '../../../src/pipeline/cache/store.js';
import type { CachedEntry, CacheLogger } from '../../../src/pipeline/cache/store.js';
import { connectTestRedis, hasRedis, uniquePrefix } from '../../support/redis.js';
import { upstreamResponse } from './call-context.js';

const entry = (text: string): CachedEntry => ({ response: upstreamResponse({ text }), storedAt: 1_700_000_000_000 });
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function recordingLogger(): CacheLogger & { warnings: string[]; infos: string[] } {
  const warnings: string[] = [];
  const infos: string[] = [];
  return { warnings, infos, warn: (message) => warnings.push(message), info: (message) => infos.push(message) };
}

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
    const logger = recordingLogger();
    const store = createRedisCacheStore({ redis, failMode: 'closed', logger, recheckMs: 0 });
    for (let round = 0; round < 3; round += 1) {
      await expect(store.set('k', entry('lost'), 1_000)).resolves.toBeUndefined();
      await expect(store.get('k')).resolves.toBeUndefined();
    }
    expect(store.errors).toBe(6);
    expect(store.degraded).toBe(true);
    expect(logger.warnings).toHaveLength(1);
    expect(logger.warnings[0]).toContain('Redis');
    await store.close();
    redis.disconnect();
  });

  it('serves from the fallback store with failMode open', async () => {
    const redis = unreachable();
    redis.on('error', () => undefined);
    const store = createRedisCacheStore({ redis, failMode: 'open', fallback: createMemoryCacheStore({ maxEntries: 10 }) });
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
    const store = createRedisCacheStore({ redis, failMode: 'closed', fallback });
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
    const store = createRedisCacheStore({ redis, failMode: 'open', recheckMs: 1_000, now: () => time });
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
    const store = createRedisCacheStore({ redis, failMode: 'open', operationTimeoutMs: 50 });
    const started = performance.now();
    await expect(store.get('k')).resolves.toBeUndefined();
    expect(performance.now() - started).toBeLessThan(4_000);
    expect(store.errors).toBe(1);
    redis.disconnect();
  });
});
