import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RateLimitPolicy } from '../../../src/config/types.js';
import { SwitchyardError } from '../../../src/errors.js';
import type { RateLimiter } from '../../../src/pipeline/rate-limit/index.js';
import { CONCURRENCY_RETRY_HINT_MS, createMemoryRateLimiter } from '../../../src/pipeline/rate-limit/index.js';

/** Resolves to the error an acquire failed with (fails the test when it succeeded). */
async function refusal(promise: Promise<unknown>): Promise<SwitchyardError> {
  try {
    await promise;
  } catch (error) {
    if (SwitchyardError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected the acquire to be refused');
}

/** Acquires `count` times in a row and returns the leases. */
async function acquireMany(limiter: RateLimiter, count: number, policy: RateLimitPolicy, keys = {}) {
  const leases = [];
  for (let index = 0; index < count; index += 1) leases.push(await limiter.acquire(keys, policy));
  return leases;
}

describe('memory rate limiter', () => {
  let limiter: RateLimiter;

  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
    limiter = createMemoryRateLimiter({ now: () => Date.now() });
  });

  afterEach(async () => {
    await limiter.close();
    vi.useRealTimers();
  });

  it('answers at once when there is room, and leaves waiting and refusing to acquire', async () => {
    const policy: RateLimitPolicy = { perUser: { concurrency: 2 }, global: { rps: 100 }, waitMs: 0 };
    const first = limiter.tryAcquireNow?.({ user: 'u1' }, policy);
    const second = limiter.tryAcquireNow?.({ user: 'u1' }, policy);
    expect(first?.waitedMs).toBe(0);
    expect(second).toBeDefined();
    expect(limiter.tryAcquireNow?.({ user: 'u1' }, policy)).toBeUndefined(); // both slots held
    expect(limiter.tryAcquireNow?.({ user: 'u2' }, policy)).toBeDefined(); // another user's slots
    const refused = await refusal(limiter.acquire({ user: 'u1' }, policy));
    expect(refused.category).toBe('rate_limit');
    first?.release();
    first?.release(); // idempotent: frees one slot, not two
    expect(limiter.tryAcquireNow?.({ user: 'u1' }, policy)).toBeDefined();
    expect(limiter.tryAcquireNow?.({ user: 'u1' }, policy)).toBeUndefined();
    expect(limiter.tryAcquireNow?.({ user: 'u9' }, { waitMs: 0 })).toMatchObject({ waitedMs: 0 });
  });

  it('admits everything with no lease to hold when no limit is configured', async () => {
    const policy: RateLimitPolicy = { waitMs: 0 };
    const leases = await acquireMany(limiter, 1_000, policy, { user: 'u1', tenant: 't1' });
    expect(leases.every((lease) => lease.waitedMs === 0)).toBe(true);
    expect(limiter.degraded).toBe(false);
  });

  it('rps: admits a burst of the limit, then refuses with the exact time of the next room', async () => {
    const policy: RateLimitPolicy = { global: { rps: 5 }, waitMs: 0 };
    await acquireMany(limiter, 5, policy);
    const error = await refusal(limiter.acquire({}, policy));
    expect(error.category).toBe('rate_limit');
    expect(error.retryable).toBe(false);
    expect(error.retryAfterMs).toBe(200);
    expect(error.message).toContain('global rps limit of 5 reached');

    vi.advanceTimersByTime(199);
    expect((await refusal(limiter.acquire({}, policy))).retryAfterMs).toBe(1);
    vi.advanceTimersByTime(1);
    await limiter.acquire({}, policy);
    expect((await refusal(limiter.acquire({}, policy))).retryAfterMs).toBe(200);
  });

  it('rpm per tenant: names the tenant, keeps other tenants and callers without a tenant apart', async () => {
    const policy: RateLimitPolicy = { perTenant: { rpm: 30 }, waitMs: 0 };
    await acquireMany(limiter, 30, policy, { tenant: 't1' });
    const error = await refusal(limiter.acquire({ tenant: 't1' }, policy));
    expect(error.message).toMatch(/^perTenant rpm limit of 30 reached for tenant t1;/);
    expect(error.retryAfterMs).toBe(2_000);

    await acquireMany(limiter, 30, policy, { tenant: 't2' });
    await acquireMany(limiter, 100, policy, {});
    await acquireMany(limiter, 100, policy, { user: 'u1' });

    vi.advanceTimersByTime(2_000);
    await limiter.acquire({ tenant: 't1' }, policy);
  });

  it('concurrency: holds a slot per lease until released; release is idempotent', async () => {
    const policy: RateLimitPolicy = { perUser: { concurrency: 2 }, waitMs: 0 };
    const [first, second] = await acquireMany(limiter, 2, policy, { user: 'u1' });
    const error = await refusal(limiter.acquire({ user: 'u1' }, policy));
    expect(error.message).toContain('perUser concurrency limit of 2 reached for user u1');
    expect(error.retryAfterMs).toBe(CONCURRENCY_RETRY_HINT_MS);
    await limiter.acquire({ user: 'u2' }, policy);

    first?.release();
    first?.release();
    first?.release();
    const third = await limiter.acquire({ user: 'u1' }, policy);
    await refusal(limiter.acquire({ user: 'u1' }, policy));
    second?.release();
    third.release();
    await acquireMany(limiter, 2, policy, { user: 'u1' });
  });

  it('tpm: charges tokens on release and admits while the minute has at least one token of room', async () => {
    const policy: RateLimitPolicy = { global: { tpm: 1_000 }, waitMs: 0 };
    // Admission does not cost tokens: many calls may start before any reports usage.
    const leases = await acquireMany(limiter, 3, policy);
    leases[0]?.release(600);
    (await limiter.acquire({}, policy)).release(0);
    leases[1]?.release(600);
    leases[1]?.release(600);
    // 1,200 tokens owed, 60 ms per token: room for one token again after 1,200 - 999 = 201 tokens drain.
    const error = await refusal(limiter.acquire({}, policy));
    expect(error.message).toContain('global tpm limit of 1000 reached');
    expect(error.retryAfterMs).toBe(201 * 60);
    vi.advanceTimersByTime(201 * 60 - 1);
    await refusal(limiter.acquire({}, policy));
    vi.advanceTimersByTime(1);
    await limiter.acquire({}, policy);
  });

  it('waits for room up to waitMs, then admits and reports the wait', async () => {
    const policy: RateLimitPolicy = { global: { rps: 2 }, waitMs: 1_000 };
    await acquireMany(limiter, 2, policy);
    let settled = false;
    const waiting = limiter.acquire({}, policy).finally(() => {
      settled = true;
    });
    await vi.advanceTimersByTimeAsync(499);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    const lease = await waiting;
    expect(lease.waitedMs).toBe(500);
  });

  it('fails at once, without waiting, when the room is due after waitMs', async () => {
    const policy: RateLimitPolicy = { global: { rps: 1 }, waitMs: 300 };
    await limiter.acquire({}, policy);
    const error = await refusal(limiter.acquire({}, policy));
    expect(error.category).toBe('rate_limit');
    expect(error.retryAfterMs).toBe(1_000);
    expect(error.message).toContain('room in 1000 ms, beyond the 300 ms a call may wait');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('waits for a concurrency slot and takes it as soon as it is released', async () => {
    const policy: RateLimitPolicy = { global: { concurrency: 1 }, waitMs: 1_000 };
    const held = await limiter.acquire({}, policy);
    const waiting = limiter.acquire({}, policy);
    await vi.advanceTimersByTimeAsync(300);
    held.release();
    const lease = await waiting;
    expect(lease.waitedMs).toBe(300);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('fails with rate_limit when no concurrency slot frees within waitMs', async () => {
    const policy: RateLimitPolicy = { global: { concurrency: 1 }, waitMs: 1_000 };
    await limiter.acquire({}, policy);
    const failed = refusal(limiter.acquire({}, policy));
    await vi.advanceTimersByTimeAsync(1_000);
    const error = await failed;
    expect(error.category).toBe('rate_limit');
    expect(error.retryAfterMs).toBe(CONCURRENCY_RETRY_HINT_MS);
    expect(error.message).toContain('no slot freed within the 1000 ms');
  });

  it('fails with canceled when the signal fires while waiting, and takes no room', async () => {
    const policy: RateLimitPolicy = { global: { rps: 1 }, waitMs: 5_000 };
    await limiter.acquire({}, policy);
    const controller = new AbortController();
    const failed = refusal(limiter.acquire({}, policy, controller.signal));
    await vi.advanceTimersByTimeAsync(100);
    controller.abort(new Error('client went away'));
    const error = await failed;
    expect(error.category).toBe('canceled');
    expect(vi.getTimerCount()).toBe(0);
    // The canceled call took nothing: the next room is still at 1,000 ms.
    await vi.advanceTimersByTimeAsync(900);
    await limiter.acquire({}, { ...policy, waitMs: 0 });

    const slotPolicy: RateLimitPolicy = { global: { concurrency: 1 }, waitMs: 5_000 };
    await limiter.acquire({}, slotPolicy);
    const slotController = new AbortController();
    const slotFailed = refusal(limiter.acquire({}, slotPolicy, slotController.signal));
    slotController.abort();
    expect((await slotFailed).category).toBe('canceled');
    expect((await refusal(limiter.acquire({}, policy, AbortSignal.abort()))).category).toBe('canceled');
  });

  it('is all or nothing: a concurrency refusal takes no rps room, an rps refusal takes no slot', async () => {
    const policy: RateLimitPolicy = { global: { rps: 10 }, perUser: { concurrency: 1 }, waitMs: 0 };
    await limiter.acquire({ user: 'u1' }, policy);
    for (let index = 0; index < 20; index += 1) {
      expect((await refusal(limiter.acquire({ user: 'u1' }, policy))).message).toContain('perUser concurrency');
    }
    // 1 of the 10 rps was used; the 20 refusals took none of the other 9.
    for (let user = 2; user <= 10; user += 1) await limiter.acquire({ user: `u${user}` }, policy);
    const error = await refusal(limiter.acquire({ user: 'u11' }, policy));
    expect(error.message).toContain('global rps limit of 10 reached');
    // u11 was refused by rps, so it holds no slot: it is admitted once rps has room.
    vi.advanceTimersByTime(100);
    await limiter.acquire({ user: 'u11' }, policy);
  });

  it('reports the latest room when several limits refuse, naming each', async () => {
    const policy: RateLimitPolicy = { global: { rps: 100 }, perTenant: { rpm: 1 }, waitMs: 0 };
    await limiter.acquire({ tenant: 't1' }, policy);
    await acquireMany(limiter, 99, policy);
    const error = await refusal(limiter.acquire({ tenant: 't1' }, policy));
    expect(error.retryAfterMs).toBe(60_000);
    expect(error.message).toMatch(/^perTenant rpm limit of 1 reached for tenant t1; global rps limit of 100 reached;/);
  });

  it('treats a limit below one call per period as one call per emission interval', async () => {
    const policy: RateLimitPolicy = { global: { rps: 0.5 }, waitMs: 0 };
    await limiter.acquire({}, policy);
    expect((await refusal(limiter.acquire({}, policy))).retryAfterMs).toBe(2_000);
  });
});
