/**
 * Durations as people write them in a config file: `300ms`, `30s`, `1.5s`, `10m`, `1h`, `1m30s`,
 * or a plain number of milliseconds.
 */
import { SwitchyardError } from '../errors.js';
import { quoteValue, shownText } from './redact-text.js';

/** The longest duration Node's timers can wait (2^31 − 1 ms, about 24.8 days); longer ones fire at once. */
export const MAX_DURATION_MS = 2_147_483_647;

const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
};

const PART = /(\d+(?:\.\d+)?|\.\d+)([a-zA-Zµ]*)/y;

function durationError(value: string | number, problem: string): SwitchyardError {
  const shown = typeof value === 'string' ? quoteValue(value) : shownText(String(value));
  return new SwitchyardError({ category: 'config', code: 'config.invalid', message: `${shown} is not a valid duration: ${problem}` });
}

function checkRange(value: string | number, milliseconds: number): number {
  if (!Number.isFinite(milliseconds)) throw durationError(value, 'it must be a finite number');
  if (milliseconds < 0) throw durationError(value, 'it must not be negative');
  if (milliseconds > MAX_DURATION_MS) {
    throw durationError(value, `it must be at most ${MAX_DURATION_MS}ms (about 24.8 days, the longest a Node timer can wait)`);
  }
  return milliseconds;
}

/**
 * Parses a duration into milliseconds.
 *
 * Strings are one or more `<number><unit>` parts with the units `ms`, `s`, `m` and `h`
 * (`300ms`, `1.5s`, `10m`, `1h30m`); a number is taken as milliseconds. A unit-less string such as
 * `"30"` is refused because it is ambiguous (seconds or milliseconds?).
 *
 * @throws SwitchyardError of category `config` naming the value and what is wrong with it.
 * @example parseDuration('1.5s') // 1500
 * @example parseDuration(250) // 250
 */
export function parseDuration(value: string | number): number {
  if (typeof value === 'number') return checkRange(value, value);
  if (typeof value !== 'string') throw durationError(String(value), 'expected a string such as 30s or a number of milliseconds');
  const text = value.trim();
  if (text === '') throw durationError(value, 'it is empty; write e.g. 300ms, 30s, 10m or 1h');
  if (text.startsWith('-')) throw durationError(value, 'it must not be negative');
  if (/^\d+(\.\d+)?$/.test(text)) {
    const number = shownText(text);
    throw durationError(value, `it has no unit; write ${number}ms or ${number}s (a bare number, unquoted, means milliseconds)`);
  }
  let total = 0;
  let position = 0;
  PART.lastIndex = 0;
  while (position < text.length) {
    PART.lastIndex = position;
    const match = PART.exec(text);
    if (match === null) throw durationError(value, 'expected a number followed by a unit (ms, s, m or h), e.g. 300ms, 1.5s, 10m');
    const [whole, amount = '', unit = ''] = match;
    if (unit === '') throw durationError(value, `the number ${shownText(amount)} has no unit; use ms, s, m or h`);
    const factor = UNIT_MS[unit];
    if (factor === undefined) throw durationError(value, `unknown unit ${quoteValue(unit)}; use ms, s, m or h`);
    total += Number(amount) * factor;
    position += whole.length;
  }
  // Keep whole milliseconds exact despite floating-point steps (e.g. 0.1s + 0.2s).
  return checkRange(value, Math.round(total * 1_000) / 1_000);
}

/** Formats milliseconds the way the config accepts them back (`1500` → `1.5s`, `600000` → `10m`). */
export function formatDuration(milliseconds: number): string {
  if (milliseconds !== 0 && milliseconds % 3_600_000 === 0) return `${milliseconds / 3_600_000}h`;
  if (milliseconds !== 0 && milliseconds % 60_000 === 0) return `${milliseconds / 60_000}m`;
  if (milliseconds >= 1_000) return `${milliseconds / 1_000}s`;
  return `${milliseconds}ms`;
}
