/**
 * The decision engine: compares the candidate with the baseline over the current step and says
 * `promote` (next step), `complete` (promoted past the last step), `hold`, `pause` or `rollback`.
 * It is a pure function of the step's settled statistics and the clock.
 *
 * In order:
 * 1. A clearly broken candidate (`brokenAt`: e.g. ≥ 50% errors over ≥ 20 calls) rolls back. The
 *    rate counts the candidate's unsettled calls too (running ones as not failed), so a burst's
 *    fast failures cannot fire it before the slow successes that started with them return.
 * 2. Every guard is compared with always-valid bounds (guards.ts), whenever the engine runs:
 *    any guard shown `worse` rolls back at once, at any point of a step.
 * 3. A paused rollout holds (rollback checks still run).
 * 4. Gates: a sample-ratio mismatch holds promotion; sustained for `sampleRatio.sustainedFor` it
 *    pauses or rolls back by config.
 * 5. The step's `minRequests` (settled candidate calls) and `minDuration` must be reached.
 * 6. A baseline with fewer than `brokenAt.minCalls` settled calls holds the step, except at a
 *    weight of 90% or more, where the baseline of the latest earlier step with enough calls is the
 *    reference (the evidence names its epoch).
 * 7. All guards `within` → promote (or complete; or, on a step with `approval: manual`, hold for
 *    an operator). Otherwise hold until the data show one or the other.
 */
import type { CanaryConfig } from '../config/types.js';
import type { ArmStats, StepStats } from './arm-stats.js';
import { formatDuration, formatPercent, formatPValue } from './format.js';
import type { CanaryEvidence } from './canary-evidence.js';
import { evaluateGuards } from './guards.js';
import { rolloutWeight, type RolloutState } from './rollout-state.js';
import { sequentialSampleRatioTest } from './sequential-sample-ratio.js';
import type { UnsettledCounts } from './settle-queue.js';

/** What the engine decided. */
export type CanaryDecisionKind = 'promote' | 'complete' | 'hold' | 'pause' | 'rollback';

/** Why, as a stable code (holds are reported once per code and step). */
export type CanaryDecisionCode =
  | 'broken'
  | 'guard-failed'
  | 'passed'
  | 'waiting'
  | 'inconclusive'
  | 'no-baseline'
  | 'paused'
  | 'inactive'
  | 'sample-ratio'
  | 'sample-ratio-sustained'
  | 'awaiting-approval'
  | 'starved';

const MIN_PLANNED_CALLS = 100;
const MAX_PLANNED_CALLS = 1_000;

/** The weight from which a thin baseline may be replaced by an earlier step's. */
export const REFERENCE_BASELINE_MIN_WEIGHT = 90;

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
  /** Both arms' settled calls over the current step, every process merged. */
  readonly stats: StepStats;
  /** The baseline of an earlier step, for steps at a weight of 90% or more whose baseline is thin. */
  readonly reference?: { readonly epoch: number; readonly baseline: ArmStats };
  /** The candidate's calls started but not settled yet in this process. */
  readonly unsettledCandidate?: UnsettledCounts;
  /** Since when (epoch ms) the split check has flagged a mismatch without a break, when it does now. */
  readonly mismatchSince?: number;
}

function brokenCheck(input: DecisionInput): string | undefined {
  const { canary, stats } = input;
  const candidate = stats.candidate;
  const unsettled = input.unsettledCandidate ?? { calls: 0, errors: 0 };
  const failures = candidate.errors + unsettled.errors;
  const finished = candidate.calls + unsettled.errors;
  // Running calls count as not failed: a lower bound of the rate, never inflated by fast failures.
  const started = candidate.settled + unsettled.calls;
  if (finished < canary.brokenAt.minCalls || started === 0) return undefined;
  const rate = failures / started;
  if (rate < canary.brokenAt.errorRate) return undefined;
  const running = unsettled.calls - unsettled.errors;
  return `candidate is broken: ${failures} of ${started} calls started failed (${formatPercent(rate)} ≥ ${formatPercent(canary.brokenAt.errorRate)}${running > 0 ? `, counting ${running} still running as not failed` : ''})`;
}

/**
 * Only the broken check: cheap enough for the caller's path, run on every call end. Undefined when
 * it does not fire (or the rollout is not active).
 */
export function checkBroken(input: DecisionInput): CanaryDecision | undefined {
  if (input.state.state !== 'running' && input.state.state !== 'paused') return undefined;
  const reason = brokenCheck(input);
  if (reason === undefined) return undefined;
  const evidence: CanaryEvidence = { candidateCalls: input.stats.candidate.calls, baselineCalls: input.stats.baseline.calls, unsettledCandidateCalls: input.unsettledCandidate?.calls ?? 0 };
  return { decision: 'rollback', code: 'broken', reason, evidence };
}

function choosingBaseline(input: DecisionInput, weight: number): { baseline: ArmStats; referenceEpoch?: number } {
  const minCalls = input.canary.brokenAt.minCalls;
  const own = input.stats.baseline;
  const reference = input.reference;
  if (own.calls < minCalls && weight >= REFERENCE_BASELINE_MIN_WEIGHT && reference !== undefined && reference.baseline.calls >= minCalls) {
    return { baseline: reference.baseline, referenceEpoch: reference.epoch };
  }
  return { baseline: own };
}

