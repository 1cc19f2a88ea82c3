import { Redis } from 'ioredis';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { BreakerPolicy } from '../../../src/config/types.js';
import { RECORD_SCRIPT } from '../../../src/pipeline/breaker/redis-scripts.js';
import { createRedisBreakerRegistry, type RedisBreakerRegistry } from '../../../src/pipeline/breaker/redis-registry.js';
import type { BreakerStateChange } from '../../../src/pipeline/breaker/types.js';
import { connectTestRedis, hasRedis, uniquePrefix } from '../../support/redis.js';
import { breakerPolicy, manualClock, type ManualClock } from './policy.js';

const KEY = 'anthropic/claude-2.1';
const WAIT = { timeout: 3_000, interval: 10 };

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Process {
  readonly registry: RedisBreakerRegistry;
  readonly redis: Redis;
  readonly changes: BreakerStateChange[];
  readonly logs: string[];
}

/** One simulated process: its own ioredis client and registry, on the shared prefix and clock. */
async function startProcess(prefix: string, clock: ManualClock): Promise<Process> {
  const redis = await connectTestRedis();
  const logs: string[] = [];
  const registry = createRedisBreakerRegistry({
    redis,
    keyPrefix: prefix,
    failMode: 'open',
    now: clock.now,
    syncIntervalMs: 20,
    logger: (message) => logs.push(message),
  });
  const changes: BreakerStateChange[] = [];
  registry.onStateChange((change) => changes.push(change));
  cleanups.push(async () => {
    await registry.close();
    redis.disconnect();
  });
  return { registry, redis, changes, logs };
}

async function twoProcesses(name: string) {
  const prefix = uniquePrefix(name);
  const clock = manualClock();
  const a = await startProcess(prefix, clock);
  const b = await startProcess(prefix, clock);
  cleanups.push(async () => {
    const keys = await a.redis.keys(`${prefix}*`);
    if (keys.length > 0) await a.redis.del(...keys);
  });
  return { prefix, clock, a, b };
}

function recordMany(process: Process, policy: BreakerPolicy, outcome: 'success' | 'failure', count: number): void {
  for (let index = 0; index < count; index += 1) process.registry.record(KEY, policy, outcome, false);
}

