/**
 * `CanaryStatus`: where a rollout stands, as plain data — per-arm tables for the current step and
 * for every step so far, the current decision and why, and the last change. The same function
 * builds it in a router process (`router.canary(name).status()`) and in the CLI from Redis.
 */
import type { CanaryConfig, CanaryGuards, CanaryStep } from '../config/types.js';
import type { CanaryDecisionRecord } from './decision-record.js';
import type { UnsettledCounts } from './settle-queue.js';
import type { ErrorCategoryName } from '../types.js';
import { ArmStats, type QualityCounts, type StepStats } from './arm-stats.js';
import type { CanaryEvidence } from './canary-evidence.js';
import { decide, type CanaryDecisionCode, type CanaryDecisionKind } from './decision-engine.js';
import { normalQuantile } from './normal-distribution.js';
import { wilsonInterval, type Interval } from './proportion-tests.js';
import type { SampleRatioCheck } from './sequential-sample-ratio.js';
import type { RolloutStateName } from './decision-record.js';
import { rolloutWeight, type RolloutChange, type RolloutState } from './rollout-state.js';

/** Latency quantiles, ms (undefined when the arm has no successful call). */
export interface LatencyQuantiles {
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
}

/** One arm's numbers over one step. */
export interface ArmSummary {
  readonly arm: 'baseline' | 'candidate';
  /** `provider/model`. */
  readonly target: string;
  /** Calls counted in the error rate. */
  readonly calls: number;
  readonly errors: number;
  readonly errorRate: number;
  /** Wilson score interval of the error rate, two-sided at the rollout's confidence. */
  readonly errorRateInterval: Interval;
  readonly errorsByCategory: Readonly<Partial<Record<ErrorCategoryName, number>>>;
  /** Calls failed for the caller's own fault (not in the error rate). */
  readonly callerFaults: number;
  /** Failures a retry or fallback rescued (still counted as failures). */
  readonly rescued: number;
  /** Calls whose tries touched another target. */
  readonly mixed: number;
  /** Calls the caller cancelled while the arm worked, or that ran past `stallAfter` (`stalled`). */
  readonly cancelled: number;
  readonly stalled: number;
  /** `cancelled` over all settled calls. */
  readonly cancelRate: number;
  /** Answers and their quality signals (finish reasons, empty answers, invalid tool calls or output). */
  readonly quality: QualityCounts;
  readonly latencyMs?: LatencyQuantiles;
  readonly timeToFirstTokenMs?: LatencyQuantiles;
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** Mean cost of a priced call, US dollars. */
  readonly costPerCallUsd?: number;
  /** Units (sticky keys or calls) assigned, for the sample-ratio check. */
  readonly units: number;
  readonly shadowDropped: number;
}

/** One step as it ran, with both arms. */
export interface StepSummary {
  readonly epoch: number;
  /** Index into the configured steps. */
  readonly step: number;
  readonly weight: number;
  readonly startedAt: number;
  readonly endedAt?: number;
  readonly outcome?: string;
  readonly baseline: ArmSummary;
  readonly candidate: ArmSummary;
}

/** Where a canary rollout stands. */
export interface CanaryStatus {
  readonly route: string;
  /** The rollout's id (route and a hash of baseline, candidate and salt). */
  readonly rollout: string;
  readonly baseline: string;
  readonly candidate: string;
  readonly state: RolloutStateName;
  /** Index into `steps`. */
  readonly step: number;
  readonly steps: readonly CanaryStep[];
  /** The candidate's share of traffic now, 0–100. */
  readonly weight: number;
  readonly stepStartedAt: number;
  readonly shadow: boolean;
  readonly sticky: CanaryConfig['sticky'];
  readonly confidence: number;
  /** Whether the state is shared between processes (Redis) or local to this one. */
  readonly shared: boolean;
  /** Candidate calls of this process started but not counted yet (waiting for earlier calls to end). */
  readonly unsettledCandidateCalls: number;
  /** Both arms over the current step (every process, as last synchronised; settled calls only). */
  readonly arms: { readonly baseline: ArmSummary; readonly candidate: ArmSummary };
  /** What the decision engine says now, and why. */
  readonly decision: { readonly decision: CanaryDecisionKind; readonly code: CanaryDecisionCode; readonly reason: string };
  /** The numbers behind the decision (for a rollout that is over: behind its last automatic change). */
  readonly evidence: CanaryEvidence;
  readonly sampleRatio?: SampleRatioCheck;
  /** The last change of step or state. */
  readonly lastChange?: RolloutChange;
  /** Every step so far, oldest first. */
  readonly history: readonly StepSummary[];
  /** Every decision so far (automatic and by operators), oldest first. */
  readonly decisions: readonly CanaryDecisionRecord[];
  /** The guards and their limits, as configured (after defaults). */
  readonly guards: CanaryGuards;
  /** Epoch milliseconds when the status was made. */
  readonly now: number;
}

function quantiles(sketch: ArmStats['latency']): LatencyQuantiles | undefined {
  if (sketch.count === 0) return undefined;
  return { p50: sketch.quantile(0.5), p95: sketch.quantile(0.95), p99: sketch.quantile(0.99) };
}

