import { describe, expect, it } from 'vitest';
import { ArmStats } from '../../src/canary/arm-stats.js';
import { decide } from '../../src/canary/decision-engine.js';
import { applyRolloutAction, initialRolloutState, type RolloutState } from '../../src/canary/rollout-state.js';
import { canaryConfig, filledArm } from './support.js';

const T0 = Date.UTC(2025, 0, 1);
const HOUR = 3_600_000;

function atStep(step: number, overrides: Partial<RolloutState> = {}): RolloutState {
  const canary = canaryConfig();
  let state = { ...initialRolloutState(canary, T0), version: 1 };
  for (let index = 0; index < step; index += 1) state = applyRolloutAction(state, 'promote', canary, T0, 'test', 'operator');
  return { ...state, ...overrides };
}

describe('decide', () => {
  const canary = canaryConfig();

  it('rolls back a clearly broken candidate at once, before the step ends', () => {
    const decision = decide({ canary, state: atStep(0), now: T0 + 1_000, stats: { baseline: filledArm(500, 5), candidate: filledArm(20, 12) } });
    expect(decision.decision).toBe('rollback');
    expect(decision.code).toBe('broken');
    expect(decision.reason).toContain('12 of 20 calls failed');
  });

  it('rolls back early when the error guard is already shown failed at the stricter continuous level', () => {
    const decision = decide({ canary, state: atStep(0), now: T0 + 1_000, stats: { baseline: filledArm(2_000, 20), candidate: filledArm(100, 25) } });
    expect(decision.decision).toBe('rollback');
    expect(decision.code).toBe('guard-failed');
    expect(decision.reason).toMatch(/error rate 25\.0% vs 1\.0% \(\+24\.0 points/);
    expect(decision.evidence.errorRate?.verdict).toBe('worse');
  });

  it('holds while the step needs more candidate calls or more time', () => {
    const fewCalls = decide({ canary, state: atStep(0), now: T0 + HOUR, stats: { baseline: filledArm(1_000, 10), candidate: filledArm(50, 0) } });
    expect(fewCalls).toMatchObject({ decision: 'hold', code: 'waiting' });
    expect(fewCalls.reason).toContain('150 more candidate calls (50/200)');
    const tooSoon = decide({ canary, state: atStep(0), now: T0 + 60_000, stats: { baseline: filledArm(4_000, 40), candidate: filledArm(200, 2) } });
    expect(tooSoon.reason).toContain('9m 0s more');
  });

  it('promotes a candidate shown within every guard once the step is over', () => {
    const decision = decide({
      canary,
      state: atStep(0),
      now: T0 + HOUR,
      stats: { baseline: filledArm(4_000, 40, undefined, 0.002), candidate: filledArm(400, 2, undefined, 0.0021) },
    });
    expect(decision.decision).toBe('promote');
    expect(decision.code).toBe('passed');
    expect(decision.reason).toContain('step 1 passed');
    expect(decision.evidence.errorRate?.verdict).toBe('within');
    expect(decision.evidence.latencyP95?.verdict).toBe('within');
    expect(decision.evidence.costPerCall?.verdict).toBe('within');
  });

  it('completes after the last step', () => {
    const state = atStep(2);
    const decision = decide({ canary: { ...canary, steps: canary.steps.slice(0, 3) }, state, now: T0 + HOUR, stats: { baseline: filledArm(3_000, 30), candidate: filledArm(3_000, 30) } });
    expect(decision.decision).toBe('complete');
  });

  it('holds when a guard is not yet shown either way', () => {
    const decision = decide({ canary, state: atStep(0), now: T0 + HOUR, stats: { baseline: filledArm(4_000, 200), candidate: filledArm(200, 14) } });
    expect(decision).toMatchObject({ decision: 'hold', code: 'inconclusive' });
    expect(decision.reason).toContain('not yet shown within the guards: error rate');
  });

  it('rolls back a slower candidate on the p95 guard, with the ratio in the reason', () => {
    const decision = decide({
      canary,
      state: atStep(0),
      now: T0 + HOUR,
      stats: { baseline: filledArm(4_000, 0), candidate: filledArm(400, 0, (index) => 1.6 * (400 + ((index * 7919) % 800))) },
    });
    expect(decision.decision).toBe('rollback');
    expect(decision.reason).toMatch(/p95 .* \(×1\.6\d/);
    expect(decision.evidence.latencyP95?.rankTest.pValue).toBeLessThan(0.001);
  });

  it('rolls back a candidate that costs twice as much per call', () => {
    const decision = decide({ canary, state: atStep(0), now: T0 + HOUR, stats: { baseline: filledArm(4_000, 0, undefined, 0.002), candidate: filledArm(400, 0, undefined, 0.004) } });
    expect(decision.decision).toBe('rollback');
    expect(decision.reason).toContain('cost/call');
  });

  it('skips the cost guard (and says so) when an arm has no price', () => {
    const decision = decide({ canary, state: atStep(0), now: T0 + HOUR, stats: { baseline: filledArm(4_000, 40), candidate: filledArm(400, 2) } });
    expect(decision.decision).toBe('promote');
    expect(decision.reason).toContain('cost/call not compared');
  });

  it('compares with an earlier step’s baseline when the current one is too thin, and holds without one', () => {
    const withFinalStep = { ...canary, steps: [...canary.steps.slice(0, 3), { weight: 100, minRequests: 100, minDurationMs: 0 }] };
    let state = { ...initialRolloutState(withFinalStep, T0), version: 1 };
    for (let index = 0; index < 3; index += 1) state = applyRolloutAction(state, 'promote', withFinalStep, T0, 'test', 'operator');
    expect(state).toMatchObject({ state: 'running', step: 3, epoch: 4 });
    const thin = { baseline: new ArmStats(), candidate: filledArm(400, 2) };
    const withoutReference = decide({ canary: withFinalStep, state, now: T0 + HOUR, stats: thin });
    expect(withoutReference).toMatchObject({ decision: 'hold', code: 'no-baseline' });
    const withReference = decide({ canary: withFinalStep, state, now: T0 + HOUR, stats: thin, reference: { epoch: 3, baseline: filledArm(2_000, 20) } });
    expect(withReference.decision).toBe('complete');
    expect(withReference.evidence.referenceEpoch).toBe(3);
  });

  it('a paused rollout holds but still rolls back a broken candidate', () => {
    const paused = atStep(0, { state: 'paused' });
    expect(decide({ canary, state: paused, now: T0 + HOUR, stats: { baseline: filledArm(4_000, 40), candidate: filledArm(400, 2) } })).toMatchObject({ decision: 'hold', code: 'paused' });
    expect(decide({ canary, state: paused, now: T0 + HOUR, stats: { baseline: filledArm(4_000, 40), candidate: filledArm(40, 30) } }).decision).toBe('rollback');
  });

  it('does nothing for rollouts that are over', () => {
    for (const name of ['rolled_back', 'aborted', 'completed'] as const) {
      expect(decide({ canary, state: atStep(0, { state: name }), now: T0, stats: { baseline: filledArm(100, 0), candidate: filledArm(100, 100) } }).code).toBe('inactive');
    }
  });

  it('reports a sample-ratio mismatch in the evidence', () => {
    const baseline = filledArm(1_000, 0);
    const candidate = filledArm(100, 0);
    baseline.units = 9_000;
    candidate.units = 1_000;
    const decision = decide({ canary, state: atStep(0), now: T0, stats: { baseline, candidate } });
    expect(decision.evidence.sampleRatio?.mismatch).toBe(true);
    expect(decision.evidence.sampleRatio?.expectedShare).toBe(0.05);
  });
});
