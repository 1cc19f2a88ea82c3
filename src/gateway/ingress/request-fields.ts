/**
 * Type checks for the fields of a request body, shared by the OpenAI and Anthropic ingresses. Each
 * failure is an `invalid_request` whose `field` is the JSON path (`messages[1].content[0].source.data`)
 * and whose message says what was expected and what came. `null` counts as absent everywhere: for an
 * optional field it is no value, for a required one it is a missing value (OpenAI's reference marks
 * most optional fields nullable, and SDKs in other languages send `null` for unset ones).
 */
import { invalidRequest, type SwitchyardError } from '../../errors.js';

/** A parsed JSON object. */
export type JsonObject = Readonly<Record<string, unknown>>;

/** Whether a value is a JSON object (not `null`, not an array). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** What a value is, for messages: `a number`, `null`, `an array`. */
export function describeJson(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'a boolean';
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}

/** An `invalid_request` for a field of the wrong type. */
export function wrongType(field: string, expected: string, value: unknown): SwitchyardError {
  return invalidRequest(field, `expected ${expected}, got ${describeJson(value)}`);
}

/** `parent.key`, or `parent["key"]` when the key is not a plain name. */
export function childPath(parent: string, key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`;
}

function isAbsent(value: unknown): value is undefined | null {
  return value === undefined || value === null;
}

/** A required string; `""` is refused unless `allowEmpty`. */
export function requiredString(value: unknown, field: string, options: { readonly allowEmpty: boolean } = { allowEmpty: false }): string {
  if (isAbsent(value)) throw invalidRequest(field, 'required');
  if (typeof value !== 'string') throw wrongType(field, 'a string', value);
  if (!options.allowEmpty && value === '') throw invalidRequest(field, 'must not be empty');
  return value;
}

/** An optional string. */
export function optionalString(value: unknown, field: string): string | undefined {
  if (isAbsent(value)) return undefined;
  if (typeof value !== 'string') throw wrongType(field, 'a string', value);
  return value;
}

/** An optional finite number. */
export function optionalNumber(value: unknown, field: string): number | undefined {
  if (isAbsent(value)) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw wrongType(field, 'a number', value);
  return value;
}

/** An optional number within `[min, max]`. */
export function optionalNumberInRange(value: unknown, field: string, min: number, max: number): number | undefined {
  const number = optionalNumber(value, field);
  if (number !== undefined && (number < min || number > max)) throw invalidRequest(field, `expected a number from ${min} to ${max}, got ${number}`);
  return number;
}

/** An optional whole number of at least 1. */
export function optionalPositiveInteger(value: unknown, field: string): number | undefined {
  const number = optionalNumber(value, field);
  if (number !== undefined && (!Number.isInteger(number) || number < 1)) throw invalidRequest(field, `expected a whole number of at least 1, got ${number}`);
  return number;
}

/** A required whole number ≥ 1; `missing` is the message when it is absent. */
export function requiredPositiveInteger(value: unknown, field: string, missing: string): number {
  if (isAbsent(value)) throw invalidRequest(field, missing);
  if (typeof value !== 'number' || !Number.isInteger(value)) throw wrongType(field, 'a whole number', value);
  if (value < 1) throw invalidRequest(field, `expected a whole number ≥ 1, got ${value}`);
  return value;
}

/** An optional boolean. */
export function optionalBoolean(value: unknown, field: string): boolean | undefined {
  if (isAbsent(value)) return undefined;
  if (typeof value !== 'boolean') throw wrongType(field, 'a boolean', value);
  return value;
}

/** An optional object. */
export function optionalObject(value: unknown, field: string): JsonObject | undefined {
  if (isAbsent(value)) return undefined;
  if (!isJsonObject(value)) throw wrongType(field, 'an object', value);
  return value;
}

/** A required object. */
export function requiredObject(value: unknown, field: string): JsonObject {
  if (isAbsent(value)) throw invalidRequest(field, 'required');
  if (!isJsonObject(value)) throw wrongType(field, 'an object', value);
  return value;
}

/** A required array; `nonEmpty` refuses `[]`. */
export function requiredArray(value: unknown, field: string, options: { readonly nonEmpty: boolean }): readonly unknown[] {
  if (isAbsent(value)) throw invalidRequest(field, 'required');
  if (!Array.isArray(value)) throw wrongType(field, 'an array', value);
  if (options.nonEmpty && value.length === 0) throw invalidRequest(field, 'must not be empty');
  return value;
}

/** An optional list of strings. */
export function optionalStringList(value: unknown, field: string): readonly string[] | undefined {
  if (isAbsent(value)) return undefined;
  if (!Array.isArray(value)) throw wrongType(field, 'an array of strings', value);
  value.forEach((item: unknown, index) => {
    if (typeof item !== 'string') throw wrongType(`${field}[${index}]`, 'a string', item);
  });
  return value as readonly string[];
}
