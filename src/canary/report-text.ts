/**
 * The canary report as text: the rollout's state and decision, the confidence and the guards'
 * limits, a per-arm table of the current step (calls, error rate with its interval, p50/p95/p99,
 * time to first token, cost per call), the guards' comparisons behind the decision, the
 * sample-ratio check, one line per step so far, and the decision trail (who decided what, when and
 * why). The summary (`switchyard canary status`) stops after the guards and the latest decisions.
 */
import type { ArmSummary, CanaryStatus } from './canary-status.js';
import type { CanaryDecisionRecord, RolloutPosition } from './decision-record.js';
import { formatCount, formatDuration, formatMs, formatPercent, formatPValue, formatUsd, formatUtc } from './format.js';
import { confidenceSentence, configuredGuards, formatGuardEstimate, formatGuardInterval, formatGuardValue, guardLabel, guardResultsOf } from './report-guards.js';

function pad(cells: readonly (readonly string[])[], rightAligned: ReadonlySet<number>): string[] {
  const widths: number[] = [];
  for (const row of cells) row.forEach((cell, index) => (widths[index] = Math.max(widths[index] ?? 0, Array.from(cell).length)));
  const fit = (cell: string, width: number, right: boolean): string => {
    const gap = ' '.repeat(Math.max(0, width - Array.from(cell).length));
    return right ? gap + cell : cell + gap;
  };
  return cells.map((row) =>
    row
      .map((cell, index) => fit(cell, widths[index] ?? 0, rightAligned.has(index)))
      .join('  ')
      .trimEnd(),
  );
}

function errorRateCell(arm: ArmSummary): string {
  if (arm.calls === 0) return '–';
  return `${formatPercent(arm.errorRate)} (${formatPercent(arm.errorRateInterval.low)}–${formatPercent(arm.errorRateInterval.high)})`;
}

function categories(arm: ArmSummary): string {
  const entries = Object.entries(arm.errorsByCategory).filter(([, value]) => value > 0);
  return entries.length === 0 ? 'none' : entries.map(([name, value]) => `${name} ${value}`).join(', ');
}

function level(confidence: number): string {
  return `${Number((confidence * 100).toPrecision(4))}%`;
}

/** Renders a status as a plain-text report; `now` (epoch ms) dates the "ago" times. */
export function renderCanaryReport(status: CanaryStatus, now: number = Date.now()): string {
  return render(status, now, true);
}

/** Renders the short form: state, decision, confidence and guards, the current step's per-arm table and guards, the latest decisions. */
export function renderCanarySummary(status: CanaryStatus, now: number = Date.now()): string {
  return render(status, now, false);
}

function header(status: CanaryStatus, now: number): string[] {
  const lines: string[] = [];
  lines.push(`Canary rollout of route "${status.route}": ${status.baseline} → ${status.candidate}${status.shadow ? ' (shadow: the candidate gets mirrored copies only)' : ''}`);
  lines.push(
    `State: ${status.state.replace('_', ' ')} · step ${status.step + 1} of ${status.steps.length} · candidate weight ${status.weight}% · ` +
      `step started ${formatUtc(status.stepStartedAt)} UTC (${formatDuration(now - status.stepStartedAt)} ago) · sticky by ${status.sticky} · ` +
      (status.shared ? 'state shared through Redis' : 'state in this process only'),
  );
  lines.push(`Decision: ${status.decision.decision} — ${status.decision.reason}`);
  const change = status.lastChange;
  if (change !== undefined) {
    lines.push(`Last change: ${change.decision} by ${change.by}${change.actor === undefined ? '' : ` (${change.actor})`} at ${formatUtc(change.at)} UTC — ${change.reason}`);
  }
  lines.push(confidenceSentence(status.confidence));
  const guards = configuredGuards(status.guards);
  lines.push(`Guard limits: ${guards.length === 0 ? 'none configured' : guards.map((guard) => guard.text).join(' · ')}`);
  return lines;
}

function armTable(status: CanaryStatus): string[] {
  const headerRow = ['arm', 'target', 'calls', 'errors', `error rate (${level(status.confidence)} CI)`, 'cancelled', 'p50', 'p95', 'p99', 'TTFT p95', 'cost/call', 'rescued', 'mixed'];
  const row = (arm: ArmSummary): string[] => [
    arm.arm,
    arm.target,
    formatCount(arm.calls),
    formatCount(arm.errors),
    errorRateCell(arm),
    arm.cancelled === 0 ? '0' : `${formatCount(arm.cancelled)} (${formatPercent(arm.cancelRate)}${arm.stalled > 0 ? `, ${formatCount(arm.stalled)} stalled` : ''})`,
    formatMs(arm.latencyMs?.p50),
    formatMs(arm.latencyMs?.p95),
    formatMs(arm.latencyMs?.p99),
    formatMs(arm.timeToFirstTokenMs?.p95),
    formatUsd(arm.costPerCallUsd),
    formatCount(arm.rescued),
    formatCount(arm.mixed),
  ];
  const waiting = status.unsettledCandidateCalls > 0 ? ` — ${formatCount(status.unsettledCandidateCalls)} candidate calls started here not counted yet (waiting for earlier calls to end)` : '';
  return [
    `Current step (${status.step + 1}, weight ${status.weight}%; settled calls)${waiting}:`,
    ...pad([headerRow, row(status.arms.baseline), row(status.arms.candidate)], new Set([2, 3, 5, 6, 7, 8, 9, 10, 11, 12])),
  ];
}

