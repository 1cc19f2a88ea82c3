/**
 * The time frame of the canary chart, and the rollout's course in it: each step's span, the
 * candidate's weight over time, paused periods, and the words for where the rollout stands.
 */
import type { CanaryStatus, StepSummary } from './canary-status.js';
import { formatUtc } from './format.js';

/** One step's time on the chart. */
export interface Span {
  readonly record: StepSummary;
  readonly from: number;
  readonly to: number;
}

/** The chart's time axis: from `start` to `end` (epoch ms) between the plot's left and right edges. */
export interface Frame {
  readonly start: number;
  readonly end: number;
  readonly x: (ms: number) => number;
  /** An instant as short as the frame allows (`00:20`, `00:20:05`, `01-02 00:20`). */
  readonly clock: (ms: number) => string;
  readonly spans: readonly Span[];
}

/** Whether the rollout is running or paused (not over). */
export function isActive(status: CanaryStatus): boolean {
  return status.state === 'running' || status.state === 'paused';
}

/** The time axis: from the first step's start to now (running) or a little past the last event (finished). */
export function frameOf(status: CanaryStatus, left: number, right: number): Frame {
  const history = status.history;
  const instants = [...history.flatMap((step) => [step.startedAt, ...(step.endedAt === undefined ? [] : [step.endedAt])]), ...status.decisions.map((decision) => decision.at)];
  const start = Math.min(...instants, status.now);
  const lastEvent = Math.max(...instants, start);
  let end = isActive(status) ? Math.max(status.now, lastEvent) : lastEvent + Math.max(60_000, (lastEvent - start) * 0.04);
  if (end - start < 60_000) end = start + 60_000;
  const x = (ms: number): number => left + ((Math.min(Math.max(ms, start), end) - start) / (end - start)) * (right - left);
  const severalDays = formatUtc(start).slice(0, 10) !== formatUtc(end).slice(0, 10);
  const clock = (ms: number): string => {
    const full = formatUtc(ms, end - start < 15 * 60_000 ? 'second' : 'minute');
    return severalDays ? full.slice(5) : full.slice(11);
  };
  const spans = history.map((record, index) => ({ record, from: record.startedAt, to: record.endedAt ?? history[index + 1]?.startedAt ?? end }));
  return { start, end, x, clock, spans };
}

/** The candidate's weight over time: each step's weight, then 0 after a rollback or abort, 100 after completion. */
export function weightSegments(frame: Frame): { from: number; to: number; weight: number }[] {
  const segments: { from: number; to: number; weight: number }[] = [];
  frame.spans.forEach((span, index) => {
    segments.push({ from: span.from, to: span.to, weight: span.record.weight });
    const next = frame.spans[index + 1]?.from ?? frame.end;
    if (span.record.endedAt !== undefined && next > span.record.endedAt) {
      segments.push({ from: span.record.endedAt, to: next, weight: span.record.outcome === 'complete' ? 100 : span.record.outcome === 'promote' ? span.record.weight : 0 });
    }
  });
  return segments;
}

/** Periods between a pause and the decision after it. */
export function pausedPeriods(status: CanaryStatus, end: number): { from: number; to: number }[] {
  const periods: { from: number; to: number }[] = [];
  let pausedAt: number | undefined;
  for (const decision of status.decisions) {
    if (decision.decision === 'pause') pausedAt ??= decision.at;
    else if (pausedAt !== undefined && decision.decision !== 'hold' && decision.decision !== 'approval-requested') {
      periods.push({ from: pausedAt, to: decision.at });
      pausedAt = undefined;
    }
  }
  if (pausedAt !== undefined && status.state === 'paused') periods.push({ from: pausedAt, to: end });
  return periods;
}

/** The last decision of a finished rollout: the later of the last recorded decision and the last change. */
function finalWord(status: CanaryStatus): { decision: string; by: string; reason: string } | undefined {
  const recorded = status.decisions[status.decisions.length - 1];
  const change = status.lastChange;
  if (recorded !== undefined && (change === undefined || recorded.at >= change.at)) return { decision: recorded.decision, by: `${recorded.actor} (${recorded.by})`, reason: recorded.reason };
  if (change !== undefined) return { decision: change.decision, by: change.actor === undefined ? change.by : `${change.actor} (${change.by})`, reason: change.reason };
  return undefined;
}

/** The chart's subtitle: where the rollout stands and the reason, the last decision's for a finished rollout. */
export function canarySubtitle(status: CanaryStatus): string {
  const where = `step ${status.step + 1} of ${status.steps.length}, candidate weight ${status.weight}%`;
  const last = isActive(status) ? undefined : finalWord(status);
  if (last !== undefined) return `${status.state.replace('_', ' ')} at ${where} — ${last.decision} by ${last.by}: ${last.reason}`;
  return `${status.state.replace('_', ' ')}, ${where} — ${status.decision.decision}: ${status.decision.reason}`;
}
