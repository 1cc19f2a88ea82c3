/**
 * The key pool's per-key gates on a clock the test moves: a key at its own rpm or tpm is passed
 * over and gains no turn meanwhile; every key full is the pool's `rate_limit` error with the
 * soonest room; a key's own breaker opens on failures, half-opens after `openFor` and closes on a
 * good probe, each change reported by position. Without gates the pool stays the plain one.
 */
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BreakerPolicy } from '../../src/config/types.js';
import { SwitchyardError } from '../../src/errors.js';
import { createMemoryKeyLimitStore, createRedisKeyLimitStore, type KeyLimits, type KeyLimitStore } from '../../src/http/key-limit-store.js';
import { createKeyPool, type KeyLease, type KeyPoolChange } from '../../src/http/key-pool.js';
import { caught } from '../support/failure.js';
import { connectTestRedis, hasRedis, uniquePrefix } from '../support/redis.js';

const KEYS = ['gate-key-alpha-5d1c', 'gate-key-bravo-93ab', 'gate-key-charlie-0e77'] as const;

const BREAKER: BreakerPolicy = { enabled: true, errorRate: 0.5, minRequests: 2, windowMs: 60_000, openForMs: 5_000, halfOpenProbes: 1 };

interface KeySpec {
  readonly weight?: number;
  readonly limits?: KeyLimits;
}

function poolOf(specs: readonly KeySpec[], breaker?: BreakerPolicy, store?: KeyLimitStore) {
  let now = 1_000;
  const clock = (): number => now;
  const changes: KeyPoolChange[] = [];
  const pool = createKeyPool({
    provider: 'openai',
    keys: specs.map((spec, index) => ({ key: KEYS[index] as string, weight: spec.weight ?? 1, ...(spec.limits === undefined ? {} : { limits: spec.limits }) })),
    cooldownMs: 10_000,
    onChange: (change) => changes.push(change),
    now: clock,
    limitStore: store ?? createMemoryKeyLimitStore(clock),
    ...(breaker === undefined ? {} : { breaker }),
  });
  const takeIndexes = (count: number): number[] => Array.from({ length: count }, () => pool.take().index);
  const acquireIndexes = async (count: number): Promise<number[]> => {
    const indexes: number[] = [];
    for (let call = 0; call < count; call += 1) indexes.push((await pool.acquire()).index);
    return indexes;
  };
  return { pool, changes, takeIndexes, acquireIndexes, advance: (ms: number) => (now += ms) };
}

const failed = (category: 'server' | 'timeout' | 'invalid_request' | 'rate_limit', status?: number): SwitchyardError =>
  new SwitchyardError({ category, ...(status === undefined ? {} : { status }), provider: 'openai', message: `${category} failure` });

describe('key pool: per-key limits', () => {
  it('passes over a key at its rpm; the others absorb its share until it has room again', () => {
    const { pool, takeIndexes, advance } = poolOf([{ limits: { rpm: 2 } }, {}]);
    expect(pool.shared).toBe(false);
    // a b a b, then a is at 2 per minute: b takes every call.
    expect(takeIndexes(7)).toEqual([0, 1, 0, 1, 1, 1, 1]);
    // rpm 2 frees one call every 30 s; a, refused meanwhile, earned no turns: no burst on its return.
    advance(30_000);
    expect(takeIndexes(4)).toEqual([0, 1, 1, 1]);
  });

  it('counts tpm from the tokens charged: a key over it is passed over until the minute drains it', () => {
    const { pool, takeIndexes, advance } = poolOf([{ limits: { tpm: 1_000 } }, {}]);
    const lease = pool.take();
    expect(lease.index).toBe(0);
    pool.charge(lease, 1_500);
    expect(takeIndexes(4)).toEqual([1, 1, 1, 1]);
    // 1,500 tokens owed at 1,000 a minute: under the limit again after 30 s.
    advance(29_000);
    expect(takeIndexes(1)).toEqual([1]);
    advance(1_100);
    expect(takeIndexes(2)).toEqual([0, 1]);
  });

  it('fails with the pool’s rate_limit error, the soonest room and each key’s reason by position, when every key is full', () => {
    const { pool, takeIndexes, advance } = poolOf([{ limits: { rpm: 1 } }, { limits: { rps: 1 } }, {}]);
    pool.report({ index: 2, key: KEYS[2] }, new SwitchyardError({ category: 'rate_limit', status: 429, retryAfterMs: 45_000, provider: 'openai', message: 'slow down' }));
    expect(takeIndexes(2)).toEqual([0, 1]);
    const error = caught(() => pool.take());
    expect(error).toMatchObject({ category: 'rate_limit', code: 'rate_limit.key_pool', retryable: true, provider: 'openai', retryAfterMs: 1_000 });
    expect(error).not.toHaveProperty('status', 429);
    expect(error.message).toBe('no key of provider "openai" can take a request now (apiKeys[2] cooling down after a 429, apiKeys[0] at its limits, apiKeys[1] at its limits); the first has room in 1000 ms');
    for (const key of KEYS) expect(error.message + JSON.stringify(error)).not.toContain(key);
    advance(1_000);
    expect(takeIndexes(1)).toEqual([1]);
  });

  it('is the plain pool without limits or breaker: the same lease objects, nothing shared', () => {
    const { pool } = poolOf([{}, {}]);
    const first = pool.take();
    pool.take();
    expect(pool.take()).toBe(first);
    expect(pool.shared).toBe(false);
    expect(pool.state().every((key) => key.breaker === undefined)).toBe(true);
  });
});

