import { describe, expect, it } from 'vitest';
import { applyRolloutAction, CanaryControlError, fitToConfig, initialRolloutState, rolloutWeight } from '../../src/canary/rollout-state.js';
import { canaryConfig } from './support.js';

const canary = canaryConfig();

describe('rollout state machine', () => {
  it('walks the steps: promote moves to the next step with a new epoch, and completes at a plain 100% last step', () => {
    let state = initialRolloutState(canary, 0);
    expect(rolloutWeight(state, canary)).toBe(5);
    state = applyRolloutAction(state, 'promote', canary, 10, 'passed', 'auto');
    expect(state).toMatchObject({ step: 1, epoch: 2, stepStartedAt: 10, state: 'running', version: 1 });
    expect(rolloutWeight(state, canary)).toBe(25);
    state = applyRolloutAction(state, 'promote', canary, 20, 'passed', 'auto');
    expect(rolloutWeight(state, canary)).toBe(50);
    state = applyRolloutAction(state, 'promote', canary, 30, 'passed', 'auto');
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
    const withFinal = canaryConfig({ steps: [{ weight: 50, minRequests: 10, minDurationMs: 0 }, { weight: 100, minRequests: 100, minDurationMs: 0 }] });
    const state = applyRolloutAction(initialRolloutState(withFinal, 0), 'promote', withFinal, 1, 'ok', 'auto');
    expect(state).toMatchObject({ state: 'running', step: 1 });
    expect(applyRolloutAction(state, 'promote', withFinal, 2, 'ok', 'auto').state).toBe('completed');
  });

  it('rollback and abort send everything to the baseline; resume restarts the step with a new epoch', () => {
    const running = initialRolloutState(canary, 0);
    const rolledBack = applyRolloutAction(running, 'rollback', canary, 5, 'broken', 'auto');
    expect(rolledBack.state).toBe('rolled_back');
    expect(rolloutWeight(rolledBack, canary)).toBe(0);
    const resumed = applyRolloutAction(rolledBack, 'resume', canary, 9, 'retry', 'operator');
    expect(resumed).toMatchObject({ state: 'running', step: 0, epoch: 2, stepStartedAt: 9 });
    const aborted = applyRolloutAction(resumed, 'abort', canary, 10, 'stop', 'operator');
    expect(rolloutWeight(aborted, canary)).toBe(0);
  });

  it('pause keeps the weight; resume continues the same epoch', () => {
    const paused = applyRolloutAction(initialRolloutState(canary, 0), 'pause', canary, 1, 'look', 'operator');
    expect(paused.state).toBe('paused');
    expect(rolloutWeight(paused, canary)).toBe(5);
    const resumed = applyRolloutAction(paused, 'resume', canary, 2, 'go', 'operator');
    expect(resumed).toMatchObject({ state: 'running', epoch: 1 });
  });

  it('refuses impossible actions with a CanaryControlError', () => {
    const completed = { ...initialRolloutState(canary, 0), state: 'completed' as const };
    expect(() => applyRolloutAction(completed, 'promote', canary, 1, '', 'operator')).toThrow(CanaryControlError);
    expect(() => applyRolloutAction(completed, 'resume', canary, 1, '', 'operator')).toThrow(/cannot resume: the rollout is completed/);
    expect(() => applyRolloutAction(initialRolloutState(canary, 0), 'resume', canary, 1, '', 'operator')).toThrow(/cannot resume/);
    const paused = applyRolloutAction(initialRolloutState(canary, 0), 'pause', canary, 1, '', 'operator');
    expect(() => applyRolloutAction(paused, 'pause', canary, 1, '', 'operator')).toThrow(/cannot pause/);
  });

  it('fits a stored state to a config with fewer steps', () => {
    const state = { ...initialRolloutState(canary, 0), step: 3 };
    expect(fitToConfig(state, canaryConfig({ steps: [{ weight: 10, minRequests: 0, minDurationMs: 0 }] })).step).toBe(0);
  });
});
