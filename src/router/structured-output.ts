/**
 * Structured output on the router's side: checking a request's `responseFormat` before any provider
 * is called, and turning an answer's text into `ChatResponse.object` (or an `invalid_output` error).
 *
 * Schemas are compiled with Ajv through `compileJsonSchema` (Ajv itself is loaded on the first
 * compile, not at import) and the validators cached: by schema object, and by the schema's JSON
 * text in a bounded map for callers that rebuild their schema objects on every request.
 */
import { compileJsonSchema, type SchemaValidator } from '../canary/quality-signals.js';
import { invalidRequest, SwitchyardError } from '../errors.js';
import type { ChatResponse, ResponseFormat } from '../types.js';
import { isRecord } from '../is-record.js';

/** How many compiled schemas are kept by their JSON text. */
const SCHEMA_CACHE_SIZE = 256;

const byObject = new WeakMap<object, SchemaValidator>();
const byJson = new Map<string, SchemaValidator>();

/**
 * The validator of a schema, compiled once.
 *
 * @throws Error when the schema does not compile.
 */
function validatorOf(schema: Record<string, unknown>): SchemaValidator {
  const known = byObject.get(schema);
  if (known !== undefined) return known;
  const json = JSON.stringify(schema);
  let validator = byJson.get(json);
  if (validator === undefined) {
    validator = compileJsonSchema(schema);
    byJson.set(json, validator);
    if (byJson.size > SCHEMA_CACHE_SIZE) byJson.delete(byJson.keys().next().value as string);
  }
  byObject.set(schema, validator);
  return validator;
}

/** The schema's name as sent upstream (OpenAI `json_schema.name`, Anthropic's forced tool). */
export function responseFormatName(format: ResponseFormat): string {
  return format.type === 'json_schema' && format.name !== undefined ? format.name : 'response';
}

/** Names OpenAI and Anthropic accept for a schema or tool: letters, digits, `_` and `-`, up to 64. */
const NAME = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Throws `invalid_request` naming the field when `responseFormat` is malformed, or its schema does
 * not compile (so a bad schema fails before any provider is paid for an answer).
 */
export function checkResponseFormat(format: unknown): void {
  if (!isRecord(format)) throw invalidRequest('responseFormat', 'expected { type: "json" } or { type: "json_schema", schema }');
  if (format.type === 'json') return;
  if (format.type !== 'json_schema') throw invalidRequest('responseFormat.type', `unknown type ${JSON.stringify(format.type)}; expected "json" or "json_schema"`);
  if (!isRecord(format.schema)) throw invalidRequest('responseFormat.schema', 'a JSON Schema object is required');
  if (format.name !== undefined && (typeof format.name !== 'string' || !NAME.test(format.name))) {
    throw invalidRequest('responseFormat.name', 'expected 1 to 64 letters, digits, "_" or "-"');
  }
  if (format.strict !== undefined && typeof format.strict !== 'boolean') throw invalidRequest('responseFormat.strict', 'expected a boolean');
  if (format.method !== undefined && format.method !== 'auto' && format.method !== 'native' && format.method !== 'tool') {
    throw invalidRequest('responseFormat.method', 'expected "auto", "native" or "tool"');
  }
  try {
    validatorOf(format.schema);
  } catch (error) {
    throw invalidRequest('responseFormat.schema', `the schema does not compile: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * The parsed value of a structured answer.
 *
 * @throws SwitchyardError `invalid_output.json` when the text is not JSON, `invalid_output.schema`
 *   when it does not validate against the schema. The answer's text is never put in the message.
 */
export function parseStructuredOutput(text: string, format: ResponseFormat): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // V8's parse message quotes the text: the answer's content stays out of errors and logs.
    throw new SwitchyardError({ category: 'invalid_output', code: 'invalid_output.json', message: `the answer is not valid JSON (${text.length} characters)` });
  }
  if (format.type === 'json_schema' && !validatorOf(format.schema)(value)) {
    throw new SwitchyardError({
      category: 'invalid_output',
      code: 'invalid_output.schema',
      message: `the answer is JSON but does not validate against responseFormat.schema "${responseFormatName(format)}"`,
    });
  }
  return value;
}

/**
 * The response with `object` set when the request asked for structured output; as it is otherwise.
 * A turn that only calls tools has not given its final answer yet, so it is left alone.
 *
 * @throws SwitchyardError `invalid_output` (see `parseStructuredOutput`).
 */
export function withStructuredOutput(response: ChatResponse, format: ResponseFormat | undefined): ChatResponse {
  if (format === undefined) return response;
  if (response.toolCalls.length > 0 && response.text.trim() === '') return response;
  return { ...response, object: parseStructuredOutput(response.text, format) };
}
