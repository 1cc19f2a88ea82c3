/**
 * Secrets: everything `redactSecrets` (src/errors.ts) already scrubs — keys registered from the
 * config and the provider key shapes (OpenAI `sk-…`, Anthropic `sk-ant-…`, Google `AIza…`,
 * `?key=` query values, bearer tokens) — plus more credential shapes that turn up in prompts and
 * logs: AWS access key ids, GitHub, Groq, xAI, Hugging Face, Slack and Stripe tokens, JSON Web
 * Tokens, `api-key:`/`x-api-key:` header values and PEM private keys.
 *
 * Every scan is linear in the text's length, whatever the text (prompts are caller-controlled and
 * the audit writer redacts them): no pattern can be tried at many positions of one run and
 * rescan it each time. The three shapes whose plain patterns could (a PEM block with no end line,
 * JSON Web Tokens inside a run like `eyJ-eyJ-eyJ-…`, an API-key header before a long run of
 * whitespace) are found by the small scanners below, which find exactly what those patterns found.
 */
import { redactSecrets } from '../errors.js';

/** The marker `redactSecrets` leaves, which this module turns into `[secret]`. */
const ERRORS_MARKER = '[redacted]';

/** The marker a secret is replaced with. */
export const SECRET_MARKER = '[secret]';

/**
 * Credential shapes with a fixed prefix beyond those `src/errors.ts` knows, as one alternation (one
 * scan per text). Each starts at a literal prefix and either accepts as soon as its run is long
 * enough or ends at its run's end, so a run is read once.
 */
const PREFIXED_SHAPES = new RegExp(
  [
    /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/,
    /\bgh[pousr]_[A-Za-z0-9]{36,}\b/,
    /\bgithub_pat_[A-Za-z0-9_]{22,}/,
    /\bgsk_[A-Za-z0-9]{20,}/,
    /\bxai-[A-Za-z0-9]{20,}/,
    /\bhf_[A-Za-z0-9]{30,}/,
    /\bxox[abprs]-[A-Za-z0-9-]{10,}/,
    /\b[rs]k_(?:live|test)_[A-Za-z0-9]{16,}/,
  ]
    .map((pattern) => `(?:${pattern.source})`)
    .join('|'),
  'g',
);

/**
 * The name of an API-key header written out and what separates it from its value (`x-api-key: `,
 * `"api-key": "`). Matched forwards from the name, so a run of whitespace is read once per name
 * before it (the old look-behind with `\s*` re-read the run from every position in it: 100,000
 * spaces took 20–30 s).
 */
