/**
 * Every guard's comparison of the candidate with the baseline, with always-valid bounds: each
 * estimate gets a confidence sequence (see confidence-sequence.ts) at the rollout's confidence, so
 * the decision engine may look after every call and still keep its error rates.
 *
 * - Rate guards (errors, cancellations, quality signals): the difference of the two proportions;
 *   its variance from each arm's rate shrunk slightly towards ½ ((x + ½)/(n + 1)), so that an arm
 *   with no events yet does not claim a variance of zero; the upper bound (which decides
 *   `within`) uses the candidate's variance at the limit, as a score test would.
 * - Latency guards: the ratio of the arms' quantiles, on the log scale, with the distribution-free
 *   order-statistic standard error of each log-quantile (latency-tests.ts).
 * - Cost: the ratio of mean cost per call, on the log scale, delta method.
 * Bounds are tuned to be tightest at `plannedCalls` candidate calls (the step's `minRequests`).
 */
import type { CanaryConfig, CanaryGuards, RateGuard, RatioGuard } from '../config/types.js';
import type { ArmStats } from './arm-stats.js';
import { confidenceSequence } from './confidence-sequence.js';
import { formatMs, formatPercent, formatPoints, formatRatio, formatUsd } from './format.js';
import type { GuardName, GuardResult, GuardVerdictName } from './guard-result.js';
import { logQuantileStandardError, mannWhitneySketches } from './latency-tests.js';
import { logMeanVariance } from './mean-ratio-test.js';
import { pooledProportionTest } from './proportion-tests.js';
import type { QuantileSketch } from './quantile-sketch.js';

/** What the guards compare. */
export interface GuardInput {
  readonly canary: CanaryConfig;
  readonly candidate: ArmStats;
  readonly baseline: ArmStats;
  /** Candidate calls at which the bounds should be tightest. */
  readonly plannedCalls: number;
}

interface RateDefinition {
  readonly guard: GuardName;
  readonly label: string;
  /** Events and trials of an arm. */
  readonly count: (arm: ArmStats) => readonly [number, number];
  /** Why the guard was not compared when neither arm has trials (e.g. no structured-output requests). */
  readonly notApplicable?: string;
}

const RATE_GUARDS: readonly RateDefinition[] = [
  { guard: 'errorRate', label: 'error rate', count: (arm) => [arm.errors, arm.calls] },
  { guard: 'cancelRate', label: 'cancel rate', count: (arm) => [arm.cancelled, arm.settled] },
  { guard: 'lengthFinishRate', label: 'length-cut answers', count: (arm) => [arm.quality.lengthFinishes, arm.quality.answers] },
  { guard: 'contentFilterRate', label: 'content-filtered answers', count: (arm) => [arm.quality.contentFilterFinishes, arm.quality.answers] },
  { guard: 'emptyAnswerRate', label: 'empty answers', count: (arm) => [arm.quality.emptyAnswers, arm.quality.answers] },
  { guard: 'invalidToolCallRate', label: 'invalid tool calls', count: (arm) => [arm.quality.invalidToolCalls, arm.quality.answers] },
  {
    guard: 'invalidOutputRate',
    label: 'invalid structured output',
    count: (arm) => [arm.quality.invalidOutputs, arm.quality.structuredAnswers],
    notApplicable: 'no structured-output requests',
  },
];

function verdictOf(low: number, high: number, limit: number): GuardVerdictName {
  if (low > limit) return 'worse';
  if (high <= limit) return 'within';
  return 'inconclusive';
}

function alphaOf(canary: CanaryConfig): number {
  return 1 - canary.confidence;
}

function rateResult(definition: RateDefinition, guard: RateGuard, input: GuardInput): GuardResult {
  const [candidateEvents, candidateTrials] = definition.count(input.candidate);
  const [baselineEvents, baselineTrials] = definition.count(input.baseline);
  const candidateRate = candidateTrials > 0 ? candidateEvents / candidateTrials : 0;
  const baselineRate = baselineTrials > 0 ? baselineEvents / baselineTrials : 0;
  const estimate = candidateRate - baselineRate;
  const base = { guard: definition.guard, kind: 'rate' as const, limit: guard.maxIncrease, candidate: candidateRate, baseline: baselineRate, estimate, candidateCalls: candidateTrials, baselineCalls: baselineTrials };
  if (candidateTrials === 0 && baselineTrials === 0 && definition.notApplicable !== undefined) {
    return { ...base, verdict: 'within', description: `${definition.label} not compared (${definition.notApplicable})` };
  }
  const minCalls = input.canary.brokenAt.minCalls;
  const values = `${definition.label} ${formatPercent(candidateRate)} vs ${formatPercent(baselineRate)} (${formatPoints(estimate)}`;
  if (candidateTrials < minCalls || baselineTrials < minCalls) {
    return { ...base, verdict: 'inconclusive', description: `${values}, allowed ${formatPoints(guard.maxIncrease)}; too few calls to bound, need ${minCalls} per arm)` };
  }
  const shrunk = (events: number, trials: number): number => (events + 0.5) / (trials + 1);
  const pc = shrunk(candidateEvents, candidateTrials);
  const pb = shrunk(baselineEvents, baselineTrials);
  const varianceAt = (candidateRate: number): number => (candidateRate * (1 - candidateRate)) / candidateTrials + (pb * (1 - pb)) / baselineTrials;
  const alpha = alphaOf(input.canary);
  const lower = confidenceSequence(estimate, varianceAt(pc), candidateTrials, input.plannedCalls, alpha).low;
  // The upper bound decides `within`: take the variance a candidate at the limit would have, so a
  // candidate whose rate came out low by chance cannot pass on a variance that is low by chance too.
  const atLimit = Math.min(1, Math.max(pc, pb + guard.maxIncrease));
  const upper = confidenceSequence(estimate, varianceAt(atLimit), candidateTrials, input.plannedCalls, alpha).high;
  const interval = { low: lower, high: upper };
  const pValue = pooledProportionTest({ events: candidateEvents, trials: candidateTrials }, { events: baselineEvents, trials: baselineTrials }).pValue;
  return {
    ...base,
    interval,
    verdict: verdictOf(interval.low, interval.high, guard.maxIncrease),
    ...(Number.isFinite(pValue) ? { pValue } : {}),
    description: `${values}, bounds ${formatPoints(interval.low)}…${formatPoints(interval.high)}, allowed ${formatPoints(guard.maxIncrease)})`,
  };
}

