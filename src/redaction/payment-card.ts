/**
 * Payment card numbers (PANs): 13 to 19 digits, written contiguously or in groups separated by single
 * spaces or dashes (`4111 1111 1111 1111`, `3782-822463-10005`), starting with 2–6 (the major
 * networks' ranges: Mastercard 2/5, Amex/JCB/Diners 3, Visa 4, Discover/UnionPay/Maestro 6) and
 * passing the Luhn check. Every group but the last has at least four digits, so counting sequences
 * (`1 2 3 4 ...`) and short numbers are never joined into a card number.
 */
import { passesLuhn } from './luhn.js';
import type { Detector, SensitiveSpan } from './span.js';

/** Runs of digit groups joined by single spaces or dashes, not part of a longer number or a decimal. */
const DIGIT_RUN = /(?<![\d.])\d+(?:[ -]\d+)*(?![\d]|\.\d)/g;

const MIN_DIGITS = 13;
const MAX_DIGITS = 19;

interface Group {
  readonly start: number;
  readonly end: number;
  readonly digits: string;
}

function groupsOf(run: string, offset: number): Group[] {
  const groups: Group[] = [];
  for (const match of run.matchAll(/\d+/g)) groups.push({ start: offset + match.index, end: offset + match.index + match[0].length, digits: match[0] });
  return groups;
}

/** The longest card number starting at group `first`, as the index of its last group, or -1. */
function cardEndingAt(groups: readonly Group[], first: number): number {
  const leading = groups[first]?.digits.charCodeAt(0) ?? 0;
  if (leading < 50 || leading > 54) return -1; // '2'..'6'
  let best = -1;
  let digits = '';
  for (let last = first; last < groups.length; last += 1) {
    const group = groups[last] as Group;
    digits += group.digits;
    if (digits.length > MAX_DIGITS) break;
    if (digits.length >= MIN_DIGITS && passesLuhn(digits)) best = last;
    if (group.digits.length < 4) break; // only the last group may be short
  }
  return best;
}

/** Detects Luhn-valid payment card numbers. */
export const paymentCardDetector: Detector = {
  kind: 'card',
  find(text) {
    if (!/\d/.test(text)) return [];
    const spans: SensitiveSpan[] = [];
    for (const match of text.matchAll(DIGIT_RUN)) {
      const run = match[0];
      if (run.replace(/[ -]/g, '').length < MIN_DIGITS) continue;
      const groups = groupsOf(run, match.index);
      for (let first = 0; first < groups.length; ) {
        const last = cardEndingAt(groups, first);
        if (last < 0) {
          first += 1;
          continue;
        }
        spans.push({ kind: 'card', start: (groups[first] as Group).start, end: (groups[last] as Group).end });
        first = last + 1;
      }
    }
    return spans;
  },
};
