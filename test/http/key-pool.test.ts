/**
 * The key pool alone, on a clock the test moves: smooth weighted round robin, removal of refused
 * keys (reported once), cooldown of rate-limited ones, and the errors when nothing is usable.
 */
import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '../../src/errors.js';
import { createKeyPool, type KeyPoolChange } from '../../src/http/key-pool.js';
import { caught } from '../support/failure.js';

const KEYS = ['pool-key-alpha-0001', 'pool-key-bravo-0002', 'pool-key-charlie-0003'] as const;

function poolOf(weights: readonly number[], cooldownMs = 10_000) {
  let now = 1_000;
  const changes: KeyPoolChange[] = [];
  const pool = createKeyPool({
    provider: 'anthropic',
    keys: weights.map((weight, index) => ({ key: KEYS[index] as string, weight })),
    cooldownMs,
    onChange: (change) => changes.push(change),
    now: () => now,
  });
  return { pool, changes, advance: (ms: number) => (now += ms) };
}

const refused = (status = 401): SwitchyardError => new SwitchyardError({ category: status === 403 ? 'permission' : 'auth', status, provider: 'anthropic', message: 'invalid x-api-key' });
const limited = (retryAfterMs?: number): SwitchyardError =>
  new SwitchyardError({ category: 'rate_limit', status: 429, provider: 'anthropic', message: 'rate limited', ...(retryAfterMs === undefined ? {} : { retryAfterMs }) });

describe('key pool', () => {
  it('spreads by weight, exactly and interleaved (3:1 is a a b a in every 4)', () => {
    const { pool } = poolOf([3, 1]);
    const picks = Array.from({ length: 8 }, () => pool.take().index);
    expect(picks).toEqual([0, 0, 1, 0, 0, 0, 1, 0]);
    const even = poolOf([1, 1, 1]).pool;
    expect(Array.from({ length: 6 }, () => even.take().index)).toEqual([0, 1, 2, 0, 1, 2]);
  });

  it('takes a refused key out for good and reports it once, by position', () => {
    const { pool, changes } = poolOf([1, 1, 1]);
    const lease = { index: 1, key: KEYS[1] };
    expect(pool.report(lease, refused(401))).toBe(true);
    expect(pool.report(lease, refused(401))).toBe(true); // a second request in flight with the same key
    expect(changes).toEqual([{ provider: 'anthropic', index: 1, change: 'removed', status: 401, category: 'auth', remaining: 2, size: 3 }]);
    expect(Array.from({ length: 6 }, () => pool.take().index)).not.toContain(1);
    expect(pool.state().map((key) => key.state)).toEqual(['active', 'removed', 'active']);
  });

  it('skips a rate-limited key for its retry-after, or the cooldown without one', () => {
    const { pool, changes, advance } = poolOf([1, 1], 5_000);
    expect(pool.report({ index: 0, key: KEYS[0] }, limited(2_000))).toBe(true);
    expect(changes.at(-1)).toMatchObject({ index: 0, change: 'cooling', cooldownMs: 2_000, status: 429 });
    expect([pool.take().index, pool.take().index]).toEqual([1, 1]);
    advance(2_000);
    expect(new Set([pool.take().index, pool.take().index])).toEqual(new Set([0, 1]));
    pool.report({ index: 1, key: KEYS[1] }, limited());
    expect(changes.at(-1)).toMatchObject({ index: 1, cooldownMs: 5_000 });
    advance(4_999);
    expect(pool.state()[1]).toMatchObject({ state: 'cooling', cooldownLeftMs: 1 });
  });

  it('ignores failures that say nothing about the key', () => {
    const { pool, changes } = poolOf([1, 1]);
    const lease = pool.take();
    expect(pool.report(lease, new SwitchyardError({ category: 'network', message: 'reset' }))).toBe(false);
    expect(pool.report(lease, new SwitchyardError({ category: 'server', status: 500, message: 'boom' }))).toBe(false);
    expect(pool.report(lease, new SwitchyardError({ category: 'auth', message: 'no status: not an answer of the provider' }))).toBe(false);
    expect(pool.report(lease, undefined)).toBe(false);
    expect(changes).toEqual([]);
  });

  it('fails with the last refusal when every key was refused, naming no key', () => {
    const { pool } = poolOf([1, 2]);
    expect(pool.report({ index: 0, key: KEYS[0] }, refused(401))).toBe(true);
    expect(pool.report({ index: 1, key: KEYS[1] }, refused(403))).toBe(false);
    const error = caught(() => pool.take());
    expect(error).toMatchObject({ category: 'permission', status: 403, provider: 'anthropic', retryable: false });
    expect(error.message).toMatch(/^every key of provider "anthropic" was refused/);
    for (const key of KEYS) expect(JSON.stringify(error)).not.toContain(key);
  });

  it('fails as rate_limit until the first cooling key is back when every key cools down', () => {
    const { pool, advance } = poolOf([1, 1]);
    pool.report({ index: 0, key: KEYS[0] }, limited(3_000));
    expect(pool.report({ index: 1, key: KEYS[1] }, limited(1_500))).toBe(false);
    const error = caught(() => pool.take());
    expect(error).toMatchObject({ category: 'rate_limit', code: 'rate_limit.key_pool', retryAfterMs: 1_500, retryable: true });
    advance(1_500);
    expect(pool.take().index).toBe(1);
  });
});