/** A ratio guard from two estimates and the variances of their logs. */
function ratioResult(
  guard: GuardName,
  label: string,
  limit: RatioGuard,
  values: { readonly candidate: number; readonly baseline: number; readonly candidateLogVariance: number | undefined; readonly baselineLogVariance: number | undefined; readonly candidateCalls: number; readonly baselineCalls: number },
  format: (value: number) => string,
  input: GuardInput,
  pValue?: number,
): GuardResult {
  const ratio = values.candidate / values.baseline;
  const base = {
    guard,
    kind: 'ratio' as const,
    limit: limit.maxRatio,
    candidate: values.candidate,
    baseline: values.baseline,
    estimate: ratio,
    candidateCalls: values.candidateCalls,
    baselineCalls: values.baselineCalls,
    ...(pValue === undefined || !Number.isFinite(pValue) ? {} : { pValue }),
  };
  const text = `${label} ${format(values.candidate)} vs ${format(values.baseline)} (${Number.isFinite(ratio) ? formatRatio(ratio) : '–'}`;
  if (values.candidateLogVariance === undefined || values.baselineLogVariance === undefined || !(ratio > 0) || !Number.isFinite(ratio)) {
    return { ...base, verdict: 'inconclusive', description: `${text}, allowed ${formatRatio(limit.maxRatio)}; too few calls to bound)` };
  }
  const log = confidenceSequence(Math.log(ratio), values.candidateLogVariance + values.baselineLogVariance, values.candidateCalls, input.plannedCalls, alphaOf(input.canary));
  const interval = { low: Math.exp(log.low), high: Math.exp(log.high) };
  return {
    ...base,
    interval,
    verdict: verdictOf(interval.low, interval.high, limit.maxRatio),
    description: `${text}, bounds ${formatRatio(interval.low)}…${formatRatio(interval.high)}, allowed ${formatRatio(limit.maxRatio)})`,
  };
}

function quantileResult(guard: 'latencyP50' | 'latencyP95', q: number, limit: RatioGuard, input: GuardInput): GuardResult {
  const sketchOf = (arm: ArmStats): QuantileSketch => arm.latency;
  const candidate = sketchOf(input.candidate);
  const baseline = sketchOf(input.baseline);
  const label = guard === 'latencyP50' ? 'p50' : 'p95';
  const pValue = candidate.count > 0 && baseline.count > 0 ? mannWhitneySketches(candidate, baseline).pValue : undefined;
  return ratioResult(
    guard,
    label,
    limit,
    {
      candidate: candidate.count > 0 ? candidate.quantile(q) : Number.NaN,
      baseline: baseline.count > 0 ? baseline.quantile(q) : Number.NaN,
      candidateLogVariance: squared(logQuantileStandardError(candidate, q)),
      baselineLogVariance: squared(logQuantileStandardError(baseline, q)),
      candidateCalls: candidate.count,
      baselineCalls: baseline.count,
    },
    formatMs,
    input,
    pValue,
  );
}

function squared(value: number | undefined): number | undefined {
  return value === undefined ? undefined : value * value;
}

function costResult(limit: RatioGuard, input: GuardInput): GuardResult {
  const { candidate, baseline } = input;
  if (candidate.costCount === 0 || baseline.costCount === 0) {
    return { guard: 'costPerCall', kind: 'ratio', limit: limit.maxRatio, candidate: Number.NaN, baseline: Number.NaN, estimate: Number.NaN, candidateCalls: candidate.costCount, baselineCalls: baseline.costCount, verdict: 'within', description: 'cost/call not compared (no price for an arm in `pricing`)' };
  }
  return ratioResult(
    'costPerCall',
    'cost/call',
    limit,
    {
      candidate: candidate.costSum / candidate.costCount,
      baseline: baseline.costSum / baseline.costCount,
      candidateLogVariance: logMeanVariance(candidate.cost),
      baselineLogVariance: logMeanVariance(baseline.cost),
      candidateCalls: candidate.costCount,
      baselineCalls: baseline.costCount,
    },
    formatUsd,
    input,
  );
}

/** Every configured guard's comparison, in a fixed order. */
export function evaluateGuards(input: GuardInput): GuardResult[] {
  const guards: CanaryGuards = input.canary.guards;
  const results: GuardResult[] = [];
  for (const definition of RATE_GUARDS) {
    const guard = guards[definition.guard] as RateGuard | undefined;
    if (guard !== undefined) results.push(rateResult(definition, guard, input));
  }
  if (guards.latencyP50 !== undefined) results.push(quantileResult('latencyP50', 0.5, guards.latencyP50, input));
  if (guards.latencyP95 !== undefined) results.push(quantileResult('latencyP95', 0.95, guards.latencyP95, input));
  if (guards.costPerCall !== undefined) results.push(costResult(guards.costPerCall, input));
  return results;
}
