/**
 * The decision engine: compares the candidate with the baseline over the current step and says
 * `promote` (next step), `complete` (promoted past the last step), `hold` (not enough data yet, or
 * paused) or `rollback`. It is a pure function of the step's statistics and the clock.
 *
 * Continuously (on every evaluation, whatever the step's thresholds):
 * - a clearly broken candidate (`brokenAt`: e.g. ≥ 50% errors over ≥ 20 calls) rolls back;
 * - the error-rate guard is checked at a stricter confidence, `1 − (1 − confidence) / 10`, to make
 *   up for looking after every call; a candidate shown worse at that level rolls back early.
 * At the end of a step (its `minRequests` candidate calls and `minDuration` reached), every guard is
 * checked at `confidence`: any guard shown `worse` rolls back; all guards shown `within` promote;
 * otherwise the step holds and keeps collecting until one of the two is shown.
 * When the baseline has fewer than `brokenAt.minCalls` calls in the step (a weight near 100%), the
 * baseline of the latest earlier step that had enough is the reference.
 */
import type { CanaryConfig } from '../config/types.js';
import type { ArmStats, StepStats } from './arm-stats.js';
import { formatDuration, formatPercent, formatPoints, formatRatio, formatPValue, formatMs, formatUsd } from './format.js';
import { compareQuantiles, mannWhitneySketches, type QuantileRatioComparison, type RankTestResult } from './latency-tests.js';
import { compareMeans, type MeanRatioComparison } from './mean-ratio-test.js';
import { compareErrorRates, sampleRatioTest, type ErrorRateComparison, type SampleRatioCheck } from './proportion-tests.js';
import { rolloutWeight, type RolloutState } from './rollout-state.js';

/** What the engine decided. */
export type CanaryDecisionKind = 'promote' | 'complete' | 'hold' | 'rollback';

/** Why, as a stable code (holds are reported once per code and step). */
export type CanaryDecisionCode = 'broken' | 'guard-failed' | 'passed' | 'waiting' | 'inconclusive' | 'no-baseline' | 'paused' | 'inactive';

/** The numbers behind a decision. */
export interface CanaryEvidence {
  readonly candidateCalls: number;
  readonly baselineCalls: number;
  /** Set when the baseline of an earlier step was the reference. */
  readonly referenceEpoch?: number;
  readonly errorRate?: ErrorRateComparison;
  readonly latencyP95?: QuantileRatioComparison & { readonly rankTest: RankTestResult };
  readonly costPerCall?: MeanRatioComparison;
  readonly sampleRatio?: SampleRatioCheck;
}

/** A decision, its reason in words and its evidence. */
export interface CanaryDecision {
  readonly decision: CanaryDecisionKind;
  readonly code: CanaryDecisionCode;
  readonly reason: string;
  readonly evidence: CanaryEvidence;
}

/** What a decision is made from. */
export interface DecisionInput {
  readonly canary: CanaryConfig;
  readonly state: RolloutState;
  /** Epoch milliseconds. */
  readonly now: number;
  /** Both arms over the current step, every process merged. */
  readonly stats: StepStats;
  /** The baseline of an earlier step, for steps where the baseline gets too few calls. */
  readonly reference?: { readonly epoch: number; readonly baseline: ArmStats };
}

function describeError(comparison: ErrorRateComparison): string {
  return (
    `error rate ${formatPercent(comparison.candidateRate)} vs ${formatPercent(comparison.baselineRate)} ` +
    `(${formatPoints(comparison.difference)}, bounds ${formatPoints(comparison.interval.low)}…${formatPoints(comparison.interval.high)}, allowed ${formatPoints(comparison.maxIncrease)}; ${formatPValue(comparison.pValue)})`
  );
}

