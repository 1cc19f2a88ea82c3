/**
 * The simulator's embedding endpoints, written from the providers' API references: OpenAI and
 * OpenAI-compatible `POST /v1/embeddings` (and `/embeddings`), Azure OpenAI
 * `POST /openai/deployments/{deployment}/embeddings?api-version=…`, Gemini
 * `POST /{v1beta|v1}/models/{model}:batchEmbedContents` and `:embedContent`.
 *
 * Vectors are deterministic: each is drawn from a generator seeded by the SHA-256 of its input
 * text, then scaled to unit length, so the same text always gets the same vector (whatever the
 * model, which lets tests compare vectors across targets) and a shorter `dimensions` is a
 * different vector, as with real models. A Gemini `taskType` (and, with RETRIEVAL_DOCUMENT, a
 * `title`) seeds the vector too, as real task types change the vector, so a test can see they were
 * sent; an unknown task type is a 400. Usage counts words, as the chat formats do.
 */
import { createHash } from 'node:crypto';
import type { SimFormatName, SimParsedRequest, SimRouteMatch, WireFormat } from '../wire-format.js';
import { azureOpenAIFormat } from './azure-openai.js';
import { geminiFormat } from './gemini.js';
import { openAIFormat } from './openai.js';
import { countWords, isObject } from './wire-helpers.js';

/** Vector length when the request names none: OpenAI `text-embedding-3-small`'s 1536, Gemini `text-embedding-004`'s 768. */
const OPENAI_DEFAULT_DIMENSIONS = 1536;
const GEMINI_DEFAULT_DIMENSIONS = 768;

/** Gemini's batch limit, enforced as the service does. */
const GEMINI_MAX_BATCH = 100;
/** OpenAI's per-request input limit. */
const OPENAI_MAX_INPUTS = 2048;

/**
 * The task types of Gemini's `TaskType` and Vertex AI's `task_type`
 * (https://ai.google.dev/api/embeddings#tasktype; the same list in
 * https://cloud.google.com/vertex-ai/generative-ai/docs/model-reference/text-embeddings-api).
 */
export const GOOGLE_TASK_TYPES: ReadonlySet<unknown> = new Set(['RETRIEVAL_QUERY', 'RETRIEVAL_DOCUMENT', 'SEMANTIC_SIMILARITY', 'CLASSIFICATION', 'CLUSTERING', 'QUESTION_ANSWERING', 'FACT_VERIFICATION', 'CODE_RETRIEVAL_QUERY']);

/** The task an input was embedded for (Gemini, Vertex AI); its title counts with RETRIEVAL_DOCUMENT only, where the references apply it. */
export interface SimEmbedTask {
  readonly taskType?: string;
  readonly title?: string;
}

/** What an embedding endpoint understood of a request. */
interface SimEmbedRequest extends SimParsedRequest {
  readonly inputs: readonly string[];
  /** Per input, the task it named (Gemini); empty when none did. */
  readonly tasks: readonly (SimEmbedTask | undefined)[];
  readonly dimensions: number;
  /** Gemini `:embedContent`: one input, answered as `embedding`, not `embeddings`. */
  readonly single: boolean;
}

/** The simulator's vector for `text` (for `task`, when given): deterministic, unit length. */
export function simulatedEmbedding(text: string, dimensions: number, task?: SimEmbedTask): number[] {
  const hasher = createHash('sha256').update(text);
  // No task: the very vector of before tasks were simulated, so vectors stay comparable across formats.
  if (task?.taskType !== undefined) hasher.update(`\u0000${task.taskType}\u0000${task.taskType === 'RETRIEVAL_DOCUMENT' ? (task.title ?? '') : ''}`);
  const seed = hasher.digest();
  let state = seed.readUInt32LE(0) ^ dimensions;
  const vector: number[] = [];
  let norm = 0;
  for (let index = 0; index < dimensions; index += 1) {
    // mulberry32: small, fast and good enough for test vectors.
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    const value = ((t ^ (t >>> 14)) >>> 0) / 4294967296 - 0.5;
    vector.push(value);
    norm += value * value;
  }
  const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  return vector.map((value) => value * scale);
}

