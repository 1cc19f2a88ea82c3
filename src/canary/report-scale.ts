/**
 * Axis scales for the canary chart: "nice" value ticks (1, 2, 2.5 or 5 × 10^k) labelled with just
 * enough decimals that every label is exact and adjacent labels differ, and time ticks on round
 * UTC instants (seconds, minutes, hours, days).
 */

/** Ticks of one axis: the values (ascending, first and last bracket the data) and their labels. */
export interface AxisTicks {
  readonly values: readonly number[];
  readonly labels: readonly string[];
  /** The axis' range: the first and the last tick. */
  readonly min: number;
  readonly max: number;
}

const NICE_FACTORS = [1, 2, 2.5, 5, 10] as const;

/** The smallest nice step (1, 2, 2.5, 5 × 10^k) that divides `span` into at most `count` intervals. */
export function niceStep(span: number, count: number): number {
  const raw = span / Math.max(1, count);
  if (!(raw > 0) || !Number.isFinite(raw)) return 1;
  const power = 10 ** Math.floor(Math.log10(raw));
  for (const factor of NICE_FACTORS) {
    const step = factor * power;
    if (step >= raw * (1 - 1e-9)) return step;
  }
  return 10 * power;
}

/** Removes floating-point noise (0.30000000000000004 → 0.3). */
function clean(value: number): number {
  return Number(value.toPrecision(12));
}

/** The fewest decimals (0–12) with which every value prints exactly. */
export function decimalsFor(values: readonly number[]): number {
  for (let decimals = 0; decimals <= 12; decimals += 1) {
    const tolerance = 10 ** -(decimals + 6);
    if (values.every((value) => Math.abs(Number(value.toFixed(decimals)) - value) <= tolerance * Math.max(1, Math.abs(value)))) return decimals;
  }
  return 12;
}

/**
 * Nice ticks covering `[low, high]` with at most about `count` intervals. `display` turns a value
 * into the unit printed (×100 for a rate shown in percent) and `suffix` follows each label.
 */
export function niceTicks(low: number, high: number, options: { readonly count?: number; readonly display?: (value: number) => number; readonly suffix?: string } = {}): AxisTicks {
  const count = options.count ?? 5;
  const display = options.display ?? ((value: number) => value);
  let bottom = Number.isFinite(low) ? low : 0;
  let top = Number.isFinite(high) ? high : 1;
  if (top < bottom) [bottom, top] = [top, bottom];
  if (top === bottom) top = bottom === 0 ? 1 : bottom + Math.abs(bottom);
  const step = niceStep(top - bottom, count);
  const first = clean(Math.floor(bottom / step + 1e-9) * step);
  const intervals = Math.max(1, Math.ceil(clean((top - first) / step) - 1e-9));
  const values = Array.from({ length: intervals + 1 }, (_, index) => clean(first + index * step));
  const shown = values.map((value) => clean(display(value)));
  const decimals = decimalsFor(shown);
  const labels = shown.map((value) => `${value.toFixed(decimals)}${options.suffix ?? ''}`);
  return { values, labels, min: values[0] ?? bottom, max: values[values.length - 1] ?? top };
}

/** Ticks for a rate (0–1) shown in percent, from 0. */
export function rateTicks(high: number): AxisTicks {
  return niceTicks(0, high > 0 ? high : 0.01, { display: (value) => value * 100, suffix: '%' });
}

/** Ticks for milliseconds from 0, shown in ms below 10 s and in seconds above. */
export function millisecondTicks(high: number): AxisTicks {
  const top = high > 0 ? high : 1_000;
  if (top < 10_000) return niceTicks(0, top, { suffix: 'ms' });
  const ticks = niceTicks(0, top / 1_000, { suffix: 's' });
  return { ...ticks, values: ticks.values.map((value) => value * 1_000), min: ticks.min * 1_000, max: ticks.max * 1_000 };
}

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const TIME_STEPS = [
  SECOND, 2 * SECOND, 5 * SECOND, 10 * SECOND, 15 * SECOND, 30 * SECOND,
  MINUTE, 2 * MINUTE, 5 * MINUTE, 10 * MINUTE, 15 * MINUTE, 30 * MINUTE,
  HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR,
  DAY, 2 * DAY, 7 * DAY, 14 * DAY, 30 * DAY,
] as const;

function utc(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * Time ticks inside `[start, end]` (epoch ms) on round UTC instants, at most about `count` of them.
 * Labels are `HH:MM` (`HH:MM:SS` for steps under a minute); a tick on a new day, and the first,
 * carries the date (`01-02 00:00`), and day steps print the date alone.
 */
export function timeTicks(start: number, end: number, count = 7): AxisTicks {
  const span = Math.max(SECOND, end - start);
  const step = TIME_STEPS.find((candidate) => span / candidate <= count) ?? Math.ceil(span / count / DAY) * DAY;
  const values: number[] = [];
  // Steps of a day or more count from the first midnight, not from the epoch (a Thursday).
  const first = Math.ceil(start / Math.min(step, DAY)) * Math.min(step, DAY);
  for (let value = first; value <= end; value += step) values.push(value);
  if (values.length === 0) values.push(start);
  let previousDay = '';
  const labels = values.map((value) => {
    const iso = utc(value);
    const day = iso.slice(0, 10);
    const clock = step < MINUTE ? iso.slice(11, 19) : iso.slice(11, 16);
    const newDay = day !== previousDay;
    previousDay = day;
    if (step >= DAY) return day.slice(5);
    return newDay ? `${day.slice(5)} ${clock}` : clock;
  });
  return { values, labels, min: start, max: end };
}
