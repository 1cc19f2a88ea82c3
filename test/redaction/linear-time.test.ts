/**
 * Redaction reads any text in time linear in its length: the audit writer redacts whole prompts, so
 * one prompt must not stall it. Each pathological input (long runs of every character class the
 * patterns use, and the repeated prefixes that made the old patterns rescan a run from every
 * position) goes through `redact` with every kind, `redactSecretValues` and the error-text
 * functions, and a secret placed after it is still redacted. Where an old pattern was slow, the size
 * is one at which it took 20–40 s (over the suite's 20 s timeout, which vitest also applies to a test
 * that blocks); the new scanners take milliseconds. No assertion is about time.
 *
 * The second half checks, on a few thousand seeded random texts built from each pattern's pieces,
 * that the rewritten scanners find exactly what the old patterns found (kept here as oracles).
 */
import { createSeededRandom } from '../../src/testing/seeded-random.js';
import { describe, expect, it } from 'vitest';
import { redactErrorText, redactSecretFragments, redactSecrets } from '../../src/errors.js';
import { ibanDetector, isValidIban, phoneDetector, redact, redactSecretValues, REDACTION_KINDS } from '../../src/redaction/index.js';
import type { SensitiveSpan } from '../../src/redaction/span.js';

/** A credential no key shape knows: only the `x-api-key:` before it gets it redacted. */
const KEY = 'Zq7vT2mW9pL4xR8kN3bH6cJ1';
const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U';
const PEM = '-----BEGIN RSA PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END RSA PRIVATE KEY-----';
const HEADER = `x-api-key: ${KEY}`;

const N = 100_000;

/** Whitespace runs: 100,000 spaces took the old header pattern ~18 s on an idle machine, 150,000 ~40 s. */
const WHITESPACE = 150_000;

interface Case {
  readonly name: string;
  readonly text: string;
  /** What the end of the text must become under `redact(text, every kind)`. */
  readonly redactedEnd: string;
  /** Secrets that must not survive. */
  readonly secrets: readonly string[];
}

/** `filler`, then a newline, a semicolon (so no value of a header in the filler runs on) and the header with the key. */
function headerAfter(name: string, filler: string): Case {
  return { name, text: `${filler}\n;${HEADER}`, redactedEnd: '\n;x-api-key: [secret]', secrets: [KEY] };
}

