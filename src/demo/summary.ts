/**
 * Per-target statistics for the demo: calls, errors by category, latency percentiles and tokens,
 * gathered from the router's `attempt` and `call-end` events.
 */
import type { Router } from '../router/router.js';

/** Exact percentile of a list of numbers (the demo keeps every sample; it is small). */
export function percentile(values: readonly number[], fraction: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((left, right) => left - right);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[index] as number;
}

interface TargetStats {
  attempts: number;
  ok: number;
  errors: Map<string, number>;
  latencies: number[];
  inputTokens: number;
  outputTokens: number;
}

/** Collects statistics from a router's events; `render()` prints them as a table. */
export class DemoSummary {
  private readonly targets = new Map<string, TargetStats>();
  private readonly outcomes = new Map<string, number>();
  private readonly callLatencies: number[] = [];
  private fallbacks = 0;

  constructor(router: Router) {
    router.on('attempt', ({ attempt }) => {
      const stats = this.statsFor(`${attempt.route} → ${attempt.target.provider}/${attempt.target.model}`);
      stats.attempts += 1;
      if (attempt.outcome === 'ok') {
        stats.ok += 1;
        stats.latencies.push(attempt.ms);
      } else stats.errors.set(attempt.outcome, (stats.errors.get(attempt.outcome) ?? 0) + 1);
    });
    router.on('call-end', ({ response, error, latencyMs, route }) => {
      this.callLatencies.push(latencyMs);
      const outcome = response !== undefined ? 'ok' : (error?.category ?? 'unknown');
      this.outcomes.set(outcome, (this.outcomes.get(outcome) ?? 0) + 1);
      if (response !== undefined) {
        if (response.route !== route) this.fallbacks += 1;
        const stats = this.statsFor(`${response.route} → ${response.target.provider}/${response.target.model}`);
        stats.inputTokens += response.usage.inputTokens;
        stats.outputTokens += response.usage.outputTokens;
      }
    });
  }

  private statsFor(key: string): TargetStats {
    let stats = this.targets.get(key);
    if (stats === undefined) {
      stats = { attempts: 0, ok: 0, errors: new Map(), latencies: [], inputTokens: 0, outputTokens: 0 };
      this.targets.set(key, stats);
    }
    return stats;
  }

  /** The summary as printable text. */
  render(): string {
    const rows: string[][] = [['target (route → provider/model)', 'tries', 'ok', 'errors by category', 'p50 ms', 'p95 ms', 'tokens in/out']];
    for (const [key, stats] of [...this.targets.entries()].sort()) {
      const errors = [...stats.errors.entries()].map(([category, count]) => `${category}:${count}`).join(' ') || '-';
      rows.push([key, String(stats.attempts), String(stats.ok), errors, percentile(stats.latencies, 0.5).toFixed(1), percentile(stats.latencies, 0.95).toFixed(1), `${stats.inputTokens}/${stats.outputTokens}`]);
    }
    const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
    const lines = rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  '));
    lines.splice(1, 0, widths.map((width) => '-'.repeat(width)).join('  '));
    const outcomes = [...this.outcomes.entries()].map(([outcome, count]) => `${outcome}: ${count}`).join(', ');
    lines.push('', `calls as the caller saw them — ${outcomes}; answered by a fallback route: ${this.fallbacks}`);
    lines.push(`call latency p50 ${percentile(this.callLatencies, 0.5).toFixed(1)} ms, p95 ${percentile(this.callLatencies, 0.95).toFixed(1)} ms, p99 ${percentile(this.callLatencies, 0.99).toFixed(1)} ms`);
    return lines.join('\n');
  }
}

/** A one-line progress bar written in place on a terminal (plain lines elsewhere). */
export function progressBar(done: number, total: number, width = 30): string {
  const filled = Math.round((done / total) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`;
}
