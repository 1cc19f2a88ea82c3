/**
 * The secrets Switchyard keeps out of everything it produces, and the functions that take them out
 * of text.
 *
 * **Scope: one registry for the whole process.** `registerSecret` adds to a module-level set that
 * is never emptied, and every redaction (error messages and causes, audit records, canary
 * webhooks) reads that one set, whichever router the text came from. So one router's keys are also
 * scrubbed from another router's errors, and nothing ever unregisters a key. What each router
 * guarantees for itself does not rest on the others: its own credentials are registered when it is
 * built (`resolveConfig`/`loadConfig` register every secret of the config, each adapter registers its
 * `apiKey`, and each JSON endpoint the credential headers it sends), so a router's secrets are
 * redacted in every path even when it is the only router in the process. Two copies of the package
 * in one process have a registry each. The one exception to "never unregisters": credentials that
 * rotate are held in a slot (`replaceSlotSecrets`) whose secrets each renewal replaces, so expired
 * ones do not pile up.
 *
 * Three strengths, for three kinds of text:
 * - `redactSecrets`: whole registered secrets and the known key shapes. Cheap enough for prompts and
 *   answers of any size (audit content).
 * - `redactSecretFragments`: also any run of 8 or more characters of a registered secret, wherever
 *   it stands: what is left of a key that something else cut (an upstream's truncated echo,
 *   `JSON.parse`'s quote of a body's first characters, a body kept up to a byte limit). For short
 *   text: error messages. A run of fewer than 16 characters that is a word of the secret (letters
 *   between separators in the key itself, like `reasoning` in `gw-reasoning-test-key`) is left:
 *   otherwise every error naming `reasoning_effort` would lose it to a key someone chose.
 * - `redactAndClip`: redacts first, then cuts to a length, so a cut can never leave half a key.
 */

/** The marker a redacted secret leaves in text. */
export const REDACTED = '[redacted]';

/** Runs of at least this many characters of a registered secret are redacted wherever they stand. */
export const SECRET_FRAGMENT_LENGTH = 8;

/** Runs of a registered secret at least this long are redacted even when they read as words. */
const WORD_EXEMPTION_LIMIT = 16;

