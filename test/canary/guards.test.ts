import { describe, expect, it } from 'vitest';
import { ArmStats, type AnswerQuality } from '../../src/canary/arm-stats.js';
import type { GuardName, GuardResult } from '../../src/canary/guard-result.js';
import { evaluateGuards } from '../../src/canary/guards.js';
import { DEFAULT_CANARY_GUARDS } from '../../src/config/resolve-extensions.js';
import type { CanaryConfig, CanaryGuards } from '../../src/config/types.js';
import { canaryConfig, seeded } from './support.js';

/** What a simulated arm looks like: rates of each kind of outcome, and how slow and costly it is. */
interface ArmShape {
  readonly errorRate?: number;
  readonly cancelRate?: number;
  readonly lengthRate?: number;
  /** Share of requests asking for structured output, and share of those answered invalidly. */
  readonly structuredRate?: number;
  readonly invalidOutputRate?: number;
  /** Median latency, ms (log-normal, σ = 0.5). */
  readonly medianMs?: number;
  readonly costUsd?: number;
}

/** `starts` seeded calls of one arm: each call is cancelled, fails, or answers with quality signals. */
function simulatedArm(seed: number, starts: number, shape: ArmShape = {}): ArmStats {
  const random = seeded(seed);
  const gaussian = (): number => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const arm = new ArmStats();
  for (let index = 0; index < starts; index += 1) {
    const latencyMs = (shape.medianMs ?? 800) * Math.exp(0.5 * gaussian());
    if (random() < (shape.cancelRate ?? 0.02)) {
      arm.record({ failed: false, callerFault: false, rescued: false, mixed: false, cancelled: true, latencyMs });
      continue;
    }
    if (random() < (shape.errorRate ?? 0.01)) {
      arm.record({ failed: true, category: 'server', callerFault: false, rescued: false, mixed: false });
      continue;
    }
    const structuredOutput = random() < (shape.structuredRate ?? 0);
    const quality: AnswerQuality = {
      lengthFinish: random() < (shape.lengthRate ?? 0.03),
      contentFilterFinish: false,
      emptyAnswer: false,
      invalidToolCall: false,
      structuredOutput,
      invalidOutput: structuredOutput && random() < (shape.invalidOutputRate ?? 0),
    };
    arm.record({ failed: false, callerFault: false, rescued: false, mixed: false, latencyMs, quality, costUsd: (shape.costUsd ?? 0.002) * (0.8 + 0.4 * random()) });
  }
  return arm;
}

const ALL_GUARDS: CanaryGuards = { ...DEFAULT_CANARY_GUARDS, latencyP50: { maxRatio: 1.2 }, costPerCall: { maxRatio: 1.5 } };

function guardsOf(candidate: ArmStats, baseline: ArmStats, guards: CanaryGuards = ALL_GUARDS, plannedCalls = 1_000, overrides: Partial<CanaryConfig> = {}): GuardResult[] {
  return evaluateGuards({ canary: canaryConfig({ guards, ...overrides }), candidate, baseline, plannedCalls });
}

function find(results: readonly GuardResult[], name: GuardName): GuardResult {
  const result = results.find((each) => each.guard === name);
  if (result === undefined) throw new Error(`no ${name} guard in the results`);
  return result;
}

