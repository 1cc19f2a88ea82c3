/**
 * The canary report as an SVG chart, for people who would rather look than read. On one time axis
 * (UTC): the candidate's weight as a step line with each step's call counts; each arm's error rate
 * per step with its interval and the error-rate guard's limit; each arm's p95 latency per step with
 * the latency guard's limit; the rollout's decisions as markers (hover for who and why). Below:
 * the split (sample-ratio) check, a table of the steps and the latest decisions.
 *
 * A plain string with no dependencies. Colours are Okabe–Ito (blue baseline, vermillion
 * candidate), told apart by marker shape too (circle, square); limits are dashed, decisions dotted.
 * Every piece of text is escaped.
 */
import type { ArmSummary, CanaryStatus, StepSummary } from './canary-status.js';
import type { CanaryDecisionRecord } from './decision-record.js';
import { formatCount, formatDuration, formatMs, formatPercent, formatPoints, formatPValue, formatRatio, formatUtc } from './format.js';
import { confidenceSentence, configuredGuards } from './report-guards.js';
import { element, escapeMarkup, px, text, textWidth, title, truncate, wrapText, type Attributes } from './report-markup.js';
import { millisecondTicks, rateTicks, timeTicks, type AxisTicks } from './report-scale.js';
import { canarySubtitle, frameOf, isActive, pausedPeriods, weightSegments, type Frame } from './report-svg-frame.js';

const WIDTH = 960;
const LEFT = 84;
const RIGHT = WIDTH - 28;
const FONT = 'system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif';
const COLOR = {
  baseline: '#0072B2',
  candidate: '#D55E00',
  limit: '#1a1a1a',
  decision: '#4d4d4d',
  grid: '#e3e3e3',
  axis: '#333333',
  muted: '#595959',
  ok: '#009E73',
  warn: '#D55E00',
} as const;
const DECISION_ROWS = 3;

interface Band {
  readonly top: number;
  readonly height: number;
}

function yOf(value: number, ticks: AxisTicks, band: Band): number {
  const share = (value - ticks.min) / (ticks.max - ticks.min || 1);
  return band.top + band.height - Math.max(0, Math.min(1, share)) * band.height;
}

function valueAxis(name: string, ticks: AxisTicks, band: Band): string[] {
  return ticks.values.flatMap((value, index) => {
    const y = yOf(value, ticks, band);
    return [
      element('line', { x1: LEFT, x2: RIGHT, y1: y, y2: y, stroke: COLOR.grid }),
      text(LEFT - 6, y + 4, ticks.labels[index] ?? '', { 'font-size': 10, 'text-anchor': 'end', fill: COLOR.muted, class: 'tick', 'data-axis': name }),
    ];
  });
}

function timeGrid(frame: Frame, ticks: AxisTicks, band: Band): string[] {
  return [
    ...ticks.values.map((value) => element('line', { x1: frame.x(value), x2: frame.x(value), y1: band.top, y2: band.top + band.height, stroke: COLOR.grid })),
    element('line', { x1: LEFT, x2: RIGHT, y1: band.top + band.height, y2: band.top + band.height, stroke: COLOR.axis }),
    element('line', { x1: LEFT, x2: LEFT, y1: band.top, y2: band.top + band.height, stroke: COLOR.axis }),
  ];
}

function armMarker(arm: 'baseline' | 'candidate', x: number, y: number): string {
  return arm === 'baseline'
    ? element('circle', { cx: x, cy: y, r: 3.5, fill: COLOR.baseline })
    : element('rect', { x: x - 3.5, y: y - 3.5, width: 7, height: 7, fill: COLOR.candidate });
}

interface ArmSeries {
  readonly name: string;
  readonly value: (arm: ArmSummary) => number | undefined;
  readonly interval?: (arm: ArmSummary) => readonly [number, number] | undefined;
  readonly describe: (arm: ArmSummary, value: number) => string;
}

interface LimitSeries {
  readonly guard: string;
  /** The limit in a step, undefined when the step's baseline has no value. */
  readonly value: (step: StepSummary) => number | undefined;
  readonly describe: (step: StepSummary, value: number) => string;
  readonly label: string;
}

