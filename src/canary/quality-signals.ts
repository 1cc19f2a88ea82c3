/**
 * The answer-quality signals of one finished call, for the canary's quality guards
 * (`lengthFinishRate`, `contentFilterRate`, `emptyAnswerRate`, `invalidToolCallRate`,
 * `invalidOutputRate`): the candidate can answer 200 every time and still answer worse.
 *
 * The extractor runs on the canary's call-end path for every call of a canary route. The common case
 * (no tools offered, no tool calls, no structured output) reads a few fields and allocates only the
 * result. JSON Schemas (tool `parameters`, a structured-output schema) are compiled once with Ajv and
 * the validator cached: by schema object in a `WeakMap`, and by the schema's JSON text in a bounded
 * least-recently-used `Map` for callers that rebuild their schema objects on every request.
 *
 * Ajv is loaded on the first compile, not at import: its ~90 modules cost every
 * `import 'switchyard-llm'` about 40 ms of CPU, and most processes never validate a schema.
 */
import { createRequire } from 'node:module';
import type * as AjvModule from 'ajv';
import type * as Ajv2020Module from 'ajv/dist/2020.js';
import type { ChatRequest, ChatResponse, ToolCall, ToolDefinition } from '../types.js';

/** What one finished call says about answer quality. Every field is a plain boolean. */
export interface QualitySignals {
  /** Generation stopped at the token limit (`finishReason: 'length'`). */
  readonly lengthFinish: boolean;
  /** Generation stopped by the provider's content filter (`finishReason: 'content_filter'`). */
  readonly contentFilterFinish: boolean;
  /** The answer has no non-whitespace text and no tool calls. */
  readonly emptyAnswer: boolean;
  /**
   * At least one tool call names a tool the request did not offer, carries arguments that are not a
   * JSON object, or carries arguments that fail the tool's `parameters` schema. A tool whose schema
   * does not compile cannot be checked, so its calls never count as invalid.
   */
  readonly invalidToolCall: boolean;
  /** The request asked for structured output (a `responseFormat` of type `json` or `json_schema`). */
  readonly structuredOutput: boolean;
  /**
   * Structured output was asked for and the answer text does not parse as JSON, or does not validate
   * against the requested schema. Always false when `structuredOutput` is false.
   */
  readonly invalidOutput: boolean;
}

/**
 * Tells whether a value satisfies the schema it was compiled from.
 */
export type SchemaValidator = (value: unknown) => boolean;

/** Options of `createQualitySignals`. */
export interface QualitySignalsOptions {
  /**
   * Compiles a JSON Schema into a validator, throwing when the schema cannot be compiled (a throw
   * marks the schema as not checkable; it never escapes the extractor). Tests pass a wrapper around
   * `compileJsonSchema` to count compilations.
   * @default compileJsonSchema
   */
  readonly compile?: (schema: Record<string, unknown>) => SchemaValidator;
  /**
   * How many compiled schemas are kept by their JSON text (least recently used first out). Schema
   * objects that are reused are also found by identity, without this limit.
   * @default 256
   */
  readonly schemaCacheSize?: number;
}

/** The extractor: signals of one finished call. */
export type QualitySignalsExtractor = (request: ChatRequest, response: ChatResponse) => QualitySignals;

/**
 * The structured-output request a later change adds to `ChatRequest`. Until it lands it is read
 * structurally from `request.responseFormat` when a caller sets it (request validation ignores
 * fields it does not know, so such a request reaches the router unchanged).
 */
type ResponseFormat =
  | { readonly type: 'json' }
  | { readonly type: 'json_schema'; readonly schema: Record<string, unknown>; readonly name?: string; readonly strict?: boolean };

/** Options shared by both Ajv instances; see `compileJsonSchema`. */
const AJV_OPTIONS = {
  // Providers' schemas carry keywords JSON Schema does not define (`nullable`, `x-…`, `propertyOrdering`).
  strict: false,
  // Formats are annotations by default in 2020-12, and checking them needs another package.
  validateFormats: false,
  // A schema is judged by whether it compiles, not by a meta-schema; none are loaded.
  meta: false,
  validateSchema: false,
  // Schemas come from callers: never register their `$id`s (two requests may reuse one with different bodies).
  addUsedSchema: false,
  logger: false,
} as const;

