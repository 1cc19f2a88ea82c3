import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import type { RateLimitPolicy } from '../../../src/config/types.js';
import { SwitchyardError } from '../../../src/errors.js';
import type { RateLimitLease } from '../../../src/pipeline/rate-limit/index.js';
import { createRedisRateLimiter } from '../../../src/pipeline/rate-limit/index.js';
import { ACQUIRE_SCRIPT } from '../../../src/pipeline/rate-limit/redis-scripts.js';
import { redisServerBinary, startThrowawayRedis, type ThrowawayRedis } from '../../support/throwaway-redis.js';

/** The ioredis options the limiter's docs recommend, so that a dead Redis fails fast. */
const FAIL_FAST = { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 500, commandTimeout: 1_000 } as const;

const clients: Redis[] = [];
const servers: ThrowawayRedis[] = [];

/** A client that can never connect (nothing listens on port 1). */
function unreachableRedis(): Redis {
  const client = new Redis('redis://127.0.0.1:1', { ...FAIL_FAST, lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 200 });
  client.on('error', () => undefined);
  clients.push(client);
  return client;
}

async function refusal(promise: Promise<unknown>): Promise<SwitchyardError> {
  try {
    await promise;
  } catch (error) {
    if (SwitchyardError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected the acquire to be refused');
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

afterEach(async () => {
  for (const client of clients.splice(0)) client.disconnect();
  for (const server of servers.splice(0)) await server.kill();
});

describe('redis rate limiter when Redis is unreachable', () => {
  it('failMode open: keeps admitting on per-process limits, logs once, reports degraded', async () => {
    const logs: string[] = [];
    const changes: boolean[] = [];
    const limiter = createRedisRateLimiter({
      redis: unreachableRedis(),
      keyPrefix: 'switchyard-test:unreachable:',
      failMode: 'open',
      logger: (message) => logs.push(message),
      onDegraded: (degraded) => changes.push(degraded),
    });
    const policy: RateLimitPolicy = { global: { rpm: 5 }, perUser: { concurrency: 10 }, waitMs: 0 };
    const leases: RateLimitLease[] = [];
    for (let index = 0; index < 5; index += 1) leases.push(await limiter.acquire({ user: 'u1' }, policy));
    expect(limiter.degraded).toBe(true);
    // The local limiter enforces the same limits.
    const error = await refusal(limiter.acquire({ user: 'u1' }, policy));
    expect(error.category).toBe('rate_limit');
    expect(error.message).toContain('global rpm limit of 5 reached');
    for (const lease of leases) lease.release(100);
    // Past the probe interval, Redis is tried again, fails again, and nothing more is logged.
    await sleep(1_100);
    await refusal(limiter.acquire({ user: 'u1' }, policy));
    await limiter.acquire({ user: 'u1' }, { perUser: { concurrency: 1 }, waitMs: 0 });
    expect(logs).toHaveLength(1);
    expect(logs[0]).toContain('rate-limit store (Redis) unavailable');
    expect(logs[0]).toContain('limiting per process');
    expect(changes).toEqual([true]);
    await limiter.close();
  });

  it('failMode closed: refuses every limited call with a clear server error', async () => {
    const logs: string[] = [];
    const limiter = createRedisRateLimiter({
      redis: unreachableRedis(),
      keyPrefix: 'switchyard-test:unreachable:',
      failMode: 'closed',
      logger: (message) => logs.push(message),
    });
    const policy: RateLimitPolicy = { perTenant: { rpm: 30 }, waitMs: 1_000 };
    for (let index = 0; index < 3; index += 1) {
      const error = await refusal(limiter.acquire({ tenant: 't1' }, policy));
      expect(error.category).toBe('server');
      expect(error.retryable).toBe(false);
      expect(error.message).toMatch(/^rate-limit store \(Redis\) unavailable and state\.redis\.failMode is closed/);
    }
    expect(limiter.degraded).toBe(false);
    expect(logs).toEqual([]);
    // A call under no limit needs no store: it is admitted without asking Redis.
    const lease = await limiter.acquire({}, policy);
    expect(lease.waitedMs).toBe(0);
    await limiter.close();
  });
});

describe.skipIf(redisServerBinary === undefined)('redis rate limiter when its Redis dies mid-run', () => {
  it('failMode open: calls keep succeeding after SIGKILL, degraded flips, and recovers when Redis is back', async () => {
    const server = await startThrowawayRedis();
    servers.push(server);
    const redis = new Redis({ host: '127.0.0.1', port: server.port, ...FAIL_FAST, retryStrategy: () => 100 });
    redis.on('error', () => undefined);
    clients.push(redis);
    await new Promise<void>((resolve) => redis.once('ready', () => resolve()));

    const logs: string[] = [];
    const changes: boolean[] = [];
    const limiter = createRedisRateLimiter({
      redis,
      keyPrefix: 'switchyard-test:killed:',
      failMode: 'open',
      logger: (message) => logs.push(message),
      onDegraded: (degraded) => changes.push(degraded),
    });
    const policy: RateLimitPolicy = { global: { rps: 10_000, concurrency: 100 }, perUser: { tpm: 1_000_000 }, waitMs: 100 };

    // Steady traffic that never stops while Redis dies.
    let running = true;
    let succeeded = 0;
    const failures: unknown[] = [];
    let heldAcrossKill: RateLimitLease | undefined;
    const traffic = (async () => {
      while (running) {
        try {
          const lease = await limiter.acquire({ user: 'u1' }, policy);
          succeeded += 1;
          if (heldAcrossKill === undefined) heldAcrossKill = lease;
          else lease.release(10);
        } catch (error) {
          failures.push(error);
        }
        await sleep(2);
      }
    })();

    while (succeeded < 20) await sleep(5);
    expect(limiter.degraded).toBe(false);
    // A fresh server did not know the script: the EVALSHA → EVAL fallback loaded it.
    expect(await redis.script('EXISTS', ACQUIRE_SCRIPT.sha)).toEqual([1]);

    await server.kill();
    const beforeKill = succeeded;
    while (succeeded < beforeKill + 50) await sleep(5);
    expect(limiter.degraded).toBe(true);
    expect(changes).toEqual([true]);
    heldAcrossKill?.release(10);

    // Redis comes back on the same port: the limiter notices within its probe interval.
    servers.push(await startThrowawayRedis(server.port));
    await new Promise<void>((resolve) => (redis.status === 'ready' ? resolve() : redis.once('ready', () => resolve())));
    const deadline = Date.now() + 5_000;
    while (limiter.degraded && Date.now() < deadline) await sleep(20);
    running = false;
    await traffic;
    await limiter.close();

    expect(failures).toEqual([]);
    expect(limiter.degraded).toBe(false);
    expect(changes).toEqual([true, false]);
    expect(logs).toHaveLength(2);
    expect(logs[0]).toContain('rate-limit store (Redis) unavailable');
    expect(logs[1]).toContain('answers again');
  });

  it('failMode closed: refuses with the clear error once its Redis is killed', async () => {
    const server = await startThrowawayRedis();
    servers.push(server);
    const redis = new Redis({ host: '127.0.0.1', port: server.port, ...FAIL_FAST, retryStrategy: () => 100 });
    redis.on('error', () => undefined);
    clients.push(redis);
    await new Promise<void>((resolve) => redis.once('ready', () => resolve()));
    const limiter = createRedisRateLimiter({ redis, keyPrefix: 'switchyard-test:killed-closed:', failMode: 'closed' });
    const policy: RateLimitPolicy = { global: { rps: 1_000 }, waitMs: 0 };
    await limiter.acquire({}, policy);
    await server.kill();
    const error = await refusal(limiter.acquire({}, policy));
    expect(error.category).toBe('server');
    expect(error.message).toContain('state.redis.failMode is closed');
    expect(limiter.degraded).toBe(false);
  });
});