const CASES: readonly Case[] = [
  // Whitespace: the `\s*` around `:` in the header pattern.
  headerAfter('150,000 spaces', ' '.repeat(WHITESPACE)),
  headerAfter('tabs and newlines', '\t\n'.repeat(WHITESPACE / 2)),
  headerAfter('Unicode spaces', '\u00a0\u2003'.repeat(WHITESPACE / 2)),
  { name: 'a header name, 150,000 spaces, then the key', text: `x-api-key:${' '.repeat(WHITESPACE)}${KEY}`, redactedEnd: '[secret]', secrets: [KEY] },
  headerAfter('a header name and quote, then spaces and no colon', `api-key"${' '.repeat(N)}`),
  headerAfter('a header name, colon and spaces, then nothing long enough', `api-key:${' '.repeat(N)}short`),
  // Separators and names repeated.
  headerAfter('100,000 of a= repeated', 'a='.repeat(N)),
  headerAfter('api-key: with short values, repeated', 'api-key: ab; '.repeat(N / 13)),
  headerAfter('api-key= repeated', 'api-key='.repeat(N / 8)),
  headerAfter('colons and equals signs', ':='.repeat(N / 2)),
  headerAfter('quotes', `"'`.repeat(N / 2)),
  // PEM: first lines with no end line, long labels, end lines with no first line.
  headerAfter('PEM first lines with no end line', '-----BEGIN PRIVATE KEY-----'.repeat(40_000)),
  { name: 'PEM end lines, then a key', text: `${'-----END PRIVATE KEY-----'.repeat(N / 25)}\n${PEM}`, redactedEnd: '\n[secret]', secrets: ['MIIEvQIBADANBgkq'] },
  headerAfter('a PEM first line with a long label', `-----BEGIN ${'A'.repeat(N)}`),
  { name: 'a PEM key after a run of dashes', text: `${'-'.repeat(N)}\n${PEM}`, redactedEnd: '\n[secret]', secrets: ['MIIEvQIBADANBgkq'] },
  // JSON Web Tokens: runs of base64url characters, `eyJ` after every dash.
  { name: 'eyJ- repeated, then a JWT', text: `${'eyJ-'.repeat(50_000)}\n${JWT}`, redactedEnd: '\n[secret]', secrets: [JWT.slice(40, 60)] },
  { name: 'a JWT-like run with no dot', text: `eyJ${'a'.repeat(N)}\n${JWT}`, redactedEnd: '\n[secret]', secrets: [JWT.slice(40, 60)] },
  { name: 'JWT first segments repeated', text: `${'eyJaaaaaaaaaa.'.repeat(N / 14)}\n${JWT}`, redactedEnd: '\n[secret]', secrets: [JWT.slice(40, 60)] },
  headerAfter('underscores', '_'.repeat(N)),
  headerAfter('dashes and underscores', '-_'.repeat(N / 2)),
  headerAfter('dots', '.'.repeat(N)),
  // Key-shape prefixes repeated.
  headerAfter('sk- repeated', 'sk-'.repeat(N / 3)),
  headerAfter('ghp_ tokens ending in an underscore', `ghp_${'a'.repeat(40)}_`.repeat(N / 45)),
  headerAfter('xoxb- repeated', 'xoxb-'.repeat(N / 5)),
  headerAfter('Bearer repeated', 'Bearer '.repeat(N / 7)),
  headerAfter('?key= repeated', '?key='.repeat(N / 5)),
  headerAfter('AIza repeated', 'AIza'.repeat(N / 4)),
  // Capitals and digits: IBAN groups, card and phone digit runs.
  headerAfter('capitals', 'A'.repeat(N)),
  headerAfter('capitals and spaces', 'A '.repeat(N / 2)),
  { name: 'IBAN heads before long runs, then an IBAN', text: `${`GB82${'A'.repeat(40)} `.repeat(30_000)}\nGB82 WEST 1234 5698 7654 32`, redactedEnd: '\n[iban]', secrets: ['WEST 1234 5698'] },
  { name: 'an IBAN head before groups of four', text: `GB82${' AAAA'.repeat(N / 5)}\nGB82WEST12345698765432`, redactedEnd: '\n[iban]', secrets: ['WEST12345698'] },
  headerAfter('digits', '1'.repeat(N)),
  headerAfter('digits and spaces, ending in a decimal', `${'1 '.repeat(N / 2)}1.5`),
  headerAfter('digits and dashes', '1-'.repeat(N / 2)),
  { name: '+ before long digit runs, then a phone number', text: `${`+1${'2'.repeat(40)} `.repeat(40_000)}\ncall +44 20 7946 0958`, redactedEnd: '\ncall [phone]', secrets: ['7946 0958'] },
  { name: '+1 and single digits', text: `+1${' 1'.repeat(N / 2)}\n+1 415 555 2671`, redactedEnd: '\n[phone]', secrets: ['555 2671'] },
  { name: '+1 and parenthesised digits', text: `+1${' (1)'.repeat(N / 4)}\n+44 (0)20 7946 0958`, redactedEnd: '\n[phone]', secrets: ['7946 0958'] },
  { name: 'a trunk 0 and pairs of digits', text: `01${' 12'.repeat(N / 3)}\n020 7946 0958`, redactedEnd: '\n[phone]', secrets: ['7946 0958'] },
  // E-mail: at signs, dotted labels.
  { name: 'at signs', text: `${'a@'.repeat(N / 2)}\nbob@example.com`, redactedEnd: '\n[email]', secrets: ['bob@example'] },
  { name: 'a domain of 50,000 labels with no top-level label', text: `x@${'a.'.repeat(N / 2)}1\nbob@example.com`, redactedEnd: '\n[email]', secrets: ['bob@example'] },
  headerAfter('dotted words', 'a.'.repeat(N / 2)),
];