describe('key pool: per-key breaker', () => {
  it('opens a failing key’s breaker: the others serve while it is open, then one probe closes it', () => {
    const { pool, changes, takeIndexes, advance } = poolOf([{}, {}], BREAKER);
    const a = pool.take();
    expect(a.index).toBe(0);
    pool.report(a, failed('server', 500));
    pool.report(pool.take(), undefined);
    const again = pool.take();
    expect(again.index).toBe(0);
    pool.report(again, failed('timeout'));
    expect(changes).toEqual([{ provider: 'openai', index: 0, change: 'breaker-open', category: 'timeout', remaining: 2, size: 2 }]);
    expect(pool.state().map((key) => key.breaker)).toEqual(['open', 'closed']);
    expect(takeIndexes(5)).toEqual([1, 1, 1, 1, 1]);

    advance(5_000);
    const probe = pool.take();
    expect(probe.index).toBe(0);
    expect(changes.at(-1)).toMatchObject({ index: 0, change: 'breaker-half-open' });
    // One probe slot: until its answer, the key is passed over.
    expect(takeIndexes(2)).toEqual([1, 1]);
    pool.report(probe, undefined);
    expect(changes.at(-1)).toEqual({ provider: 'openai', index: 0, change: 'breaker-closed', remaining: 2, size: 2 });
    expect(new Set(takeIndexes(4))).toEqual(new Set([0, 1]));
  });

  it('counts 429s as failures, not the caller’s own bad requests', () => {
    const { pool, changes } = poolOf([{}, {}], BREAKER);
    for (let index = 0; index < 4; index += 1) pool.report(pool.take(), failed('invalid_request', 400));
    expect(changes).toEqual([]);
    const held = Array.from({ length: 4 }, () => pool.take()).filter((lease) => lease.index === 0);
    pool.report(held[0] as KeyLease, failed('rate_limit', 429));
    expect(changes).toEqual([expect.objectContaining({ index: 0, change: 'cooling' })]);
    pool.report(held[1] as KeyLease, failed('rate_limit', 429));
    // Key 0 had 2 answers 400 (successes: the key works) and 2 answers 429: 50 % opens it.
    expect(changes.map((change) => change.change)).toEqual(['cooling', 'breaker-open', 'cooling']);
    expect(changes[1]).toEqual({ provider: 'openai', index: 0, change: 'breaker-open', status: 429, category: 'rate_limit', remaining: 2, size: 2 });
  });

  it('does not spend a half-open key’s limits on the calls passed over while its probe is in flight', () => {
    const { pool, changes, takeIndexes, advance } = poolOf([{ limits: { rpm: 5 } }, {}], BREAKER);
    pool.report(pool.take(), failed('server', 500));
    pool.report(pool.take(), undefined);
    pool.report(pool.take(), failed('server', 500));
    expect(pool.state().map((key) => key.breaker)).toEqual(['open', 'closed']);
    advance(5_000);
    // a b a were taken: the turn is key 1's, then key 0 probes.
    expect(pool.take().index).toBe(1);
    const probe = pool.take();
    expect(probe.index).toBe(0);
    // Key 0 has spent 3 of its 5 a minute (2 before opening, the probe): the calls meanwhile go to key 1 and spend nothing of key 0's.
    expect(takeIndexes(20).every((index) => index === 1)).toBe(true);
    pool.report(probe, undefined);
    expect(changes.at(-1)).toMatchObject({ index: 0, change: 'breaker-closed' });
    // Closed again, key 0 still has the 2 calls left of its minute (none spent by the 20 passed over).
    expect(takeIndexes(8).filter((index) => index === 0)).toHaveLength(2);
  });

  it('gives back the probe slot of a half-open key its own limits refuse, so it probes once it has room', () => {
    const { pool, changes, takeIndexes, advance } = poolOf([{ limits: { rps: 1 } }, {}], { ...BREAKER, minRequests: 1, openForMs: 60_000, halfOpenProbes: 2 });
    pool.report(pool.take(), failed('server', 500));
    advance(60_000);
    expect(takeIndexes(1)).toEqual([1]);
    const probe = pool.take();
    expect(probe.index).toBe(0);
    // Key 0's next turn finds its one call a second spent: the probe slot it was given goes back.
    expect(takeIndexes(2)).toEqual([1, 1]);
    advance(1_000);
    const second = pool.take();
    expect(second.index).toBe(0);
    pool.report(probe, undefined);
    pool.report(second, undefined);
    expect(changes.at(-1)).toMatchObject({ index: 0, change: 'breaker-closed' });
  });

  it('fails as rate_limit with the open period left when every key’s breaker is open', () => {
    const { pool, advance } = poolOf([{}], BREAKER);
    pool.report(pool.take(), failed('server', 503));
    pool.report(pool.take(), failed('server', 503));
    advance(1_000);
    const error = caught(() => pool.take());
    expect(error).toMatchObject({ category: 'rate_limit', code: 'rate_limit.key_pool', retryAfterMs: 4_000 });
    expect(error.message).toContain('apiKeys[0] held back by its breaker');
  });
});