function embedRequest(model: string, inputs: readonly string[], dimensions: number, single: boolean, tasks: readonly (SimEmbedTask | undefined)[] = []): SimEmbedRequest {
  const inputTokens = inputs.reduce((sum, text) => sum + countWords(text), 0);
  return { model, stream: false, lastUserText: inputs[inputs.length - 1] ?? '', toolNames: [], inputTokens, inputs, tasks, dimensions, single };
}

/** OpenAI-format body: `input` (string or strings), `model` unless in the path, `dimensions`. */
function parseOpenAIBody(body: unknown, pathModel: string | undefined): SimEmbedRequest | string {
  if (!isObject(body)) return 'request body must be a JSON object';
  const model = pathModel ?? body.model;
  if (typeof model !== 'string' || model === '') return "'model' is required";
  const input = body.input;
  const inputs = typeof input === 'string' ? [input] : Array.isArray(input) && input.every((item) => typeof item === 'string') ? input : undefined;
  if (inputs === undefined || inputs.length === 0) return "'input' must be a string or a non-empty array of strings";
  if (inputs.length > OPENAI_MAX_INPUTS) return `'input' must have at most ${OPENAI_MAX_INPUTS} items`;
  if (inputs.some((text) => text === '')) return "'input' cannot contain an empty string";
  const dimensions = body.dimensions;
  if (dimensions !== undefined && (typeof dimensions !== 'number' || !Number.isInteger(dimensions) || dimensions < 1)) return "'dimensions' must be a positive integer";
  if (body.encoding_format !== undefined && body.encoding_format !== 'float') return "the simulator answers 'encoding_format': 'float' only";
  return embedRequest(model, inputs, typeof dimensions === 'number' ? dimensions : OPENAI_DEFAULT_DIMENSIONS, false);
}

function renderOpenAI(request: SimParsedRequest): unknown {
  const embed = request as SimEmbedRequest;
  return {
    object: 'list',
    data: embed.inputs.map((text, index) => ({ object: 'embedding', index, embedding: simulatedEmbedding(text, embed.dimensions) })),
    model: embed.model,
    usage: { prompt_tokens: embed.inputTokens, total_tokens: embed.inputTokens },
  };
}

const OPENAI_PATHS = new Set(['/v1/embeddings', '/embeddings']);
const AZURE_PATH = /^\/openai\/deployments\/([^/]+)\/embeddings$/;
const GEMINI_PATH = /^\/(v1beta|v1)\/models\/([^/:]+):(batchEmbedContents|embedContent)$/;

function base(name: SimFormatName, like: WireFormat): Pick<WireFormat, 'name' | 'authorize' | 'renderError' | 'renderStream'> {
  return { name, authorize: like.authorize.bind(like), renderError: like.renderError.bind(like), renderStream: () => [] };
}

/** OpenAI and OpenAI-compatible `POST /v1/embeddings`. */
export const openAIEmbeddingsFormat: WireFormat = {
  ...base('openai', openAIFormat),
  match: (method, url) => (method === 'POST' && OPENAI_PATHS.has(url.pathname) ? {} : undefined),
  parse: (body) => parseOpenAIBody(body, undefined),
  renderResponse: (_answer, request) => renderOpenAI(request),
};

/** Azure OpenAI `POST /openai/deployments/{deployment}/embeddings?api-version=…`. */
export const azureOpenAIEmbeddingsFormat: WireFormat = {
  ...base('azure-openai', azureOpenAIFormat),
  match(method, url) {
    const found = method === 'POST' ? AZURE_PATH.exec(url.pathname) : null;
    return found === null || found[1] === undefined ? undefined : { pathModel: decodeURIComponent(found[1]) };
  },
  parse(body, match: SimRouteMatch, url) {
    const apiVersion = url.searchParams.get('api-version');
    if (apiVersion === null || apiVersion === '') return "Missing required query parameter 'api-version'.";
    return parseOpenAIBody(body, match.pathModel);
  },
  renderResponse: (_answer, request) => renderOpenAI(request),
};

