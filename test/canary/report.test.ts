import { describe, expect, it } from 'vitest';
import { buildCanaryStatus, type CanaryStatus } from '../../src/canary/canary-status.js';
import type { GuardResult } from '../../src/canary/guard-result.js';
import { renderCanaryHtml } from '../../src/canary/report-html.js';
import { renderCanaryReport, renderCanarySummary } from '../../src/canary/report-text.js';
import { renderCanarySvg } from '../../src/canary/report-svg.js';
import { applyRolloutAction, initialRolloutState, type RolloutState } from '../../src/canary/rollout-state.js';
import type { CanaryConfig } from '../../src/config/types.js';
import { canaryConfig, filledArm } from './support.js';

const T0 = Date.UTC(2025, 0, 1);
const MINUTE = 60_000;

function fullConfig(overrides: Partial<CanaryConfig> = {}): CanaryConfig {
  const base = canaryConfig();
  return {
    ...base,
    steps: base.steps.map((step) => ({ ...step, approval: 'auto' as const })),
    sampleRatio: { alpha: 0.001, onSustained: 'hold', sustainedForMs: 10 * MINUTE },
    stallAfterMs: 120_000,
    startupWaitMs: 0,
    webhooks: [],
    ...overrides,
  };
}

const canary = fullConfig();
const OPERATOR_REASON = 'checking <dashboards> & "alerts"';
const ROLLBACK_REASON = 'candidate is worse: error rate 4.1% vs 1.0% (+3.1 points, bounds +1.2 points…+5.0 points, allowed +2.0 points)';

function statsByEpoch() {
  const stats = new Map([
    [1, { baseline: filledArm(4_000, 40, undefined, 0.004), candidate: filledArm(220, 3, undefined, 0.0041) }],
    [2, { baseline: filledArm(1_500, 15, undefined, 0.004), candidate: filledArm(357, 5, (index) => 900 + (index % 50), 0.0039) }],
  ]);
  for (const step of stats.values()) {
    step.baseline.units = step.baseline.calls;
    step.candidate.units = step.candidate.calls;
  }
  return stats;
}

/** Step 1 promoted automatically at 00:20, paused and resumed by alice, running step 2 at 00:32. */
function runningState(config: CanaryConfig = canary, route = 'claude'): RolloutState {
  const rollout = `${route}:abc`;
  let state: RolloutState = { ...initialRolloutState(config, T0), version: 1 };
  state = applyRolloutAction(state, 'promote', config, T0 + 20 * MINUTE, { rollout, reason: 'step 1 passed, within the guards', by: 'auto', rule: 'passed' });
  state = applyRolloutAction(state, 'pause', config, T0 + 25 * MINUTE, { rollout, reason: OPERATOR_REASON, by: 'operator', actor: 'alice' });
  state = applyRolloutAction(state, 'resume', config, T0 + 27 * MINUTE, { rollout, reason: 'dashboards fine', by: 'operator', actor: 'alice' });
  return state;
}

function sampleStatus(route = 'claude', config: CanaryConfig = canary): CanaryStatus {
  return buildCanaryStatus({ route, rollout: `${route}:abc`, canary: config, state: runningState(config, route), shared: true, now: T0 + 32 * MINUTE, statsByEpoch: statsByEpoch() });
}

function rolledBackStatus(): CanaryStatus {
  const state = applyRolloutAction(runningState(), 'rollback', canary, T0 + 38 * MINUTE, { rollout: 'claude:abc', reason: ROLLBACK_REASON, by: 'auto', rule: 'guard-failed' });
  return buildCanaryStatus({ route: 'claude', rollout: 'claude:abc', canary, state, shared: true, now: T0 + 40 * MINUTE, statsByEpoch: statsByEpoch() });
}

const GUARDS: GuardResult[] = [
  {
    guard: 'errorRate',
    kind: 'rate',
    limit: 0.02,
    candidate: 0.041,
    baseline: 0.01,
    estimate: 0.031,
    interval: { low: 0.012, high: 0.05 },
    verdict: 'worse',
    candidateCalls: 357,
    baselineCalls: 1_500,
    description: 'error rate 4.1% vs 1.0% (+3.1 points, bounds +1.2…+5.0, allowed +2.0)',
  },
  {
    guard: 'latencyP95',
    kind: 'ratio',
    limit: 1.25,
    candidate: 1_180,
    baseline: 1_150,
    estimate: 1.026,
    verdict: 'inconclusive',
    candidateCalls: 352,
    baselineCalls: 1_485,
    description: 'p95 1.18s vs 1.15s (×1.03, too few calls for bounds, allowed ×1.25)',
  },
];