function guardTable(status: CanaryStatus): string[] {
  const results = guardResultsOf(status.evidence);
  if (results === undefined) return [];
  const active = status.state === 'running' || status.state === 'paused';
  const rows = results.map((result) => [
    guardLabel(result.guard),
    `≤ ${formatGuardEstimate(result.kind, result.limit)}`,
    `${formatGuardValue(result.guard, result.candidate)} (${formatCount(result.candidateCalls)})`,
    `${formatGuardValue(result.guard, result.baseline)} (${formatCount(result.baselineCalls)})`,
    formatGuardEstimate(result.kind, result.estimate),
    formatGuardInterval(result.kind, result.interval),
    result.verdict,
    result.description,
  ]);
  return [
    '',
    `Guards (${active ? 'current step' : 'behind the last automatic change'}; bounds: ${level(status.confidence)} always-valid bounds (confidence sequences)):`,
    ...pad([['guard', 'limit', 'candidate (n)', 'baseline (n)', 'estimate', 'bounds', 'verdict', 'description'], ...rows], new Set([4])),
  ];
}

function sampleRatioLine(status: CanaryStatus): string[] {
  const ratio = status.sampleRatio;
  if (ratio === undefined || ratio.candidate + ratio.baseline <= 0) return [];
  const verdict = ratio.mismatch ? 'MISMATCH: the split is not what the weight says — check that every process runs the same config and that no arm loses calls' : 'ok';
  return [`Sample ratio: ${formatPercent(ratio.observedShare)} observed vs ${formatPercent(ratio.expectedShare)} expected (${formatPValue(ratio.pValue)}) ${verdict}`];
}

function position(from: RolloutPosition, to: RolloutPosition): string {
  const steps = from.step === to.step ? `step ${to.step + 1}` : `step ${from.step + 1}→${to.step + 1}`;
  const weights = from.weight === to.weight ? `${to.weight}%` : `${from.weight}%→${to.weight}%`;
  return `${steps}, ${weights}`;
}

function decisionTable(decisions: readonly CanaryDecisionRecord[]): string[] {
  const rows = decisions.map((decision) => [
    formatUtc(decision.at, 'second'),
    decision.decision,
    `${decision.actor} (${decision.by})`,
    decision.rule,
    position(decision.from, decision.to),
    decision.reason,
  ]);
  return pad([['at (UTC)', 'decision', 'by', 'rule', 'step, weight', 'reason'], ...rows], new Set());
}

const SUMMARY_DECISIONS = 3;

function render(status: CanaryStatus, now: number, full: boolean): string {
  const lines = header(status, now);
  lines.push('');
  lines.push(...armTable(status));
  lines.push(...guardTable(status));
  if (!full) {
    lines.push(...sampleRatioLine(status));
    if (status.decisions.length > 0) {
      const shown = status.decisions.slice(-SUMMARY_DECISIONS);
      const earlier = status.decisions.length - shown.length;
      lines.push('');
      lines.push(`Latest decisions${earlier > 0 ? ` (${earlier} earlier: switchyard canary report)` : ''}:`);
      lines.push(...decisionTable(shown));
    }
    return `${lines.join('\n')}\n`;
  }
  lines.push('');
  lines.push(`Errors by category: baseline ${categories(status.arms.baseline)}; candidate ${categories(status.arms.candidate)}`);
  const callerFaults = status.arms.baseline.callerFaults + status.arms.candidate.callerFaults;
  if (callerFaults > 0) lines.push(`Caller faults (not in the error rate): baseline ${status.arms.baseline.callerFaults}, candidate ${status.arms.candidate.callerFaults}`);
  if (status.arms.candidate.shadowDropped > 0) lines.push(`Shadow copies dropped at capacity: ${formatCount(status.arms.candidate.shadowDropped)}`);
  lines.push(...sampleRatioLine(status));
  if (status.history.length > 0) {
    lines.push('');
    lines.push('Steps:');
    const last = status.history[status.history.length - 1];
    const stepRows = status.history.map((step) => [
      String(step.step + 1),
      `${step.weight}%`,
      formatUtc(step.startedAt),
      step.endedAt === undefined ? '' : formatUtc(step.endedAt),
      formatCount(step.candidate.calls),
      formatCount(step.baseline.calls),
      `${step.candidate.calls > 0 ? formatPercent(step.candidate.errorRate) : '–'} / ${step.baseline.calls > 0 ? formatPercent(step.baseline.errorRate) : '–'}`,
      `${formatMs(step.candidate.latencyMs?.p95)} / ${formatMs(step.baseline.latencyMs?.p95)}`,
      step.outcome ?? (step.epoch === last?.epoch ? 'current' : ''),
    ]);
    lines.push(...pad([['step', 'weight', 'started (UTC)', 'ended (UTC)', 'candidate calls', 'baseline calls', 'error rate cand / base', 'p95 cand / base', 'outcome'], ...stepRows], new Set([0, 1, 4, 5])));
  }
  lines.push('');
  if (status.decisions.length === 0) lines.push('Decisions: none recorded yet.');
  else lines.push('Decisions:', ...decisionTable(status.decisions));
  return `${lines.join('\n')}\n`;
}
