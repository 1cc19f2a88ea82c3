import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryCanaryStore } from '../../src/canary/memory-state-store.js';
import type { CanaryStateStore } from '../../src/canary/state-store.js';
import { startSimulator, type Simulator } from '../../src/testing/simulator.js';
import { ask, canarySimConfig, sendCalls, startCanaryRouter, type CanaryHarness } from './e2e-support.js';

let simulator: Simulator;
let harness: CanaryHarness | undefined;

beforeAll(async () => {
  simulator = await startSimulator({ seed: 11 });
});
afterAll(async () => {
  await simulator.close();
});
afterEach(async () => {
  await harness?.close();
  harness = undefined;
  simulator.reset();
});

// Generous latency guard: on a loaded machine loopback latencies spread, and the healthy rollout must
// still be shown within bounds after a few hundred calls.
const GUARDS = { errorRate: { maxIncrease: 0.05 }, latencyP50: { maxRatio: 2 }, latencyP95: { maxRatio: 2 } };

describe('canary rollouts end to end (simulator, in-memory state)', () => {
  it('walks a healthy candidate through every step to 100%', async () => {
    simulator.setBehavior('*', { latencyMs: 20 });
    harness = startCanaryRouter(
      canarySimConfig(simulator, {
        sticky: 'user',
        steps: [{ weight: 25, minRequests: 100, minDuration: '10m' }, { weight: 50, minRequests: 150 }, { weight: 100 }],
        guards: GUARDS,
      }),
    );
    const controller = harness.plugin.controller('claude');
    await harness.plugin.ready();
    expect(controller.status()).toMatchObject({ state: 'running', step: 0, weight: 25 });

    let round = 0;
    while (controller.status().arms.candidate.calls < 100 && round < 12) {
      await sendCalls(harness.router, 100, `a${round}`, 40);
      round += 1;
    }
    // Enough calls, but the first step lasts at least 10 minutes (fake clock).
    expect(controller.status()).toMatchObject({ step: 0, decision: { decision: 'hold', code: 'waiting' } });
    expect(controller.status().decision.reason).toContain('more');
    harness.advance(10 * 60_000);
    // Promoted as soon as every guard is shown within bounds (more calls if a loaded machine blurs latency).
    round = 0;
    while (controller.status().step === 0 && round < 30) {
      await sendCalls(harness.router, 20, `tick${round}`, 20);
      await controller.sync();
      round += 1;
    }
    expect(controller.status(), controller.status().decision.reason).toMatchObject({ state: 'running', step: 1, weight: 50 });

    round = 0;
    while (controller.status().state === 'running' && round < 30) {
      await sendCalls(harness.router, 50, `b${round}`, 40);
      await controller.sync();
      round += 1;
    }
    const status = controller.status();
    expect(status, `${status.decision.reason} / ${status.lastChange?.reason ?? ''}`).toMatchObject({ state: 'completed', weight: 100 });
    expect(harness.changes.filter((change) => change.decision !== 'hold').map((change) => [change.decision, change.step, change.weight])).toEqual([
      ['promote', 1, 50],
      ['complete', 2, 100],
    ]);
    expect(status.history.map((step) => [step.weight, step.outcome])).toEqual([
      [25, 'promote'],
      [50, 'complete'],
    ]);
    expect(status.history[0]?.candidate.calls).toBeGreaterThanOrEqual(100);
    expect(harness.logs.some((line) => line.includes('complete by auto'))).toBe(true);

    // Completed: every caller gets the candidate now.
    const after = await sendCalls(harness.router, 40, 'after');
    expect(new Set(after.values())).toEqual(new Set(['claude-2.1']));
  });

  it('rolls back a candidate with a 10-point higher error rate within the first step, with its evidence', async () => {
    simulator.setBehavior('claude-2.0', { errorRate: 0.02 });
    simulator.setBehavior('claude-2.1', { errorRate: 0.12 });
    harness = startCanaryRouter(
      canarySimConfig(simulator, {
        sticky: 'user',
        steps: [{ weight: 25, minRequests: 150 }, { weight: 50, minRequests: 300 }, { weight: 100 }],
        guards: { errorRate: { maxIncrease: 0.02 } },
      }),
    );
    const controller = harness.plugin.controller('claude');
    await harness.plugin.ready();
    let round = 0;
    while (controller.status().state === 'running' && round < 20) {
      // Retries rescue the candidate's failures: the callers all get answers.
      const answered = await sendCalls(harness.router, 100, `r${round}`);
      expect(answered.size).toBe(100);
      await controller.sync();
      round += 1;
    }
    const status = controller.status();
    expect(status).toMatchObject({ state: 'rolled_back', step: 0, weight: 0 });
    // Decided within the first step, on always-valid bounds: a few hundred candidate calls at most.
    expect(status.history[0]?.candidate.calls).toBeLessThanOrEqual(400);
    expect(status.arms.candidate.rescued).toBeGreaterThan(0);
    expect(status.arms.candidate.errorsByCategory.server).toBe(status.arms.candidate.errors);
    const rollback = harness.changes.find((change) => change.decision === 'rollback');
    expect(rollback).toMatchObject({ route: 'claude', state: 'rolled_back', step: 0, weight: 0 });
    expect(rollback?.reason).toMatch(/error rate \d+\.\d% vs \d+\.\d% \(\+\d+\.\d points, bounds/);
    expect(harness.logs.find((line) => line.includes('rollback by auto'))).toContain('error rate');

    // Rolled back: nobody reaches the candidate, not even through retries.
    simulator.reset();
    simulator.setBehavior('claude-2.0', { errorRate: 0.3 });
    await sendCalls(harness.router, 60, 'after');
    expect(simulator.count('claude-2.1')).toBe(0);
  });

  it('fails a slower candidate on the latency guard', async () => {
    simulator.setBehavior('claude-2.0', { latencyMs: 5 });
    // A large gap, so that a loaded machine's own delays (added to both arms) cannot hide it.
    simulator.setBehavior('claude-2.1', { latencyMs: 300 });
    harness = startCanaryRouter(canarySimConfig(simulator, { sticky: 'request', steps: [{ weight: 40, minRequests: 100 }, { weight: 100 }], guards: { errorRate: { maxIncrease: 0.05 }, latencyP95: { maxRatio: 1.25 } } }));
    const controller = harness.plugin.controller('claude');
    await harness.plugin.ready();
    let round = 0;
    while (controller.status().state === 'running' && round < 10) {
      await sendCalls(harness.router, 100, `l${round}`, 32);
      await controller.sync();
      round += 1;
    }
    const status = controller.status();
    expect(status.state).toBe('rolled_back');
    // The median guard sees a uniformly slower candidate first; the p95 guard would too.
    expect(status.lastChange?.reason).toMatch(/p(50|95) \d+ms vs \d+ms \(×\d+\.\d\d/);
    expect(status.evidence.guards?.filter((guard) => guard.verdict === 'worse').map((guard) => guard.guard)).toEqual(expect.arrayContaining(['latencyP50']));
    expect(status.arms.candidate.latencyMs?.p95).toBeGreaterThan(status.arms.baseline.latencyMs?.p95 ?? Infinity);
  });

  it('raising the weight moves only baseline callers to the candidate', async () => {
    harness = startCanaryRouter(canarySimConfig(simulator, { sticky: 'user', steps: [{ weight: 10, minRequests: 100_000 }, { weight: 40, minRequests: 100_000 }, { weight: 100 }] }));
    const controller = harness.plugin.controller('claude');
    await harness.plugin.ready();
    const before = await sendCalls(harness.router, 400, 'user');
    await controller.promote();
    expect(controller.status()).toMatchObject({ step: 1, weight: 40 });
    const after = await sendCalls(harness.router, 400, 'user');
    let moved = 0;
    for (const [user, model] of before) {
      if (model === 'claude-2.1') expect(after.get(user)).toBe('claude-2.1');
      else if (after.get(user) === 'claude-2.1') moved += 1;
    }
    const candidatesBefore = [...before.values()].filter((model) => model === 'claude-2.1').length;
    expect(candidatesBefore).toBeGreaterThan(20);
    expect(candidatesBefore).toBeLessThan(70);
    expect(moved).toBeGreaterThan(80);
    // Sticky: the same user asking again gets the same model.
    const again = await sendCalls(harness.router, 400, 'user');
    expect(again).toEqual(after);
  });

  it('shadow traffic never changes what the caller receives; the candidate gets mirrored copies', async () => {
    simulator.setBehavior('claude-2.1', { errorRate: 1, latencyMs: 150 });
    harness = startCanaryRouter(
      canarySimConfig(simulator, { sticky: 'user', shadow: true, shadowConcurrency: 64, steps: [{ weight: 50, minRequests: 100_000 }, { weight: 100 }], brokenAt: { errorRate: 1, minCalls: 1_000 } }),
    );
    const controller = harness.plugin.controller('claude');
    await harness.plugin.ready();
    const first = await harness.router.chat(ask('only the baseline answers'), { user: 'shadow-user-1' });
    expect(first.target.model).toBe('claude-2.0');
    expect(first.text).toBe('Echo: only the baseline answers');
    const answered = await sendCalls(harness.router, 60, 'shadow-user');
    expect(new Set(answered.values())).toEqual(new Set(['claude-2.0']));
    await controller.sync();
    const status = controller.status();
    const mirrored = simulator.count('claude-2.1');
    expect(mirrored).toBeGreaterThan(10);
    expect(status.arms.candidate.calls).toBe(mirrored);
    expect(status.arms.candidate.errors).toBe(mirrored);
    expect(status.arms.baseline.calls).toBe(61);
    expect(status.arms.baseline.errors).toBe(0);
  });

  it('a shadow copy never delays the caller, and copies beyond shadowConcurrency are dropped and counted', async () => {
    simulator.setBehavior('claude-2.1', { latencyMs: 300 });
    harness = startCanaryRouter(canarySimConfig(simulator, { sticky: 'request', shadow: true, shadowConcurrency: 2, steps: [{ weight: 100, minRequests: 100_000 }] }));
    const controller = harness.plugin.controller('claude');
    await harness.plugin.ready();
    const response = await harness.router.chat(ask(), { user: 'u' });
    expect(response.target.model).toBe('claude-2.0');
    // The caller has its answer while the copy is still on its way (the candidate takes 300 ms).
    expect(controller.status().arms.candidate.calls).toBe(0);
    await controller.sync();
    expect(controller.status().arms.candidate.calls).toBe(1);

    await Promise.all(Array.from({ length: 10 }, (_, index) => harness!.router.chat(ask(`burst ${index}`))));
    await controller.sync();
    const status = controller.status();
    expect(status.arms.candidate.calls + status.arms.candidate.shadowDropped).toBe(11);
    expect(status.arms.candidate.shadowDropped).toBeGreaterThanOrEqual(8);
    expect(simulator.count('claude-2.1')).toBe(status.arms.candidate.calls);
  });

  it('notes the arm on every call, records streams with time to first token, and obeys operator control', async () => {
    harness = startCanaryRouter(canarySimConfig(simulator, { sticky: 'user', steps: [{ weight: 50, minRequests: 100_000 }, { weight: 100 }] }));
    const controller = harness.plugin.controller('claude');
    await harness.plugin.ready();
    const notes: unknown[] = [];
    harness.router.on('call-end', (end) => notes.push(end.notes.canary));
    for (let index = 0; index < 20; index += 1) {
      for await (const _event of harness.router.stream(ask('stream me'), { user: `s-${index}` })) {
      // read to the end
    }
    }
    expect(notes).toHaveLength(20);
    expect(notes.every((note) => typeof note === 'object' && note !== null && (note as { route: string }).route === 'claude')).toBe(true);
    const status = controller.status();
    expect(status.arms.candidate.calls + status.arms.baseline.calls).toBe(20);
    expect(status.arms.candidate.timeToFirstTokenMs?.p50 ?? status.arms.baseline.timeToFirstTokenMs?.p50).toBeGreaterThan(0);

    await controller.pause();
    expect(controller.status()).toMatchObject({ state: 'paused', weight: 50 });
    await expect(controller.pause()).rejects.toThrow(/cannot pause: the rollout is paused/);
    await controller.resume();
    await controller.abort();
    expect(controller.status()).toMatchObject({ state: 'aborted', weight: 0 });
    const afterAbort = await sendCalls(harness.router, 30, 'x');
    expect(new Set(afterAbort.values())).toEqual(new Set(['claude-2.0']));
    await controller.resume();
    expect(controller.status()).toMatchObject({ state: 'running', weight: 50 });
    expect(controller.status().history).toHaveLength(2);
    expect(harness.changes.map((change) => change.decision)).toEqual(expect.arrayContaining(['pause', 'resume', 'abort']));
    expect(() => harness?.plugin.controller('gpt4')).toThrow(/has no canary/);
  });

  it('a rollback decided while the store is down takes effect at once and is written when the store is back', async () => {
    const memory = createMemoryCanaryStore();
    let down = false;
    const unavailable = (): Promise<never> => Promise.reject(new Error('connection refused'));
    const flaky: CanaryStateStore = {
      shared: true,
      read: (rollout) => (down ? unavailable() : memory.read(rollout)),
      compareAndSet: (rollout, version, next) => (down ? unavailable() : memory.compareAndSet(rollout, version, next)),
      writeStats: (rollout, epoch, id, data) => (down ? unavailable() : memory.writeStats(rollout, epoch, id, data)),
      readStats: (rollout, epoch) => (down ? unavailable() : memory.readStats(rollout, epoch)),
      claimDecision: (rollout, id) => (down ? unavailable() : memory.claimDecision(rollout, id)),
      close: () => memory.close(),
    };
    simulator.setBehavior('claude-2.1', { errorRate: 1 });
    harness = startCanaryRouter(canarySimConfig(simulator, { sticky: 'request', steps: [{ weight: 50, minRequests: 100_000 }, { weight: 100 }] }), { store: flaky });
    const controller = harness.plugin.controller('claude');
    await harness.plugin.ready();
    down = true;
    await sendCalls(harness.router, 80, 'down');
    expect(controller.status()).toMatchObject({ state: 'rolled_back', weight: 0 });
    expect(harness.logs.some((line) => line.includes('store is unavailable'))).toBe(true);
    expect(harness.logs.some((line) => line.includes('rollback by auto') && line.includes('candidate is broken'))).toBe(true);
    await expect(controller.resume()).rejects.toThrow(/store is unavailable/);
    simulator.reset();
    await sendCalls(harness.router, 20, 'still-down');
    expect(simulator.count('claude-2.1')).toBe(0);

    down = false;
    await controller.sync();
    expect(harness.logs.some((line) => line.includes('available again'))).toBe(true);
    const stored = await memory.read((await controller.report()).rollout);
    expect(stored).toMatchObject({ state: 'rolled_back', lastChange: { decision: 'rollback', by: 'auto' } });
    expect(controller.status().state).toBe('rolled_back');
  });
});