function seriesMaximum(frame: Frame, series: ArmSeries, limit: LimitSeries | undefined): number {
  const values = frame.spans.flatMap(({ record }) => [
    ...[record.baseline, record.candidate].flatMap((arm) => [series.value(arm), series.interval?.(arm)?.[1]]),
    limit?.value(record),
  ]);
  return Math.max(0, ...values.filter((value): value is number => value !== undefined && Number.isFinite(value)));
}

function armPanel(frame: Frame, band: Band, ticks: AxisTicks, series: ArmSeries, limit: LimitSeries | undefined): string[] {
  const parts = [...valueAxis(series.name, ticks, band)];
  for (const span of frame.spans) {
    const left = frame.x(span.from);
    const right = Math.max(frame.x(span.to), left + 2);
    const stepName = `step ${span.record.step + 1} (${span.record.weight}%), ${frame.clock(span.from)}–${frame.clock(span.to)} UTC`;
    (['baseline', 'candidate'] as const).forEach((name, order) => {
      const arm = span.record[name];
      const value = series.value(arm);
      if (value === undefined || !Number.isFinite(value)) return;
      const y = yOf(value, ticks, band);
      const interval = series.interval?.(arm);
      const color = COLOR[name];
      const shapes = [
        ...(interval === undefined
          ? []
          : [element('rect', { x: left, y: yOf(interval[1], ticks, band), width: right - left, height: Math.max(1, yOf(interval[0], ticks, band) - yOf(interval[1], ticks, band)), fill: color, 'fill-opacity': 0.16 })]),
        element('line', { x1: left, x2: right, y1: y, y2: y, stroke: color, 'stroke-width': 2.5 }),
        armMarker(name, left + (right - left) * (order === 0 ? 0.4 : 0.6), y),
      ];
      parts.push(element('g', { class: 'arm-step', 'data-arm': name, 'data-series': series.name }, [title(`${name} ${arm.target}, ${stepName}: ${series.describe(arm, value)}`), ...shapes].join('')));
    });
    const limitValue = limit?.value(span.record);
    if (limit !== undefined && limitValue !== undefined && Number.isFinite(limitValue)) {
      const y = yOf(limitValue, ticks, band);
      parts.push(
        element(
          'line',
          { class: 'guard-limit', 'data-guard': limit.guard, x1: left, x2: right, y1: y, y2: y, stroke: COLOR.limit, 'stroke-width': 1.5, 'stroke-dasharray': '6 4' },
          title(`${limit.describe(span.record, limitValue)} (${stepName})`),
        ),
      );
    }
  }
  const last = [...frame.spans].reverse().find((span) => limit?.value(span.record) !== undefined);
  if (limit !== undefined && last !== undefined) {
    parts.push(text(Math.max(frame.x(last.to), LEFT + 200), yOf(limit.value(last.record) ?? 0, ticks, band) - 5, limit.label, { 'font-size': 10, 'text-anchor': 'end', fill: COLOR.limit }));
  } else if (limit !== undefined) {
    parts.push(text(RIGHT, band.top + 12, `${limit.label} (no baseline value yet)`, { 'font-size': 10, 'text-anchor': 'end', fill: COLOR.limit }));
  }
  return parts;
}

