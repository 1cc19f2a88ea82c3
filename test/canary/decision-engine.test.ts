import { describe, expect, it } from 'vitest';
import { ArmStats } from '../../src/canary/arm-stats.js';
import { checkBroken, type CanaryDecision, decide, REFERENCE_BASELINE_MIN_WEIGHT } from '../../src/canary/decision-engine.js';
import type { GuardName, GuardResult } from '../../src/canary/guard-result.js';
import { applyRolloutAction, initialRolloutState, type RolloutState } from '../../src/canary/rollout-state.js';
import type { CanaryConfig, CanaryStep } from '../../src/config/types.js';
import { canaryConfig, filledArm } from './support.js';

const T0 = Date.UTC(2025, 0, 1);
const HOUR = 3_600_000;
const MINUTE = 60_000;

function atStep(step: number, overrides: Partial<RolloutState> = {}, canary: CanaryConfig = canaryConfig()): RolloutState {
  let state = { ...initialRolloutState(canary, T0), version: 1 };
  for (let index = 0; index < step; index += 1) state = applyRolloutAction(state, 'promote', canary, T0, { rollout: 'claude:test', reason: 'test', by: 'operator' });
  return { ...state, ...overrides };
}

function guardOf(decision: CanaryDecision, name: GuardName): GuardResult | undefined {
  return decision.evidence.guards?.find((guard) => guard.guard === name);
}

const step = (weight: number, minRequests: number, approval: CanaryStep['approval'] = 'auto'): CanaryStep => ({ weight, minRequests, minDurationMs: 0, approval });

/** Arms that pass every guard of the support config: errors 1% vs 0.5%, same latencies, cost ×1.05. */
function passingArms(): { baseline: ArmStats; candidate: ArmStats } {
  return { baseline: filledArm(4_000, 40, undefined, 0.002), candidate: filledArm(1_000, 5, undefined, 0.0021) };
}

