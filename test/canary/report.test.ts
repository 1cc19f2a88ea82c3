import { describe, expect, it } from 'vitest';
import { buildCanaryStatus } from '../../src/canary/canary-status.js';
import { renderCanaryReport, renderCanarySummary } from '../../src/canary/report-text.js';
import { renderCanarySvg } from '../../src/canary/report-svg.js';
import { applyRolloutAction, initialRolloutState } from '../../src/canary/rollout-state.js';
import { canaryConfig, filledArm } from './support.js';

const T0 = Date.UTC(2025, 0, 1);
const canary = canaryConfig();

function sampleStatus(route = 'claude') {
  let state = { ...initialRolloutState(canary, T0), version: 1 };
  state = applyRolloutAction(state, 'promote', canary, T0 + 20 * 60_000, 'step 1 passed, within the guards', 'auto');
  const statsByEpoch = new Map([
    [1, { baseline: filledArm(4_000, 40, undefined, 0.004), candidate: filledArm(220, 3, undefined, 0.0041) }],
    [2, { baseline: filledArm(1_500, 15, undefined, 0.004), candidate: filledArm(357, 5, (index) => 900 + (index % 50), 0.0039) }],
  ]);
  for (const stats of statsByEpoch.values()) {
    stats.baseline.units = stats.baseline.calls;
    stats.candidate.units = stats.candidate.calls;
  }
  return buildCanaryStatus({ route, rollout: `${route}:abc`, canary, state, shared: true, now: T0 + 32 * 60_000, statsByEpoch });
}

describe('text report', () => {
  it('shows state, decision, a per-arm table with error-rate intervals, and every step', () => {
    const text = renderCanaryReport(sampleStatus(), T0 + 32 * 60_000);
    expect(text).toContain('Canary rollout of route "claude": anthropic/claude-2.0 → anthropic/claude-2.1');
    expect(text).toContain('State: running · step 2 of 4 · candidate weight 25%');
    expect(text).toContain('(12m 0s ago)');
    expect(text).toContain('Decision: hold — step 2 needs 143 more candidate calls (357/500) and 18m 0s more');
    expect(text).toContain('Last change: promote by auto at 2025-01-01 00:20 UTC — step 1 passed, within the guards');
    expect(text).toMatch(/candidate\s+anthropic\/claude-2\.1\s+357\s+5\s+1\.4% \(0\.6%–3\.2%\)/);
    expect(text).toMatch(/baseline\s+anthropic\/claude-2\.0\s+1,500\s+15\s+1\.0% \(0\.6%–1\.6%\)/);
    expect(text).toContain('$0.00390');
    expect(text).toContain('Errors by category: baseline server 15; candidate server 5');
    expect(text).toContain('Sample ratio: 19.2% observed vs 25.0% expected (p<0.0001)');
    expect(text).toContain('MISMATCH');
    expect(text).toMatch(/1\s+5%\s+2025-01-01 00:00\s+220\s+4,000\s+1\.4% \/ 1\.0%.*promote/);
    expect(text).toMatch(/2\s+25%\s+2025-01-01 00:20\s+357\s+1,500.*current/);
  });

  it('the summary stops after the per-arm table', () => {
    const text = renderCanarySummary(sampleStatus(), T0 + 32 * 60_000);
    expect(text).toContain('Decision: hold');
    expect(text).toContain('candidate  anthropic/claude-2.1');
    expect(text).not.toContain('Steps:');
  });
});

describe('SVG report', () => {
  it('draws error rate and p95 bars for both arms of every step, as a well-formed document', () => {
    const svg = renderCanarySvg(sampleStatus());
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('Error rate per step');
    expect(svg).toContain('p95 latency per step');
    // 2 steps × 2 arms × 2 panels = 8 bars, each with a tooltip; plus the background and the legend.
    expect(svg.match(/<rect [^>]*><title>/g)).toHaveLength(8);
    expect(svg).toContain('candidate, step 2: 1.4% (357 calls)');
    expect(svg).toContain('step 1 (5%)');
    const opened = (svg.match(/<(rect|text|line|title|svg)\b/g) ?? []).length;
    const closed = (svg.match(/<\/(rect|text|line|title|svg)>|\/>/g) ?? []).length;
    expect(closed).toBe(opened);
  });

  it('escapes text', () => {
    const svg = renderCanarySvg(sampleStatus('a<b&"c"'));
    expect(svg).toContain('Canary &quot;a&lt;b&amp;&quot;c&quot;&quot;');
    expect(svg).not.toContain('a<b');
  });
});