function weightPanel(frame: Frame, band: Band, ticks: AxisTicks): string[] {
  const segments = weightSegments(frame);
  const y = (weight: number): number => yOf(weight, ticks, band);
  let path = '';
  segments.forEach((segment, index) => {
    path += `${index === 0 ? 'M' : 'L'}${px(frame.x(segment.from))} ${px(y(segment.weight))}H${px(frame.x(segment.to))}`;
  });
  const parts = [...valueAxis('weight', ticks, band)];
  if (path !== '') parts.push(element('path', { class: 'weight-line', d: path, fill: 'none', stroke: COLOR.candidate, 'stroke-width': 2.5 }));
  for (const span of frame.spans) {
    const left = frame.x(span.from);
    const width = frame.x(span.to) - left;
    const { record } = span;
    const counts = `${formatCount(record.candidate.calls)} cand · ${formatCount(record.baseline.calls)} base`;
    const lineY = y(record.weight);
    const above = record.weight < 60;
    const tooltip = `step ${record.step + 1}, weight ${record.weight}%, ${frame.clock(span.from)}–${frame.clock(span.to)} UTC: candidate ${formatCount(record.candidate.calls)} calls, baseline ${formatCount(record.baseline.calls)} calls${record.outcome === undefined ? '' : `, ended: ${record.outcome}`}`;
    const labels: string[] = [title(tooltip)];
    if (width >= textWidth(`step ${record.step + 1} · ${record.weight}%`, 10) + 6) labels.push(text(left + 4, above ? lineY - 18 : lineY + 13, `step ${record.step + 1} · ${record.weight}%`, { 'font-size': 10, 'font-weight': 'bold' }));
    if (width >= textWidth(counts, 10) + 6) labels.push(text(left + 4, above ? lineY - 6 : lineY + 25, counts, { 'font-size': 10, fill: COLOR.muted, class: 'call-counts' }));
    parts.push(element('g', { class: 'step', 'data-step': record.step + 1 }, labels.join('')));
  }
  return parts;
}

/** Rows (0 = lowest) for the decisions' labels, so that neighbouring labels do not overlap. */
function decisionRows(frame: Frame, decisions: readonly CanaryDecisionRecord[]): number[] {
  const rowEnds: number[] = Array.from({ length: DECISION_ROWS }, () => -Infinity);
  return decisions.map((decision, index) => {
    const width = textWidth(`${index + 1} ${decision.decision}`, 10);
    const labelX = Math.min(Math.max(frame.x(decision.at), LEFT + width / 2), RIGHT - width / 2);
    let row = rowEnds.findIndex((end) => end < labelX - width / 2 - 4);
    if (row < 0) row = rowEnds.indexOf(Math.min(...rowEnds));
    rowEnds[row] = labelX + width / 2;
    return row;
  });
}

function whoAndWhy(decision: CanaryDecisionRecord): string {
  return `${decision.decision} by ${decision.actor} (${decision.by}${decision.rule === 'operator' ? '' : `, rule ${decision.rule}`}): ${decision.reason}`;
}

function decisionMarkers(frame: Frame, decisions: readonly CanaryDecisionRecord[], rows: readonly number[], labelBottom: number, lineTop: number, lineBottom: number): string[] {
  return decisions.map((decision, index) => {
    const x = frame.x(decision.at);
    const label = `${index + 1} ${decision.decision}`;
    const width = textWidth(label, 10);
    const labelX = Math.min(Math.max(x, LEFT + width / 2), RIGHT - width / 2);
    const labelY = labelBottom - (rows[index] ?? 0) * 13;
    const color = decision.decision === 'rollback' || decision.decision === 'abort' ? COLOR.warn : COLOR.decision;
    return element(
      'g',
      { class: 'decision-marker', 'data-decision': decision.decision },
      [
        title(`#${index + 1} ${formatUtc(decision.at, 'second')} UTC: ${whoAndWhy(decision)}`),
        element('line', { x1: x, x2: x, y1: lineTop, y2: lineBottom, stroke: color, 'stroke-width': 1.2, 'stroke-dasharray': '1.5 3' }),
        element('path', { d: `M${px(x - 4)} ${px(lineTop - 6)}h8l-4 6z`, fill: color }),
        text(labelX, labelY, label, { 'font-size': 10, 'text-anchor': 'middle', fill: color, 'font-weight': 'bold' }),
      ].join(''),
    );
  });
}

function splitCheck(status: CanaryStatus): { text: string; color: string } {
  const ratio = status.sampleRatio;
  const units = status.sticky === 'request' ? 'calls' : `distinct ${status.sticky}s`;
  if (ratio === undefined) {
    const why = isActive(status) ? `at a candidate weight of ${status.weight}%` : `now that the rollout is ${status.state.replace('_', ' ')}`;
    return { text: `Split check (sample ratio): not applicable ${why}; the steps below show each step's split`, color: COLOR.muted };
  }
  if (ratio.candidate + ratio.baseline === 0) return { text: 'Split check (sample ratio): nothing assigned in this step yet', color: COLOR.muted };
  const numbers = `${formatPercent(ratio.observedShare)} of ${formatCount(ratio.candidate + ratio.baseline)} ${units} on the candidate, ${formatPercent(ratio.expectedShare)} expected (${formatPValue(ratio.pValue)})`;
  return ratio.mismatch
    ? { text: `Split check (sample ratio, current step): ⚠ MISMATCH — ${numbers}: the arms are not the split the weight says, so the comparison may be biased`, color: COLOR.warn }
    : { text: `Split check (sample ratio, current step): ✓ ok — ${numbers}`, color: COLOR.ok };
}

