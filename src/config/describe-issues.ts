/**
 * Turns zod's issues into problems a person can act on: `expected a number ≥ 0`,
 * `unknown key "apikey" (did you mean "apiKey"?)`, `required`, `expected one of a | b`.
 * Messages describe the type of a wrong value, never the value itself, so a misplaced secret is
 * not echoed.
 */
import type { z } from 'zod';
import type { PathProblem, PathSegment } from './config-error.js';
import { quoteValue } from './redact-text.js';

type Issue = z.core.$ZodIssue;

/** Describes every issue; `data` is the validated input (to tell a missing value from a wrong one). */
export function describeIssues(issues: readonly Issue[], data: unknown, schema: z.ZodType): PathProblem[] {
  const problems: PathProblem[] = [];
  for (const issue of issues) problems.push(...describeIssue(issue, [], data, schema));
  return problems;
}

function toPath(path: readonly PropertyKey[]): PathSegment[] {
  return path.map((segment) => (typeof segment === 'number' ? segment : String(segment)));
}

function valueAt(data: unknown, path: readonly PathSegment[]): unknown {
  let current = data;
  for (const segment of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

function describeIssue(issue: Issue, prefix: readonly PathSegment[], data: unknown, schema: z.ZodType): PathProblem[] {
  const path = [...prefix, ...toPath(issue.path)];
  const value = valueAt(data, path);
  const missing = value === undefined;
  switch (issue.code) {
    case 'invalid_type':
      if (missing) return [{ path, message: 'required' }];
      if (issue.expected === 'int' && typeof value === 'number') return [{ path, message: 'expected a whole number' }];
      return [{ path, message: `expected ${expectedName(issue.expected)}, got ${describeValue(value)}` }];
    case 'too_small':
      return [{ path, message: boundMessage(issue.origin, issue.minimum, issue.inclusive ?? true, 'min') }];
    case 'too_big':
      return [{ path, message: boundMessage(issue.origin, issue.maximum, issue.inclusive ?? true, 'max') }];
    case 'invalid_value': {
      const choices = `one of ${issue.values.map((choice) => String(choice)).join(' | ')}`;
      if (missing) return [{ path, message: `required (${choices})` }];
      return [{ path, message: `${issue.values.length === 1 ? `expected ${String(issue.values[0])}` : `expected ${choices}`}${valueSuggestion(value, issue.values)}` }];
    }
    case 'unrecognized_keys': {
      const known = knownKeysAt(schema, path);
      return issue.keys.map((key) => ({ path: [...path, key], message: `unknown key ${quoteValue(key)}${suggestion(key, known)}`, atKey: true }));
    }
    case 'invalid_key':
      return [{ path, message: `invalid key: ${issue.issues.map((inner) => inner.message).join('; ')}`, atKey: true }];
    case 'invalid_union':
      return describeUnion(issue, path, data, schema);
    default:
      return [{ path, message: issue.message }];
  }
}

function describeUnion(issue: Extract<Issue, { code: 'invalid_union' }>, path: PathSegment[], data: unknown, schema: z.ZodType): PathProblem[] {
  const branches = issue.errors;
  const discriminator = (issue as { discriminator?: unknown }).discriminator;
  if (branches.length === 0 && typeof discriminator === 'string') return describeDiscriminator(discriminator, path, data, schema);
  if (branches.length === 0) return [{ path, message: 'matches more than one form; make it unambiguous' }];
  // A branch whose only issue is a type mismatch at the union itself did not apply at all.
  const atRoot = (branch: readonly Issue[]): boolean =>
    branch.length === 1 && branch[0] !== undefined && branch[0].path.length === 0 && (branch[0].code === 'invalid_type' || branch[0].code === 'invalid_value');
  const applicable = branches.filter((branch) => !atRoot(branch));
  const chosen = applicable[0];
  if (applicable.length === 1 && chosen !== undefined) return chosen.flatMap((inner) => describeIssue(inner, path, data, schema));
  const expectations = branches.flatMap((branch) => {
    const first = branch[0];
    if (first === undefined) return [];
    if (first.code === 'invalid_type') return [expectedName(first.expected)];
    if (first.code === 'invalid_value') return first.values.map((choice) => String(choice));
    return [];
  });
  // A missing value still names its choices (a provider's `type`: the built-in ones, or a custom name).
  if (valueAt(data, path) === undefined) return [{ path, message: requiredChoices(branches) }];
  return [{ path, message: `expected ${[...new Set(expectations)].join(' or ')}, got ${describeValue(valueAt(data, path))}` }];
}

/** `required (one of a | b, or a string)`: the listed values of a union's branches, then its other types. */
function requiredChoices(branches: readonly (readonly Issue[])[]): string {
  const values = new Set<string>();
  const types = new Set<string>();
  for (const branch of branches) {
    const first = branch[0];
    if (first?.code === 'invalid_value') for (const choice of first.values) values.add(String(choice));
    else if (first?.code === 'invalid_type') types.add(expectedName(first.expected));
  }
  const listed = [...(values.size === 0 ? [] : [`one of ${[...values].join(' | ')}`]), ...types];
  return listed.length === 0 ? 'required' : `required (${listed.join(', or ')})`;
}

function expectedName(expected: string): string {
  switch (expected) {
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    case 'int':
      return 'a whole number';
    case 'boolean':
      return 'true or false';
    case 'object':
    case 'record':
    case 'map':
      return 'a mapping';
    case 'array':
    case 'tuple':
      return 'a list';
    default:
      return expected;
  }
}

/** The kind of a value, without the value. */
function describeValue(value: unknown): string {
  if (value === null) return 'an empty value';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'string':
      return value === '' ? 'an empty string' : 'a string';
    case 'number':
      return Number.isNaN(value) ? 'NaN' : 'a number';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      return 'a mapping';
    default:
      return `a ${typeof value}`;
  }
}

function boundMessage(origin: string, bound: number | bigint | Date, inclusive: boolean, side: 'min' | 'max'): string {
  const amount = Number(bound);
  switch (origin) {
    case 'array':
    case 'set':
      return `expected at ${side === 'min' ? 'least' : 'most'} ${amount} ${amount === 1 ? 'item' : 'items'}`;
    case 'string':
      if (side === 'min' && amount === 1) return 'must not be empty';
      return `expected at ${side === 'min' ? 'least' : 'most'} ${amount} characters`;
    default: {
      const sign = side === 'min' ? (inclusive ? '≥' : '>') : inclusive ? '≤' : '<';
      return `expected a number ${sign} ${amount}`;
    }
  }
}

interface SchemaDefinition {
  readonly type: string;
  readonly shape?: Record<string, z.ZodType>;
  readonly innerType?: z.ZodType;
  readonly in?: z.ZodType;
  readonly valueType?: z.ZodType;
  readonly element?: z.ZodType;
  readonly options?: readonly z.ZodType[];
}

function definitionOf(schema: z.ZodType): SchemaDefinition {
  return schema._zod.def;
}

/** The object schemas a value at `path` may be checked against (several below a union). */
function objectSchemasAt(schema: z.ZodType, path: readonly PathSegment[]): z.ZodType[] {
  const definition = definitionOf(schema);
  const wrapped = definition.innerType ?? (definition.type === 'pipe' ? definition.in : undefined);
  if (wrapped !== undefined) return objectSchemasAt(wrapped, path);
  if (definition.type === 'union') return (definition.options ?? []).flatMap((option) => objectSchemasAt(option, path));
  const [head, ...rest] = path;
  if (head === undefined) return definition.type === 'object' ? [schema] : [];
  if (definition.type === 'object' && typeof head === 'string') {
    const child = definition.shape?.[head];
    return child === undefined ? [] : objectSchemasAt(child, rest);
  }
  if (definition.type === 'record' && definition.valueType !== undefined) return objectSchemasAt(definition.valueType, rest);
  if (definition.type === 'array' && definition.element !== undefined) return objectSchemasAt(definition.element, rest);
  return [];
}

/** The keys allowed at `path` (the path of the object, not of the unknown key). */
export function knownKeysAt(schema: z.ZodType, path: readonly PathSegment[]): string[] {
  const keys = objectSchemasAt(schema, path).flatMap((object) => Object.keys(definitionOf(object).shape ?? {}));
  return [...new Set(keys)];
}

/** A discriminated union whose tag (`type: antropic`) matches no branch: the allowed tags, and the closest. */
function describeDiscriminator(discriminator: string, path: PathSegment[], data: unknown, schema: z.ZodType): PathProblem[] {
  // zod puts the tag's key at the end of the issue's path; older versions stop at the object.
  const objectPath = path[path.length - 1] === discriminator ? path.slice(0, -1) : path;
  const tagPath = [...objectPath, discriminator];
  const value = valueAt(data, tagPath);
  const choices = literalValuesAt(schema, objectPath, discriminator);
  const listed = choices.length === 0 ? '' : ` (one of ${choices.join(' | ')})`;
  if (value === undefined) return [{ path: tagPath, message: `required${listed}` }];
  if (choices.length === 0) return [{ path: tagPath, message: 'matches none of the allowed forms' }];
  return [{ path: tagPath, message: `expected one of ${choices.join(' | ')}${valueSuggestion(value, choices)}` }];
}

/** The literal values a key of the object schemas at `path` may take (a union's tags). */
function literalValuesAt(schema: z.ZodType, path: readonly PathSegment[], key: string): string[] {
  const values = objectSchemasAt(schema, path).flatMap((object) => {
    const child = definitionOf(object).shape?.[key];
    if (child === undefined) return [];
    const definition = child._zod.def as unknown as { type: string; values?: readonly unknown[]; entries?: Record<string, unknown> };
    if (definition.type === 'literal') return (definition.values ?? []).map(String);
    if (definition.type === 'enum') return Object.values(definition.entries ?? {}).map(String);
    return [];
  });
  return [...new Set(values)];
}

/** ` (did you mean "anthropic"?)` for a string close to one of the allowed values; never echoes the value. */
function valueSuggestion(value: unknown, allowed: readonly unknown[]): string {
  if (typeof value !== 'string' || value === '' || value.length > 64) return '';
  const candidates = allowed.filter((choice): choice is string => typeof choice === 'string');
  const close = closest(value, candidates);
  return close === undefined ? '' : ` (did you mean ${JSON.stringify(close)}?)`;
}

/** The candidate equal ignoring case, else one within a small edit distance. */
export function closest(text: string, candidates: readonly string[]): string | undefined {
  const lower = text.toLowerCase();
  return (
    candidates.find((candidate) => candidate.toLowerCase() === lower) ??
    candidates.find((candidate) => Math.abs(candidate.length - text.length) <= 2 && editDistance(candidate.toLowerCase(), lower) <= Math.max(1, Math.min(2, Math.floor(candidate.length / 3))))
  );
}

function suggestion(key: string, known: readonly string[]): string {
  if (known.length === 0) return '';
  const lower = key.toLowerCase();
  // A key much longer than every candidate is no typo of one (and would make the distance costly).
  const close =
    known.find((candidate) => candidate.toLowerCase() === lower) ??
    known.find((candidate) => Math.abs(candidate.length - key.length) <= 2 && editDistance(candidate.toLowerCase(), lower) <= Math.min(2, Math.floor(candidate.length / 3)));
  if (close !== undefined) return ` (did you mean ${JSON.stringify(close)}?)`;
  return ` (allowed: ${known.join(', ')})`;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