/** One arm's summary at a two-sided confidence. */
export function summarizeArm(arm: 'baseline' | 'candidate', target: string, stats: ArmStats, confidence: number): ArmSummary {
  const latencyMs = quantiles(stats.latency);
  const timeToFirstTokenMs = quantiles(stats.timeToFirstToken);
  return {
    arm,
    target,
    calls: stats.calls,
    errors: stats.errors,
    errorRate: stats.calls > 0 ? stats.errors / stats.calls : 0,
    errorRateInterval: wilsonInterval({ events: stats.errors, trials: stats.calls }, normalQuantile(1 - (1 - confidence) / 2)),
    errorsByCategory: { ...stats.errorsByCategory },
    callerFaults: stats.callerFaults,
    rescued: stats.rescued,
    mixed: stats.mixed,
    cancelled: stats.cancelled,
    stalled: stats.stalled,
    cancelRate: stats.settled > 0 ? stats.cancelled / stats.settled : 0,
    quality: { ...stats.quality },
    ...(latencyMs === undefined ? {} : { latencyMs }),
    ...(timeToFirstTokenMs === undefined ? {} : { timeToFirstTokenMs }),
    inputTokens: stats.inputTokens,
    outputTokens: stats.outputTokens,
    ...(stats.costCount > 0 ? { costPerCallUsd: stats.costSum / stats.costCount } : {}),
    units: stats.units,
    shadowDropped: stats.shadowDropped,
  };
}

/** What a status is built from. */
export interface StatusInput {
  readonly route: string;
  readonly rollout: string;
  readonly canary: CanaryConfig;
  readonly state: RolloutState;
  readonly shared: boolean;
  /** Epoch milliseconds. */
  readonly now: number;
  /** Both arms of every step so far, by epoch (every process merged). */
  readonly statsByEpoch: ReadonlyMap<number, StepStats>;
  /** The current step's stats (defaults to `statsByEpoch.get(state.epoch)`). */
  readonly current?: StepStats;
  /** The candidate's calls started but not settled yet in this process. */
  readonly unsettledCandidate?: UnsettledCounts;
}

/** The baseline of the latest earlier step with enough calls, for steps where the baseline is thin. */
export function referenceBaseline(state: RolloutState, statsByEpoch: ReadonlyMap<number, StepStats>, minCalls: number): { epoch: number; baseline: ArmStats } | undefined {
  for (let index = state.history.length - 1; index >= 0; index -= 1) {
    const record = state.history[index];
    if (record === undefined || record.epoch >= state.epoch) continue;
    const baseline = statsByEpoch.get(record.epoch)?.baseline;
    if (baseline !== undefined && baseline.calls >= minCalls) return { epoch: record.epoch, baseline };
  }
  return undefined;
}

/** Builds the status of a rollout. */
export function buildCanaryStatus(input: StatusInput): CanaryStatus {
  const emptyStats = (): StepStats => ({ baseline: new ArmStats(), candidate: new ArmStats() });
  const { canary, state } = input;
  const baselineTarget = `${canary.baseline.provider}/${canary.baseline.model}`;
  const candidateTarget = `${canary.candidate.provider}/${canary.candidate.model}`;
  const current = input.current ?? input.statsByEpoch.get(state.epoch) ?? emptyStats();
  const reference = referenceBaseline(state, input.statsByEpoch, canary.brokenAt.minCalls);
  const decision = decide({
    canary,
    state,
    now: input.now,
    stats: current,
    ...(reference === undefined ? {} : { reference }),
    ...(input.unsettledCandidate === undefined ? {} : { unsettledCandidate: input.unsettledCandidate }),
  });
  const pair = (stats: StepStats): { baseline: ArmSummary; candidate: ArmSummary } => ({
    baseline: summarizeArm('baseline', baselineTarget, stats.baseline, canary.confidence),
    candidate: summarizeArm('candidate', candidateTarget, stats.candidate, canary.confidence),
  });
  return {
    route: input.route,
    rollout: input.rollout,
    baseline: baselineTarget,
    candidate: candidateTarget,
    state: state.state,
    step: state.step,
    steps: canary.steps,
    weight: rolloutWeight(state, canary),
    stepStartedAt: state.stepStartedAt,
    shadow: canary.shadow,
    sticky: canary.sticky,
    confidence: canary.confidence,
    shared: input.shared,
    unsettledCandidateCalls: input.unsettledCandidate?.calls ?? 0,
    arms: pair(current),
    decision: { decision: decision.decision, code: decision.code, reason: decision.reason },
    evidence: decision.code === 'inactive' && state.lastChange?.evidence !== undefined ? state.lastChange.evidence : decision.evidence,
    ...(decision.evidence.sampleRatio === undefined ? {} : { sampleRatio: decision.evidence.sampleRatio }),
    ...(state.lastChange === undefined ? {} : { lastChange: state.lastChange }),
    decisions: state.decisions ?? [],
    guards: canary.guards,
    now: input.now,
    history: state.history.map((record) => ({
      ...record,
      ...pair(record.epoch === state.epoch ? current : (input.statsByEpoch.get(record.epoch) ?? emptyStats())),
    })),
  };
}
