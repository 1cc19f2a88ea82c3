/**
 * Secrets: everything `redactSecrets` (src/errors.ts) already scrubs — keys registered from the
 * config and the provider key shapes (OpenAI `sk-…`, Anthropic `sk-ant-…`, Google `AIza…`,
 * `?key=` query values, bearer tokens) — plus more credential shapes that turn up in prompts and
 * logs: AWS access key ids, GitHub, Groq, xAI, Hugging Face, Slack and Stripe tokens, JSON Web
 * Tokens, `api-key:`/`x-api-key:` header values and PEM private keys.
 */
import { redactSecrets } from '../errors.js';

/** The marker `redactSecrets` leaves, which this module turns into `[secret]`. */
const ERRORS_MARKER = '[redacted]';

/** The marker a secret is replaced with. */
export const SECRET_MARKER = '[secret]';

/** Credential shapes beyond those `src/errors.ts` knows, as one alternation (one scan per text). */
const EXTRA_SHAPES = new RegExp(
  [
    /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/,
    /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/,
    /\bgh[pousr]_[A-Za-z0-9]{36,}\b/,
    /\bgithub_pat_[A-Za-z0-9_]{22,}/,
    /\bgsk_[A-Za-z0-9]{20,}/,
    /\bxai-[A-Za-z0-9]{20,}/,
    /\bhf_[A-Za-z0-9]{30,}/,
    /\bxox[abprs]-[A-Za-z0-9-]{10,}/,
    /\b[rs]k_(?:live|test)_[A-Za-z0-9]{16,}/,
    /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/,
  ]
    .map((pattern) => `(?:${pattern.source})`)
    .join('|'),
  'g',
);

/** Values of API-key headers written out (`x-api-key: …`, `"api-key": "…"`). */
const KEY_HEADER_VALUE = /(?<=\b(?:x-api-key|api-key|x-goog-api-key)["']?\s*[:=]\s*["']?)[^\s"',;]{8,}/gi;

/**
 * Replaces secrets with `[secret]`. Text that already contained the literal `[redacted]` keeps it:
 * the text is split on it first, so only markers this call introduced are renamed.
 */
export function redactSecretValues(text: string): string {
  const pieces = text.split(ERRORS_MARKER);
  for (let index = 0; index < pieces.length; index += 1) {
    let piece = redactSecrets(pieces[index] as string);
    if (piece.includes(ERRORS_MARKER)) piece = piece.split(ERRORS_MARKER).join(SECRET_MARKER);
    piece = piece.replace(EXTRA_SHAPES, SECRET_MARKER).replace(KEY_HEADER_VALUE, SECRET_MARKER);
    pieces[index] = piece;
  }
  return pieces.join(ERRORS_MARKER);
}