function describeLatency(comparison: QuantileRatioComparison & { readonly rankTest: RankTestResult }): string {
  const bounds = comparison.interval === undefined ? 'too few calls for bounds' : `bounds ${formatRatio(comparison.interval.low)}…${formatRatio(comparison.interval.high)}`;
  return (
    `p95 ${formatMs(comparison.candidateValue)} vs ${formatMs(comparison.baselineValue)} (${formatRatio(comparison.ratio)}, ${bounds}, allowed ${formatRatio(comparison.maxRatio)}; ` +
    `rank test ${formatPValue(comparison.rankTest.pValue)})`
  );
}

function describeCost(comparison: MeanRatioComparison): string {
  const bounds = comparison.interval === undefined ? 'too few priced calls for bounds' : `bounds ${formatRatio(comparison.interval.low)}…${formatRatio(comparison.interval.high)}`;
  return `cost/call ${formatUsd(comparison.candidateMean)} vs ${formatUsd(comparison.baselineMean)} (${formatRatio(comparison.ratio)}, ${bounds}, allowed ${formatRatio(comparison.maxRatio)})`;
}

/** The confidence of the continuous error check. */
export function earlyConfidence(confidence: number): number {
  return 1 - (1 - confidence) / 10;
}

interface Prepared {
  readonly baseline: ArmStats;
  readonly result: (decision: CanaryDecisionKind, code: CanaryDecisionCode, reason: string, extra?: Partial<CanaryEvidence>) => CanaryDecision;
}

function prepare(input: DecisionInput): Prepared {
  const { canary, state, stats } = input;
  const weight = rolloutWeight(state, canary);
  const sampleRatio = weight > 0 && weight < 100 ? sampleRatioTest(stats.candidate.units, stats.baseline.units, weight / 100) : undefined;
  const minCalls = canary.brokenAt.minCalls;
  const reference = stats.baseline.calls < minCalls && input.reference !== undefined && input.reference.baseline.calls >= minCalls ? input.reference : undefined;
  const baseline = reference?.baseline ?? stats.baseline;
  const evidence: CanaryEvidence = {
    candidateCalls: stats.candidate.calls,
    baselineCalls: baseline.calls,
    ...(reference === undefined ? {} : { referenceEpoch: reference.epoch }),
    ...(sampleRatio === undefined ? {} : { sampleRatio }),
  };
  return { baseline, result: (decision, code, reason, extra = {}) => ({ decision, code, reason, evidence: { ...evidence, ...extra } }) };
}

function continuousChecks(input: DecisionInput, prepared: Prepared): CanaryDecision | undefined {
  const { canary, state } = input;
  const { baseline, result } = prepared;
  const candidate = input.stats.candidate;
  if (state.state !== 'running' && state.state !== 'paused') return result('hold', 'inactive', `the rollout is ${state.state.replace('_', ' ')}`);
  const minCalls = canary.brokenAt.minCalls;
  const candidateRate = candidate.calls > 0 ? candidate.errors / candidate.calls : 0;
  if (candidate.calls >= minCalls && candidateRate >= canary.brokenAt.errorRate) {
    return result('rollback', 'broken', `candidate is broken: ${candidate.errors} of ${candidate.calls} calls failed (${formatPercent(candidateRate)} ≥ ${formatPercent(canary.brokenAt.errorRate)})`);
  }
  const errorGuard = canary.guards.errorRate;
  if (errorGuard !== undefined && baseline.calls >= minCalls && candidate.calls >= minCalls) {
    const early = compareErrorRates({ events: candidate.errors, trials: candidate.calls }, { events: baseline.errors, trials: baseline.calls }, errorGuard.maxIncrease, earlyConfidence(canary.confidence));
    if (early.verdict === 'worse') return result('rollback', 'guard-failed', `candidate fails more often: ${describeError(early)}`, { errorRate: early });
  }
  return undefined;
}

/**
 * Only the continuous checks (a broken candidate, the early error check): cheap enough for every
 * call. Undefined when neither fires (and the rollout is active).
 */
