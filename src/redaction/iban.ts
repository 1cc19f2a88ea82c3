/**
 * International Bank Account Numbers (ISO 13616): two capital letters, two check digits and up to 30
 * letters or digits, in the electronic form (`GB82WEST12345698765432`) or the print form in groups
 * of four (`GB82 WEST 1234 5698 7654 32`); 15 to 34 characters and a valid mod-97 checksum
 * (ISO 7064), so words and reference numbers that merely look alike are left alone.
 *
 * Linear in the text's length: a candidate is read by `candidateEnd`, not by a pattern that tried
 * every way of cutting a run of capitals and digits into groups of four.
 */
import type { Detector, SensitiveSpan } from './span.js';

/** Where an IBAN may start: two capitals and two digits, not inside a word. */
const START = /(?<![A-Za-z0-9])[A-Z]{2}\d{2}/g;

const MIN_LENGTH = 15;
const MAX_LENGTH = 34;

/** After the country and check digits: 3 to 8 groups of 1–4 capitals or digits, each after an optional space. */
const GROUP_LENGTH = 4;
const MAX_GROUPS = 8;
const MIN_CHARACTERS = 3;

function isUpperOrDigit(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 48 && code <= 57);
}

function isAlphanumeric(code: number): boolean {
  return isUpperOrDigit(code) || (code >= 97 && code <= 122);
}

/**
 * Where the candidate starting with the country code at `start` ends, or -1: exactly what
 * `/[A-Z]{2}\d{2}(?: ?[A-Z0-9]{1,4}){3,8}(?![A-Za-z0-9])/` matched there, read in one pass of at most
 * ~45 characters. Runs of capitals and digits are separated by single spaces (the first may follow
 * the check digits directly); a run of n characters costs ⌈n/4⌉ groups; the candidate ends at the
 * last run reached within 8 groups that no letter or digit follows, with 3 or more characters in all
 * (that pattern's first match is this longest one).
 */
function candidateEnd(text: string, start: number): number {
  let at = start + 4;
  if (text[at] === ' ') at += 1;
  let groups = 0;
  let characters = 0;
  let best = -1;
  for (;;) {
    const runStart = at;
    while (at < text.length && at - runStart <= GROUP_LENGTH * MAX_GROUPS && isUpperOrDigit(text.charCodeAt(at))) at += 1;
    if (at === runStart) return best;
    groups += Math.ceil((at - runStart) / GROUP_LENGTH);
    characters += at - runStart;
    if (groups > MAX_GROUPS || isAlphanumeric(text.charCodeAt(at))) return best;
    if (characters >= MIN_CHARACTERS) best = at;
    if (text[at] !== ' ') return best;
    at += 1;
  }
}

/** Candidates (IBAN-shaped text, checksum not yet checked), each found in one bounded pass after its start. */
function* candidates(text: string): Generator<readonly [number, string]> {
  START.lastIndex = 0;
  for (let match = START.exec(text); match !== null; match = START.exec(text)) {
    const end = candidateEnd(text, match.index);
    if (end < 0) {
      START.lastIndex = match.index + 1;
      continue;
    }
    yield [match.index, text.slice(match.index, end)];
    START.lastIndex = end;
  }
}

/** Whether an IBAN in electronic form (no spaces) has a valid mod-97 checksum. */
export function isValidIban(compact: string): boolean {
  if (compact.length < MIN_LENGTH || compact.length > MAX_LENGTH || !/^[A-Z]{2}\d{2}[A-Z0-9]+$/.test(compact)) return false;
  const rearranged = compact.slice(4) + compact.slice(0, 4);
  let remainder = 0;
  for (const character of rearranged) {
    const code = character.charCodeAt(0);
    const value = code >= 65 ? code - 55 : code - 48; // A=10 … Z=35
    remainder = value >= 10 ? (remainder * 100 + value) % 97 : (remainder * 10 + value) % 97;
  }
  return remainder === 1;
}

/** Detects IBANs with a valid checksum. */
export const ibanDetector: Detector = {
  kind: 'iban',
  find(text) {
    if (!/[A-Z]{2}\d{2}/.test(text)) return [];
    const spans: SensitiveSpan[] = [];
    for (const [start, match] of candidates(text)) {
      // A print-form match may have swallowed a following word: try shorter prefixes at spaces too.
      let candidate = match;
      for (;;) {
        if (isValidIban(candidate.replace(/ /g, ''))) {
          spans.push({ kind: 'iban', start, end: start + candidate.length });
          break;
        }
        const space = candidate.lastIndexOf(' ');
        if (space < 0) break;
        candidate = candidate.slice(0, space);
      }
    }
    return spans;
  },
};