function expectRedactedEnd(output: string, testCase: Case): void {
  expect(output.endsWith(testCase.redactedEnd), `ends with ${JSON.stringify(testCase.redactedEnd)}: …${JSON.stringify(output.slice(-80))}`).toBe(true);
  for (const secret of testCase.secrets) expect(output.includes(secret), `still shows ${secret}`).toBe(false);
}

describe('redaction of pathological text completes, and still redacts what follows', () => {
  it.each(CASES.map((testCase) => [testCase.name, testCase] as const))('%s', (_name, testCase) => {
    expectRedactedEnd(redact(testCase.text, REDACTION_KINDS), testCase);
    // The secret-only path (audit metadata, config errors) and the error-text functions.
    if (testCase.secrets[0] === KEY) expectRedactedEnd(redactSecretValues(testCase.text), testCase);
    for (const scrub of [redactSecrets, redactSecretFragments, redactErrorText]) expect(typeof scrub(testCase.text)).toBe('string');
  });

  it('drops the quote of a JSON.parse error in a message full of quotes', () => {
    const quotes = '"'.repeat(200_000);
    expect(redactErrorText(`${quotes}x is not valid JSON`).length).toBeLessThanOrEqual(4097);
    expect(redactErrorText(`Unexpected token 'Z', ${quotes} is not valid JSON`)).toBe("Unexpected token 'Z', (the text) is not valid JSON");
    expect(redactErrorText(`Unexpected token 's', "sk-test-ab"... is not valid JSON`)).toBe("Unexpected token 's', (the text) is not valid JSON");
    expect(redactErrorText(`Unexpected token 'x', ..."x-${KEY}"... is not valid JSON`)).toBe("Unexpected token 'x', (the text) is not valid JSON");
  });
});

// ---------------------------------------------------------------------------------------------
// The old patterns, as oracles.

const OLD_KEY_HEADER_VALUE = /(?<=\b(?:x-api-key|api-key|x-goog-api-key)["']?\s*[:=]\s*["']?)[^\s"',;]{8,}/gi;
const OLD_PEM = /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g;
const OLD_JWT = /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g;
const OLD_INTERNATIONAL_PHONE = /(?<![\w+])\+\d{1,4}(?:[ .-]?\(\d{1,4}\)|[ .-]?\d{1,5}){1,6}(?!\d)/g;
const OLD_IBAN_CANDIDATE = /(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]{1,4}){3,8}(?![A-Za-z0-9])/g;
const OLD_JSON_QUOTE = /(?:\.\.\.)?"[\s\S]*"(?:\.\.\.)? is not valid JSON$/;


/** `count` texts of up to `pieces` pieces each, drawn from `alphabet`. */
function texts(seed: number, alphabet: readonly string[], count: number, pieces: number): string[] {
  const next = createSeededRandom(seed); // replayable by seed
  const result: string[] = [];
  for (let index = 0; index < count; index += 1) {
    let text = '';
    const length = 1 + Math.floor(next() * pieces);
    for (let piece = 0; piece < length; piece += 1) text += alphabet[Math.floor(next() * alphabet.length)]!;
    result.push(text);
  }
  return result;
}

const OLD_PHONE_PATTERNS: ReadonlyArray<readonly [RegExp, number, number]> = [
  [OLD_INTERNATIONAL_PHONE, 8, 16],
  [/(?<![\w+])(?:(?:00)?86[ -]?)?1[3-9]\d[ -]?\d{4}[ -]?\d{4}(?!\d)/g, 11, 15],
  [/(?<![\w(])(?:\([2-9]\d{2}\) ?|[2-9]\d{2}[-. ])[2-9]\d{2}[-. ]\d{4}(?!\d)/g, 10, 10],
  [/(?<![\w+.])0\d{1,4}(?:[ -]\d{2,8}){1,4}(?![\d.])/g, 9, 12],
];

/** The old phone detector: the old patterns, spans merged as the detector merges them. */
function oldPhoneSpans(text: string): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  for (const [pattern, minDigits, maxDigits] of OLD_PHONE_PATTERNS) {
    for (const match of text.matchAll(pattern)) {
      const digits = match[0].replace(/\D/g, '').length;
      if (digits >= minDigits && digits <= maxDigits) spans.push([match.index, match.index + match[0].length]);
    }
  }
  spans.sort((left, right) => left[0] - right[0] || right[1] - left[1]);
  const merged: Array<[number, number]> = [];
  for (const span of spans) {
    const previous = merged[merged.length - 1];
    if (previous !== undefined && span[0] < previous[1]) previous[1] = Math.max(previous[1], span[1]);
    else merged.push([span[0], span[1]]);
  }
  return merged;
}