/** Checks that every opened element is closed in order (the documents have no comments or CDATA). */
function expectWellFormed(markup: string): void {
  const stack: string[] = [];
  for (const match of markup.matchAll(/<(\/?)([A-Za-z][\w:-]*)\b[^>]*?(\/?)>/g)) {
    const [, closing, name = '', selfClosing] = match;
    if (selfClosing === '/') continue;
    if (closing === '/') expect(stack.pop(), `closing </${name}>`).toBe(name);
    else if (!['meta', 'br'].includes(name)) stack.push(name);
  }
  expect(stack).toEqual([]);
}

function tickLabels(svg: string, axis: string): string[] {
  return [...svg.matchAll(new RegExp(`class="tick" data-axis="${axis}">([^<]*)<`, 'g'))].map((match) => match[1] ?? '');
}

describe('text report', () => {
  it('shows state, decision, confidence, guard limits, a per-arm table, every step and the decision trail', () => {
    const text = renderCanaryReport(sampleStatus(), T0 + 32 * MINUTE);
    expect(text).toContain('Canary rollout of route "claude": anthropic/claude-2.0 → anthropic/claude-2.1');
    expect(text).toContain('State: running · step 2 of 4 · candidate weight 25%');
    expect(text).toContain('(12m 0s ago)');
    expect(text).toContain('Decision: hold — ');
    expect(text).toContain('Last change: resume by operator (alice) at 2025-01-01 00:27 UTC — dashboards fine');
    expect(text).toContain('Confidence: 95%.');
    expect(text).toContain('always-valid bounds (confidence sequences)');
    expect(text).toContain('Guard limits: error rate ≤ baseline +2.0 points · p95 latency ≤ baseline ×1.25 · cost per call ≤ baseline ×1.50');
    expect(text).toMatch(/candidate\s+anthropic\/claude-2\.1\s+357\s+5\s+1\.4% \(0\.6%–3\.2%\)/);
    expect(text).toMatch(/baseline\s+anthropic\/claude-2\.0\s+1,500\s+15\s+1\.0% \(0\.6%–1\.6%\)/);
    expect(text).toContain('$0.00390');
    expect(text).toContain('Errors by category: baseline server 15; candidate server 5');
    expect(text).toContain('Sample ratio: 19.2% observed vs 25.0% expected');
    expect(text).toContain('MISMATCH');
    expect(text).toMatch(/1\s+5%\s+2025-01-01 00:00\s+2025-01-01 00:20\s+220\s+4,000\s+1\.4% \/ 1\.0%.*promote/);
    expect(text).toMatch(/2\s+25%\s+2025-01-01 00:20\s+357\s+1,500.*current/);
    expect(text).toContain('Decisions:');
    expect(text).toMatch(/2025-01-01 00:20:00\s+promote\s+switchyard \(auto\)\s+passed\s+step 1→2, 5%→25%\s+step 1 passed, within the guards/);
    expect(text).toMatch(/2025-01-01 00:25:00\s+pause\s+alice \(operator\)\s+operator\s+step 2, 25%\s+checking <dashboards> & "alerts"/);
    expect(text).toMatch(/2025-01-01 00:27:00\s+resume\s+alice \(operator\)/);
  });

  it('prints the guards behind the decision, with each arm, the estimate, the bounds and the verdict', () => {
    const status = sampleStatus();
    const text = renderCanaryReport({ ...status, evidence: { ...status.evidence, guards: GUARDS } }, T0 + 32 * MINUTE);
    expect(text).toContain('Guards (current step; bounds: 95% always-valid bounds (confidence sequences)):');
    expect(text).toMatch(/guard\s+limit\s+candidate \(n\)\s+baseline \(n\)\s+estimate\s+bounds\s+verdict\s+description/);
    expect(text).toMatch(/error rate\s+≤ \+2\.0 points\s+4\.1% \(357\)\s+1\.0% \(1,500\)\s+\+3\.1 points\s+\+1\.2 points…\+5\.0 points\s+worse\s+error rate 4\.1% vs 1\.0%/);
    expect(text).toMatch(/p95 latency\s+≤ ×1\.25\s+1\.18s \(352\)\s+1\.15s \(1,485\)\s+×1\.03\s+–\s+inconclusive\s+p95 1\.18s/);
    const summary = renderCanarySummary({ ...status, evidence: { ...status.evidence, guards: GUARDS } }, T0 + 32 * MINUTE);
    expect(summary).toContain('inconclusive');
  });

  it('the summary keeps to the decision, the guards, the per-arm table and the latest decisions', () => {
    const text = renderCanarySummary(sampleStatus(), T0 + 32 * MINUTE);
    expect(text).toContain('Decision: hold');
    expect(text).toContain('always-valid bounds (confidence sequences)');
    expect(text).toContain('Guard limits: error rate ≤ baseline +2.0 points');
    expect(text).toContain('candidate  anthropic/claude-2.1');
    expect(text).toContain('Latest decisions:');
    expect(text).toContain('alice (operator)');
    expect(text).not.toContain('Steps:');
  });
});

