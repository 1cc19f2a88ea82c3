/**
 * A Redis outage as the shared key limit store reports it: every pooled key has a limiter of its
 * own over one Redis client, and the outage is said once for all of them (not once per key), and
 * once more when Redis answers again.
 */
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { createRedisKeyLimitStore, type KeyLimits, type KeyLimitStore } from '../../src/http/key-limit-store.js';
import { redisServerBinary, startThrowawayRedis, type ThrowawayRedis } from '../support/throwaway-redis.js';

/** The ioredis options the limiter's docs recommend, so that a dead Redis fails fast. */
const FAIL_FAST = { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 500, commandTimeout: 1_000 } as const;
const LIMITS: KeyLimits = { rpm: 1_000 };
const KEYS = ['pooled:0:aaaaaaaaaaaa', 'pooled:1:bbbbbbbbbbbb', 'pooled:2:cccccccccccc'];

const clients: Redis[] = [];
const servers: ThrowawayRedis[] = [];
const stores: KeyLimitStore[] = [];

afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
  for (const client of clients.splice(0)) client.disconnect();
  for (const server of servers.splice(0)) await server.kill();
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A store over `redis` with `failMode: open`, logging into `logs`. */
function openStore(redis: Redis, logs: string[]): KeyLimitStore {
  const store = createRedisKeyLimitStore({ redis, keyPrefix: `switchyard-test:key-outage:${String(Date.now())}:`, failMode: 'open', logger: (message) => logs.push(message) });
  stores.push(store);
  return store;
}

/** Takes room under every key once; each must be admitted (per process while Redis is down). */
async function useEveryKey(store: KeyLimitStore): Promise<void> {
  for (const name of KEYS) {
    const room = await store.tryShared(name, LIMITS, undefined);
    expect(room.admitted, name).toBe(true);
    if (room.admitted) room.release(10);
  }
}

describe('shared key limit store when Redis is unreachable', () => {
  it('failMode open: admits every key per process and reports the outage once, not once per key', async () => {
    // Nothing listens on port 1.
    const redis = new Redis('redis://127.0.0.1:1', { ...FAIL_FAST, lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 200 });
    redis.on('error', () => undefined);
    clients.push(redis);
    const logs: string[] = [];
    const store = openStore(redis, logs);
    await useEveryKey(store);
    await useEveryKey(store);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toContain('rate-limit store (Redis) unavailable');
  });
});

describe.skipIf(redisServerBinary === undefined)('shared key limit store when its Redis dies and comes back', () => {
  it('failMode open: one report when it dies, one when it answers again, whatever the number of keys', async () => {
    const server = await startThrowawayRedis();
    servers.push(server);
    const redis = new Redis({ host: '127.0.0.1', port: server.port, ...FAIL_FAST, retryStrategy: () => 100 });
    redis.on('error', () => undefined);
    clients.push(redis);
    await new Promise<void>((resolve) => redis.once('ready', () => resolve()));
    const logs: string[] = [];
    const store = openStore(redis, logs);
    await useEveryKey(store);
    expect(logs).toEqual([]);

    await server.kill();
    await useEveryKey(store);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toContain('rate-limit store (Redis) unavailable');

    servers.push(await startThrowawayRedis(server.port));
    await new Promise<void>((resolve) => (redis.status === 'ready' ? resolve() : redis.once('ready', () => resolve())));
    // Past the limiters' probe interval (1 s) every key tries Redis again and reaches it.
    await sleep(1_100);
    await useEveryKey(store);
    expect(logs).toHaveLength(2);
    expect(logs[1]).toContain('answers again');
  });
});
