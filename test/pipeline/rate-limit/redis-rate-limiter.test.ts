import type { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RateLimitPolicy } from '../../../src/config/types.js';
import { SwitchyardError } from '../../../src/errors.js';
import type { RateLimiter, RateLimitLease } from '../../../src/pipeline/rate-limit/index.js';
import { CONCURRENCY_LEASE_TTL_MS, createRedisRateLimiter } from '../../../src/pipeline/rate-limit/index.js';
import { connectTestRedis, hasRedis, uniquePrefix } from '../../support/redis.js';

type Outcome = { admitted: true; lease: RateLimitLease } | { admitted: false; error: SwitchyardError };

async function attempt(limiter: RateLimiter, policy: RateLimitPolicy, keys = {}): Promise<Outcome> {
  try {
    return { admitted: true, lease: await limiter.acquire(keys, policy) };
  } catch (error) {
    if (SwitchyardError.isInstance(error)) return { admitted: false, error };
    throw error;
  }
}

function refusals(outcomes: readonly Outcome[]): SwitchyardError[] {
  return outcomes.flatMap((outcome) => (outcome.admitted ? [] : [outcome.error]));
}

describe.skipIf(!hasRedis)('redis rate limiter (shared Redis)', () => {
  let first: Redis;
  let second: Redis;
  let prefix: string;
  let limiterA: RateLimiter;
  let limiterB: RateLimiter;
  const logs: string[] = [];

  beforeEach(async () => {
    first = await connectTestRedis();
    second = await connectTestRedis();
    prefix = uniquePrefix('rate-limit');
    logs.length = 0;
    limiterA = createRedisRateLimiter({ redis: first, keyPrefix: prefix, failMode: 'closed', logger: (message) => logs.push(message) });
    limiterB = createRedisRateLimiter({ redis: second, keyPrefix: prefix, failMode: 'closed', logger: (message) => logs.push(message) });
  });

  afterEach(async () => {
    await limiterA.close();
    await limiterB.close();
    const keys = await first.keys(`${prefix}*`);
    if (keys.length > 0) await first.del(...keys);
    first.disconnect();
    second.disconnect();
  });

  it('shares one rps limit between two limiters on two connections', async () => {
    const policy: RateLimitPolicy = { global: { rps: 10 }, waitMs: 0 };
    const startedAt = performance.now();
    const outcomes = await Promise.all(Array.from({ length: 20 }, (_, index) => attempt(index % 2 === 0 ? limiterA : limiterB, policy)));
    const elapsedMs = performance.now() - startedAt;
    const admitted = outcomes.filter((outcome) => outcome.admitted).length;
    // A burst of 10, then one more room every 100 ms: 10 unless the machine took over 100 ms to send 20 scripts.
    expect(admitted).toBeGreaterThanOrEqual(10);
    expect(admitted).toBeLessThanOrEqual(10 + Math.floor(elapsedMs / 100));
    for (const error of refusals(outcomes)) {
      expect(error.category).toBe('rate_limit');
      expect(error.retryable).toBe(false);
      expect(error.retryAfterMs).toBeGreaterThan(0);
      expect(error.retryAfterMs).toBeLessThanOrEqual(100);
      expect(error.message).toContain('global rps limit of 10 reached');
    }
    expect(logs).toEqual([]);
  });

  it('rpm per tenant: exact retry-after from the shared clock, other tenants untouched', async () => {
    const policy: RateLimitPolicy = { perTenant: { rpm: 30 }, waitMs: 0 };
    const startedAt = performance.now();
    for (let index = 0; index < 30; index += 1) {
      expect((await attempt(index % 2 === 0 ? limiterA : limiterB, policy, { tenant: 't1' })).admitted).toBe(true);
    }
    const outcome = await attempt(limiterB, policy, { tenant: 't1' });
    const elapsedMs = performance.now() - startedAt;
    if (outcome.admitted) throw new Error('the 31st call of the minute was admitted');
    expect(outcome.error.message).toMatch(/^perTenant rpm limit of 30 reached for tenant t1;/);
    // The next room is 2 s after the first call.
    expect(outcome.error.retryAfterMs).toBeLessThanOrEqual(2_000);
    expect(outcome.error.retryAfterMs).toBeGreaterThanOrEqual(2_000 - Math.ceil(elapsedMs) - 1);
    expect((await attempt(limiterA, policy, { tenant: 't2' })).admitted).toBe(true);
    expect((await attempt(limiterA, policy, {})).admitted).toBe(true);
  });

  it('is all or nothing across limits in one script', async () => {
    const policy: RateLimitPolicy = { global: { rpm: 10 }, perUser: { concurrency: 1 }, waitMs: 0 };
    expect((await attempt(limiterA, policy, { user: 'u1' })).admitted).toBe(true);
    for (let index = 0; index < 20; index += 1) {
      const outcome = await attempt(index % 2 === 0 ? limiterA : limiterB, policy, { user: 'u1' });
      expect(outcome.admitted).toBe(false);
      if (!outcome.admitted) expect(outcome.error.message).toContain('perUser concurrency limit of 1 reached for user u1');
    }
    for (let user = 2; user <= 10; user += 1) expect((await attempt(limiterB, policy, { user: `u${user}` })).admitted).toBe(true);
    const outcome = await attempt(limiterA, policy, { user: 'u11' });
    expect(outcome.admitted).toBe(false);
    if (!outcome.admitted) expect(outcome.error.message).toContain('global rpm limit of 10 reached');
    // u11's refusal took no slot.
    const slots = await first.zcard(`${prefix}{rate-limit}:perUser:concurrency:u11`);
    expect(slots).toBe(0);
  });

  it('shares concurrency: a slot released by one limiter admits the other one waiting', async () => {
    const policy: RateLimitPolicy = { global: { concurrency: 1 }, waitMs: 5_000 };
    const held = await limiterA.acquire({}, policy);
    const refused = await attempt(limiterB, { ...policy, waitMs: 0 });
    expect(refused.admitted).toBe(false);
    const waiting = limiterB.acquire({}, policy);
    setTimeout(() => held.release(), 200);
    const lease = await waiting;
    expect(lease.waitedMs).toBeGreaterThanOrEqual(150);
    expect(lease.waitedMs).toBeLessThan(5_000);
    held.release();
    lease.release();
    lease.release();
    await limiterA.close();
    await limiterB.close();
    expect(await first.zcard(`${prefix}{rate-limit}:global:concurrency`)).toBe(0);
  });

  it('frees the slots of a crashed process when their lease expires, and gives every key a TTL', async () => {
    const key = `${prefix}{rate-limit}:global:concurrency`;
    const [seconds, microseconds] = await first.time();
    const redisNow = Number(seconds) * 1000 + Number(microseconds) / 1000;
    await first.zadd(key, redisNow - 1, 'crashed-process-lease', redisNow + 60_000, 'live-lease-elsewhere');
    const policy: RateLimitPolicy = { global: { concurrency: 2, rps: 100 }, waitMs: 0 };
    expect((await attempt(limiterA, policy)).admitted).toBe(true);
    expect((await attempt(limiterB, policy)).admitted).toBe(false);
    const members = await first.zrange(key, 0, -1, 'WITHSCORES');
    expect(members).not.toContain('crashed-process-lease');
    const ourScore = Number(members[members.indexOf('live-lease-elsewhere') === 0 ? 3 : 1]);
    expect(ourScore - redisNow).toBeGreaterThan(CONCURRENCY_LEASE_TTL_MS - 5_000);
    expect(ourScore - redisNow).toBeLessThanOrEqual(CONCURRENCY_LEASE_TTL_MS + 5_000);
    // No key lives forever (-1); a short rate key may already be gone (-2).
    for (const stored of await first.keys(`${prefix}*`)) expect(await first.pttl(stored)).not.toBe(-1);
  });

  it('tpm: tokens charged on release by one limiter refuse the other with the drain time', async () => {
    const policy: RateLimitPolicy = { global: { tpm: 1_000 }, waitMs: 0 };
    const lease = await limiterA.acquire({}, policy);
    expect((await attempt(limiterB, policy)).admitted).toBe(true);
    lease.release(1_200);
    lease.release(1_200);
    await limiterA.close();
    const outcome = await attempt(limiterB, policy);
    if (outcome.admitted) throw new Error('admitted over the token limit');
    expect(outcome.error.message).toContain('global tpm limit of 1000 reached');
    // 1,200 tokens owed at 60 ms per token: room for one token after 201 tokens drain.
    expect(outcome.error.retryAfterMs).toBeLessThanOrEqual(201 * 60);
    expect(outcome.error.retryAfterMs).toBeGreaterThan(201 * 60 - 2_000);
  });

  it('waits for an rps room in Redis and reports the wait', async () => {
    const policy: RateLimitPolicy = { global: { rps: 5 }, waitMs: 2_000 };
    for (let index = 0; index < 5; index += 1) await limiterA.acquire({}, policy);
    const lease = await limiterB.acquire({}, policy);
    expect(lease.waitedMs).toBeGreaterThan(50);
    expect(lease.waitedMs).toBeLessThan(2_000);
  });
});