describe('SVG report', () => {
  it('is a well-formed document with a time axis, the weight, both arms per step and the split check', () => {
    const svg = renderCanarySvg(sampleStatus());
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expectWellFormed(svg);
    // Time axis: 32 minutes in 5-minute ticks, the first with its date.
    const times = [...svg.matchAll(/class="time-tick">([^<]*)</g)].map((match) => match[1]);
    expect(times).toEqual(['01-01 00:00', '00:05', '00:10', '00:15', '00:20', '00:25', '00:30']);
    expect(svg).toContain('time (UTC), 2025-01-01 00:00 to now, 2025-01-01 00:32');
    expect(svg).toContain('class="weight-line"');
    // 2 steps × 2 arms × 2 panels.
    expect(svg.match(/class="arm-step"/g)).toHaveLength(8);
    expect(svg).toContain('candidate anthropic/claude-2.1, step 2 (25%), 00:20–00:32 UTC: error rate 1.4% (95% interval 0.6%–3.2%), 5 errors in 357 calls');
    expect(svg).toContain('220 cand · 4,000 base');
    expect(svg).toContain('357 cand · 1,500 base');
    expect(svg).toMatch(/class="split-check"[^>]*>Split check \(sample ratio, current step\): ⚠ MISMATCH — 19\.2% of 1,857 distinct users on the candidate, 25\.0% expected/);
    expect(svg).toMatch(/<text[^>]*class="confidence"[^>]*>Confidence: 95%\./);
    expect(svg).toContain('always-valid bounds (confidence sequences)');
    expect(svg).toContain('class="paused"');
    expect(svg.match(/class="step-row"/g)).toHaveLength(2);
  });

  it('marks every decision, with the decision as label and who and why in its tooltip, escaped', () => {
    const svg = renderCanarySvg(sampleStatus());
    const markers = [...svg.matchAll(/<g class="decision-marker" data-decision="(\w+)"><title>([^<]*)<\/title>/g)];
    expect(markers.map((match) => match[1])).toEqual(['promote', 'pause', 'resume']);
    expect(markers[1]?.[2]).toBe('#2 2025-01-01 00:25:00 UTC: pause by alice (operator): checking &lt;dashboards&gt; &amp; &quot;alerts&quot;');
    expect(markers[0]?.[2]).toContain('promote by switchyard (auto, rule passed): step 1 passed, within the guards');
    expect(svg).toContain('>1 promote</text>');
    expect(svg).toContain('>2 pause</text>');
    expect(svg).not.toContain('<dashboards>');
  });

  it('draws a limit line for each configured guard, and none for a guard that is not configured', () => {
    const svg = renderCanarySvg(sampleStatus());
    // One dashed segment per step with a baseline, for each of the two charted guards.
    expect(svg.match(/class="guard-limit" data-guard="errorRate"/g)).toHaveLength(2);
    expect(svg.match(/class="guard-limit" data-guard="latencyP95"/g)).toHaveLength(2);
    expect(svg).toContain('error-rate limit: baseline 1.0% +2.0 points = 3.0% (step 2 (25%)');
    expect(svg).toContain('>error-rate limit: baseline +2.0 points</text>');
    expect(svg).toContain('>p95 limit: baseline ×1.25</text>');

    const errorOnly = renderCanarySvg(sampleStatus('claude', fullConfig({ guards: { errorRate: { maxIncrease: 0.02 } } })));
    expect(errorOnly).toContain('data-guard="errorRate"');
    expect(errorOnly).not.toContain('data-guard="latencyP95"');
    expect(errorOnly).toContain('no latency guard configured');
  });

  it('labels small rates with nice ticks that differ from each other', () => {
    const config = fullConfig({ guards: { latencyP95: { maxRatio: 1.25 } } });
    const state = { ...initialRolloutState(config, T0), version: 1 };
    const stats = new Map([[1, { baseline: filledArm(20_000, 20), candidate: filledArm(10_000, 30) }]]);
    const svg = renderCanarySvg(buildCanaryStatus({ route: 'claude', rollout: 'claude:abc', canary: config, state, shared: true, now: T0 + 15 * MINUTE, statsByEpoch: stats }));
    const labels = tickLabels(svg, 'error-rate');
    expect(labels).toEqual(['0.0%', '0.1%', '0.2%', '0.3%', '0.4%', '0.5%']);
    expect(new Set(labels).size).toBe(labels.length);
    const latency = tickLabels(svg, 'latency-p95');
    expect(new Set(latency).size).toBe(latency.length);
    expect(tickLabels(svg, 'weight')).toEqual(['0%', '25%', '50%', '75%', '100%']);
  });

  it('after a rollback, the subtitle gives the rollback and its reason', () => {
    const svg = renderCanarySvg(rolledBackStatus());
    const subtitle = [...svg.matchAll(/class="subtitle">([^<]*)</g)].map((match) => match[1]).join(' ');
    expect(subtitle).toContain('rolled back at step 2 of 4, candidate weight 0% — rollback by switchyard (auto): candidate is worse: error rate 4.1% vs 1.0%');
    expect(subtitle).not.toContain('the rollout is rolled back');
    expect(svg).toMatch(/<g class="decision-marker" data-decision="rollback">/);
    expect(svg).not.toContain('>now<');
    // The weight drops to 0 at the rollback: the step line ends on the 0% gridline.
    const path = /class="weight-line" d="([^"]*)"/.exec(svg)?.[1] ?? '';
    const zero = /<line x1="84" x2="932" y1="([\d.]+)"[^>]*\/>\s*<text[^>]*data-axis="weight">0%</.exec(svg)?.[1];
    expect(path.endsWith(`${zero ?? 'missing'}H932`)).toBe(true);
  });

  it('draws a rollout that has just started, and a completed one, without holes', () => {
    const fresh = buildCanaryStatus({ route: 'claude', rollout: 'claude:abc', canary, state: { ...initialRolloutState(canary, T0), version: 1 }, shared: false, now: T0, statsByEpoch: new Map() });
    const empty = renderCanarySvg(fresh);
    expectWellFormed(empty);
    expect(empty).not.toMatch(/NaN|Infinity|undefined/);
    expect(empty).toContain('error-rate limit: baseline +2.0 points (no baseline value yet)');
    expect(empty).toContain('Decisions: none recorded yet');

    let state: RolloutState = { ...initialRolloutState(canary, T0), version: 1 };
    for (const minutes of [20, 55, 80]) state = applyRolloutAction(state, 'promote', canary, T0 + minutes * MINUTE, { rollout: 'claude:abc', reason: `passed at ${minutes}m`, by: 'auto', rule: 'passed' });
    const stats = statsByEpoch();
    stats.set(3, { baseline: filledArm(2_000, 20), candidate: filledArm(2_000, 22) });
    const completed = buildCanaryStatus({ route: 'claude', rollout: 'claude:abc', canary, state, shared: true, now: T0 + 3 * 60 * MINUTE, statsByEpoch: stats });
    const svg = renderCanarySvg(completed);
    expectWellFormed(svg);
    expect(svg).not.toMatch(/NaN|Infinity|undefined/);
    expect(svg.match(/class="decision-marker" data-decision="(\w+)"/g)).toEqual([
      'class="decision-marker" data-decision="promote"',
      'class="decision-marker" data-decision="promote"',
      'class="decision-marker" data-decision="complete"',
    ]);
    expect([...svg.matchAll(/class="subtitle">([^<]*)</g)].map((match) => match[1]).join(' ')).toContain('completed at step 4 of 4, candidate weight 100% — complete by switchyard (auto): passed at 80m');
    // The step line ends at 100% after completion.
    const path = /class="weight-line" d="([^"]*)"/.exec(svg)?.[1] ?? '';
    const full = /<line x1="84" x2="932" y1="([\d.]+)"[^>]*\/>\s*<text[^>]*data-axis="weight">100%</.exec(svg)?.[1];
    expect(path.endsWith(`${full ?? 'missing'}H932`)).toBe(true);
  });

  it('escapes text', () => {
    const svg = renderCanarySvg(sampleStatus('a<b&"c"'));
    expect(svg).toContain('Canary &quot;a&lt;b&amp;&quot;c&quot;&quot;');
    expect(svg).not.toContain('a<b');
    expectWellFormed(svg);
  });
});

describe('HTML report', () => {
  it('is one self-contained page: the chart inline and the text report, nothing loaded from elsewhere', () => {
    const html = renderCanaryHtml(rolledBackStatus());
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expectWellFormed(html);
    expect(html).toContain('<svg xmlns="http://www.w3.org/2000/svg"');
    expect(html).toContain('<pre>Canary rollout of route &quot;claude&quot;');
    expect(html).toContain('Decisions:');
    expect(html).toContain('checking &lt;dashboards&gt; &amp; &quot;alerts&quot;');
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'"`);
    for (const reference of ['<script', '<link', '<img', ' src=', 'href=', 'url(', '@import']) expect(html).not.toContain(reference);
    expect(html.match(/https?:\/\/[^"\s<]*/g)).toEqual(['http://www.w3.org/2000/svg']);
  });
});

