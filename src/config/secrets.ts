/**
 * Which config values are secrets. The rule is by place, the same for the raw file (after
 * `${VAR}` interpolation) and the resolved config:
 *
 * - a string under a key whose name looks like a credential: `apiKey`, the credential-bearing
 *   headers (`Authorization`, `api-key`, anything with key/token/secret/cookie/password in its
 *   name: `api[-_]?key`, not every "key"), the canary webhooks' `secret`;
 * - the audit pseudonymisation key (`audit.pseudonymize.key`, `pseudonymizeKey` once resolved);
 * - the gateway's admin key (`gateway.adminKey`) and its keys declared in the file (`gateway.keys[].key`);
 * - the password inside any URL (`redis://:password@host`).
 *
 * They are registered for redaction as soon as the config is interpolated, before anything can
 * fail, given to every `ConfigError`, left out of the version hash, and shown as `[redacted]` when
 * the resolved config is printed.
 */
import { registerSecret } from '../errors.js';
import { NO_API_KEY } from './api-key.js';
import { CONFIG_LIMITS } from './limits.js';

const SENSITIVE_HEADER = /authorization|api[-_]?key|token|secret|cookie|password/i;

/** Whether a header's value is a credential (by the header's name). */
export function isSensitiveHeader(name: string): boolean {
  return SENSITIVE_HEADER.test(name);
}

/** Whether a string under this key (inside a mapping under `parent`) is a secret. */
function isSecretPlace(name: string | undefined, parent: string | undefined): boolean {
  if (name === undefined) return false;
  // `apiKeys: [{ key, weight }]`: a key pool's weighted entries.
  if (name === 'key') return parent === 'pseudonymize' || parent === 'keys' || parent === 'apiKeys';
  return isSensitiveHeader(name) || name === 'pseudonymizeKey' || name === 'adminKey';
}

/** The password inside a URL, if it has one (decoded and as written). */
export function urlPasswords(text: string): string[] {
  if (!text.includes('@')) return [];
  try {
    const password = new URL(text).password;
    if (password === '') return [];
    let decoded = password;
    try {
      decoded = decodeURIComponent(password);
    } catch {
      // A malformed escape: the password as written is all there is.
    }
    return decoded === password ? [password] : [password, decoded];
  } catch {
    return [];
  }
}

interface Place {
  readonly value: unknown;
  readonly name: string | undefined;
  readonly parent: string | undefined;
  readonly depth: number;
}

/**
 * Every secret in a config value (raw, interpolated or resolved), by the rule above. Safe on any
 * input: shared and cyclic objects are visited once, and the walk stops at the depth limit and
 * after twice the most values a config may hold.
 */
export function findConfigSecrets(value: unknown): string[] {
  const found = new Set<string>();
  const seen = new WeakSet<object>();
  const stack: Place[] = [{ value, name: undefined, parent: undefined, depth: 0 }];
  // A value past the loader's bounds is refused anyway; looking further would only cost time.
  let budget = 2 * CONFIG_LIMITS.maxValues;
  for (let place = stack.pop(); place !== undefined && budget > 0; place = stack.pop(), budget -= 1) {
    const { value: current, name, parent, depth } = place;
    if (typeof current === 'string') {
      // `${VAR}` as written (or left unresolved) is a name, not a secret: registering it would
      // redact variable names and provider ids from every later error of the process.
      if (current.includes('${')) continue;
      // `apiKey: none` says "no key" (see api-key.ts): the word is not a secret to redact everywhere.
      if (current !== '' && isSecretPlace(name, parent) && !((name === 'apiKey' || name === 'apiKeys') && current.trim() === NO_API_KEY)) {
        found.add(current);
        // `Bearer <token>`, `Basic <credentials>`: the credential alone is a secret too.
        const credential = /^[A-Za-z][\w-]*\s+(\S.*)$/.exec(current.trim())?.[1];
        if (credential !== undefined) found.add(credential);
      }
      for (const password of urlPasswords(current)) found.add(password);
      continue;
    }
    if (typeof current !== 'object' || current === null || seen.has(current) || depth > CONFIG_LIMITS.maxDepth) continue;
    seen.add(current);
    if (Array.isArray(current)) {
      const items = current as unknown[];
      for (let index = 0; index < Math.min(items.length, budget); index += 1) stack.push({ value: items[index], name, parent, depth: depth + 1 });
    } else {
      for (const key of Object.keys(current).slice(0, budget)) stack.push({ value: (current as Record<string, unknown>)[key], name: key, parent: name, depth: depth + 1 });
    }
  }
  return [...found];
}

/**
 * Registers every secret found in a raw (interpolated, not yet validated) config for redaction
 * process-wide, and returns them (for the errors of this config).
 */
export function registerConfigSecrets(raw: unknown): string[] {
  const secrets = findConfigSecrets(raw);
  for (const secret of secrets) registerSecret(secret);
  return secrets;
}
