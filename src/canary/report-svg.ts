/**
 * The canary report as an SVG chart, for people who would rather look than read: per step, the
 * error rate of both arms (bars with their Wilson interval as whiskers) and their p95 latency.
 * A plain string with no dependencies; the colours hold up for common colour blindness
 * (grey baseline, orange candidate) and every bar carries its value as a label.
 */
import type { ArmSummary, CanaryStatus, StepSummary } from './canary-status.js';
import { formatMs, formatPercent } from './format.js';

const WIDTH = 820;
const HEIGHT = 360;
const BASELINE_COLOR = '#7f7f7f';
const CANDIDATE_COLOR = '#e66100';

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A coordinate rounded to a tenth of a pixel. */
function px(value: number): number {
  return Math.round(value * 10) / 10;
}

function niceMaximum(value: number): number {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const factor of [1, 2, 2.5, 5, 10]) if (factor * power >= value) return factor * power;
  return 10 * power;
}

interface Panel {
  readonly title: string;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly value: (arm: ArmSummary) => number | undefined;
  readonly whisker?: (arm: ArmSummary) => readonly [number, number] | undefined;
  readonly label: (value: number) => string;
}

function renderPanel(panel: Panel, steps: readonly StepSummary[]): string {
  const parts: string[] = [];
  const values = steps.flatMap((step) => [step.baseline, step.candidate].flatMap((arm) => [panel.value(arm), panel.whisker?.(arm)?.[1]]));
  const maximum = niceMaximum(Math.max(0, ...values.filter((value): value is number => value !== undefined && Number.isFinite(value))));
  const scale = (value: number): number => px(panel.y + panel.height - (Math.min(value, maximum) / maximum) * panel.height);
  parts.push(`<text x="${panel.x}" y="${panel.y - 14}" font-size="14" font-weight="bold">${escapeXml(panel.title)}</text>`);
  for (let tick = 0; tick <= 4; tick += 1) {
    const value = (maximum * tick) / 4;
    const y = scale(value);
    parts.push(`<line x1="${panel.x}" x2="${panel.x + panel.width}" y1="${y}" y2="${y}" stroke="#e0e0e0"/>`);
    parts.push(`<text x="${panel.x - 6}" y="${y + 4}" font-size="10" text-anchor="end" fill="#555">${escapeXml(panel.label(value))}</text>`);
  }
  const group = panel.width / Math.max(1, steps.length);
  const bar = Math.min(36, group / 3);
  steps.forEach((step, index) => {
    const center = px(panel.x + group * index + group / 2);
    ([['baseline', step.baseline, px(center - bar - 2), BASELINE_COLOR], ['candidate', step.candidate, px(center + 2), CANDIDATE_COLOR]] as const).forEach(([name, arm, x, color]) => {
      const value = panel.value(arm);
      if (value === undefined || !Number.isFinite(value)) {
        parts.push(`<text x="${px(x + bar / 2)}" y="${panel.y + panel.height - 4}" font-size="10" text-anchor="middle" fill="#999">n/a</text>`);
        return;
      }
      const top = scale(value);
      parts.push(`<rect x="${x}" y="${top}" width="${px(bar)}" height="${px(panel.y + panel.height - top)}" fill="${color}"><title>${escapeXml(`${name}, step ${step.step + 1}: ${panel.label(value)} (${arm.calls} calls)`)}</title></rect>`);
      const whisker = panel.whisker?.(arm);
      if (whisker !== undefined && arm.calls > 0) {
        const middle = px(x + bar / 2);
        parts.push(`<line x1="${middle}" x2="${middle}" y1="${scale(whisker[0])}" y2="${scale(whisker[1])}" stroke="#222" stroke-width="1.5"/>`);
      }
      parts.push(`<text x="${px(x + bar / 2)}" y="${px(top - 4)}" font-size="10" text-anchor="middle">${escapeXml(panel.label(value))}</text>`);
    });
    parts.push(`<text x="${center}" y="${panel.y + panel.height + 16}" font-size="11" text-anchor="middle">${escapeXml(`step ${step.step + 1} (${step.weight}%)`)}</text>`);
  });
  parts.push(`<line x1="${panel.x}" x2="${panel.x + panel.width}" y1="${panel.y + panel.height}" y2="${panel.y + panel.height}" stroke="#333"/>`);
  return parts.join('\n');
}

/** Renders a status's steps as an SVG document (error rate and p95 per step, both arms). */
export function renderCanarySvg(status: CanaryStatus): string {
  const steps = status.history;
  const top = 78;
  const panelHeight = HEIGHT - top - 64;
  const errorPanel: Panel = {
    title: 'Error rate per step (whiskers: confidence interval)',
    x: 60,
    y: top,
    width: 330,
    height: panelHeight,
    value: (arm) => (arm.calls > 0 ? arm.errorRate : undefined),
    whisker: (arm) => [arm.errorRateInterval.low, arm.errorRateInterval.high],
    label: (value) => formatPercent(value),
  };
  const latencyPanel: Panel = {
    title: 'p95 latency per step',
    x: 470,
    y: top,
    width: 330,
    height: panelHeight,
    value: (arm) => arm.latencyMs?.p95,
    label: (value) => formatMs(value),
  };
  const title = `Canary "${status.route}": ${status.baseline} → ${status.candidate}`;
  const subtitle = `${status.state.replace('_', ' ')}, step ${status.step + 1} of ${status.steps.length}, weight ${status.weight}% — ${status.decision.decision}: ${status.decision.reason}`;
  const shortSubtitle = subtitle.length > 130 ? `${subtitle.slice(0, 127)}...` : subtitle;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="system-ui, sans-serif" role="img" aria-label="${escapeXml(title)}">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    `<text x="20" y="24" font-size="16" font-weight="bold">${escapeXml(title)}</text>`,
    `<text x="20" y="42" font-size="11" fill="#444">${escapeXml(shortSubtitle)}</text>`,
    `<rect x="20" y="${HEIGHT - 20}" width="12" height="12" fill="${BASELINE_COLOR}"/><text x="38" y="${HEIGHT - 10}" font-size="11">baseline ${escapeXml(status.baseline)}</text>`,
    `<rect x="300" y="${HEIGHT - 20}" width="12" height="12" fill="${CANDIDATE_COLOR}"/><text x="318" y="${HEIGHT - 10}" font-size="11">candidate ${escapeXml(status.candidate)}</text>`,
    steps.length === 0 ? `<text x="${WIDTH / 2}" y="${HEIGHT / 2}" text-anchor="middle" font-size="13">no steps yet</text>` : renderPanel(errorPanel, steps),
    steps.length === 0 ? '' : renderPanel(latencyPanel, steps),
    '</svg>',
    '',
  ].join('\n');
}
