/**
 * The simulator's structured answers: a JSON value that follows a request's JSON Schema, built from
 * the schema alone (the simulator has no model). Covers what structured-output schemas use: `type`
 * (one or a list), `properties` / `required`, `items`, `enum`, `const`, `anyOf` / `oneOf` /
 * `allOf` (the first branch), string lengths and numeric minimums, and local `$ref`s
 * (`#/$defs/…`, `#/definitions/…`). Without a schema the answer is a small object.
 */
import type { SimAnswer, SimParsedRequest } from './wire-format.js';

type Schema = Readonly<Record<string, unknown>>;

function isSchema(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** How deep nested objects and arrays go before the generator answers `null` (cyclic `$ref`s). */
const MAX_DEPTH = 8;

function resolveReference(reference: string, root: Schema): Schema | undefined {
  if (!reference.startsWith('#/')) return undefined;
  let node: unknown = root;
  for (const segment of reference.slice(2).split('/')) {
    if (!isSchema(node)) return undefined;
    node = node[segment.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return isSchema(node) ? node : undefined;
}

function stringValue(schema: Schema, text: string): string {
  const minimum = typeof schema.minLength === 'number' ? schema.minLength : 0;
  const maximum = typeof schema.maxLength === 'number' ? schema.maxLength : Infinity;
  let value = text === '' ? 'answer' : text;
  while (value.length < minimum) value += ' answer';
  return value.slice(0, Math.max(minimum, Math.min(maximum, value.length)));
}

function numberValue(schema: Schema, integer: boolean): number {
  const minimum = typeof schema.minimum === 'number' ? schema.minimum : typeof schema.exclusiveMinimum === 'number' ? schema.exclusiveMinimum + 1 : 1;
  const maximum = typeof schema.maximum === 'number' ? schema.maximum : Infinity;
  const value = Math.min(Math.max(1, minimum), maximum);
  return integer ? Math.ceil(value) : value;
}

function valueOf(schema: Schema, root: Schema, text: string, depth: number): unknown {
  if (depth > MAX_DEPTH) return null;
  if (typeof schema.$ref === 'string') {
    const target = resolveReference(schema.$ref, root);
    return target === undefined ? null : valueOf(target, root, text, depth + 1);
  }
  if ('const' in schema) return schema.const;
  const choices: unknown = schema.enum;
  if (Array.isArray(choices) && choices.length > 0) return choices[0] as unknown;
  for (const keyword of ['anyOf', 'oneOf', 'allOf'] as const) {
    const branches = schema[keyword];
    if (Array.isArray(branches) && isSchema(branches[0])) return valueOf({ ...schema, [keyword]: undefined, ...branches[0] }, root, text, depth + 1);
  }
  const types: unknown = schema.type;
  const declared: unknown = Array.isArray(types) ? ((types as unknown[]).find((type) => type !== 'null') ?? types[0]) : types;
  const type: unknown = declared ?? (isSchema(schema.properties) ? 'object' : schema.items === undefined ? undefined : 'array');
  switch (type) {
    case 'object': {
      const properties = isSchema(schema.properties) ? schema.properties : {};
      const value: Record<string, unknown> = {};
      for (const [name, property] of Object.entries(properties)) {
        if (isSchema(property)) value[name] = valueOf(property, root, text, depth + 1);
      }
      return value;
    }
    case 'array': {
      const count = typeof schema.minItems === 'number' ? Math.max(1, schema.minItems) : 1;
      const items = isSchema(schema.items) ? schema.items : {};
      return Array.from({ length: count }, () => valueOf(items, root, text, depth + 1));
    }
    case 'string':
      return stringValue(schema, text);
    case 'integer':
      return numberValue(schema, true);
    case 'number':
      return numberValue(schema, false);
    case 'boolean':
      return true;
    case 'null':
      return null;
    default:
      return text === '' ? 'answer' : text;
  }
}

/**
 * A JSON value following `schema` (any JSON object when there is none); strings say `text`.
 *
 * @example
 * structuredValue({ type: 'object', properties: { city: { type: 'string' }, days: { type: 'integer', minimum: 2 } } }, 'Echo: Paris')
 * // { city: 'Echo: Paris', days: 2 }
 */
export function structuredValue(schema: Schema | undefined, text: string): unknown {
  if (schema === undefined) return { answer: text };
  return valueOf(schema, schema, text, 0);
}

/** Answers shaped by the request's structured output (see `SimParsedRequest.structuredOutput`). */
export function structuredAnswer(request: SimParsedRequest, answer: SimAnswer): SimAnswer {
  const structured = request.structuredOutput;
  if (structured === undefined) return answer;
  const value = structuredValue(structured.schema, `Echo: ${request.lastUserText}`);
  if (structured.answerTool !== undefined) {
    const input = isSchema(value) ? (value as Record<string, unknown>) : { value };
    return { ...answer, text: '', toolCalls: [{ id: `toolu_${answer.id}`, name: structured.answerTool, arguments: input }], finishReason: 'tool_calls' };
  }
  // A turn asked to call a tool (`!tool`) calls it; the JSON answer comes on a later turn.
  if (answer.toolCalls.length > 0) return answer;
  const text = JSON.stringify(value);
  return { ...answer, text, finishReason: 'stop', usage: { ...answer.usage, outputTokens: Math.max(1, Math.ceil(text.length / 4)) } };
}