describe.skipIf(!hasRedis)('redis breaker: shared between processes', () => {
  it('opens the breaker seen by B when failures are recorded in A', async () => {
    const { a, b } = await twoProcesses('open-shared');
    const policy = breakerPolicy();
    expect(b.registry.state(KEY)).toBe('closed');
    recordMany(a, policy, 'failure', 10);
    // A learns it from the script's reply, B from its next sync.
    await vi.waitFor(() => expect(a.registry.state(KEY)).toBe('open'), WAIT);
    await vi.waitFor(() => expect(b.registry.state(KEY)).toBe('open'), WAIT);
    await expect(b.registry.admit(KEY, policy)).resolves.toEqual({ allowed: false, retryAfterMs: policy.openForMs });
    expect(a.changes).toEqual([expect.objectContaining({ key: KEY, from: 'closed', to: 'open', failureRate: 1, calls: 10 })]);
    expect(b.changes).toEqual([expect.objectContaining({ key: KEY, from: 'closed', to: 'open' })]);
    // B counts the window once it knows the target's policy (from its admit) and has synced.
    await vi.waitFor(() => expect(b.registry.toJSON()[KEY]).toEqual({ state: 'open', calls: 10, failures: 10, openUntil: expect.any(Number) }), WAIT);
  });

  it('counts the calls of both processes in one window', async () => {
    const { a, b } = await twoProcesses('one-window');
    const policy = breakerPolicy();
    recordMany(a, policy, 'failure', 5);
    await vi.waitFor(() => expect(a.registry.toJSON()[KEY]).toMatchObject({ calls: 5 }), WAIT);
    expect(a.registry.state(KEY)).toBe('closed');
    recordMany(b, policy, 'failure', 5);
    await vi.waitFor(() => expect(b.registry.state(KEY)).toBe('open'), WAIT);
    await vi.waitFor(() => expect(a.registry.state(KEY)).toBe('open'), WAIT);
  });

  it('lets old failures slide out of the shared window', async () => {
    const { clock, a } = await twoProcesses('slide');
    const policy = breakerPolicy();
    recordMany(a, policy, 'failure', 6);
    await vi.waitFor(() => expect(a.registry.toJSON()[KEY]).toMatchObject({ calls: 6 }), WAIT);
    clock.advance(policy.windowMs);
    recordMany(a, policy, 'failure', 4);
    await vi.waitFor(() => expect(a.registry.toJSON()[KEY]).toMatchObject({ calls: 4, failures: 4 }), WAIT);
    expect(a.registry.state(KEY)).toBe('closed');
  });

  it('gives the half-open probe to only one of A and B, and closes both on its success', async () => {
    const { clock, a, b } = await twoProcesses('one-probe');
    const policy = breakerPolicy({ halfOpenProbes: 1 });
    recordMany(a, policy, 'failure', 10);
    await vi.waitFor(() => expect(b.registry.state(KEY)).toBe('open'), WAIT);
    clock.advance(policy.openForMs);
    expect(a.registry.state(KEY)).toBe('half_open');
    const admissions = await Promise.all([a, b, a, b].map((process) => process.registry.admit(KEY, policy)));
    const probes = admissions.filter((admission) => admission.allowed && admission.probe);
    expect(probes).toHaveLength(1);
    // The others are refused until the probe's outcome (or the end of its lease).
    for (const admission of admissions.filter((candidate) => !candidate.allowed)) {
      expect(admission).toEqual({ allowed: false, retryAfterMs: policy.openForMs });
    }
    // Refused again without asking Redis, with the same answer.
    await expect(a.registry.admit(KEY, policy)).resolves.toEqual({ allowed: false, retryAfterMs: policy.openForMs });
    const winner = admissions[0]?.allowed === true || admissions[2]?.allowed === true ? a : b;
    const other = winner === a ? b : a;
    winner.registry.record(KEY, policy, 'success', true);
    await vi.waitFor(() => expect(winner.registry.state(KEY)).toBe('closed'), WAIT);
    await vi.waitFor(() => expect(other.registry.state(KEY)).toBe('closed'), WAIT);
    await expect(other.registry.admit(KEY, policy)).resolves.toEqual({ allowed: true, probe: false });
    expect(winner.changes.map((change) => change.to)).toEqual(['open', 'half_open', 'closed']);
    expect(other.changes.map((change) => change.to)).toEqual(['open', 'half_open', 'closed']);
    // Closing resets the shared window.
    expect(other.registry.toJSON()[KEY]).toMatchObject({ state: 'closed', calls: 0, failures: 0 });
  });

  it('reopens for everyone when the probe fails', async () => {
    const { clock, a, b } = await twoProcesses('probe-fails');
    const policy = breakerPolicy({ halfOpenProbes: 1 });
    recordMany(a, policy, 'failure', 10);
    await vi.waitFor(() => expect(a.registry.state(KEY)).toBe('open'), WAIT);
    clock.advance(policy.openForMs);
    await expect(a.registry.admit(KEY, policy)).resolves.toEqual({ allowed: true, probe: true });
    clock.advance(100);
    a.registry.record(KEY, policy, 'failure', true);
    await vi.waitFor(() => expect(a.registry.state(KEY)).toBe('open'), WAIT);
    await vi.waitFor(() => expect(b.registry.state(KEY)).toBe('open'), WAIT);
    await expect(b.registry.admit(KEY, policy)).resolves.toEqual({ allowed: false, retryAfterMs: policy.openForMs });
  });

  it('ignores a late probe outcome from an earlier open period', async () => {
    const { clock, a, b } = await twoProcesses('stale-probe');
    const policy = breakerPolicy({ halfOpenProbes: 1 });
    recordMany(a, policy, 'failure', 10);
    await vi.waitFor(() => expect(b.registry.state(KEY)).toBe('open'), WAIT);
    clock.advance(policy.openForMs);
    await expect(a.registry.admit(KEY, policy)).resolves.toEqual({ allowed: true, probe: true });
    // A's probe never reports within its lease, so B may probe; B's probe fails and reopens.
    clock.advance(policy.openForMs);
    await vi.waitFor(async () => expect(await b.registry.admit(KEY, policy)).toEqual({ allowed: true, probe: true }), WAIT);
    b.registry.record(KEY, policy, 'failure', true);
    await vi.waitFor(() => expect(b.registry.state(KEY)).toBe('open'), WAIT);
    // A's success arrives late: it belongs to the previous open period and must not close the breaker.
    a.registry.record(KEY, policy, 'success', true);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(a.registry.state(KEY)).toBe('open');
    expect(b.registry.state(KEY)).toBe('open');
  });

  it('answers admit for a closed breaker without a Redis round-trip', async () => {
    const { a } = await twoProcesses('hot-path');
    const policy = breakerPolicy();
    await a.registry.admit(KEY, policy);
    const evalsha = vi.spyOn(a.redis, 'evalsha');
    const evalScript = vi.spyOn(a.redis, 'eval');
    const admissions = await Promise.all(Array.from({ length: 100 }, () => a.registry.admit(KEY, policy)));
    expect(admissions.every((admission) => admission.allowed)).toBe(true);
    expect(evalsha).not.toHaveBeenCalled();
    expect(evalScript).not.toHaveBeenCalled();
  });

  it('batches the outcomes recorded in one turn into one script call', async () => {
    const { a } = await twoProcesses('batch');
    const policy = breakerPolicy();
    await a.registry.admit(KEY, policy);
    await new Promise((resolve) => setTimeout(resolve, 50)); // let a sync pass first
    const evalsha = vi.spyOn(a.redis, 'evalsha');
    recordMany(a, policy, 'success', 50);
    await vi.waitFor(() => expect(a.registry.toJSON()[KEY]).toMatchObject({ calls: 50 }), WAIT);
    const recordCalls = evalsha.mock.calls.filter((call) => call[0] === RECORD_SCRIPT.sha);
    expect(recordCalls).toHaveLength(1);
  });
});