/** Decides what a rollout should do now. */
export function decide(input: DecisionInput): CanaryDecision {
  const { canary, state, now, stats } = input;
  const candidate = stats.candidate;
  const weight = rolloutWeight(state, canary);
  const { baseline, referenceEpoch } = choosingBaseline(input, weight);
  const sampleRatio =
    weight > 0 && weight < 100 ? sequentialSampleRatioTest(candidate.units, stats.baseline.units, weight / 100, canary.sampleRatio.alpha) : undefined;
  const base: CanaryEvidence = {
    candidateCalls: candidate.calls,
    baselineCalls: baseline.calls,
    ...(referenceEpoch === undefined ? {} : { referenceEpoch }),
    ...(sampleRatio === undefined ? {} : { sampleRatio }),
  };
  const result = (decision: CanaryDecisionKind, code: CanaryDecisionCode, reason: string, extra: Partial<CanaryEvidence> = {}): CanaryDecision => ({ decision, code, reason, evidence: { ...base, ...extra } });

  if (state.state !== 'running' && state.state !== 'paused') return result('hold', 'inactive', `the rollout is ${state.state.replace('_', ' ')}`);
  const broken = brokenCheck(input);
  if (broken !== undefined) return result('rollback', 'broken', broken, { unsettledCandidateCalls: input.unsettledCandidate?.calls ?? 0 });

  const step = canary.steps[state.step];
  // Bounds are tightest where the step expects to decide: at its minRequests, within 100–1,000.
  const plannedCalls = Math.min(Math.max(step?.minRequests ?? 0, MIN_PLANNED_CALLS), MAX_PLANNED_CALLS);
  const guards = evaluateGuards({ canary, candidate, baseline, plannedCalls });
  const withGuards = { guards };
  const failed = guards.filter((guard) => guard.verdict === 'worse');
  if (failed.length > 0) return result('rollback', 'guard-failed', `candidate is worse: ${failed.map((guard) => guard.description).join('; ')}`, withGuards);

  if (state.state === 'paused') return result('hold', 'paused', 'paused: no automatic promotion (rollback checks still run)', withGuards);

  if (sampleRatio?.mismatch === true) {
    const split = `sample-ratio mismatch: ${formatPercent(sampleRatio.observedShare)} of units in the candidate vs ${formatPercent(sampleRatio.expectedShare)} expected (${sampleRatio.candidate} vs ${sampleRatio.baseline} units, always-valid ${formatPValue(sampleRatio.pValue)})`;
    const since = input.mismatchSince ?? now;
    const sustained = now - since >= canary.sampleRatio.sustainedForMs;
    if (sustained && canary.sampleRatio.onSustained !== 'hold') {
      return result(canary.sampleRatio.onSustained, 'sample-ratio-sustained', `${split}, sustained for ${formatDuration(now - since)}: the comparison may be biased`, withGuards);
    }
    return result('hold', 'sample-ratio', `${split}: promotion held until the split is explained`, withGuards);
  }

  const missingCalls = Math.max(0, (step?.minRequests ?? 0) - candidate.calls);
  const ranMs = now - state.stepStartedAt;
  const missingMs = Math.max(0, (step?.minDurationMs ?? 0) - ranMs);
  const unsettled = input.unsettledCandidate?.calls ?? 0;
  if (candidate.settled === 0 && unsettled > 0 && ranMs >= Math.max(step?.minDurationMs ?? 0, canary.stallAfterMs / 2)) {
    return result(
      'hold',
      'starved',
      `no candidate call has finished in the ${formatDuration(ranMs)} since step ${state.step + 1} started (${unsettled} running); calls running past ${formatDuration(canary.stallAfterMs)} count as stalled`,
      withGuards,
    );
  }
  if (missingCalls > 0 || missingMs > 0) {
    const waits = [
      ...(missingCalls > 0 ? [`${missingCalls} more candidate calls (${candidate.calls}/${step?.minRequests ?? 0})`] : []),
      ...(missingMs > 0 ? [`${formatDuration(missingMs)} more`] : []),
    ];
    return result('hold', 'waiting', `step ${state.step + 1} needs ${waits.join(' and ')}`, withGuards);
  }

  if (guards.length > 0 && baseline.calls < canary.brokenAt.minCalls) {
    return result('hold', 'no-baseline', `not enough settled baseline calls to compare with (${baseline.calls}, need ${canary.brokenAt.minCalls})`, withGuards);
  }

  const open = guards.filter((guard) => guard.verdict === 'inconclusive');
  if (open.length > 0) return result('hold', 'inconclusive', `not yet shown within the guards: ${open.map((guard) => guard.description).join('; ')}`, withGuards);
  const summary = guards.length > 0 ? `within the guards: ${guards.map((guard) => guard.description).join('; ')}` : 'no guards configured';
  if (step?.approval === 'manual') {
    return result('hold', 'awaiting-approval', `step ${state.step + 1} passed and waits for an operator's approval (promote), ${summary}`, withGuards);
  }
  const last = state.step >= canary.steps.length - 1;
  return result(last ? 'complete' : 'promote', 'passed', `step ${state.step + 1} passed, ${summary}`, withGuards);
}
