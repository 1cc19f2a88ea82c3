/**
 * What a config error may show of the file: text with every secret replaced by `[redacted]` and
 * cut to a short prefix. The rule, applied to every problem's path and message:
 *
 * 1. the config's own secrets (see `findConfigSecrets`) are replaced wherever they occur;
 * 2. then anything shaped like a credential is replaced: the provider key shapes and registered
 *    secrets of `redactSecrets` and the further shapes of `redactSecretValues` (tokens, JWTs,
 *    PEM keys…), whether or not it is a value of the config (an alias name or a key can be);
 * 3. only then is the text cut, and characters before the cut that begin one of the config's
 *    secrets are replaced too, so no part of a secret survives at the edge.
 */
import { redactSecretValues, SECRET_MARKER } from '../redaction/secrets.js';
import { CONFIG_LIMITS } from './limits.js';

/** What a secret is replaced with. */
export const REDACTED = '[redacted]';

/** Marks a cut. */
export const ELLIPSIS = '…';

/** Secrets shorter than this are not searched for (they would match ordinary words). */
export const MIN_SECRET_LENGTH = 4;

/**
 * How far past the cut the credential shapes are searched: a shape that starts before the cut is
 * still recognised whole, while the pattern scan stays short on a huge value.
 */
const SCAN_MARGIN = 512;

/**
 * The text as an error may show it: redacted, then cut to `max` characters (`…` marks the cut).
 *
 * @example shownText('x'.repeat(100)) // 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…'
 */
export function shownText(text: string, secrets: readonly string[] = [], max: number = CONFIG_LIMITS.maxQuotedLength): string {
  const replaced = replaceSecrets(text, secrets);
  const scanned = replaced.length > max + SCAN_MARGIN ? replaced.slice(0, max + SCAN_MARGIN) : replaced;
  const redacted = redactShapes(scanned);
  if (redacted.length <= max && scanned === replaced) return redacted;
  return `${redactCutEdge(redacted.slice(0, max), secrets)}${ELLIPSIS}`;
}

/** A value quoted for an error message: `"…"`, redacted and at most 40 characters long. */
export function quoteValue(value: string, secrets: readonly string[] = []): string {
  return JSON.stringify(shownText(value, secrets));
}

function replaceSecrets(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    if (secret.length >= MIN_SECRET_LENGTH && result.includes(secret)) result = result.split(secret).join(REDACTED);
  }
  return result;
}

function redactShapes(text: string): string {
  const redacted = redactSecretValues(text);
  return redacted.includes(SECRET_MARKER) ? redacted.split(SECRET_MARKER).join(REDACTED) : redacted;
}

/** Replaces the end of `text` when it is the beginning of a secret (the rest was cut off). */
function redactCutEdge(text: string, secrets: readonly string[]): string {
  let cutAt = text.length;
  for (const secret of secrets) {
    if (secret.length <= MIN_SECRET_LENGTH) continue;
    // The longest end of `text` (at least MIN_SECRET_LENGTH characters) that begins this secret.
    for (let start = Math.max(0, text.length - secret.length + 1); start <= text.length - MIN_SECRET_LENGTH && start < cutAt; start += 1) {
      if (text.charCodeAt(start) === secret.charCodeAt(0) && secret.startsWith(text.slice(start))) {
        cutAt = start;
        break;
      }
    }
  }
  return cutAt === text.length ? text : `${text.slice(0, cutAt)}${REDACTED}`;
}
