/**
 * Type checks for the fields of a Chat Completions body. Each names the field by its JSON path
 * (`messages[2].content`) and says what was expected and what came, as an `invalid_request`.
 * `null` counts as absent wherever the API reference marks a field nullable.
 */
import { invalidRequest, type SwitchyardError } from '../../../errors.js';

/** A parsed JSON object. */
export type JsonObject = Record<string, unknown>;

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

/** A required non-empty string. */
export function requiredString(value: unknown, field: string): string {
  if (value === undefined || value === null) throw invalidRequest(field, 'required');
  if (typeof value !== 'string') throw wrongType(field, 'a string', value);
  if (value === '') throw invalidRequest(field, 'must not be empty');
  return value;
}

/** An optional string; `null` counts as absent. */
export function optionalString(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw wrongType(field, 'a string', value);
  return value;
}

/** An optional finite number; `null` counts as absent. */
export function optionalNumber(value: unknown, field: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw wrongType(field, 'a number', value);
  return value;
}

/** An optional whole number of at least 1; `null` counts as absent. */
export function optionalPositiveInteger(value: unknown, field: string): number | undefined {
  const number = optionalNumber(value, field);
  if (number !== undefined && (!Number.isInteger(number) || number < 1)) throw invalidRequest(field, `expected a whole number of at least 1, got ${number}`);
  return number;
}

/** An optional boolean; `null` counts as absent. */
export function optionalBoolean(value: unknown, field: string): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw wrongType(field, 'a boolean', value);
  return value;
}

/** An optional object; `null` counts as absent. */
export function optionalObject(value: unknown, field: string): JsonObject | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isJsonObject(value)) throw wrongType(field, 'an object', value);
  return value;
}

/** A required object. */
export function requiredObject(value: unknown, field: string): JsonObject {
  if (value === undefined || value === null) throw invalidRequest(field, 'required');
  if (!isJsonObject(value)) throw wrongType(field, 'an object', value);
  return value;
}
