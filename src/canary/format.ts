/**
 * Number formatting shared by decision reasons, log lines and reports.
 */

/** A rate as a percentage with one decimal (`12.5%`), `–` when unknown. */
export function formatPercent(rate: number): string {
  return Number.isFinite(rate) ? `${(rate * 100).toFixed(1)}%` : '–';
}

/** A difference of rates in percentage points with a sign (`+9.9 points`). */
export function formatPoints(difference: number): string {
  if (!Number.isFinite(difference)) return '–';
  const points = difference * 100;
  return `${points >= 0 ? '+' : '−'}${Math.abs(points).toFixed(1)} points`;
}

/** A ratio (`×1.32`). */
export function formatRatio(ratio: number): string {
  return Number.isFinite(ratio) ? `×${ratio.toFixed(2)}` : '–';
}

/** Milliseconds, readable (`850ms`, `1.9s`), `–` when unknown. */
export function formatMs(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '–';
  if (ms < 1_000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(ms < 10_000 ? 2 : 1)}s`;
  return `${(ms / 60_000).toFixed(1)}m`;
}

/** A duration to wait, coarse (`4m 10s`, `45s`). */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.ceil(ms / 1_000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${seconds % 60}s`;
  return `${Math.floor(minutes / 60)}h ${minutes % 60}m`;
}

/** US dollars with enough precision for per-call costs (`$0.00412`). */
export function formatUsd(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '–';
  if (value === 0) return '$0';
  return value >= 1 ? `$${value.toFixed(2)}` : `$${value.toPrecision(3)}`;
}

/** A p-value (`p=0.0012`, `p<0.0001`). */
export function formatPValue(pValue: number): string {
  if (!Number.isFinite(pValue)) return 'p=–';
  return pValue < 0.0001 ? 'p<0.0001' : `p=${pValue.toPrecision(2)}`;
}

/** An instant in UTC, to the minute (`2025-01-01 00:20`) or to the second (`2025-01-01 00:20:05`). */
export function formatUtc(ms: number, precision: 'minute' | 'second' = 'minute'): string {
  if (!Number.isFinite(ms)) return '–';
  return new Date(ms).toISOString().slice(0, precision === 'minute' ? 16 : 19).replace('T', ' ');
}

/** A count with thousands separators (`12,345`). */
export function formatCount(value: number): string {
  return Number.isFinite(value) ? value.toLocaleString('en-US') : '–';
}