describe('evaluateGuards', () => {
  it('returns every configured guard once, in a fixed order, and no other', () => {
    const results = guardsOf(simulatedArm(1, 500), simulatedArm(2, 500));
    expect(results.map((result) => result.guard)).toEqual([
      'errorRate',
      'cancelRate',
      'lengthFinishRate',
      'contentFilterRate',
      'emptyAnswerRate',
      'invalidToolCallRate',
      'invalidOutputRate',
      'latencyP50',
      'latencyP95',
      'costPerCall',
    ]);
    expect(guardsOf(simulatedArm(1, 500), simulatedArm(2, 500), { errorRate: { maxIncrease: 0.02 } }).map((result) => result.guard)).toEqual(['errorRate']);
    expect(guardsOf(simulatedArm(1, 500), simulatedArm(2, 500), {})).toEqual([]);
  });

  it('identical arms are inconclusive with few calls and within every guard after enough', () => {
    const early = guardsOf(simulatedArm(11, 15), simulatedArm(12, 150));
    expect(find(early, 'errorRate').verdict).toBe('inconclusive');
    expect(find(early, 'errorRate').interval).toBeUndefined();
    expect(find(early, 'errorRate').description).toContain('too few calls to bound, need 20 per arm');
    expect(find(early, 'latencyP95').verdict).toBe('inconclusive');

    const late = guardsOf(simulatedArm(13, 5_000), simulatedArm(14, 5_000));
    for (const result of late) {
      expect([result.guard, result.verdict]).toEqual([result.guard, 'within']);
      if (result.interval !== undefined) {
        expect(result.interval.low).toBeLessThanOrEqual(result.estimate);
        expect(result.interval.high).toBeGreaterThanOrEqual(result.estimate);
      }
    }
    expect(find(late, 'errorRate').interval).toBeDefined();
    expect(find(late, 'latencyP95').interval).toBeDefined();
  });

  it('bounds narrow as calls accumulate', () => {
    const width = (calls: number): number => {
      const interval = find(guardsOf(simulatedArm(21, calls), simulatedArm(22, calls)), 'errorRate').interval;
      if (interval === undefined) throw new Error('no interval');
      return interval.high - interval.low;
    };
    const widths = [200, 800, 3_200].map(width);
    expect(widths[1]).toBeLessThan(widths[0] as number);
    expect(widths[2]).toBeLessThan(widths[1] as number);
  });

  it('errors 10 points above the baseline are worse on the error guard', () => {
    const results = guardsOf(simulatedArm(31, 1_000, { errorRate: 0.11 }), simulatedArm(32, 1_000, { errorRate: 0.01 }));
    const errorRate = find(results, 'errorRate');
    expect(errorRate.verdict).toBe('worse');
    expect(errorRate.kind).toBe('rate');
    expect(errorRate.limit).toBe(0.02);
    expect(errorRate.estimate).toBeCloseTo(0.1, 1);
    expect(errorRate.interval?.low).toBeGreaterThan(0.02);
    expect(errorRate.pValue).toBeLessThan(0.001);
    expect(errorRate.description).toMatch(/^error rate \d+\.\d% vs \d+\.\d% \(\+\d+\.\d points, bounds \+\d+\.\d points…\+\d+\.\d points, allowed \+2\.0 points\)$/);
    // The other guards are not dragged along.
    expect(find(results, 'latencyP95').verdict).not.toBe('worse');
  });

  it('the cancel-rate guard is worse when half the candidate’s calls are cancelled, and cancellations stay out of the error rate', () => {
    const candidate = simulatedArm(41, 1_000, { cancelRate: 0.5 });
    const results = guardsOf(candidate, simulatedArm(42, 1_000));
    const cancelRate = find(results, 'cancelRate');
    expect(cancelRate.verdict).toBe('worse');
    expect(cancelRate.candidate).toBeCloseTo(0.5, 1);
    expect(cancelRate.candidateCalls).toBe(candidate.settled);
    expect(find(results, 'errorRate').candidateCalls).toBe(candidate.calls);
    expect(candidate.calls + candidate.cancelled).toBe(1_000);
    expect(find(results, 'errorRate').verdict).not.toBe('worse');
  });

  it('a quality guard (length-cut answers) is worse 30 points above the baseline', () => {
    const lengthFinishRate = find(guardsOf(simulatedArm(51, 1_000, { lengthRate: 0.33 }), simulatedArm(52, 1_000, { lengthRate: 0.03 })), 'lengthFinishRate');
    expect(lengthFinishRate.verdict).toBe('worse');
    expect(lengthFinishRate.estimate).toBeCloseTo(0.3, 1);
    expect(lengthFinishRate.description).toContain('length-cut answers');
  });

  it('the structured-output guard says it was not compared when no request asked for structured output', () => {
    const none = find(guardsOf(simulatedArm(61, 1_000), simulatedArm(62, 1_000)), 'invalidOutputRate');
    expect(none).toMatchObject({ verdict: 'within', candidateCalls: 0, baselineCalls: 0 });
    expect(none.interval).toBeUndefined();
    expect(none.description).toBe('invalid structured output not compared (no structured-output requests)');
    const compared = find(
      guardsOf(simulatedArm(63, 2_000, { structuredRate: 0.5, invalidOutputRate: 0.3 }), simulatedArm(64, 2_000, { structuredRate: 0.5, invalidOutputRate: 0.02 })),
      'invalidOutputRate',
    );
    expect(compared.verdict).toBe('worse');
    expect(compared.candidateCalls).toBeGreaterThan(800);
  });

  it('the median-latency guard: worse for a candidate 1.5× slower, within for an equally fast one', () => {
    const baseline = simulatedArm(71, 2_000);
    const slower = find(guardsOf(simulatedArm(72, 2_000, { medianMs: 1_200 }), baseline), 'latencyP50');
    expect(slower).toMatchObject({ kind: 'ratio', limit: 1.2, verdict: 'worse' });
    expect(slower.estimate).toBeCloseTo(1.5, 1);
    expect(slower.interval?.low).toBeGreaterThan(1.2);
    expect(slower.description).toMatch(/^p50 \d\.\d\ds vs \d+ms \(×1\.\d\d, bounds ×\d\.\d\d…×\d\.\d\d, allowed ×1\.20\)$/);
    const same = find(guardsOf(simulatedArm(73, 2_000), baseline), 'latencyP50');
    expect(same.verdict).toBe('within');
    expect(same.interval?.low).toBeLessThan(1);
    expect(same.interval?.high).toBeGreaterThan(1);
  });

  it('cost per call: not compared without prices, worse at twice the price', () => {
    const noPrice = new ArmStats();
    for (let index = 0; index < 500; index += 1) noPrice.record({ failed: false, callerFault: false, rescued: false, mixed: false, latencyMs: 500 });
    expect(find(guardsOf(noPrice, simulatedArm(81, 500)), 'costPerCall')).toMatchObject({ verdict: 'within', description: 'cost/call not compared (no price for an arm in `pricing`)' });
    expect(find(guardsOf(simulatedArm(82, 1_000, { costUsd: 0.004 }), simulatedArm(83, 1_000)), 'costPerCall').verdict).toBe('worse');
  });

  it('a stricter confidence gives wider bounds', () => {
    const candidate = simulatedArm(91, 1_000);
    const baseline = simulatedArm(92, 1_000);
    const at95 = find(guardsOf(candidate, baseline, ALL_GUARDS, 1_000, { confidence: 0.95 }), 'errorRate').interval;
    const at99 = find(guardsOf(candidate, baseline, ALL_GUARDS, 1_000, { confidence: 0.99 }), 'errorRate').interval;
    expect((at99?.high ?? 0) - (at99?.low ?? 0)).toBeGreaterThan((at95?.high ?? 0) - (at95?.low ?? 0));
  });

  describe('under repeated looks, a candidate exactly at the error limit is rarely shown within it', () => {
    /**
     * Fraction of `runs` rollouts in which the error guard ever says `within` at a look every 20
     * candidate calls from `minRequests` to 2,000 (when the engine could promote), for a candidate
     * whose true error rate is the baseline's plus the limit. A confidence sequence at 95% allows
     * at most 5% (about 2.5% on this side). Only calls and errors matter to this guard, so the arms
     * are plain counters.
     */
    function falseWithinRate(seed: number, baselineRate: number, baselinePerCandidate: number, runs: number): number {
      const limit = 0.02;
      const minRequests = 200;
      const canary = canaryConfig({ guards: { errorRate: { maxIncrease: limit } } });
      const random = seeded(seed);
      let promoted = 0;
      for (let run = 0; run < runs; run += 1) {
        const candidate = new ArmStats();
        const baseline = new ArmStats();
        for (let call = 1; call <= 2_000; call += 1) {
          candidate.calls += 1;
          if (random() < baselineRate + limit) candidate.errors += 1;
          for (let index = 0; index < baselinePerCandidate; index += 1) {
            baseline.calls += 1;
            if (random() < baselineRate) baseline.errors += 1;
          }
          if (call < minRequests || call % 20 !== 0) continue;
          if (evaluateGuards({ canary, candidate, baseline, plannedCalls: minRequests })[0]?.verdict === 'within') {
            promoted += 1;
            break;
          }
        }
      }
      return promoted / runs;
    }

    it('at moderate rates (5% → 7%, weight 50%)', () => {
      expect(falseWithinRate(101, 0.05, 1, 400)).toBeLessThanOrEqual(0.05);
    });

    // Fails on the current src: about 9% (1,000 runs), the Wald-type variance of the candidate's rate
    // is smallest exactly when its observed rate is lowest. See the report.
    it('at low rates (0% → 2%, weight 5%: the baseline gets 19 calls per candidate call)', () => {
      expect(falseWithinRate(102, 0, 19, 1_000)).toBeLessThanOrEqual(0.05);
    });
  });
});