// Needs no Redis at all: it points at a closed port.
describe('redis breaker: Redis unreachable', () => {
  it('keeps working on local state and logs once when Redis is unreachable', async () => {
    const redis = new Redis('redis://127.0.0.1:1', {
      lazyConnect: false,
      connectTimeout: 200,
      maxRetriesPerRequest: 0,
      retryStrategy: () => 50,
    });
    redis.on('error', () => undefined);
    const clock = manualClock();
    const logs: string[] = [];
    const registry = createRedisBreakerRegistry({ redis, keyPrefix: 'unreachable:', failMode: 'closed', now: clock.now, syncIntervalMs: 20, logger: (message) => logs.push(message) });
    cleanups.push(async () => {
      await registry.close();
      redis.disconnect();
    });
    const changes: string[] = [];
    registry.onStateChange((change) => changes.push(`${change.from}->${change.to}`));
    const policy = breakerPolicy({ halfOpenProbes: 1 });

    await expect(registry.admit(KEY, policy)).resolves.toEqual({ allowed: true, probe: false });
    recordMany({ registry, redis, changes: [], logs }, policy, 'failure', 10);
    await vi.waitFor(() => expect(registry.degraded).toBe(true), WAIT);
    expect(registry.state(KEY)).toBe('open');
    await expect(registry.admit(KEY, policy)).resolves.toEqual({ allowed: false, retryAfterMs: policy.openForMs });

    // The whole local cycle works while degraded.
    clock.advance(policy.openForMs);
    await expect(registry.admit(KEY, policy)).resolves.toEqual({ allowed: true, probe: true });
    registry.record(KEY, policy, 'success', true);
    expect(registry.state(KEY)).toBe('closed');
    expect(changes).toEqual(['closed->open', 'open->half_open', 'half_open->closed']);

    await new Promise((resolve) => setTimeout(resolve, 200)); // several failed syncs
    recordMany({ registry, redis, changes: [], logs }, policy, 'success', 5);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatch(/Redis unavailable .*process-local breaker state/);
    expect(logs[0]).toContain("failMode 'closed'");
  });
});

describe.skipIf(!hasRedis)('redis breaker: Redis back', () => {
  it('goes back to the shared state when Redis answers again', async () => {
    const { a, b } = await twoProcesses('recover');
    const policy = breakerPolicy();
    await a.registry.admit(KEY, policy);
    a.redis.disconnect();
    await vi.waitFor(() => expect(a.registry.degraded).toBe(true), WAIT);
    recordMany(b, policy, 'failure', 10);
    await vi.waitFor(() => expect(b.registry.state(KEY)).toBe('open'), WAIT);
    expect(a.registry.state(KEY)).toBe('closed');
    await a.redis.connect();
    await vi.waitFor(() => expect(a.registry.degraded).toBe(false), WAIT);
    await vi.waitFor(() => expect(a.registry.state(KEY)).toBe('open'), WAIT);
    expect(a.logs).toEqual([expect.stringContaining('Redis unavailable'), expect.stringContaining('Redis answers again')]);
    expect(a.changes.map((change) => change.to)).toEqual(['open']);
  });
});
