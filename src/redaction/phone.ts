/**
 * Telephone numbers, in the forms people write them:
 * - international, with `+` and 8–15 digits (E.164), grouped by single spaces, dots, dashes or a
 *   parenthesised part (`+44 (0)20 7946 0958`, `+1 415-555-2671`, `+8613800138000`);
 * - Chinese mobile numbers: 11 digits starting `13`–`19`, contiguous or 3-4-4, optionally after
 *   `0086`/`86` (`138 0013 8000`, `0086-13800138000`);
 * - North American numbers with separators (`(415) 555-2671`, `415.555.2671`);
 * - national numbers with a trunk `0` and separators, 9–12 digits (`020 7946 0958`,
 *   `06 12 34 56 78`, `010-62345678`).
 * Bare digit runs other than Chinese mobiles are left alone: without `+` or separators a number is
 * more likely an amount, an order number or a date than a telephone number.
 *
 * Linear in the text's length: the international form, whose groups of digits may follow one
 * another without a separator, is read by `internationalEnd` rather than by a pattern that tried
 * every way of cutting a digit run into groups.
 */
import type { Detector, SensitiveSpan } from './span.js';

interface PhonePattern {
  readonly pattern: RegExp;
  readonly minDigits: number;
  readonly maxDigits: number;
}

/** Where an international number may start: a `+` before a digit, not inside a word or after another `+`. */
const INTERNATIONAL_START = /(?<![\w+])\+(?=\d)/g;

/** The international form's bounds: a country part of 1–4 digits, then 1–6 groups of ≤ 5 digits or a `(…)` of ≤ 4. */
const COUNTRY_DIGITS = 4;
const GROUP_DIGITS = 5;
const MAX_GROUPS = 6;
const PARENTHESISED_DIGITS = 4;

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** Where the run of digits starting at `from` ends, reading at most `limit` digits. */
function digitsEnd(text: string, from: number, limit: number): number {
  let at = from;
  while (at < text.length && at - from < limit && isDigit(text.charCodeAt(at))) at += 1;
  return at;
}

/**
 * Where the international number starting with the `+` at `start` ends, or -1: exactly what
 * `/\+\d{1,4}(?:[ .-]?\(\d{1,4}\)|[ .-]?\d{1,5}){1,6}(?!\d)/` matched there, read in one pass of at
 * most ~50 characters. A run of n digits costs ⌈n/5⌉ groups (the country part takes 4 of the first
 * run free), a `(…)` one; the number ends at the last run or `(…)` reached within 6 groups that no
 * digit follows (that pattern's first match is this longest one).
 */
function internationalEnd(text: string, start: number): number {
  const headEnd = digitsEnd(text, start + 1, COUNTRY_DIGITS + GROUP_DIGITS * MAX_GROUPS + 1);
  const head = headEnd - start - 1;
  let groups = Math.ceil(Math.max(0, head - COUNTRY_DIGITS) / GROUP_DIGITS);
  if (groups > MAX_GROUPS || isDigit(text.charCodeAt(headEnd))) return -1;
  // A country part alone needs a second digit to give the one group required.
  let best = head >= 2 ? headEnd : -1;
  let at = headEnd;
  for (;;) {
    let next = at;
    const separator = text[next];
    if (separator === ' ' || separator === '.' || separator === '-') next += 1;
    if (text[next] === '(') {
      const close = digitsEnd(text, next + 1, PARENTHESISED_DIGITS + 1);
      if (close === next + 1 || close - next - 1 > PARENTHESISED_DIGITS || text[close] !== ')') return best;
      groups += 1;
      if (groups > MAX_GROUPS) return best;
      next = close + 1;
      if (!isDigit(text.charCodeAt(next))) best = next;
    }
    const runEnd = digitsEnd(text, next, GROUP_DIGITS * MAX_GROUPS + 1);
    if (runEnd === next) {
      if (next === at || text[next - 1] !== ')') return best;
    } else {
      groups += Math.ceil((runEnd - next) / GROUP_DIGITS);
      if (groups > MAX_GROUPS || isDigit(text.charCodeAt(runEnd))) return best;
      best = runEnd;
    }
    at = runEnd;
  }
}

/** International numbers (E.164 with groups), found by `internationalEnd` after each possible start. */
function* internationalNumbers(text: string): Generator<readonly [number, string]> {
  INTERNATIONAL_START.lastIndex = 0;
  for (let match = INTERNATIONAL_START.exec(text); match !== null; match = INTERNATIONAL_START.exec(text)) {
    const end = internationalEnd(text, match.index);
    if (end < 0) continue;
    yield [match.index, text.slice(match.index, end)];
    INTERNATIONAL_START.lastIndex = end;
  }
}

/** E.164 allows 15 digits; one more for a trunk `(0)`. */
const INTERNATIONAL_MIN_DIGITS = 8;
const INTERNATIONAL_MAX_DIGITS = 16;

/** The other forms: each has separators between fixed-length groups, so a pattern reads each run once. */
const PATTERNS: readonly PhonePattern[] = [
  { pattern: /(?<![\w+])(?:(?:00)?86[ -]?)?1[3-9]\d[ -]?\d{4}[ -]?\d{4}(?!\d)/g, minDigits: 11, maxDigits: 15 },
  { pattern: /(?<![\w(])(?:\([2-9]\d{2}\) ?|[2-9]\d{2}[-. ])[2-9]\d{2}[-. ]\d{4}(?!\d)/g, minDigits: 10, maxDigits: 10 },
  { pattern: /(?<![\w+.])0\d{1,4}(?:[ -]\d{2,8}){1,4}(?![\d.])/g, minDigits: 9, maxDigits: 12 },
];

function digitCount(text: string): number {
  let count = 0;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code >= 48 && code <= 57) count += 1;
  }
  return count;
}

/** Detects telephone numbers. */
export const phoneDetector: Detector = {
  kind: 'phone',
  find(text) {
    if (!/\d/.test(text)) return [];
    const spans: SensitiveSpan[] = [];
    for (const [start, number] of internationalNumbers(text)) {
      const digits = digitCount(number);
      if (digits >= INTERNATIONAL_MIN_DIGITS && digits <= INTERNATIONAL_MAX_DIGITS) spans.push({ kind: 'phone', start, end: start + number.length });
    }
    for (const { pattern, minDigits, maxDigits } of PATTERNS) {
      for (const match of text.matchAll(pattern)) {
        const digits = digitCount(match[0]);
        if (digits >= minDigits && digits <= maxDigits) spans.push({ kind: 'phone', start: match.index, end: match.index + match[0].length });
      }
    }
    spans.sort((left, right) => left.start - right.start || right.end - left.end);
    const merged: SensitiveSpan[] = [];
    for (const span of spans) {
      const previous = merged[merged.length - 1];
      if (previous !== undefined && span.start < previous.end) {
        if (span.end > previous.end) merged[merged.length - 1] = { ...previous, end: span.end };
      } else merged.push(span);
    }
    return merged;
  },
};
