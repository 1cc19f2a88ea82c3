/**
 * The canary report as text: the rollout's state and decision, a per-arm table of the current step
 * (calls, error rate with its Wilson interval, p50/p95/p99, time to first token, cost per call),
 * the sample-ratio check, and one line per step so far.
 */
import type { ArmSummary, CanaryStatus } from './canary-status.js';
import { formatDuration, formatMs, formatPercent, formatPValue, formatUsd } from './format.js';

function pad(cells: readonly (readonly string[])[], rightAligned: ReadonlySet<number>): string[] {
  const widths: number[] = [];
  for (const row of cells) row.forEach((cell, index) => (widths[index] = Math.max(widths[index] ?? 0, cell.length)));
  return cells.map((row) =>
    row
      .map((cell, index) => (rightAligned.has(index) ? cell.padStart(widths[index] ?? 0) : cell.padEnd(widths[index] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

function count(value: number): string {
  return value.toLocaleString('en-US');
}

function errorRateCell(arm: ArmSummary): string {
  if (arm.calls === 0) return '–';
  return `${formatPercent(arm.errorRate)} (${formatPercent(arm.errorRateInterval.low)}–${formatPercent(arm.errorRateInterval.high)})`;
}

function categories(arm: ArmSummary): string {
  const entries = Object.entries(arm.errorsByCategory).filter(([, value]) => (value ?? 0) > 0);
  return entries.length === 0 ? 'none' : entries.map(([name, value]) => `${name} ${value}`).join(', ');
}

function isoMinute(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}

/** Renders a status as a plain-text report; `now` (epoch ms) dates the "ago" times. */
export function renderCanaryReport(status: CanaryStatus, now: number = Date.now()): string {
  return render(status, now, true);
}

/** Renders the short form: state, decision and the current step's per-arm table. */
export function renderCanarySummary(status: CanaryStatus, now: number = Date.now()): string {
  return render(status, now, false);
}

function render(status: CanaryStatus, now: number, full: boolean): string {
  const lines: string[] = [];
  const confidence = `${Math.round(status.confidence * 100)}%`;
  lines.push(`Canary rollout of route "${status.route}": ${status.baseline} → ${status.candidate}${status.shadow ? ' (shadow: the candidate gets mirrored copies only)' : ''}`);
  lines.push(
    `State: ${status.state.replace('_', ' ')} · step ${status.step + 1} of ${status.steps.length} · candidate weight ${status.weight}% · ` +
      `step started ${isoMinute(status.stepStartedAt)} UTC (${formatDuration(now - status.stepStartedAt)} ago) · sticky by ${status.sticky} · ` +
      (status.shared ? 'state shared through Redis' : 'state in this process only'),
  );
  lines.push(`Decision: ${status.decision.decision} — ${status.decision.reason}`);
  if (status.lastChange !== undefined) {
    lines.push(`Last change: ${status.lastChange.decision} by ${status.lastChange.by} at ${isoMinute(status.lastChange.at)} UTC — ${status.lastChange.reason}`);
  }
  lines.push('');
  lines.push(`Current step (${status.step + 1}, weight ${status.weight}%):`);
  const header = ['arm', 'target', 'calls', 'errors', `error rate (${confidence} CI)`, 'p50', 'p95', 'p99', 'TTFT p95', 'cost/call', 'rescued', 'mixed'];
  const row = (arm: ArmSummary): string[] => [
    arm.arm,
    arm.target,
    count(arm.calls),
    count(arm.errors),
    errorRateCell(arm),
    formatMs(arm.latencyMs?.p50),
    formatMs(arm.latencyMs?.p95),
    formatMs(arm.latencyMs?.p99),
    formatMs(arm.timeToFirstTokenMs?.p95),
    formatUsd(arm.costPerCallUsd),
    count(arm.rescued),
    count(arm.mixed),
  ];
  lines.push(...pad([header, row(status.arms.baseline), row(status.arms.candidate)], new Set([2, 3, 5, 6, 7, 8, 9, 10, 11])));
  if (!full) return `${lines.join('\n')}\n`;
  lines.push('');
  lines.push(`Errors by category: baseline ${categories(status.arms.baseline)}; candidate ${categories(status.arms.candidate)}`);
  const callerFaults = status.arms.baseline.callerFaults + status.arms.candidate.callerFaults;
  if (callerFaults > 0) lines.push(`Caller faults (not in the error rate): baseline ${status.arms.baseline.callerFaults}, candidate ${status.arms.candidate.callerFaults}`);
  if (status.arms.candidate.shadowDropped > 0) lines.push(`Shadow copies dropped at capacity: ${count(status.arms.candidate.shadowDropped)}`);
  const ratio = status.sampleRatio;
  if (ratio !== undefined && ratio.candidate + ratio.baseline > 0) {
    const verdict = ratio.mismatch ? 'MISMATCH: the split is not what the weight says — check that every process runs the same config and that no arm loses calls' : 'ok';
    lines.push(`Sample ratio: ${formatPercent(ratio.observedShare)} observed vs ${formatPercent(ratio.expectedShare)} expected (${formatPValue(ratio.pValue)}) ${verdict}`);
  }
  if (status.history.length > 0) {
    lines.push('');
    lines.push('Steps:');
    const stepRows = status.history.map((step) => [
      String(step.step + 1),
      `${step.weight}%`,
      isoMinute(step.startedAt),
      count(step.candidate.calls),
      count(step.baseline.calls),
      `${step.candidate.calls > 0 ? formatPercent(step.candidate.errorRate) : '–'} / ${step.baseline.calls > 0 ? formatPercent(step.baseline.errorRate) : '–'}`,
      `${formatMs(step.candidate.latencyMs?.p95)} / ${formatMs(step.baseline.latencyMs?.p95)}`,
      step.outcome ?? (step.epoch === status.history[status.history.length - 1]?.epoch ? 'current' : ''),
    ]);
    lines.push(...pad([['step', 'weight', 'started (UTC)', 'candidate calls', 'baseline calls', 'error rate cand / base', 'p95 cand / base', 'outcome'], ...stepRows], new Set([0, 1, 3, 4])));
  }
  return `${lines.join('\n')}\n`;
}
