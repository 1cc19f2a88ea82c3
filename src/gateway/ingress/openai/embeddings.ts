/**
 * The Embeddings API (`POST /v1/embeddings`) ↔ `router.embed()`, per the API reference
 * (https://platform.openai.com/docs/api-reference/embeddings/create) and the `openai` SDK's
 * `EmbeddingCreateParams` / `CreateEmbeddingResponse`.
 *
 * Mapped: `model` (an embedding route or `provider/model`), `input` (a string or an array of
 * strings), `dimensions`, `encoding_format` (`float`, the default, or `base64`: each vector's
 * float32 values, little-endian, in base64, which is what the SDK asks for when its caller names no
 * format, and decodes), `user` (→ the call's end user). Token arrays as `input` are refused: the
 * gateway embeds text, and a token id means nothing to another provider's model.
 *
 * The gateway's own fields (the `openai` SDK sends unknown params as they are): `task_type` (one of
 * the unified `EMBEDDING_TASK_TYPES`: `query`, `document`, …) and `title` (with `task_type:
 * 'document'` only) become `taskType` and `title` (see docs/embeddings.md, "Task types").
 */
import { invalidRequest } from '../../../errors.js';
import type { Mutable } from '../../../mutable.js';
import { EMBEDDING_TASK_TYPES, type EmbeddingTaskType, type EmbedRequest, type EmbedResponse } from '../../../embedding-types.js';
import { isJsonObject, optionalPositiveInteger, optionalString, requiredString, wrongType } from '../request-fields.js';

/** How the vectors are written: JSON numbers, or base64 of their float32 bytes. */
export type EmbeddingEncoding = 'float' | 'base64';

/** What `parseEmbeddingsRequest` understood of a request body. */
export interface ParsedEmbeddingsRequest {
  readonly request: EmbedRequest;
  readonly encoding: EmbeddingEncoding;
  /** The body's `user`, for `CallOptions.user`. */
  readonly user?: string;
  /** The `model` as the client sent it; the answer names it back. */
  readonly requestedModel: string;
}

/** One vector of the answer. */
export interface EmbeddingObject {
  readonly object: 'embedding';
  readonly index: number;
  readonly embedding: readonly number[] | string;
}

/** The answer: `CreateEmbeddingResponse`. */
export interface EmbeddingsAnswer {
  readonly object: 'list';
  readonly data: readonly EmbeddingObject[];
  readonly model: string;
  readonly usage: { readonly prompt_tokens: number; readonly total_tokens: number };
}

function parseInput(value: unknown): string | string[] {
  if (value === undefined || value === null) throw invalidRequest('input', 'required: a string or an array of strings');
  if (typeof value === 'string') {
    if (value === '') throw invalidRequest('input', 'must not be an empty string');
    return value;
  }
  if (!Array.isArray(value)) throw wrongType('input', 'a string or an array of strings', value);
  if (value.length === 0) throw invalidRequest('input', 'must not be empty');
  return value.map((item: unknown, index) => {
    if (typeof item === 'number' || Array.isArray(item)) throw invalidRequest(`input[${index}]`, 'token arrays are not supported by the gateway; send the text');
    return requiredString(item, `input[${index}]`);
  });
}

function parseEncoding(value: unknown): EmbeddingEncoding {
  const encoding = optionalString(value, 'encoding_format') ?? 'float';
  if (encoding !== 'float' && encoding !== 'base64') throw invalidRequest('encoding_format', `unknown value '${encoding}'; expected 'float' or 'base64'`);
  return encoding;
}

function isTaskType(value: string): value is EmbeddingTaskType {
  return (EMBEDDING_TASK_TYPES as readonly string[]).includes(value);
}

/** `task_type` and `title`, checked here so that a refusal names the body's fields (the router's would name `taskType`). */
function parseTask(body: Readonly<Record<string, unknown>>): Pick<EmbedRequest, 'taskType' | 'title'> {
  const taskType = optionalString(body.task_type, 'task_type');
  if (taskType !== undefined && !isTaskType(taskType)) throw invalidRequest('task_type', `unknown value '${taskType}'; expected one of ${EMBEDDING_TASK_TYPES.join(', ')}`);
  const title = optionalString(body.title, 'title');
  if (title === undefined) return taskType === undefined ? {} : { taskType };
  if (title.trim() === '') throw invalidRequest('title', 'must not be empty');
  if (taskType !== 'document') throw invalidRequest('title', "a title describes documents: only with task_type 'document'");
  return { taskType, title };
}

/**
 * Reads an Embeddings request body.
 * @throws SwitchyardError `invalid_request` naming the field (`input[2]`, `dimensions`, `task_type`).
 */
export function parseEmbeddingsRequest(body: unknown): ParsedEmbeddingsRequest {
  if (!isJsonObject(body)) throw wrongType('body', 'a JSON object', body);
  const model = requiredString(body.model, 'model');
  const request: Mutable<EmbedRequest> = { model, input: parseInput(body.input) };
  const dimensions = optionalPositiveInteger(body.dimensions, 'dimensions');
  if (dimensions !== undefined) request.dimensions = dimensions;
  Object.assign(request, parseTask(body));
  const user = optionalString(body.user, 'user');
  const parsed: Mutable<ParsedEmbeddingsRequest> = { request, encoding: parseEncoding(body.encoding_format), requestedModel: model };
  if (user !== undefined && user !== '') parsed.user = user;
  return parsed;
}

/** A vector as base64 of its float32 values, little-endian (what OpenAI sends for `base64`). */
export function base64Float32(vector: readonly number[]): string {
  const bytes = Buffer.alloc(vector.length * 4);
  vector.forEach((value, index) => bytes.writeFloatLE(value, index * 4));
  return bytes.toString('base64');
}

/** The answer for `router.embed()`'s response; `model` is the name the client asked for. */
export function toEmbeddingsAnswer(response: EmbedResponse, requestedModel: string, encoding: EmbeddingEncoding): EmbeddingsAnswer {
  return {
    object: 'list',
    data: response.embeddings.map((vector, index) => ({ object: 'embedding', index, embedding: encoding === 'base64' ? base64Float32(vector) : vector })),
    model: requestedModel,
    usage: { prompt_tokens: response.usage.inputTokens, total_tokens: response.usage.totalTokens },
  };
}