function pairs(spans: readonly SensitiveSpan[]): Array<[number, number]> {
  return spans.map((span) => [span.start, span.end]);
}

/** The old IBAN detector: the old candidate pattern, then shorter prefixes at spaces until one checks. */
function oldIbanSpans(text: string): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  for (const match of text.matchAll(OLD_IBAN_CANDIDATE)) {
    for (let candidate = match[0]; ; ) {
      if (isValidIban(candidate.replace(/ /g, ''))) {
        spans.push([match.index, match.index + candidate.length]);
        break;
      }
      const space = candidate.lastIndexOf(' ');
      if (space < 0) break;
      candidate = candidate.slice(0, space);
    }
  }
  return spans;
}

describe('the linear scanners find what the old patterns found', () => {
  it('API-key header values', () => {
    const alphabet = ['x-api-key', 'api-key', 'x-goog-', 'API-KEY', ':', '=', ' ', '  ', '\t', '\n', '"', "'", ',', ';', 'abcdefgh', 'abc', 'Zq7v', '-', 'x'];
    for (const text of texts(1, alphabet, 4000, 14)) {
      expect(redactSecretValues(text), JSON.stringify(text)).toBe(text.replace(OLD_KEY_HEADER_VALUE, '[secret]'));
    }
  });

  it('PEM private keys', () => {
    const alphabet = ['-----BEGIN ', '-----END ', 'RSA ', 'EC ', 'PRIVATE KEY-----', 'PRIVATE KEY', 'PUBLIC KEY-----', '\n', 'MIIB', '-', '--', ' ', 'A', 'x'];
    for (const text of texts(2, alphabet, 4000, 14)) {
      expect(redactSecretValues(text), JSON.stringify(text)).toBe(text.replace(OLD_PEM, '[secret]'));
    }
  });

  it('JSON Web Tokens', () => {
    const alphabet = ['eyJ', 'eyJhbGci', 'abcdefgh', 'a', 'Z9', '-', '_', '.', ' ', '.eyJ', '--'];
    for (const text of texts(3, alphabet, 4000, 14)) {
      expect(redactSecretValues(text), JSON.stringify(text)).toBe(text.replace(OLD_JWT, '[secret]'));
    }
  });

  it('international phone numbers', () => {
    const alphabet = ['+', '+1', '+44', '1', '23', '456', '7890', '12345', '(0)', '(12)', '(12345)', '(', ')', ' ', '.', '-', 'a', '  '];
    for (const text of texts(4, alphabet, 6000, 16)) {
      expect(pairs(phoneDetector.find(text)), JSON.stringify(text)).toEqual(oldPhoneSpans(text));
    }
  });

  it('IBAN candidates', () => {
    const alphabet = ['GB82', 'DE89', 'WEST', '1234', '5698', '7654', '32', '3704', '0044', '0532', '0130', '00', 'A', 'AB1', ' ', '  ', 'x', 'Q', '9'];
    for (const text of texts(5, alphabet, 6000, 14)) {
      expect(pairs(ibanDetector.find(text)), JSON.stringify(text)).toEqual(oldIbanSpans(text));
    }
  });

  it("a JSON.parse error's quote", () => {
    const alphabet = ['"', '...', '.', 'x', ' is not valid JSON', "Unexpected token 'x', ", ' '];
    for (const text of texts(6, alphabet, 4000, 10)) {
      const old = text.endsWith(' is not valid JSON') ? text.replace(OLD_JSON_QUOTE, '(the text) is not valid JSON') : text;
      expect(redactErrorText(text), JSON.stringify(text)).toBe(old);
    }
  });
});
