/**
 * Chinese resident identity card numbers (GB 11643-1999): six digits of region (a known province
 * code), an eight-digit birth date, a three-digit sequence and a check character (`0`–`9` or `X`)
 * computed as ISO 7064 MOD 11-2. Written contiguously or as 6-8-4 groups with single spaces.
 */
import type { Detector, SensitiveSpan } from './span.js';

const CANDIDATE = /(?<![0-9A-Za-z])\d{6} ?\d{8} ?\d{3}[0-9Xx](?![0-9A-Za-z])/g;

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const CHECK_CHARACTERS = '10X98765432';

/** Province-level codes: the first two digits of a resident ID. */
const PROVINCES: ReadonlySet<string> = new Set([
  '11', '12', '13', '14', '15', '21', '22', '23', '31', '32', '33', '34', '35', '36', '37',
  '41', '42', '43', '44', '45', '46', '50', '51', '52', '53', '54', '61', '62', '63', '64', '65',
  '71', '81', '82', '83',
]);

function isValidBirthDate(text: string): boolean {
  const year = Number(text.slice(0, 4));
  const month = Number(text.slice(4, 6));
  const day = Number(text.slice(6, 8));
  if (year < 1800 || year > 2100 || month < 1 || month > 12 || day < 1) return false;
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Whether an 18-character resident ID (no spaces) has a known region, a real birth date and a valid check character. */
export function isValidResidentId(id: string): boolean {
  if (!/^\d{17}[0-9Xx]$/.test(id) || !PROVINCES.has(id.slice(0, 2)) || !isValidBirthDate(id.slice(6, 14))) return false;
  let sum = 0;
  for (let index = 0; index < 17; index += 1) sum += (id.charCodeAt(index) - 48) * (WEIGHTS[index] as number);
  return CHECK_CHARACTERS[sum % 11] === id[17]?.toUpperCase();
}

/** Detects Chinese resident ID numbers with a valid checksum. */
export const residentIdDetector: Detector = {
  kind: 'cn_id',
  find(text) {
    if (!/\d/.test(text)) return [];
    const spans: SensitiveSpan[] = [];
    for (const match of text.matchAll(CANDIDATE)) {
      if (isValidResidentId(match[0].replace(/ /g, ''))) spans.push({ kind: 'cn_id', start: match.index, end: match.index + match[0].length });
    }
    return spans;
  },
};
