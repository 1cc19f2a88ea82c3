/**
 * Type checks for the fields of a Messages API body. Each failure is an `invalid_request` whose
 * `field` is the JSON path (`messages[1].content[0].source.data`) and whose message says what was
 * expected and what came.
 */
import { invalidRequest, type SwitchyardError } from '../../../errors.js';

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
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

/** An `invalid_request` for a field of the wrong type. */
export function wrongType(field: string, expected: string, value: unknown): SwitchyardError {
  return invalidRequest(field, `expected ${expected}, got ${describeJson(value)}`);
}

/** A required JSON object. */
export function requiredObject(value: unknown, field: string): JsonObject {
  if (value === undefined) throw invalidRequest(field, 'required');
  if (!isJsonObject(value)) throw wrongType(field, 'an object', value);
  return value;
}

/** A required string; `allowEmpty` says whether `""` is acceptable. */
export function requiredString(value: unknown, field: string, options: { readonly allowEmpty: boolean }): string {
  if (value === undefined) throw invalidRequest(field, 'required');
  if (typeof value !== 'string') throw wrongType(field, 'a string', value);
  if (!options.allowEmpty && value === '') throw invalidRequest(field, 'must not be empty');
  return value;
}

/** An optional string; `null` counts as absent (the reference marks these fields nullable). */
export function optionalString(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw wrongType(field, 'a string', value);
  return value;
}

/** An optional boolean. */
export function optionalBoolean(value: unknown, field: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') throw wrongType(field, 'a boolean', value);
  return value;
}

/** An optional number within `[min, max]`. */
export function optionalNumberInRange(value: unknown, field: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw wrongType(field, 'a number', value);
  if (value < min || value > max) throw invalidRequest(field, `expected a number from ${min} to ${max}, got ${value}`);
  return value;
}

/** A required whole number ≥ 1. */
export function requiredPositiveInteger(value: unknown, field: string, missing: string): number {
  if (value === undefined) throw invalidRequest(field, missing);
  if (typeof value !== 'number' || !Number.isInteger(value)) throw wrongType(field, 'a whole number', value);
  if (value < 1) throw invalidRequest(field, `expected a whole number ≥ 1, got ${value}`);
  return value;
}

/** A required array; `nonEmpty` rejects `[]`. */
export function requiredArray(value: unknown, field: string, options: { readonly nonEmpty: boolean }): readonly unknown[] {
  if (value === undefined) throw invalidRequest(field, 'required');
  if (!Array.isArray(value)) throw wrongType(field, 'an array', value);
  if (options.nonEmpty && value.length === 0) throw invalidRequest(field, 'must not be empty');
  return value;
}

/** An optional list of strings. */
export function optionalStringList(value: unknown, field: string): readonly string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) throw wrongType(field, 'an array of strings', value);
  value.forEach((item: unknown, index) => {
    if (typeof item !== 'string') throw wrongType(`${field}[${index}]`, 'a string', item);
  });
  return value as readonly string[];
}
