/**
 * Guards in words for the reports: each guard's name, the unit of its arms' values, its configured
 * limit, and the guard results behind a decision.
 */
import type { CanaryGuards } from '../config/types.js';
import type { CanaryEvidence } from './canary-evidence.js';
import { formatMs, formatPercent, formatPoints, formatRatio, formatUsd } from './format.js';
import type { GuardResult } from './guard-result.js';
import type { Interval } from './proportion-tests.js';

const LABELS: Readonly<Record<string, string>> = {
  errorRate: 'error rate',
  cancelRate: 'cancel rate',
  latencyP50: 'p50 latency',
  latencyP95: 'p95 latency',
  costPerCall: 'cost per call',
  lengthFinishRate: 'length-cut answers',
  contentFilterRate: 'content-filtered answers',
  emptyAnswerRate: 'empty answers',
  invalidToolCallRate: 'invalid tool calls',
  invalidOutputRate: 'invalid structured output',
};

/** A guard's name in words (`errorRate` → `error rate`). */
export function guardLabel(guard: string): string {
  return LABELS[guard] ?? guard;
}

/** An arm's value of a guard, in the guard's unit: milliseconds, US dollars or a rate. */
export function formatGuardValue(guard: string, value: number): string {
  if (guard === 'latencyP50' || guard === 'latencyP95') return formatMs(value);
  if (guard === 'costPerCall') return formatUsd(value);
  return formatPercent(value);
}

/** A difference (rate guards) or a ratio (ratio guards). */
export function formatGuardEstimate(kind: GuardResult['kind'], value: number): string {
  return kind === 'rate' ? formatPoints(value) : formatRatio(value);
}

/** An interval of an estimate (`+0.3 points…+2.5 points`), `–` when there is none. */
export function formatGuardInterval(kind: GuardResult['kind'], interval: Interval | undefined): string {
  return interval === undefined ? '–' : `${formatGuardEstimate(kind, interval.low)}…${formatGuardEstimate(kind, interval.high)}`;
}

/** One configured guard and its limit. */
export interface ConfiguredGuard {
  readonly guard: string;
  readonly kind: GuardResult['kind'];
  readonly limit: number;
  /** `error rate ≤ baseline +2.0 points`, `p95 latency ≤ baseline ×1.25`. */
  readonly text: string;
}

/** The guards a rollout has, in configuration order, with their limits in words. */
export function configuredGuards(guards: CanaryGuards): ConfiguredGuard[] {
  const configured: ConfiguredGuard[] = [];
  for (const [guard, value] of Object.entries(guards) as [string, unknown][]) {
    if (value === null || typeof value !== 'object') continue;
    const { maxIncrease, maxRatio } = value as { maxIncrease?: unknown; maxRatio?: unknown };
    if (typeof maxIncrease === 'number') configured.push({ guard, kind: 'rate', limit: maxIncrease, text: `${guardLabel(guard)} ≤ baseline ${formatPoints(maxIncrease)}` });
    else if (typeof maxRatio === 'number') configured.push({ guard, kind: 'ratio', limit: maxRatio, text: `${guardLabel(guard)} ≤ baseline ${formatRatio(maxRatio)}` });
  }
  return configured;
}

/** The guard results in a decision's evidence, when it has them. */
export function guardResultsOf(evidence: CanaryEvidence | undefined): readonly GuardResult[] | undefined {
  const results = evidence?.guards;
  return results !== undefined && results.length > 0 ? results : undefined;
}

/** The words the reports use for the confidence of the bounds. */
export function confidenceSentence(confidence: number): string {
  const level = `${Number((confidence * 100).toPrecision(4))}%`;
  return (
    `Confidence: ${level}. Guards are decided on ${level} always-valid bounds (confidence sequences), which stay valid however often ` +
    `the rollout is looked at; the per-arm error-rate intervals are ${level} intervals of each arm alone.`
  );
}