function stepsTable(frame: Frame, status: CanaryStatus, top: number): { parts: string[]; height: number } {
  const columns = [0, 36, 86, 196, 262, 336, 410, 510, 660, 800];
  const header = ['step', 'weight', 'time (UTC)', 'duration', 'cand. calls', 'base. calls', 'split cand. / exp.', 'error rate cand. / base.', 'p95 cand. / base.', 'outcome'];
  const row = (cells: readonly string[], y: number, attributes: Attributes = {}): string =>
    element('text', { y, 'font-size': 10.5, ...attributes }, cells.map((cell, index) => element('tspan', { x: 20 + (columns[index] ?? 0) }, escapeMarkup(cell))).join(''));
  const parts = [text(20, top, 'Steps', { 'font-size': 12, 'font-weight': 'bold' }), row(header, top + 16, { fill: COLOR.muted })];
  frame.spans.forEach((span, index) => {
    const { record } = span;
    const units = record.candidate.units + record.baseline.units;
    const rate = (arm: ArmSummary): string => (arm.calls > 0 ? formatPercent(arm.errorRate) : '–');
    const current = index === frame.spans.length - 1 && isActive(status);
    parts.push(
      row(
        [
          String(record.step + 1),
          `${record.weight}%`,
          `${frame.clock(span.from)}–${record.endedAt === undefined && current ? 'now' : frame.clock(span.to)}`,
          formatDuration(span.to - span.from),
          formatCount(record.candidate.calls),
          formatCount(record.baseline.calls),
          `${units > 0 ? formatPercent(record.candidate.units / units) : '–'} / ${record.weight}%`,
          `${rate(record.candidate)} / ${rate(record.baseline)}`,
          `${formatMs(record.candidate.latencyMs?.p95)} / ${formatMs(record.baseline.latencyMs?.p95)}`,
          record.outcome ?? (current ? 'current' : ''),
        ],
        top + 32 + index * 14,
        { class: 'step-row' },
      ),
    );
  });
  return { parts, height: 32 + frame.spans.length * 14 };
}

const SHOWN_DECISIONS = 12;

function decisionList(status: CanaryStatus, top: number): { parts: string[]; height: number } {
  if (status.decisions.length === 0) return { parts: [text(20, top, 'Decisions: none recorded yet', { 'font-size': 12, 'font-weight': 'bold' })], height: 14 };
  const skipped = Math.max(0, status.decisions.length - SHOWN_DECISIONS);
  const parts = [text(20, top, `Decisions${skipped > 0 ? ` (the latest ${SHOWN_DECISIONS}; ${skipped} earlier in the text report)` : ''}`, { 'font-size': 12, 'font-weight': 'bold' })];
  status.decisions.slice(skipped).forEach((decision, offset) => {
    const line = `#${skipped + offset + 1}  ${formatUtc(decision.at, 'second')}  ${whoAndWhy(decision)}`;
    parts.push(element('text', { x: 20, y: top + 16 + offset * 14, 'font-size': 10.5, class: 'decision-row' }, `${title(line)}${escapeMarkup(truncate(line, 160))}`));
  });
  return { parts, height: 16 + (status.decisions.length - skipped) * 14 };
}