let draft07: AjvModule.Ajv | undefined;
let draft2020: Ajv2020Module.Ajv2020 | undefined;

/** Loads a module synchronously, at its first use; the CommonJS build has `__filename` and an empty `import.meta`. */
function requireModule(id: string): unknown {
  return createRequire(typeof import.meta.url === 'string' ? import.meta.url : __filename)(id);
}

function draft07Ajv(): AjvModule.Ajv {
  return (draft07 ??= new (requireModule('ajv') as typeof AjvModule).Ajv(AJV_OPTIONS));
}

function draft2020Ajv(): Ajv2020Module.Ajv2020 {
  return (draft2020 ??= new (requireModule('ajv/dist/2020.js') as typeof Ajv2020Module).Ajv2020(AJV_OPTIONS));
}

/** Draft 4 to 7 by `$schema`; anything else (usually no `$schema`) is read as 2020-12. */
const OLDER_DRAFT = /json-schema\.org\/draft-0[4-7]\//;

/**
 * Compiles a JSON Schema with Ajv, strict mode off, formats not checked. The dialect follows
 * `$schema`: drafts 4–7 use Ajv's draft-07 class, anything else (including no `$schema`, the usual
 * case for tool schemas) draft 2020-12, the default dialect of MCP tool schemas and of zod 4's output.
 * Ajv's own by-object cache is emptied after each compile, so callers own the caching.
 *
 * @throws Error when the schema does not compile (unknown `type`, unresolvable `$ref`, invalid
 *   `pattern`...) or is asynchronous (`$async`).
 * @example
 * const isValid = compileJsonSchema({ type: 'object', required: ['city'] });
 * isValid({ city: 'Paris' }); // true
 */
export function compileJsonSchema(schema: Record<string, unknown>): SchemaValidator {
  const ajv = typeof schema.$schema === 'string' && OLDER_DRAFT.test(schema.$schema) ? draft07Ajv() : draft2020Ajv();
  try {
    const validate = ajv.compile(schema);
    if ((validate as { $async?: unknown }).$async === true) throw new Error('asynchronous schemas ($async) are not supported');
    return (value) => validate(value);
  } finally {
    ajv.removeSchema(schema);
  }
}

/** A cached compile: the validator, or `null` for a schema that does not compile (not checkable). */
type CompiledSchema = SchemaValidator | null;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Whether a UTF-16 code unit is whitespace as `\s` and `String.prototype.trim` see it. */
function isWhitespace(code: number): boolean {
  if (code <= 32) return code === 32 || (code >= 9 && code <= 13);
  if (code < 0xa0) return false;
  return code === 0xa0 || code === 0x1680 || (code >= 0x2000 && code <= 0x200a) || code === 0x2028 || code === 0x2029
    || code === 0x202f || code === 0x205f || code === 0x3000 || code === 0xfeff;
}

/** `text.trim() !== ''` without allocating the trimmed string. */
function hasVisibleText(text: string): boolean {
  for (let index = 0; index < text.length; index++) {
    if (!isWhitespace(text.charCodeAt(index))) return true;
  }
  return false;
}

function findTool(tools: readonly ToolDefinition[] | undefined, name: string): ToolDefinition | undefined {
  return tools?.find((tool) => tool.name === name);
}

/** The request's structured-output format, read structurally (see `ResponseFormat`). */
function responseFormatOf(request: ChatRequest): ResponseFormat | undefined {
  const format = (request as { readonly responseFormat?: unknown }).responseFormat;
  if (format === undefined || !isRecord(format)) return undefined;
  return format.type === 'json' || format.type === 'json_schema' ? (format as ResponseFormat) : undefined;
}

/**
 * Creates an extractor with its own schema cache. Most code wants the shared `qualitySignals`.
 *
 * @throws RangeError when `schemaCacheSize` is not a whole number ≥ 0.
 * @example
 * const extract = createQualitySignals({ schemaCacheSize: 64 });
 * extract(request, response).invalidToolCall; // false
 */