describe.skipIf(!hasRedis)('key pool: per-key limits shared through Redis', () => {
  let redis: Redis;
  beforeAll(async () => {
    redis = await connectTestRedis();
  });
  afterAll(() => {
    redis.disconnect();
  });
  const redisStore = (): KeyLimitStore => createRedisKeyLimitStore({ redis, keyPrefix: uniquePrefix('key-pool-gates'), failMode: 'closed' });

  it('interleaves concurrent acquire() calls by weight instead of sending them all to the key in turn', async () => {
    const even = poolOf([{ limits: { rpm: 1_000 } }, { limits: { rpm: 1_000 } }], undefined, redisStore());
    expect(even.pool.shared).toBe(true);
    const picks = await Promise.all(Array.from({ length: 8 }, () => even.pool.acquire()));
    expect(picks.map((lease) => lease.index)).toEqual([0, 1, 0, 1, 0, 1, 0, 1]);
    const weighted = poolOf([{ weight: 3, limits: { rpm: 1_000 } }, { limits: { rpm: 1_000 } }], undefined, redisStore());
    const weightedPicks = await Promise.all(Array.from({ length: 8 }, () => weighted.pool.acquire()));
    expect(weightedPicks.map((lease) => lease.index)).toEqual([0, 0, 1, 0, 0, 0, 1, 0]);
  });

  it('moves a concurrent call on to the next key when the one it was given is at its limits, that key taking its turn back', async () => {
    const { pool, acquireIndexes } = poolOf([{ limits: { rpm: 1 } }, { limits: { rpm: 1_000 } }], undefined, redisStore());
    const picks = await Promise.all(Array.from({ length: 4 }, () => pool.acquire()));
    // Turns 0 1 0 1 were handed out at once; key 0's second call found its minute spent and took key 1.
    expect(picks.map((lease) => lease.index).sort()).toEqual([0, 1, 1, 1]);
    expect(await acquireIndexes(3)).toEqual([1, 1, 1]);
  });

  it('does not spend a half-open key’s shared limits on the calls passed over while its probe is in flight', async () => {
    const { pool, acquireIndexes, advance } = poolOf([{ limits: { rpm: 5 } }, {}], BREAKER, redisStore());
    pool.report(await pool.acquire(), failed('server', 500));
    pool.report(await pool.acquire(), undefined);
    pool.report(await pool.acquire(), failed('server', 500));
    advance(5_000);
    expect((await pool.acquire()).index).toBe(1);
    const probe = await pool.acquire();
    expect(probe.index).toBe(0);
    expect(await acquireIndexes(10)).toEqual(Array.from({ length: 10 }, () => 1));
    pool.report(probe, undefined);
    expect(pool.state().map((key) => key.breaker)).toEqual(['closed', 'closed']);
    // 3 of key 0's 5 a minute are spent (2 before opening, the probe): 2 are left for it.
    expect((await acquireIndexes(8)).filter((index) => index === 0)).toHaveLength(2);
  });
});
