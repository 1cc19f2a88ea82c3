import { describe, expect, it } from 'vitest';
import type { CanaryEvidence } from '../../src/canary/canary-evidence.js';
import {
  applyRolloutAction,
  CanaryControlError,
  type ChangeOptions,
  fitToConfig,
  initialRolloutState,
  MAX_KEPT_DECISIONS,
  type RolloutAction,
  type RolloutState,
  rolloutWeight,
} from '../../src/canary/rollout-state.js';
import type { CanaryConfig } from '../../src/config/types.js';
import { canaryConfig } from './support.js';

const canary = canaryConfig();
const ROLLOUT = 'claude:3f2a9c';

/** An action with the options most tests do not care about filled in. */
function act(state: RolloutState, action: RolloutAction, now: number, options: Partial<ChangeOptions> = {}, config: CanaryConfig = canary): RolloutState {
  return applyRolloutAction(state, action, config, now, { rollout: ROLLOUT, reason: 'test', by: 'operator', ...options });
}

const step = (weight: number, minRequests = 0) => ({ weight, minRequests, minDurationMs: 0, approval: 'auto' as const });

describe('rollout state machine', () => {
  it('walks the steps: promote moves to the next step with a new epoch, and completes at a plain 100% last step', () => {
    let state = initialRolloutState(canary, 0);
    expect(rolloutWeight(state, canary)).toBe(5);
    state = act(state, 'promote', 10, { reason: 'passed', by: 'auto' });
    expect(state).toMatchObject({ step: 1, epoch: 2, stepStartedAt: 10, state: 'running', version: 1 });
    expect(rolloutWeight(state, canary)).toBe(25);
    state = act(state, 'promote', 20, { reason: 'passed', by: 'auto' });
    expect(rolloutWeight(state, canary)).toBe(50);
    state = act(state, 'promote', 30, { reason: 'passed', by: 'auto' });
    // The last step is { weight: 100 } with no thresholds: reaching it is completion.
    expect(state.state).toBe('completed');
    expect(state.lastChange).toMatchObject({ decision: 'complete', reason: 'passed', by: 'auto', at: 30 });
    expect(rolloutWeight(state, canary)).toBe(100);
    expect(state.history.map((record) => [record.step, record.weight, record.outcome])).toEqual([
      [0, 5, 'promote'],
      [1, 25, 'promote'],
      [2, 50, 'complete'],
    ]);
  });

  it('runs a last step with thresholds before completing', () => {
    const withFinal = canaryConfig({ steps: [step(50, 10), step(100, 100)] });
    const state = act(initialRolloutState(withFinal, 0), 'promote', 1, { by: 'auto' }, withFinal);
    expect(state).toMatchObject({ state: 'running', step: 1 });
    expect(act(state, 'promote', 2, { by: 'auto' }, withFinal).state).toBe('completed');
  });

  it('rollback and abort send everything to the baseline; resume restarts from the first step with a new epoch', () => {
    const atThird = act(act(initialRolloutState(canary, 0), 'promote', 1), 'promote', 2);
    expect(atThird).toMatchObject({ step: 2, epoch: 3 });
    const rolledBack = act(atThird, 'rollback', 5, { reason: 'broken', by: 'auto', rule: 'broken' });
    expect(rolledBack.state).toBe('rolled_back');
    expect(rolloutWeight(rolledBack, canary)).toBe(0);
    // The failed step's weight is not a safe place to restart: back to step 0, fresh statistics.
    const resumed = act(rolledBack, 'resume', 9, { reason: 'fixed' });
    expect(resumed).toMatchObject({ state: 'running', step: 0, epoch: 4, stepStartedAt: 9 });
    expect(rolloutWeight(resumed, canary)).toBe(5);
    expect(resumed.history.at(-1)).toEqual({ epoch: 4, step: 0, weight: 5, startedAt: 9 });
    const aborted = act(resumed, 'abort', 10, { reason: 'stop' });
    expect(aborted.state).toBe('aborted');
    expect(rolloutWeight(aborted, canary)).toBe(0);
  });

  it('resume after a rollback or abort restarts at the step the operator names, and refuses one that does not exist', () => {
    const rolledBack = act(act(initialRolloutState(canary, 0), 'promote', 1), 'rollback', 2, { by: 'auto', rule: 'guard-failed' });
    const atSecond = act(rolledBack, 'resume', 3, { step: 1 });
    expect(atSecond).toMatchObject({ state: 'running', step: 1, epoch: 3, stepStartedAt: 3 });
    expect(rolloutWeight(atSecond, canary)).toBe(25);
    const aborted = act(atSecond, 'abort', 4);
    expect(act(aborted, 'resume', 5, { step: 2 })).toMatchObject({ state: 'running', step: 2, epoch: 4 });
    for (const invalid of [4, -1, 1.5]) {
      expect(() => act(aborted, 'resume', 5, { step: invalid })).toThrow(CanaryControlError);
    }
    expect(() => act(aborted, 'resume', 5, { step: 4 })).toThrow(/cannot resume: step 5 does not exist \(the rollout has 4 steps\)/);
  });

  it('pause keeps the weight; resume continues the same step and epoch, and refuses another step', () => {
    const atSecond = act(initialRolloutState(canary, 0), 'promote', 1);
    const paused = act(atSecond, 'pause', 2, { reason: 'look' });
    expect(paused.state).toBe('paused');
    expect(rolloutWeight(paused, canary)).toBe(25);
    const resumed = act(paused, 'resume', 3, { reason: 'go' });
    expect(resumed).toMatchObject({ state: 'running', step: 1, epoch: 2, stepStartedAt: 1 });
    expect(act(paused, 'resume', 3, { step: 1 })).toMatchObject({ state: 'running', step: 1, epoch: 2 });
    expect(() => act(paused, 'resume', 3, { step: 0 })).toThrow(/a paused rollout resumes at its own step/);
  });

  it('refuses impossible actions with a CanaryControlError', () => {
    const completed = { ...initialRolloutState(canary, 0), state: 'completed' as const };
    expect(() => act(completed, 'promote', 1)).toThrow(CanaryControlError);
    expect(() => act(completed, 'resume', 1)).toThrow(/cannot resume: the rollout is completed/);
    expect(() => act(initialRolloutState(canary, 0), 'resume', 1)).toThrow(/cannot resume/);
    const paused = act(initialRolloutState(canary, 0), 'pause', 1);
    expect(() => act(paused, 'pause', 1)).toThrow(/cannot pause/);
    const rolledBack = act(initialRolloutState(canary, 0), 'rollback', 1);
    for (const action of ['hold', 'request-approval', 'promote', 'rollback', 'pause'] as const) {
      expect(() => act(rolledBack, action, 2)).toThrow(new RegExp(`cannot ${action}: the rollout is rolled_back`));
    }
  });

  it('fits a stored state to a config with fewer steps', () => {
    const state = { ...initialRolloutState(canary, 0), step: 3 };
    expect(fitToConfig(state, canaryConfig({ steps: [step(10)] })).step).toBe(0);
  });
});

