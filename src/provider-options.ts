/**
 * `ChatRequest.providerOptions`: provider-specific request fields passed through to the upstream
 * body. The router checks them once (JSON only, no reserved fields); each adapter merges the entry
 * for its own provider type into the body it built. Shared by the router and the adapters, so it
 * lives outside both.
 */
import { invalidRequest } from './errors.js';
import type { ChatRequest } from './types.js';

/**
 * Fields an option may not set: the adapter owns what is called (`model`), the conversation
 * (`messages`, Gemini's `contents`, the Responses API's `input`) and the transport mode (`stream`);
 * letting an option change them would make the unified request lie about the call.
 */
const RESERVED_PROVIDER_OPTION_FIELDS: ReadonlySet<string> = new Set(['model', 'messages', 'contents', 'input', 'stream']);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** Throws `invalid_request` naming the first value JSON cannot carry as it is (a Date, a Map, NaN, a function, a cycle…). */
function checkJsonValue(value: unknown, field: string, seen: Set<object>): void {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw invalidRequest(field, 'expected a finite number');
    return;
  }
  if (typeof value !== 'object') throw invalidRequest(field, `expected a JSON value, got ${typeof value}`);
  if (seen.has(value)) throw invalidRequest(field, 'a JSON value cannot contain itself');
  if (Array.isArray(value)) {
    seen.add(value);
    value.forEach((item: unknown, index) => {
      checkJsonValue(item, `${field}[${index}]`, seen);
    });
    seen.delete(value);
    return;
  }
  if (!isPlainObject(value)) throw invalidRequest(field, 'expected a plain JSON object');
  seen.add(value);
  for (const [key, item] of Object.entries(value)) checkJsonValue(item, `${field}.${key}`, seen);
  seen.delete(value);
}

/**
 * Checks `providerOptions`: an object of plain objects, each holding JSON values only, none of them
 * a reserved field (`model`, `messages`, `contents`, `input`, `stream`).
 *
 * @throws SwitchyardError `invalid_request` naming the field (e.g. `providerOptions.openai.stream`).
 */
export function checkProviderOptions(options: unknown): void {
  if (options === undefined) return;
  if (!isPlainObject(options)) throw invalidRequest('providerOptions', 'expected an object keyed by provider type');
  for (const [type, fields] of Object.entries(options)) {
    const field = `providerOptions.${type}`;
    if (!isPlainObject(fields)) throw invalidRequest(field, 'expected an object of request fields');
    for (const [name, value] of Object.entries(fields)) {
      if (RESERVED_PROVIDER_OPTION_FIELDS.has(name)) throw invalidRequest(`${field}.${name}`, 'set by Switchyard itself; it cannot be passed through');
      checkJsonValue(value, `${field}.${name}`, new Set());
    }
  }
}

/** `target` with `source` merged in: plain objects merge field by field, anything else from `source` replaces. */
function mergeInto(target: Record<string, unknown>, source: Readonly<Record<string, unknown>>): void {
  for (const [name, value] of Object.entries(source)) {
    const current = target[name];
    if (isPlainObject(value) && isPlainObject(current)) {
      const merged = { ...current };
      mergeInto(merged, value);
      target[name] = merged;
    } else {
      target[name] = value;
    }
  }
}

/**
 * The request body with the caller's options for `providerType` merged in (the body is the call's
 * own, so it is changed in place and returned). The caller's explicit option wins over the field the
 * adapter set, objects merging field by field (e.g. Gemini's `generationConfig`). Without options for
 * this type the body is returned untouched.
 */
export function applyProviderOptions<T extends object>(body: T, options: ChatRequest['providerOptions'], providerType: string): T {
  const fields = options?.[providerType];
  if (fields === undefined) return body;
  mergeInto(body as Record<string, unknown>, fields);
  return body;
}
