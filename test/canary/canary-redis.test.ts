/**
 * Rollouts shared through a real Redis: two router "processes" (each its own plugin and Redis
 * connection) follow the same step and assign every user to the same arm; a new process (a
 * restart) resumes where the rollout stood; a rollback decided in one process reaches the others.
 */
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ArmStats } from '../../src/canary/arm-stats.js';
import { createRedisCanaryStore } from '../../src/canary/redis-state-store.js';
import { initialRolloutState } from '../../src/canary/rollout-state.js';
import { startSimulator, type Simulator } from '../../src/testing/simulator.js';
import { connectTestRedis, hasRedis, redisUrl, uniquePrefix } from '../support/redis.js';
import { canarySimConfig, sendCalls, startCanaryRouter, type CanaryHarness } from './e2e-support.js';
import { canaryConfig } from './support.js';

describe.skipIf(!hasRedis)('canary rollouts shared through Redis', () => {
  let simulator: Simulator;
  const clients: Redis[] = [];
  const harnesses: CanaryHarness[] = [];

  async function client(): Promise<Redis> {
    const redis = await connectTestRedis();
    clients.push(redis);
    return redis;
  }

  async function startProcess(prefix: string, name: string, config = canarySimConfig(simulator, { sticky: 'user', steps: [{ weight: 10, minRequests: 100_000 }, { weight: 50, minRequests: 100_000 }, { weight: 100 }] })): Promise<CanaryHarness> {
    const harness = startCanaryRouter(config, { redis: await client(), keyPrefix: prefix, processId: name });
    harnesses.push(harness);
    await harness.plugin.ready();
    return harness;
  }

  beforeAll(async () => {
    simulator = await startSimulator({ seed: 5 });
  });
  afterEach(async () => {
    await Promise.all(harnesses.splice(0).map((harness) => harness.close()));
    simulator.reset();
  });
  afterAll(async () => {
    await Promise.all(clients.map((redis) => redis.quit()));
    await simulator.close();
  });

  it('two processes assign every user alike, follow a promotion, and a restarted process resumes the step and the statistics', async () => {
    const prefix = uniquePrefix('canary-sticky');
    const first = await startProcess(prefix, 'process-a');
    const second = await startProcess(prefix, 'process-b');

    const firstAnswers = await sendCalls(first.router, 200, 'user');
    const secondAnswers = await sendCalls(second.router, 200, 'user');
    expect(secondAnswers).toEqual(firstAnswers);
    const onCandidate = [...firstAnswers.values()].filter((model) => model === 'claude-2.1').length;
    expect(onCandidate).toBeGreaterThan(5);
    expect(onCandidate).toBeLessThan(40);

    await first.plugin.controller('claude').promote();
    await second.plugin.controller('claude').sync();
    expect(second.plugin.controller('claude').status()).toMatchObject({ step: 1, weight: 50, state: 'running' });
    expect(second.changes.map((change) => [change.decision, change.step])).toContainEqual(['promote', 1]);

    const afterFirst = await sendCalls(first.router, 200, 'user');
    const afterSecond = await sendCalls(second.router, 200, 'user');
    expect(afterSecond).toEqual(afterFirst);
    for (const [user, model] of firstAnswers) if (model === 'claude-2.1') expect(afterFirst.get(user)).toBe('claude-2.1');

    // Both processes' calls of the step are in the shared statistics.
    await first.plugin.controller('claude').sync();
    const report = await second.plugin.controller('claude').report();
    expect(report.arms.baseline.calls + report.arms.candidate.calls).toBe(400);
    expect(report.history.map((step) => step.baseline.calls + step.candidate.calls)).toEqual([400, 400]);

    // Restart: the second process goes away and a new one starts on the same Redis.
    await second.close();
    const restarted = await startProcess(prefix, 'process-c');
    expect(restarted.plugin.controller('claude').status()).toMatchObject({ step: 1, weight: 50, state: 'running' });
    const afterRestart = await sendCalls(restarted.router, 200, 'user');
    expect(afterRestart).toEqual(afterFirst);
    const resumed = await restarted.plugin.controller('claude').report();
    expect(resumed.arms.baseline.calls + resumed.arms.candidate.calls).toBe(600);
  });

  it('a rollback decided in one process reaches the others', async () => {
    const prefix = uniquePrefix('canary-rollback');
    const config = canarySimConfig(simulator, { sticky: 'request', steps: [{ weight: 50, minRequests: 100_000 }, { weight: 100 }], brokenAt: { errorRate: 0.5, minCalls: 20 } });
    const first = await startProcess(prefix, 'process-a', config);
    const second = await startProcess(prefix, 'process-b', config);
    simulator.setBehavior('claude-2.1', { errorRate: 1 });
    await sendCalls(first.router, 80, 'r');
    await first.plugin.controller('claude').sync();
    expect(first.plugin.controller('claude').status().state).toBe('rolled_back');
    expect(first.logs.some((line) => line.includes('rollback by auto') && line.includes('candidate is broken'))).toBe(true);

    await second.plugin.controller('claude').sync();
    const status = second.plugin.controller('claude').status();
    expect(status).toMatchObject({ state: 'rolled_back', weight: 0 });
    expect(status.lastChange?.reason).toContain('candidate is broken');
    expect(second.changes.map((change) => change.decision)).toContain('rollback');
    simulator.reset();
    await sendCalls(second.router, 40, 's');
    expect(simulator.count('claude-2.1')).toBe(0);
  });

  it('the Redis store changes state only by compare-and-set and keeps each process’s statistics', async () => {
    const prefix = uniquePrefix('canary-store');
    const redis = await client();
    const store = createRedisCanaryStore({ redis, keyPrefix: prefix });
    const other = createRedisCanaryStore({ redis: await client(), keyPrefix: prefix });
    const canary = canaryConfig();
    const first = { ...initialRolloutState(canary, 1), version: 1 };
    expect(await store.read('claude:x')).toBeUndefined();
    expect((await store.compareAndSet('claude:x', 0, first)).ok).toBe(true);
    const stale = await other.compareAndSet('claude:x', 0, { ...first, step: 2 });
    expect(stale.ok).toBe(false);
    expect(stale.current).toEqual(first);
    expect((await other.compareAndSet('claude:x', 1, { ...first, version: 2, step: 1 })).ok).toBe(true);
    expect((await store.read('claude:x'))?.step).toBe(1);

    const empty = new ArmStats().toData();
    const data = { baseline: { ...empty, calls: 3 }, candidate: { ...empty, calls: 1 } };
    await store.writeStats('claude:x', 1, 'a', data);
    await other.writeStats('claude:x', 1, 'b', { ...data, candidate: { ...data.candidate, calls: 5 } });
    const stats = await store.readStats('claude:x', 1);
    expect([...stats.keys()].sort()).toEqual(['a', 'b']);
    expect(stats.get('b')?.candidate.calls).toBe(5);
    expect(await redis.pttl(`${prefix}canary:{claude:x}:stats:1`)).toBeGreaterThan(0);
  });

  it('waits for a client that is still connecting (as the router’s is at start) instead of reporting an outage', async () => {
    const redis = new Redis(redisUrl ?? '', { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    clients.push(redis);
    const config = canarySimConfig(simulator, { steps: [{ weight: 10, minRequests: 100_000 }, { weight: 100 }] });
    const harness = startCanaryRouter(config, { redis, keyPrefix: uniquePrefix('canary-connecting') });
    harnesses.push(harness);
    await harness.plugin.ready();
    expect(harness.logs).toEqual([]);
    expect((await harness.plugin.controller('claude').report()).history).toHaveLength(1);
  });
});