function legend(y: number, status: CanaryStatus): string[] {
  const items: string[] = [];
  let x = 20;
  const add = (symbol: string, label: string): void => {
    items.push(symbol, text(x + 28, y + 4, label));
    x += 28 + textWidth(label, 11) + 22;
  };
  add(element('line', { x1: x, x2: x + 22, y1: y, y2: y, stroke: COLOR.baseline, 'stroke-width': 2.5 }) + armMarker('baseline', x + 11, y), `baseline ${status.baseline}`);
  add(element('line', { x1: x, x2: x + 22, y1: y, y2: y, stroke: COLOR.candidate, 'stroke-width': 2.5 }) + armMarker('candidate', x + 11, y), `candidate ${status.candidate}`);
  add(element('line', { x1: x, x2: x + 22, y1: y, y2: y, stroke: COLOR.limit, 'stroke-width': 1.5, 'stroke-dasharray': '6 4' }), 'guard limit');
  add(element('line', { x1: x + 11, x2: x + 11, y1: y - 7, y2: y + 7, stroke: COLOR.decision, 'stroke-width': 1.2, 'stroke-dasharray': '1.5 3' }), 'decision (hover for who and why)');
  return items;
}

/** Renders a status as an SVG document (see the file comment for what it shows). */
export function renderCanarySvg(status: CanaryStatus): string {
  const frame = frameOf(status, LEFT, RIGHT);
  const heading = `Canary "${status.route}": ${status.baseline} → ${status.candidate}${status.shadow ? ' (shadow)' : ''}`;
  const guards = configuredGuards(status.guards);
  const body: string[] = [text(20, 26, heading, { 'font-size': 16, 'font-weight': 'bold' })];
  let y = 46;
  for (const line of wrapText(canarySubtitle(status), 150, 3)) {
    body.push(text(20, y, line, { 'font-size': 11.5, fill: '#222222', class: 'subtitle' }));
    y += 15;
  }
  for (const line of wrapText(confidenceSentence(status.confidence), 160, 2)) {
    body.push(text(20, y, line, { fill: COLOR.muted, class: 'confidence' }));
    y += 14;
  }
  body.push(text(20, y, `Guards: ${guards.length === 0 ? 'none configured' : guards.map((guard) => guard.text).join(' · ')}`, { fill: COLOR.muted }));
  y += 22;
  body.push(...legend(y, status));
  y += 26;

  const time = timeTicks(frame.start, frame.end);
  const panelTitle = (content: string, at: number): string => text(LEFT, at, content, { 'font-size': 12.5, 'font-weight': 'bold' });
  body.push(panelTitle('Candidate weight over time, with each step’s calls (candidate · baseline)', y));
  const rows = decisionRows(frame, status.decisions);
  const decisionLabels = y + 16 + Math.max(0, ...rows) * 13;
  const weightBand: Band = { top: decisionLabels + 14, height: 84 };
  const errorBand: Band = { top: weightBand.top + weightBand.height + 34, height: 150 };
  const latencyBand: Band = { top: errorBand.top + errorBand.height + 34, height: 130 };
  const errorGuard = status.guards.errorRate;
  const latencyGuard = status.guards.latencyP95;
  const level = `${Number((status.confidence * 100).toPrecision(4))}%`;
  const errorSeries: ArmSeries = {
    name: 'error-rate',
    value: (arm) => (arm.calls > 0 ? arm.errorRate : undefined),
    interval: (arm) => (arm.calls > 0 ? [arm.errorRateInterval.low, arm.errorRateInterval.high] : undefined),
    describe: (arm, value) => `error rate ${formatPercent(value)} (${level} interval ${formatPercent(arm.errorRateInterval.low)}–${formatPercent(arm.errorRateInterval.high)}), ${formatCount(arm.errors)} errors in ${formatCount(arm.calls)} calls`,
  };
  const errorLimit: LimitSeries | undefined =
    errorGuard === undefined
      ? undefined
      : {
          guard: 'errorRate',
          value: (step) => (step.baseline.calls > 0 ? step.baseline.errorRate + errorGuard.maxIncrease : undefined),
          describe: (step, value) => `error-rate limit: baseline ${formatPercent(step.baseline.errorRate)} ${formatPoints(errorGuard.maxIncrease)} = ${formatPercent(value)}`,
          label: `error-rate limit: baseline ${formatPoints(errorGuard.maxIncrease)}`,
        };
  const latencySeries: ArmSeries = {
    name: 'latency-p95',
    value: (arm) => arm.latencyMs?.p95,
    describe: (arm, value) => `p95 latency ${formatMs(value)} (p50 ${formatMs(arm.latencyMs?.p50)}), ${formatCount(arm.calls)} calls`,
  };
  const latencyLimit: LimitSeries | undefined =
    latencyGuard === undefined
      ? undefined
      : {
          guard: 'latencyP95',
          value: (step) => (step.baseline.latencyMs === undefined ? undefined : step.baseline.latencyMs.p95 * latencyGuard.maxRatio),
          describe: (step, value) => `p95 limit: baseline ${formatMs(step.baseline.latencyMs?.p95)} ${formatRatio(latencyGuard.maxRatio)} = ${formatMs(value)}`,
          label: `p95 limit: baseline ${formatRatio(latencyGuard.maxRatio)}`,
        };
  const errorTicks = rateTicks(seriesMaximum(frame, errorSeries, errorLimit));
  const latencyTicks = millisecondTicks(seriesMaximum(frame, latencySeries, latencyLimit));
  const weightTicks = { values: [0, 25, 50, 75, 100], labels: ['0%', '25%', '50%', '75%', '100%'], min: 0, max: 100 };

  for (const period of pausedPeriods(status, frame.end)) {
    body.push(
      element(
        'rect',
        { class: 'paused', x: frame.x(period.from), y: weightBand.top, width: Math.max(1, frame.x(period.to) - frame.x(period.from)), height: latencyBand.top + latencyBand.height - weightBand.top, fill: '#000000', 'fill-opacity': 0.05 },
        title(`paused ${frame.clock(period.from)}–${frame.clock(period.to)} UTC: no automatic promotion`),
      ),
    );
  }
  for (const band of [weightBand, errorBand, latencyBand]) body.push(...timeGrid(frame, time, band));
  body.push(...weightPanel(frame, weightBand, weightTicks));
  body.push(panelTitle(`Error rate per step, both arms (bands: ${level} interval)${errorGuard === undefined ? ' — no error-rate guard configured' : ''}`, errorBand.top - 12));
  body.push(...armPanel(frame, errorBand, errorTicks, errorSeries, errorLimit));
  body.push(panelTitle(`p95 latency per step, both arms${latencyGuard === undefined ? ' — no latency guard configured' : ''}`, latencyBand.top - 12));
  body.push(...armPanel(frame, latencyBand, latencyTicks, latencySeries, latencyLimit));
  body.push(...decisionMarkers(frame, status.decisions, rows, decisionLabels, weightBand.top, latencyBand.top + latencyBand.height));

  const axisY = latencyBand.top + latencyBand.height;
  time.values.forEach((value, index) => {
    body.push(element('line', { x1: frame.x(value), x2: frame.x(value), y1: axisY, y2: axisY + 4, stroke: COLOR.axis }));
    body.push(text(frame.x(value), axisY + 16, time.labels[index] ?? '', { 'font-size': 10, 'text-anchor': 'middle', fill: COLOR.muted, class: 'time-tick' }));
  });
  if (isActive(status)) body.push(text(RIGHT, axisY - 4, 'now', { 'font-size': 10, 'text-anchor': 'end', fill: COLOR.muted }));
  body.push(text(LEFT, axisY + 32, `time (UTC), ${formatUtc(frame.start)} to ${isActive(status) ? `now, ${formatUtc(frame.end)}` : formatUtc(frame.end)}`, { 'font-size': 10.5, fill: COLOR.muted }));

  y = axisY + 56;
  const split = splitCheck(status);
  for (const line of wrapText(split.text, 140, 2)) {
    body.push(text(20, y, line, { fill: split.color, class: 'split-check', 'font-weight': 'bold' }));
    y += 15;
  }
  y += 12;
  const steps = stepsTable(frame, status, y);
  body.push(...steps.parts);
  y += steps.height + 18;
  const decisions = decisionList(status, y);
  body.push(...decisions.parts);
  y += decisions.height + 16;

  const height = Math.ceil(y);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="${escapeMarkup(FONT)}" role="img" aria-label="${escapeMarkup(heading)}">`,
    title(`${heading}: ${canarySubtitle(status)}`),
    element('rect', { width: WIDTH, height, fill: '#ffffff' }),
    ...body,
    '</svg>',
    '',
  ].join('\n');
}