describe('decision records', () => {
  const evidence: CanaryEvidence = { candidateCalls: 400, baselineCalls: 4_000 };

  it('every action appends a record: where the rollout stood before and after, who, which rule, why', () => {
    const start = initialRolloutState(canary, 0);
    expect(start.decisions).toBeUndefined();
    const promoted = act(start, 'promote', 10, { reason: 'step 1 passed', by: 'auto', rule: 'passed', evidence });
    expect(promoted.decisions).toHaveLength(1);
    const record = promoted.decisions?.[0];
    expect(record).toMatchObject({
      route: 'claude',
      rollout: ROLLOUT,
      baseline: 'anthropic/claude-2.0',
      candidate: 'anthropic/claude-2.1',
      at: 10,
      decision: 'promote',
      rule: 'passed',
      by: 'auto',
      actor: 'switchyard',
      reason: 'step 1 passed',
      from: { state: 'running', step: 0, weight: 5, epoch: 1 },
      to: { state: 'running', step: 1, weight: 25, epoch: 2 },
      evidence,
    });
    expect(record?.id).toMatch(/^[0-9a-f-]{36}$/);

    const rolledBack = act(promoted, 'rollback', 20, { reason: 'worse', by: 'auto', rule: 'guard-failed' });
    const aborted = act(act(rolledBack, 'resume', 30, { actor: 'alice', reason: 'retry' }), 'abort', 40, { actor: 'bob' });
    expect(aborted.decisions?.map((decision) => [decision.decision, decision.rule, decision.by, decision.actor])).toEqual([
      ['promote', 'passed', 'auto', 'switchyard'],
      ['rollback', 'guard-failed', 'auto', 'switchyard'],
      ['resume', 'operator', 'operator', 'alice'],
      ['abort', 'operator', 'operator', 'bob'],
    ]);
    expect(aborted.decisions?.[1]).toMatchObject({ from: { state: 'running', step: 1, weight: 25 }, to: { state: 'rolled_back', step: 1, weight: 0 } });
    expect(aborted.decisions?.[2]).toMatchObject({ from: { state: 'rolled_back', weight: 0, epoch: 2 }, to: { state: 'running', step: 0, weight: 5, epoch: 3 } });
    expect(new Set(aborted.decisions?.map((decision) => decision.id)).size).toBe(4);
    // An operator without a name is recorded as `operator`.
    expect(act(start, 'pause', 1).decisions?.[0]).toMatchObject({ decision: 'pause', by: 'operator', actor: 'operator', rule: 'operator' });
  });

  it('a promotion past the last step is recorded as complete', () => {
    const atLast = act(act(initialRolloutState(canary, 0), 'promote', 1), 'promote', 2);
    const completed = act(atLast, 'promote', 3, { by: 'auto' });
    expect(completed.decisions?.at(-1)).toMatchObject({ decision: 'complete', to: { state: 'completed', weight: 100 } });
  });

  it('hold and request-approval add a decision without changing the state, step or epoch', () => {
    const running = act(initialRolloutState(canary, 0), 'promote', 1);
    const held = act(running, 'hold', 5, { by: 'auto', rule: 'sample-ratio', reason: 'split off', evidence });
    expect(held).toMatchObject({ state: running.state, step: running.step, epoch: running.epoch, stepStartedAt: running.stepStartedAt, history: running.history });
    expect(held.lastChange).toEqual(running.lastChange);
    expect(held.decisions?.at(-1)).toMatchObject({ decision: 'hold', rule: 'sample-ratio', from: { state: 'running', step: 1 }, to: { state: 'running', step: 1 } });
    const waiting = act(held, 'request-approval', 6, { by: 'auto', rule: 'approval' });
    expect(waiting).toMatchObject({ state: 'running', step: 1, epoch: 2 });
    expect(waiting.decisions?.at(-1)).toMatchObject({ decision: 'approval-requested', rule: 'approval', by: 'auto' });
    expect(waiting.decisions).toHaveLength(3);
    // A paused rollout may record a hold too.
    const paused = act(running, 'pause', 7);
    expect(act(paused, 'hold', 8, { by: 'auto', rule: 'sample-ratio' })).toMatchObject({ state: 'paused', step: 1 });
  });

  it(`keeps at most MAX_KEPT_DECISIONS (${MAX_KEPT_DECISIONS}) records, dropping the oldest`, () => {
    let state = initialRolloutState(canary, 0);
    const total = MAX_KEPT_DECISIONS + 20;
    for (let index = 0; index < total; index += 1) state = act(state, 'hold', index, { by: 'auto', rule: 'sample-ratio', reason: `look ${index}` });
    expect(state.decisions).toHaveLength(MAX_KEPT_DECISIONS);
    expect(state.decisions?.[0]?.reason).toBe('look 20');
    expect(state.decisions?.at(-1)?.reason).toBe(`look ${total - 1}`);
    expect(state.version).toBe(total);
  });
});