/** One Gemini `EmbedContentRequest`: the text of its parts, `outputDimensionality`, `taskType` and `title`. */
function geminiEmbedContent(request: unknown, where: string): { text: string; dimensions?: number; task?: SimEmbedTask } | string {
  if (!isObject(request) || !isObject(request.content) || !Array.isArray(request.content.parts)) return `${where}.content.parts is required`;
  const text = request.content.parts.map((part) => (isObject(part) && typeof part.text === 'string' ? part.text : '')).join('');
  if (text === '') return `${where}.content must have text`;
  const dimensions = request.outputDimensionality;
  if (dimensions !== undefined && (typeof dimensions !== 'number' || !Number.isInteger(dimensions) || dimensions < 1)) return `${where}.outputDimensionality must be a positive integer`;
  const { taskType, title } = request;
  if (taskType !== undefined && !GOOGLE_TASK_TYPES.has(taskType)) return `${where}.taskType ${JSON.stringify(taskType)} is not valid`;
  if (title !== undefined && typeof title !== 'string') return `${where}.title must be a string`;
  const task: SimEmbedTask | undefined = typeof taskType === 'string' ? { taskType, ...(typeof title === 'string' ? { title } : {}) } : undefined;
  return { text, ...(typeof dimensions === 'number' ? { dimensions } : {}), ...(task === undefined ? {} : { task }) };
}

/** Gemini `:batchEmbedContents` and `:embedContent`. */
export const geminiEmbeddingsFormat: WireFormat = {
  ...base('gemini', geminiFormat),
  match(method, url) {
    const found = method === 'POST' ? GEMINI_PATH.exec(url.pathname) : null;
    return found === null ? undefined : { pathModel: decodeURIComponent(found[2] ?? ''), pathStream: found[3] === 'embedContent' };
  },
  parse(body, match) {
    const model = match.pathModel ?? '';
    if (!isObject(body)) return 'request body must be a JSON object';
    const single = match.pathStream === true; // `pathStream` carries "this is :embedContent" here
    const requests: unknown[] = single ? [body] : Array.isArray(body.requests) ? body.requests : [];
    if (requests.length === 0) return 'requests is required';
    if (requests.length > GEMINI_MAX_BATCH) return `* BatchEmbedContentsRequest.requests: at most ${GEMINI_MAX_BATCH} requests can be in one batch`;
    const texts: string[] = [];
    const tasks: (SimEmbedTask | undefined)[] = [];
    let dimensions: number | undefined;
    for (const [index, request] of requests.entries()) {
      const where = single ? 'request' : `requests[${index}]`;
      if (!single && isObject(request) && request.model !== `models/${model}`) return `${where}.model must be models/${model}`;
      const parsed = geminiEmbedContent(request, where);
      if (typeof parsed === 'string') return parsed;
      texts.push(parsed.text);
      tasks.push(parsed.task);
      dimensions ??= parsed.dimensions;
    }
    return embedRequest(model, texts, dimensions ?? GEMINI_DEFAULT_DIMENSIONS, single, tasks);
  },
  renderResponse(_answer, request) {
    const embed = request as SimEmbedRequest;
    const vectors = embed.inputs.map((text, index) => ({ values: simulatedEmbedding(text, embed.dimensions, embed.tasks[index]) }));
    return embed.single ? { embedding: vectors[0] } : { embeddings: vectors };
  },
};

/** Every embedding endpoint, matched before the chat formats. */
export const EMBEDDING_FORMATS: readonly WireFormat[] = [azureOpenAIEmbeddingsFormat, geminiEmbeddingsFormat, openAIEmbeddingsFormat];