const KEY_HEADER_NAME = /\b(?:x-api-key|api-key|x-goog-api-key)["']?\s*[:=]\s*["']?/gi;

/** A header value: everything up to whitespace, a quote, a comma or a semicolon. */
const HEADER_VALUE = /[^\s"',;]*/y;

/** Values shorter than this are left alone (`api-key: none`). */
const MIN_HEADER_VALUE = 8;

/**
 * Values of API-key headers (`x-api-key: …`, `"api-key": "…"`) of 8 or more characters, as
 * `/(?<=\b(?:x-api-key|api-key|x-goog-api-key)["']?\s*[:=]\s*["']?)[^\s"',;]{8,}/gi` replaced them:
 * a name may stand inside the value of the one before (`api-key:x-api-key=…`), and a value
 * runs to its run's end, so each run's length is measured once.
 */
function redactKeyHeaderValues(text: string): string {
  if (!/api-key/i.test(text)) return text;
  let result = '';
  let copied = 0;
  let measured = 0;
  KEY_HEADER_NAME.lastIndex = 0;
  for (let match = KEY_HEADER_NAME.exec(text); match !== null; match = KEY_HEADER_NAME.exec(text)) {
    const value = match.index + match[0].length;
    // A value starting inside a run already measured is the tail of a value already redacted, or too short.
    if (value < measured) continue;
    HEADER_VALUE.lastIndex = value;
    HEADER_VALUE.test(text);
    measured = HEADER_VALUE.lastIndex;
    if (measured - value < MIN_HEADER_VALUE) continue;
    result += `${text.slice(copied, value)}${SECRET_MARKER}`;
    copied = measured;
  }
  return copied === 0 ? text : result + text.slice(copied);
}

/** The first line of a PEM private key (`-----BEGIN RSA PRIVATE KEY-----`): its label, read at one place. */
const PEM_LABEL = /[A-Z ]*PRIVATE KEY-----/y;

/**
 * PEM private keys, `-----BEGIN … PRIVATE KEY-----` to the first `-----END … PRIVATE KEY-----`
 * after it, as `/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g`
 * matched them. That pattern read to the text's end from every first line without an end line;
 * here each end line is looked for once, and when one first line has none after it, no later one can.
 */
function redactPemKeys(text: string): string {
  let result = '';
  let copied = 0;
  let from = 0;
  for (;;) {
    const begin = text.indexOf('-----BEGIN ', from);
    if (begin < 0) break;
    const bodyStart = labelEnd(text, begin + 11);
    if (bodyStart < 0) {
      from = begin + 1;
      continue;
    }
    let end = -1;
    for (let search = bodyStart; end < 0; ) {
      const candidate = text.indexOf('-----END ', search);
      if (candidate < 0) break;
      end = labelEnd(text, candidate + 9);
      search = candidate + 1;
    }
    if (end < 0) break;
    result += `${text.slice(copied, begin)}${SECRET_MARKER}`;
    copied = end;
    from = end;
  }
  return copied === 0 ? text : result + text.slice(copied);
}

/** Where `[A-Z ]*PRIVATE KEY-----` starting at `at` ends, or -1. */
function labelEnd(text: string, at: number): number {
  PEM_LABEL.lastIndex = at;
  return PEM_LABEL.test(text) ? PEM_LABEL.lastIndex : -1;
}

/**
 * A run of base64url characters (a JWT's first segment, or text in which one starts) at the start
 * of the run, followed by `.eyJ…` and a third segment: each run is tried at one place only.
 */
const JWT_CANDIDATE = /(?<![A-Za-z0-9_-])([A-Za-z0-9_-]{11,})\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g;

/**
 * JSON Web Tokens, as `/\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g` matched
 * them: from the first `eyJ` of a run that starts the run or follows a `-` and has 8 or more
 * characters after it, to the end of the third segment. That pattern re-read the run from every
 * such `eyJ` (`eyJ-eyJ-eyJ-…` was quadratic); here a run is read once.
 */
function redactJsonWebTokens(text: string): string {
  if (!text.includes('eyJ')) return text;
  let result = '';
  let copied = 0;
  JWT_CANDIDATE.lastIndex = 0;
  for (let match = JWT_CANDIDATE.exec(text); match !== null; match = JWT_CANDIDATE.exec(text)) {
    const run = match[1] as string;
    const start = tokenStart(run);
    if (start < 0) {
      // No token starts in this run; one may start at the next segment.
      JWT_CANDIDATE.lastIndex = match.index + run.length;
      continue;
    }
    result += `${text.slice(copied, match.index + start)}${SECRET_MARKER}`;
    copied = match.index + match[0].length;
  }
  return copied === 0 ? text : result + text.slice(copied);
}

/** The first place in `run` where `\beyJ` stands with 8 or more characters after it, or -1. */
function tokenStart(run: string): number {
  for (let at = run.indexOf('eyJ'); at >= 0 && at + 11 <= run.length; at = run.indexOf('eyJ', at + 1)) {
    if (at === 0 || run.charCodeAt(at - 1) === 45 /* - */) return at;
  }
  return -1;
}

/**
 * Replaces secrets with `[secret]`. Text that already contained the literal `[redacted]` keeps it:
 * the text is split on it first, so only markers this call introduced are renamed. PEM keys and
 * JSON Web Tokens are replaced before the prefixed shapes (which used to share one alternation with
 * them), so a token such as `xoxb-…` standing right before a JWT can no longer take its first
 * segment and leave the rest. Linear in the text's length.
 */
export function redactSecretValues(text: string): string {
  const pieces = text.split(ERRORS_MARKER);
  for (let index = 0; index < pieces.length; index += 1) {
    let piece = redactSecrets(pieces[index] as string);
    if (piece.includes(ERRORS_MARKER)) piece = piece.split(ERRORS_MARKER).join(SECRET_MARKER);
    piece = redactKeyHeaderValues(redactJsonWebTokens(redactPemKeys(piece)).replace(PREFIXED_SHAPES, SECRET_MARKER));
    pieces[index] = piece;
  }
  return pieces.join(ERRORS_MARKER);
}
