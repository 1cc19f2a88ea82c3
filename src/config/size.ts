/**
 * Sizes in config files: `100MB`, `512KiB`, `1GB` or a number of bytes.
 */
import { quoteValue } from './redact-text.js';

const UNITS: Readonly<Record<string, number>> = {
  b: 1,
  kb: 1_000,
  mb: 1_000_000,
  gb: 1_000_000_000,
  kib: 1_024,
  mib: 1_048_576,
  gib: 1_073_741_824,
};

/** Parses a size to bytes; throws an error naming the accepted forms. */
export function parseSize(value: string | number): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) throw new Error('expected a size ≥ 0');
    return Math.floor(value);
  }
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(value);
  const unit = UNITS[(match?.[2] ?? '').toLowerCase() || 'b'];
  if (match === null || unit === undefined) throw new Error(`expected a size such as 100MB, 512KiB or a number of bytes, got ${quoteValue(value)}`);
  return Math.floor(Number(match[1]) * unit);
}
