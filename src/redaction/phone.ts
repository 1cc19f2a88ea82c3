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
 */
import type { Detector, SensitiveSpan } from './span.js';

interface PhonePattern {
  readonly pattern: RegExp;
  readonly minDigits: number;
  readonly maxDigits: number;
}

const PATTERNS: readonly PhonePattern[] = [
  { pattern: /(?<![\w+])\+\d{1,4}(?:[ .-]?\(\d{1,4}\)|[ .-]?\d{1,5}){1,6}(?!\d)/g, minDigits: 8, maxDigits: 16 },
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