describe('decide', () => {
  const canary = canaryConfig();

  it('rolls back a clearly broken candidate at once, before the step ends', () => {
    const decision = decide({ canary, state: atStep(0), now: T0 + 1_000, stats: { baseline: filledArm(500, 5), candidate: filledArm(20, 12) } });
    expect(decision.decision).toBe('rollback');
    expect(decision.code).toBe('broken');
    expect(decision.reason).toContain('12 of 20 calls started failed');
    expect(decision.evidence.unsettledCandidateCalls).toBe(0);
  });

  it('rolls back as soon as a guard is shown worse by its always-valid bounds, at any point of a step', () => {
    // Seconds into the step, 100 of its 200 calls: no separate "early" level any more, the bounds are valid at every look.
    const decision = decide({ canary, state: atStep(0), now: T0 + 1_000, stats: { baseline: filledArm(2_000, 20), candidate: filledArm(100, 25) } });
    expect(decision.decision).toBe('rollback');
    expect(decision.code).toBe('guard-failed');
    expect(decision.reason).toMatch(/error rate 25\.0% vs 1\.0% \(\+24\.0 points/);
    const errorRate = guardOf(decision, 'errorRate');
    expect(errorRate?.verdict).toBe('worse');
    expect(errorRate?.interval?.low).toBeGreaterThan(0.02);
  });

  it('holds while the step needs more candidate calls or more time', () => {
    const fewCalls = decide({ canary, state: atStep(0), now: T0 + HOUR, stats: { baseline: filledArm(1_000, 10), candidate: filledArm(50, 0) } });
    expect(fewCalls).toMatchObject({ decision: 'hold', code: 'waiting' });
    expect(fewCalls.reason).toContain('150 more candidate calls (50/200)');
    const tooSoon = decide({ canary, state: atStep(0), now: T0 + 60_000, stats: { baseline: filledArm(4_000, 40), candidate: filledArm(200, 2) } });
    expect(tooSoon.reason).toContain('9m 0s more');
  });

  it('promotes a candidate shown within every guard once the step is over', () => {
    const decision = decide({ canary, state: atStep(0), now: T0 + HOUR, stats: passingArms() });
    expect(decision.decision).toBe('promote');
    expect(decision.code).toBe('passed');
    expect(decision.reason).toContain('step 1 passed');
    expect(decision.evidence.guards?.map((guard) => [guard.guard, guard.verdict])).toEqual([
      ['errorRate', 'within'],
      ['latencyP95', 'within'],
      ['costPerCall', 'within'],
    ]);
    expect(decision.evidence).toMatchObject({ candidateCalls: 1_000, baselineCalls: 4_000 });
  });

  it('completes after the last step', () => {
    const threeSteps = { ...canary, steps: canary.steps.slice(0, 3) };
    const decision = decide({ canary: threeSteps, state: atStep(2, {}, threeSteps), now: T0 + HOUR, stats: { baseline: filledArm(3_000, 30), candidate: filledArm(3_000, 30) } });
    expect(decision).toMatchObject({ decision: 'complete', code: 'passed' });
  });

  it('holds when a guard is not yet shown either way', () => {
    const decision = decide({ canary, state: atStep(0), now: T0 + HOUR, stats: { baseline: filledArm(4_000, 200), candidate: filledArm(200, 14) } });
    expect(decision).toMatchObject({ decision: 'hold', code: 'inconclusive' });
    expect(decision.reason).toContain('not yet shown within the guards: error rate');
    expect(guardOf(decision, 'errorRate')?.verdict).toBe('inconclusive');
  });

  it('rolls back a slower candidate on the p95 guard, with the ratio in the reason', () => {
    const decision = decide({
      canary,
      state: atStep(0),
      now: T0 + HOUR,
      stats: { baseline: filledArm(4_000, 0), candidate: filledArm(400, 0, (index) => 1.6 * (400 + ((index * 7919) % 800))) },
    });
    expect(decision).toMatchObject({ decision: 'rollback', code: 'guard-failed' });
    expect(decision.reason).toMatch(/p95 .* \(×1\.6\d/);
    const p95 = guardOf(decision, 'latencyP95');
    expect(p95?.verdict).toBe('worse');
    expect(p95?.pValue).toBeLessThan(0.001);
  });

  it('rolls back a candidate that costs twice as much per call', () => {
    const decision = decide({ canary, state: atStep(0), now: T0 + HOUR, stats: { baseline: filledArm(4_000, 0, undefined, 0.002), candidate: filledArm(400, 0, undefined, 0.004) } });
    expect(decision.decision).toBe('rollback');
    expect(decision.reason).toContain('cost/call');
    expect(guardOf(decision, 'costPerCall')?.estimate).toBeCloseTo(2, 1);
  });

  it('skips the cost guard (and says so) when an arm has no price', () => {
    const decision = decide({ canary, state: atStep(0), now: T0 + HOUR, stats: { baseline: filledArm(4_000, 40), candidate: filledArm(1_000, 5) } });
    expect(decision.decision).toBe('promote');
    expect(decision.reason).toContain('cost/call not compared');
    expect(guardOf(decision, 'costPerCall')?.verdict).toBe('within');
  });

  it('a paused rollout holds but still rolls back a broken candidate', () => {
    const paused = atStep(0, { state: 'paused' });
    expect(decide({ canary, state: paused, now: T0 + HOUR, stats: { baseline: filledArm(4_000, 40), candidate: filledArm(1_000, 5) } })).toMatchObject({ decision: 'hold', code: 'paused' });
    expect(decide({ canary, state: paused, now: T0 + HOUR, stats: { baseline: filledArm(4_000, 40), candidate: filledArm(40, 30) } }).decision).toBe('rollback');
  });

  it('does nothing for rollouts that are over', () => {
    for (const name of ['rolled_back', 'aborted', 'completed'] as const) {
      expect(decide({ canary, state: atStep(0, { state: name }), now: T0, stats: { baseline: filledArm(100, 0), candidate: filledArm(100, 100) } }).code).toBe('inactive');
      expect(checkBroken({ canary, state: atStep(0, { state: name }), now: T0, stats: { baseline: filledArm(100, 0), candidate: filledArm(100, 100) } })).toBeUndefined();
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

describe('the broken check counts calls in start order', () => {
  const canary = canaryConfig();
  const empty = { baseline: new ArmStats(), candidate: new ArmStats() };

  it('does not fire on a burst whose 20 fast failures ended while 1,000 calls it started with still run', () => {
    const input = { canary, state: atStep(0), now: T0 + 1_000, stats: empty, unsettledCandidate: { calls: 1_000, errors: 20 } };
    expect(checkBroken(input)).toBeUndefined();
    const decision = decide(input);
    expect(decision.code).not.toBe('broken');
    expect(decision.decision).not.toBe('rollback');
  });

  it('fires when 60% of the calls started have failed, counting the running ones as not failed', () => {
    const input = { canary, state: atStep(0), now: T0 + 1_000, stats: empty, unsettledCandidate: { calls: 1_000, errors: 600 } };
    const broken = checkBroken(input);
    expect(broken).toMatchObject({ decision: 'rollback', code: 'broken', evidence: { unsettledCandidateCalls: 1_000 } });
    expect(broken?.reason).toContain('600 of 1000 calls started failed (60.0% ≥ 50.0%, counting 400 still running as not failed)');
    expect(decide(input)).toMatchObject({ decision: 'rollback', code: 'broken' });
  });

  it('adds the settled calls to the unsettled ones, and fires on a paused rollout too', () => {
    // 10 of 20 settled failed, and 5 more failures wait behind a running call: 15 of 30.
    const stats = { baseline: filledArm(500, 5), candidate: filledArm(20, 10) };
    const input = { canary, state: atStep(0, { state: 'paused' }), now: T0, stats, unsettledCandidate: { calls: 10, errors: 5 } };
    expect(checkBroken(input)?.reason).toContain('15 of 30 calls started failed');
    // Below minCalls finished calls, it waits.
    expect(checkBroken({ ...input, stats: { baseline: filledArm(500, 5), candidate: filledArm(10, 10) }, unsettledCandidate: { calls: 50, errors: 9 } })).toBeUndefined();
  });
});

describe('gates', () => {
  it('a sample-ratio mismatch holds promotion even when every guard passes', () => {
    const canary = canaryConfig();
    const stats = passingArms();
    expect(decide({ canary, state: atStep(0), now: T0 + HOUR, stats }).decision).toBe('promote');
    stats.candidate.units = 1_000;
    stats.baseline.units = 9_000;
    const decision = decide({ canary, state: atStep(0), now: T0 + HOUR, stats });
    expect(decision).toMatchObject({ decision: 'hold', code: 'sample-ratio' });
    expect(decision.reason).toContain('10.0% of units in the candidate vs 5.0% expected');
    expect(decision.reason).toContain('promotion held');
    expect(decision.evidence.guards?.every((guard) => guard.verdict === 'within')).toBe(true);
    expect(decision.evidence.sampleRatio).toMatchObject({ candidate: 1_000, baseline: 9_000, mismatch: true });
    expect(decision.evidence.sampleRatio?.pValue).toBeLessThan(canary.sampleRatio.alpha);
  });

  it('a mismatch sustained for sampleRatio.sustainedFor pauses, or rolls back, by config', () => {
    const stats = passingArms();
    stats.candidate.units = 1_000;
    stats.baseline.units = 9_000;
    const now = T0 + HOUR;
    const paused = canaryConfig();
    expect(decide({ canary: paused, state: atStep(0), now, stats, mismatchSince: now - 9 * MINUTE }).code).toBe('sample-ratio');
    const sustained = decide({ canary: paused, state: atStep(0), now, stats, mismatchSince: now - 11 * MINUTE });
    expect(sustained).toMatchObject({ decision: 'pause', code: 'sample-ratio-sustained' });
    expect(sustained.reason).toContain('sustained for 11m');
    const rollingBack = canaryConfig({ sampleRatio: { alpha: 0.001, onSustained: 'rollback', sustainedForMs: 600_000 } });
    expect(decide({ canary: rollingBack, state: atStep(0), now, stats, mismatchSince: now - 11 * MINUTE })).toMatchObject({ decision: 'rollback', code: 'sample-ratio-sustained' });
    const holding = canaryConfig({ sampleRatio: { alpha: 0.001, onSustained: 'hold', sustainedForMs: 600_000 } });
    expect(decide({ canary: holding, state: atStep(0), now, stats, mismatchSince: now - HOUR })).toMatchObject({ decision: 'hold', code: 'sample-ratio' });
  });

  it('a guard shown worse still rolls back during a mismatch', () => {
    const stats = { baseline: filledArm(4_000, 40), candidate: filledArm(400, 100) };
    stats.candidate.units = 1_000;
    stats.baseline.units = 9_000;
    expect(decide({ canary: canaryConfig(), state: atStep(0), now: T0 + HOUR, stats })).toMatchObject({ decision: 'rollback', code: 'guard-failed' });
  });

  it('a step with approval: manual that passed holds for an operator', () => {
    const manual = canaryConfig({ steps: [step(5, 200, 'manual'), step(50, 1_000), step(100, 0)] });
    const decision = decide({ canary: manual, state: atStep(0, {}, manual), now: T0 + HOUR, stats: passingArms() });
    expect(decision).toMatchObject({ decision: 'hold', code: 'awaiting-approval' });
    expect(decision.reason).toContain("step 1 passed and waits for an operator's approval");
    // Not before it passed.
    expect(decide({ canary: manual, state: atStep(0, {}, manual), now: T0 + HOUR, stats: { baseline: filledArm(4_000, 200), candidate: filledArm(200, 14) } }).code).toBe('inconclusive');
  });

  it('holds as starved when no candidate call has settled long after the step started', () => {
    const canary = canaryConfig();
    const input = { canary, state: atStep(0), stats: { baseline: filledArm(4_000, 40), candidate: new ArmStats() }, unsettledCandidate: { calls: 30, errors: 0 } };
    // Step 0 lasts at least 10 minutes; stallAfter is 5 minutes.
    expect(decide({ ...input, now: T0 + 9 * MINUTE }).code).toBe('waiting');
    const starved = decide({ ...input, now: T0 + 10 * MINUTE });
    expect(starved).toMatchObject({ decision: 'hold', code: 'starved' });
    expect(starved.reason).toContain('(30 running)');
    // Nothing running: plain waiting.
    expect(decide({ ...input, now: T0 + 10 * MINUTE, unsettledCandidate: { calls: 0, errors: 0 } }).code).toBe('waiting');
  });
});

describe('a thin baseline', () => {
  const fiveSteps = canaryConfig({ steps: [step(5, 200), step(25, 200), step(50, 400), step(95, 400), step(100, 0)] });
  const thin = (): { baseline: ArmStats; candidate: ArmStats } => ({ baseline: filledArm(10, 0), candidate: filledArm(1_000, 5) });
  const reference = { epoch: 2, baseline: filledArm(2_000, 20) };

  it(`holds at a weight below ${REFERENCE_BASELINE_MIN_WEIGHT} and does not borrow an earlier step's baseline`, () => {
    const state = atStep(2, {}, fiveSteps);
    expect(state).toMatchObject({ step: 2, epoch: 3 });
    const decision = decide({ canary: fiveSteps, state, now: T0 + HOUR, stats: thin(), reference });
    expect(decision).toMatchObject({ decision: 'hold', code: 'no-baseline' });
    expect(decision.reason).toContain('not enough settled baseline calls to compare with (10, need 20)');
    expect(decision.evidence.referenceEpoch).toBeUndefined();
    expect(decision.evidence.baselineCalls).toBe(10);
  });

  it(`borrows the reference at a weight of ${REFERENCE_BASELINE_MIN_WEIGHT} or more and names its epoch, and holds without one`, () => {
    const state = atStep(3, {}, fiveSteps);
    expect(state).toMatchObject({ step: 3, epoch: 4 });
    expect(decide({ canary: fiveSteps, state, now: T0 + HOUR, stats: thin() })).toMatchObject({ decision: 'hold', code: 'no-baseline' });
    const withReference = decide({ canary: fiveSteps, state, now: T0 + HOUR, stats: thin(), reference });
    expect(withReference).toMatchObject({ decision: 'promote', code: 'passed' });
    expect(withReference.evidence).toMatchObject({ referenceEpoch: 2, baselineCalls: 2_000 });
    // A reference itself too thin is not used.
    expect(decide({ canary: fiveSteps, state, now: T0 + HOUR, stats: thin(), reference: { epoch: 2, baseline: filledArm(15, 0) } }).code).toBe('no-baseline');
  });

  it('does not replace a baseline that has enough calls', () => {
    const state = atStep(3, {}, fiveSteps);
    const decision = decide({ canary: fiveSteps, state, now: T0 + HOUR, stats: { baseline: filledArm(100, 1), candidate: filledArm(1_000, 5) }, reference });
    expect(decision.evidence.referenceEpoch).toBeUndefined();
    expect(decision.evidence.baselineCalls).toBe(100);
  });

  it('at a 100% step (no baseline traffic at all) borrows the reference and completes', () => {
    const withFinalStep = canaryConfig({ steps: [step(5, 200), step(50, 400), step(100, 100)] });
    const state = atStep(2, {}, withFinalStep);
    expect(state).toMatchObject({ state: 'running', step: 2, epoch: 3 });
    const stats = { baseline: new ArmStats(), candidate: filledArm(1_000, 5) };
    expect(decide({ canary: withFinalStep, state, now: T0 + HOUR, stats })).toMatchObject({ decision: 'hold', code: 'no-baseline' });
    const decision = decide({ canary: withFinalStep, state, now: T0 + HOUR, stats, reference });
    expect(decision.decision).toBe('complete');
    expect(decision.evidence.referenceEpoch).toBe(2);
  });
});
