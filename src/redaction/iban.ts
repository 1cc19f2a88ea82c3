/**
 * International Bank Account Numbers (ISO 13616): two capital letters, two check digits and up to 30
 * letters or digits, in the electronic form (`GB82WEST12345698765432`) or the print form in groups
 * of four (`GB82 WEST 1234 5698 7654 32`); 15 to 34 characters and a valid mod-97 checksum
 * (ISO 7064), so words and reference numbers that merely look alike are left alone.
 */
import type { Detector, SensitiveSpan } from './span.js';

const CANDIDATE = /(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]{1,4}){3,8}(?![A-Za-z0-9])/g;

const MIN_LENGTH = 15;
const MAX_LENGTH = 34;

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
    for (const match of text.matchAll(CANDIDATE)) {
      // A print-form match may have swallowed a following word: try shorter prefixes at spaces too.
      let candidate = match[0];
      for (;;) {
        if (isValidIban(candidate.replace(/ /g, ''))) {
          spans.push({ kind: 'iban', start: match.index, end: match.index + candidate.length });
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
