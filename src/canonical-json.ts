/**
 * Canonical JSON: the text `JSON.stringify` writes, with object keys sorted by UTF-16 code units at
 * every level. Equal values give equal text whatever the order their objects' keys were set in, and
 * an absent member equals one set to `undefined`. It is the one writer behind the config's
 * `versionHash`, the audit hash chain (record hashes, prompt and answer hashes) and cache keys.
 *
 * A value whose keys are already in order at every level (audit records are built that way) is
 * handed to the engine's own `JSON.stringify` after a check (a 1 KB audit record: ~3.9 µs, where
 * the walk took ~5.3); anything else is written by a walk that sorts each object's keys.
 */

/** Deeper than this, a value is written by the walk, which finds cycles. */
const MAX_ORDERED_DEPTH = 32;

/**
 * The canonical JSON text of `value`. Follows `JSON.stringify` in everything but key order:
 * `undefined`, functions and symbols are left out of objects and become `null` in arrays,
 * non-finite numbers become `null`, `toJSON()` is honoured, boxed primitives are unboxed; a value
 * with no JSON text of its own (`undefined` at the top) gives `null`.
 *
 * @throws TypeError on a cycle or a BigInt, as `JSON.stringify` does.
 * @example
 * canonicalJson({ b: 1, a: [{ d: undefined, c: 2 }] }) // '{"a":[{"c":2}],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  if (inCanonicalOrder(value, 0)) {
    // `JSON.stringify(undefined)` is undefined at run time, whatever its declared type says.
    const json = JSON.stringify(value) as string | undefined;
    return json ?? 'null';
  }
  return write(value, []) ?? 'null';
}

/**
 * Whether `JSON.stringify(value)` is already canonical: no `toJSON` anywhere, every object plain
 * (no prototype but `Object.prototype` or none) with its keys in sorted order, no BigInt, and not
 * deeper than `MAX_ORDERED_DEPTH` (so a cycle is never followed far).
 */
function inCanonicalOrder(value: unknown, depth: number): boolean {
  if (typeof value !== 'object' || value === null) return typeof value !== 'bigint';
  if (depth >= MAX_ORDERED_DEPTH) return false;
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return false;
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index += 1) if (!inCanonicalOrder(value[index], depth + 1)) return false;
    return true;
  }
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return false;
  const record = value as Record<string, unknown>;
  // for-in, not Object.keys: no array per object (a plain object inherits no enumerable keys).
  let previous: string | undefined;
  for (const key in record) {
    if (previous !== undefined && previous >= key) return false;
    previous = key;
    if (!inCanonicalOrder(record[key], depth + 1)) return false;
  }
  return true;
}

/** The same keys recur in every record and request: each is quoted once (up to a bound). */
const QUOTED_KEYS = new Map<string, string>();
const MAX_QUOTED_KEYS = 1_000;

function quotedKey(key: string): string {
  let quoted = QUOTED_KEYS.get(key);
  if (quoted === undefined) {
    quoted = JSON.stringify(key);
    if (QUOTED_KEYS.size < MAX_QUOTED_KEYS) QUOTED_KEYS.set(key, quoted);
  }
  return quoted;
}

/** Object keys sorted by UTF-16 code units, without sorting when they already are. */
function sortedKeys(record: object): string[] {
  const keys = Object.keys(record);
  for (let index = 1; index < keys.length; index += 1) {
    if ((keys[index - 1] as string) > (keys[index] as string)) return keys.sort();
  }
  return keys;
}

/** Writes one value; `undefined` means "leave out" (as `JSON.stringify` does for object members). */
function write(value: unknown, ancestors: object[]): string | undefined {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
    case 'bigint':
      throw new TypeError('canonical JSON: a BigInt cannot be serialised');
    default:
      break;
  }
  if (value === null) return 'null';
  const object = value as object;
  const toJson = (object as { toJSON?: unknown }).toJSON;
  if (typeof toJson === 'function') return write(toJson.call(object), ancestors);
  if (!Array.isArray(object) && isBoxedPrimitive(object)) return write((object as { valueOf(): unknown }).valueOf(), ancestors);
  // Searching the ancestors at every object would cost on every call; a cycle still gets this deep.
  if (ancestors.length >= MAX_ORDERED_DEPTH && ancestors.includes(object)) throw new TypeError('canonical JSON: the value contains a cycle');
  ancestors.push(object);
  let text: string;
  if (Array.isArray(object)) {
    text = '[';
    for (let index = 0; index < object.length; index += 1) {
      if (index > 0) text += ',';
      text += write(object[index], ancestors) ?? 'null';
    }
    text += ']';
  } else {
    const record = object as Record<string, unknown>;
    text = '{';
    let first = true;
    for (const key of sortedKeys(record)) {
      const member = write(record[key], ancestors);
      if (member === undefined) continue;
      if (!first) text += ',';
      text += quotedKey(key) + ':' + member;
      first = false;
    }
    text += '}';
  }
  ancestors.pop();
  return text;
}

/** `new Number(1)`, `new String('a')`, `new Boolean(true)`: written as the value they box, as `JSON.stringify` does. */
function isBoxedPrimitive(object: object): boolean {
  const prototype: unknown = Object.getPrototypeOf(object);
  return prototype !== Object.prototype && prototype !== null && (object instanceof Number || object instanceof String || object instanceof Boolean);
}