export function checkContinuously(input: DecisionInput): CanaryDecision | undefined {
  return continuousChecks(input, prepare(input));
}

/** Decides what a rollout should do now. */
export function decide(input: DecisionInput): CanaryDecision {
  const { canary, state, now, stats } = input;
  const candidate = stats.candidate;
  const prepared = prepare(input);
  const { baseline, result } = prepared;
  const minCalls = canary.brokenAt.minCalls;
  const errorGuard = canary.guards.errorRate;
  const enoughToCompare = baseline.calls >= minCalls;
  const continuous = continuousChecks(input, prepared);
  if (continuous !== undefined) return continuous;

  if (state.state === 'paused') return result('hold', 'paused', 'paused: no automatic promotion (rollback checks still run)');

  const step = canary.steps[state.step];
  const missingCalls = Math.max(0, (step?.minRequests ?? 0) - candidate.calls);
  const missingMs = Math.max(0, (step?.minDurationMs ?? 0) - (now - state.stepStartedAt));
  if (missingCalls > 0 || missingMs > 0) {
    const waits = [
      ...(missingCalls > 0 ? [`${missingCalls} more candidate calls (${candidate.calls}/${step?.minRequests ?? 0})`] : []),
      ...(missingMs > 0 ? [`${formatDuration(missingMs)} more`] : []),
    ];
    return result('hold', 'waiting', `step ${state.step + 1} needs ${waits.join(' and ')}`);
  }

  const hasGuards = errorGuard !== undefined || canary.guards.latencyP95 !== undefined || canary.guards.costPerCall !== undefined;
  if (hasGuards && !enoughToCompare) {
    return result('hold', 'no-baseline', `not enough baseline calls to compare with (${baseline.calls}, need ${minCalls})`);
  }

  const failed: string[] = [];
  const open: string[] = [];
  const passed: string[] = [];
  const extra: { errorRate?: ErrorRateComparison; latencyP95?: QuantileRatioComparison & { rankTest: RankTestResult }; costPerCall?: MeanRatioComparison } = {};
  const sort = (verdict: string, text: string): void => {
    (verdict === 'worse' ? failed : verdict === 'within' ? passed : open).push(text);
  };
  if (errorGuard !== undefined) {
    const comparison = compareErrorRates({ events: candidate.errors, trials: candidate.calls }, { events: baseline.errors, trials: baseline.calls }, errorGuard.maxIncrease, canary.confidence);
    extra.errorRate = comparison;
    sort(comparison.verdict, describeError(comparison));
  }
  const latencyGuard = canary.guards.latencyP95;
  if (latencyGuard !== undefined) {
    const comparison = { ...compareQuantiles(candidate.latency, baseline.latency, 0.95, latencyGuard.maxRatio, canary.confidence), rankTest: mannWhitneySketches(candidate.latency, baseline.latency) };
    extra.latencyP95 = comparison;
    sort(comparison.verdict, describeLatency(comparison));
  }
  const costGuard = canary.guards.costPerCall;
  if (costGuard !== undefined) {
    if (candidate.costCount === 0 || baseline.costCount === 0) {
      passed.push('cost/call not compared (no price for an arm in `pricing`)');
    } else {
      const comparison = compareMeans(candidate.cost, baseline.cost, costGuard.maxRatio, canary.confidence);
      extra.costPerCall = comparison;
      sort(comparison.verdict, describeCost(comparison));
    }
  }
  if (failed.length > 0) return result('rollback', 'guard-failed', `candidate is worse: ${failed.join('; ')}`, extra);
  if (open.length > 0) return result('hold', 'inconclusive', `not yet shown within the guards: ${open.join('; ')}`, extra);
  const last = state.step >= canary.steps.length - 1;
  const summary = passed.length > 0 ? `within the guards: ${passed.join('; ')}` : 'no guards configured';
  return result(last ? 'complete' : 'promote', 'passed', `step ${state.step + 1} passed, ${summary}`, extra);
}