const SECRET_PATTERNS: readonly RegExp[] = [
  /sk-ant-[A-Za-z0-9_-]{8,}/g,
  /sk-(?:proj-)?[A-Za-z0-9_-]{16,}/g,
  /AIza[0-9A-Za-z_-]{20,}/g,
  /(?<=[?&](?:key|api[-_]?key)=)[^&\s"']+/gi,
  /(?<=\b(?:Bearer|bearer)\s)[A-Za-z0-9._~+/=-]{8,}/g,
];

/** Every secret redacted: the permanent ones and each slot's current ones. */
const registeredSecrets = new Set<string>();

/** Secrets registered with `registerSecret`: kept for the life of the process. */
const permanentSecrets = new Set<string>();

/** Each slot's current secrets (see `replaceSlotSecrets`). */
const slotSecrets = new Map<object, readonly string[]>();

/** The longest registered secret's length (how far past a cut a secret can reach). */
let longestSecret = 0;

/**
 * Every `SECRET_FRAGMENT_LENGTH`-character slice of a registered secret → where it occurs (secret,
 * offset). Built on first use after a registration: registrations are rare, lookups are not.
 */
let fragmentIndex: Map<string, Array<readonly [string, number]>> | undefined;

/**
 * Registers a secret (an API key, a credential header's value, a password) so that it is scrubbed
 * from every message Switchyard produces, even when it matches no known key shape. Process-wide
 * (see the module's TSDoc): a secret registered by one router is redacted for every router, and
 * stays registered. Values shorter than 4 characters are ignored.
 */
export function registerSecret(secret: string | undefined): void {
  if (secret === undefined || secret.length < 4 || permanentSecrets.has(secret)) return;
  permanentSecrets.add(secret);
  if (registeredSecrets.has(secret)) return; // already redacted as a slot's secret
  registeredSecrets.add(secret);
  longestSecret = Math.max(longestSecret, secret.length);
  fragmentIndex = undefined;
}

/**
 * Registers `secrets` as the current secrets of `slot` (any object its owner keeps, e.g. one per
 * credential source), replacing those the slot held: for credentials that rotate, so a
 * long-running process does not keep every expired key. The new secrets are redacted as soon as
 * this returns; a replaced one stops being redacted unless `registerSecret` or another slot holds
 * it. Values shorter than 4 characters are ignored, as by `registerSecret`.
 */
export function replaceSlotSecrets(slot: object, secrets: ReadonlyArray<string | undefined>): void {
  const current = secrets.filter((secret): secret is string => secret !== undefined && secret.length >= 4);
  const previous = slotSecrets.get(slot) ?? [];
  if (current.length === previous.length && current.every((secret, index) => secret === previous[index])) return;
  slotSecrets.set(slot, current);
  // Rebuilt from scratch: renewals are rare (minutes to hours apart) and the sets are small.
  registeredSecrets.clear();
  for (const secret of permanentSecrets) registeredSecrets.add(secret);
  for (const held of slotSecrets.values()) for (const secret of held) registeredSecrets.add(secret);
  longestSecret = 0;
  for (const secret of registeredSecrets) longestSecret = Math.max(longestSecret, secret.length);
  fragmentIndex = undefined;
}

/**
 * Registers the credential of a header value: the value itself and, for `<scheme> <credential>`
 * values (`Bearer sk-…`, `Basic …`), the credential alone.
 */
export function registerHeaderSecret(value: string): void {
  registerSecret(value);
  const credential = /^[A-Za-z][\w-]*\s+(\S.*)$/.exec(value.trim())?.[1];
  if (credential !== undefined) registerSecret(credential);
}

/** Replaces anything that looks like a provider key, or was registered as a secret, with `[redacted]`. */
export function redactSecrets(text: string): string {
  let result = text;
  for (const secret of registeredSecrets) {
    if (result.includes(secret)) result = result.split(secret).join(REDACTED);
  }
  return redactKeyShapes(result);
}

function redactKeyShapes(text: string): string {
  let result = text;
  for (const pattern of SECRET_PATTERNS) result = result.replace(pattern, REDACTED);
  return result;
}

function fragments(): Map<string, Array<readonly [string, number]>> {
  if (fragmentIndex !== undefined) return fragmentIndex;
  const index = new Map<string, Array<readonly [string, number]>>();
  for (const secret of registeredSecrets) {
    for (let offset = 0; offset + SECRET_FRAGMENT_LENGTH <= secret.length; offset += 1) {
      const slice = secret.slice(offset, offset + SECRET_FRAGMENT_LENGTH);
      const places = index.get(slice);
      if (places === undefined) index.set(slice, [[secret, offset]]);
      else places.push([secret, offset]);
    }
  }
  fragmentIndex = index;
  return index;
}

function isAlphanumeric(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

/** Whether two characters are the same letter in any case (or the same character). */
function sameLetter(left: number, right: number): boolean {
  return left === right || ((left | 0x20) === (right | 0x20) && (left | 0x20) >= 97 && (left | 0x20) <= 122);
}

/**
 * Words joined by single separators, each word lower-case, capitalised or upper-case (`reasoning`,
 * `max_tokens`, `Reasoning-Effort`, `GATEWAY`); not a mix like `zqLongKey`, which is how random
 * letters look.
 */
const WORDS = /^(?:[a-z]+|[A-Z][a-z]+|[A-Z]+)(?:[^A-Za-z0-9](?:[a-z]+|[A-Z][a-z]+|[A-Z]+))*$/;

/**
 * Whether the run `secret[start, end)` found in a text is a word someone put in the key rather than
 * a remnant of its random part: shorter than 16 characters once separators at its ends are trimmed,
 * letters only (words joined by separators), standing between separators or the secret's edges in
 * the secret itself, and not the whole secret. A cut key's remnant ends where the cut fell, almost
 * always inside a token of the key, so it is still redacted; so is any run with a digit in it.
 */
function isWordOfSecret(secret: string, start: number, end: number): boolean {
  let from = start;
  let to = end;
  while (from < to && !isAlphanumeric(secret.charCodeAt(from))) from += 1;
  while (to > from && !isAlphanumeric(secret.charCodeAt(to - 1))) to -= 1;
  if (to - from >= WORD_EXEMPTION_LIMIT || (from === 0 && to === secret.length)) return false;
  const standsAlone = (from === 0 || !isAlphanumeric(secret.charCodeAt(from - 1))) && (to === secret.length || !isAlphanumeric(secret.charCodeAt(to)));
  return standsAlone && WORDS.test(secret.slice(from, to));
}

/** Where runs of ≥ `SECRET_FRAGMENT_LENGTH` characters of a registered secret stand in `text`, merged; runs that are words of the secret (`isWordOfSecret`) are left out. */
function fragmentSpans(text: string, index: ReadonlyMap<string, ReadonlyArray<readonly [string, number]>>): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  let position = 0;
  while (position + SECRET_FRAGMENT_LENGTH <= text.length) {
    const places = index.get(text.slice(position, position + SECRET_FRAGMENT_LENGTH));
    if (places === undefined) {
      position += 1;
      continue;
    }
    let start = position;
    let end = position + SECRET_FRAGMENT_LENGTH;
    let secretLike = false;
    for (const [secret, offset] of places) {
      // Grow the match both ways for as long as text and secret agree.
      let left = position;
      let from = offset;
      for (; left > 0 && from > 0 && text.charCodeAt(left - 1) === secret.charCodeAt(from - 1); from -= 1) left -= 1;
      let right = position + SECRET_FRAGMENT_LENGTH;
      let to = offset + SECRET_FRAGMENT_LENGTH;
      for (; right < text.length && to < secret.length && text.charCodeAt(right) === secret.charCodeAt(to); to += 1) right += 1;
      start = Math.min(start, left);
      end = Math.max(end, right);
      // Judged on the run grown regardless of case, so that `Reasoning` is the word `reasoning` of a
      // key (not its fragment `easoning`); left only when it is a word of every secret it matches.
      for (let at = left; at > 0 && from > 0 && sameLetter(text.charCodeAt(at - 1), secret.charCodeAt(from - 1)); at -= 1) from -= 1;
      for (let at = right; at < text.length && to < secret.length && sameLetter(text.charCodeAt(at), secret.charCodeAt(to)); at += 1) to += 1;
      if (!isWordOfSecret(secret, from, to)) secretLike = true;
    }
    if (secretLike) spans.push([start, end]);
    position = Math.max(position + 1, end - SECRET_FRAGMENT_LENGTH + 1);
  }
  spans.sort((left, right) => left[0] - right[0]);
  const merged: Array<[number, number]> = [];
  for (const span of spans) {
    const last = merged[merged.length - 1];
    if (last !== undefined && span[0] <= last[1]) last[1] = Math.max(last[1], span[1]);
    else merged.push(span);
  }
  return merged;
}

/**
 * `redactSecrets`, and also every run of 8 or more characters of a registered secret wherever it
 * stands (a key another component cut, at either edge of the cut), except a run of fewer than 16
 * characters that is a word of the secret (letters between separators in the key itself, e.g.
 * `reasoning` of `gw-reasoning-key-01`; a whole secret is always redacted). Secrets shorter than 8
 * characters are redacted whole only. Costs one map lookup per character: for error messages and other short
 * text, not for prompts.
 */
export function redactSecretFragments(text: string): string {
  let result = text;
  for (const secret of registeredSecrets) {
    if (secret.length < SECRET_FRAGMENT_LENGTH && result.includes(secret)) result = result.split(secret).join(REDACTED);
  }
  if (longestSecret >= SECRET_FRAGMENT_LENGTH && result.length >= SECRET_FRAGMENT_LENGTH) {
    const spans = fragmentSpans(result, fragments());
    if (spans.length > 0) {
      let redacted = '';
      let copied = 0;
      for (const [start, end] of spans) {
        redacted += `${result.slice(copied, start)}${REDACTED}`;
        copied = end;
      }
      result = redacted + result.slice(copied);
    }
  }
  return redactKeyShapes(result);
}

/**
 * Text that may quote a secret, made short and safe: redacted *first* (`redactSecretFragments`),
 * then cut to `maxLength` characters, never inside a `[redacted]` marker, with `ellipsis` added
 * when something was cut; the cut text is checked again, so no prefix of a registered secret of 8
 * or more characters can stand at the cut edge. Only a window a little longer than `maxLength` is
 * scanned, so a 64 KiB body costs what its first characters cost.
 *
 * @example
 * registerSecret('sk-test-0123456789abcdefghij');
 * redactAndClip('bad key sk-test-0123456789abcdefghij, try again', 20); // 'bad key [redacted], …'
 */
export function redactAndClip(text: string, maxLength: number, ellipsis = '…'): string {
  const window = text.length > maxLength + longestSecret + 1024 ? text.slice(0, maxLength + longestSecret + 1024) : text;
  const redacted = redactSecretFragments(window);
  if (redacted.length <= maxLength && window.length === text.length) return redacted;
  let cut = Math.min(maxLength, redacted.length);
  const marker = redacted.lastIndexOf(REDACTED, cut - 1);
  if (marker >= 0 && marker < cut && marker + REDACTED.length > cut) cut = marker;
  // Never split a surrogate pair.
  const last = redacted.charCodeAt(cut - 1);
  if (cut > 0 && last >= 0xd800 && last <= 0xdbff) cut -= 1;
  return `${redactSecretFragments(redacted.slice(0, cut))}${ellipsis}`;
}

/** Error messages are cut (after redaction) to this many characters. */
const MAX_ERROR_TEXT = 4096;

/**
 * A `JSON.parse` error quotes the first characters of the text it failed on (`Unexpected token 's',
 * "sk-test-ab"... is not valid JSON`): the start of a body, which can be a key. The quote, from the
 * first `"` (or the `..."` before it) to the end, is dropped. Anchored, so a message full of `"`
 * that is not such an error is read a few times, not once per `"` (which was quadratic).
 */
const JSON_QUOTE = /^([^"]*?)(?:\.\.\.)?"[\s\S]*"(?:\.\.\.)? is not valid JSON$/;

/**
 * What every error message and code Switchyard produces goes through: a `JSON.parse` error's quote of
 * the text is dropped, then registered secrets (whole or any ≥ 8-character run) and key shapes are
 * redacted. Messages longer than 4,096 characters are cut (after redaction).
 */
export function redactErrorText(text: string): string {
  const unquoted = text.endsWith(' is not valid JSON') ? text.replace(JSON_QUOTE, '$1(the text) is not valid JSON') : text;
  return redactAndClip(unquoted, MAX_ERROR_TEXT);
}