export function createQualitySignals(options: QualitySignalsOptions = {}): QualitySignalsExtractor {
  const compile = options.compile ?? compileJsonSchema;
  const cacheSize = options.schemaCacheSize ?? 256;
  if (!Number.isInteger(cacheSize) || cacheSize < 0) {
    throw new RangeError(`schemaCacheSize: expected a whole number ≥ 0, got ${String(cacheSize)}`);
  }
  const byObject = new WeakMap<object, CompiledSchema>();
  const byJson = new Map<string, CompiledSchema>();

  function compileOnce(schema: Record<string, unknown>): CompiledSchema {
    try {
      return compile(schema);
    } catch {
      return null;
    }
  }

  /** The schema's JSON text, or `undefined` when it has none (a cycle, a BigInt) or the JSON cache is off. */
  function jsonKey(schema: Record<string, unknown>): string | undefined {
    if (cacheSize === 0) return undefined;
    try {
      return JSON.stringify(schema);
    } catch {
      return undefined;
    }
  }

  function compiled(schema: Record<string, unknown>): CompiledSchema {
    const known = byObject.get(schema);
    if (known !== undefined) return known;
    const json = jsonKey(schema);
    let result: CompiledSchema | undefined;
    if (json !== undefined) {
      result = byJson.get(json);
      // Deleted and set again below: a Map iterates in insertion order, so the first key is the least recently used.
      if (result !== undefined) byJson.delete(json);
    }
    if (result === undefined) result = compileOnce(schema); // not `??=`: a cached `null` is an answer
    if (json !== undefined) {
      byJson.set(json, result);
      if (byJson.size > cacheSize) {
        const oldest = byJson.keys().next();
        if (oldest.done !== true) byJson.delete(oldest.value);
      }
    }
    byObject.set(schema, result);
    return result;
  }

  /** True when the value is known to fail the schema; a schema that does not compile cannot say so. */
  function failsSchema(schema: Record<string, unknown>, value: unknown): boolean {
    const validate = compiled(schema);
    if (validate === null) return false;
    try {
      return !validate(value);
    } catch {
      return false;
    }
  }

  function isInvalidToolCall(call: ToolCall, tools: readonly ToolDefinition[] | undefined): boolean {
    const tool = findTool(tools, call.name);
    if (tool === undefined) return true;
    // Adapters parse arguments into an object (malformed JSON fails the attempt); anything else here
    // is an adapter that could not.
    if (!isRecord(call.arguments)) return true;
    return isRecord(tool.parameters) && failsSchema(tool.parameters, call.arguments);
  }

  function isInvalidOutput(format: ResponseFormat, response: ChatResponse): boolean {
    // A turn that only calls tools has not given its final answer yet.
    if (response.toolCalls.length > 0 && !hasVisibleText(response.text)) return false;
    let value: unknown;
    try {
      value = JSON.parse(response.text);
    } catch {
      return true;
    }
    return format.type === 'json_schema' && isRecord(format.schema) && failsSchema(format.schema, value);
  }

  return (request, response) => {
    const { finishReason, toolCalls } = response;
    const invalidToolCall = toolCalls.some((toolCall) => isInvalidToolCall(toolCall, request.tools));
    const format = responseFormatOf(request);
    return {
      lengthFinish: finishReason === 'length',
      contentFilterFinish: finishReason === 'content_filter',
      emptyAnswer: toolCalls.length === 0 && !hasVisibleText(response.text),
      invalidToolCall,
      structuredOutput: format !== undefined,
      invalidOutput: format !== undefined && isInvalidOutput(format, response),
    };
  };
}

/**
 * The quality signals of one finished call, with a schema cache shared by every caller.
 *
 * `responseFormat` (`{ type: 'json' }` or `{ type: 'json_schema', schema }`) is read from the request
 * object structurally until `ChatRequest` declares it.
 *
 * @example
 * qualitySignals(request, response);
 * // { lengthFinish: false, contentFilterFinish: false, emptyAnswer: false,
 * //   invalidToolCall: true, structuredOutput: false, invalidOutput: false }
 */
export const qualitySignals: QualitySignalsExtractor = createQualitySignals();
