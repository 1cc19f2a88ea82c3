/**
 * A resolved config prints without its secrets: `JSON.stringify(config)`, `util.inspect(config)`
 * and `console.log(config)` — of the whole config or of any object or list inside it — show
 * `[redacted]` where a secret is, while code reading `config.providers.openai.apiKey` still gets
 * the key. Every object and list of the config gets a non-enumerable `toJSON` and
 * `[util.inspect.custom]` that print a redacted copy; being non-enumerable, they change neither
 * `Object.keys`, spreading, deep equality nor the version hash.
 */
import { inspect } from 'node:util';
import { findConfigSecrets, urlPasswords } from './secrets.js';
import { MIN_SECRET_LENGTH, REDACTED } from './redact-text.js';

const MARKER = Symbol.for('switchyard.config.redacted-dump');

type Plain = Record<string, unknown> | unknown[];

function isPlain(value: unknown): value is Plain {
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) return true;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** Whether the objects of this config already print redacted. */
export function hasRedactedDumps(config: object): boolean {
  return Object.prototype.hasOwnProperty.call(config, MARKER);
}

/**
 * Makes every object and list of a (not yet frozen) config print redacted, with the secrets found
 * in it by `findConfigSecrets`. Returns the same object.
 */
export function withRedactedDumps<T extends object>(config: T): T {
  const secrets = findConfigSecrets(config);
  const seen = new WeakSet<object>();
  const attach = (node: Plain): void => {
    if (seen.has(node) || Object.isFrozen(node)) return;
    seen.add(node);
    Object.defineProperty(node, 'toJSON', { value: () => redactedCopy(node, secrets), enumerable: false });
    Object.defineProperty(node, inspect.custom, { value: () => redactedCopy(node, secrets), enumerable: false });
    for (const child of Object.values(node)) if (isPlain(child)) attach(child);
  };
  if (isPlain(config)) attach(config);
  Object.defineProperty(config, MARKER, { value: true, enumerable: false });
  return config;
}

/**
 * The same config as a redacting copy when `config` does not print redacted yet (a config built
 * by hand, or frozen before it was given its printers); otherwise `config` itself.
 */
export function ensureRedactedDumps<T extends object>(config: T): T {
  if (hasRedactedDumps(config)) return config;
  return deepFreeze(withRedactedDumps(plainCopy(config) as T));
}

function plainCopy(value: unknown, seen: Map<object, unknown> = new Map()): unknown {
  if (!isPlain(value)) return value;
  const known = seen.get(value);
  if (known !== undefined) return known;
  if (Array.isArray(value)) {
    const copy: unknown[] = [];
    seen.set(value, copy);
    for (const item of value) copy.push(plainCopy(item, seen));
    return copy;
  }
  const copy: Record<string, unknown> = {};
  seen.set(value, copy);
  for (const [key, item] of Object.entries(value)) copy[key] = plainCopy(item, seen);
  return copy;
}

function deepFreeze<T>(value: T, seen: WeakSet<object> = new WeakSet()): T {
  if (typeof value === 'object' && value !== null && !seen.has(value)) {
    seen.add(value);
    Object.freeze(value);
    for (const item of Object.values(value)) deepFreeze(item, seen);
  }
  return value;
}

/**
 * A plain copy with every secret, and every URL password, replaced by `[redacted]`. A webhook's
 * URL shows its origin only: Slack- and Teams-style URLs carry their token in the path.
 */
function redactedCopy(value: unknown, secrets: readonly string[], seen: Map<object, unknown> = new Map(), key?: string): unknown {
  if (typeof value === 'string') return redactString(value, secrets);
  if (!isPlain(value)) return value;
  const known = seen.get(value);
  if (known !== undefined) return known;
  if (Array.isArray(value)) {
    const copy: unknown[] = [];
    seen.set(value, copy);
    // Items of an array sit under the array's key (`webhooks: [...]`).
    for (const item of value) copy.push(redactedCopy(item, secrets, seen, key));
    return copy;
  }
  const copy: Record<string, unknown> = {};
  seen.set(value, copy);
  for (const [name, item] of Object.entries(value)) {
    copy[name] = key === 'webhooks' && name === 'url' && typeof item === 'string' ? webhookOrigin(item) : redactedCopy(item, secrets, seen, name);
  }
  return copy;
}

function webhookOrigin(url: string): string {
  try {
    return `${new URL(url).origin}/${REDACTED}`;
  } catch {
    return REDACTED;
  }
}

function redactString(text: string, secrets: readonly string[]): string {
  if (secrets.includes(text)) return REDACTED;
  let result = text;
  for (const password of urlPasswords(text)) result = result.split(`:${password}@`).join(`:${REDACTED}@`);
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    if (secret.length >= MIN_SECRET_LENGTH && result.includes(secret)) result = result.split(secret).join(REDACTED);
  }
  return result;
}
