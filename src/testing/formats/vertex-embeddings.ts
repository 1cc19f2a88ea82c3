/**
 * Vertex AI's text embeddings as the simulator speaks them: `POST …/publishers/google/models/
 * {model}:predict` with `instances: [{ content, task_type?, title? }]` and `parameters:
 * { outputDimensionality?, autoTruncate? }`, answered by `predictions: [{ embeddings: { values,
 * statistics: { token_count, truncated } } }]` and `metadata.billableCharacterCount`. Written from
 * the Text embeddings API reference
 * (https://cloud.google.com/vertex-ai/generative-ai/docs/model-reference/text-embeddings-api), its
 * `TextEmbeddingPredictionParams`
 * (https://cloud.google.com/vertex-ai/generative-ai/docs/reference/rest/Shared.Types/TextEmbeddingPredictionParams)
 * and the "API limits" of https://cloud.google.com/vertex-ai/generative-ai/docs/embeddings/get-text-embeddings:
 * at most 250 instances per request (`gemini-embedding-001`: one), 20,000 input tokens per request,
 * and each input cut to 2,048 tokens unless `autoTruncate` is false, when a longer one is a 400.
 * Tokens are words here, as everywhere in the simulator; vectors are `simulatedEmbedding`'s, seeded
 * by each instance's `task_type` (and `title`) too, so a test can see they were sent.
 */
import type { SimParsedRequest } from '../wire-format.js';
import { GOOGLE_TASK_TYPES, simulatedEmbedding, type SimEmbedTask } from './embeddings.js';
import { countWords, isObject } from './wire-helpers.js';

/** Instances one request may carry, and the one-instance models. */
const MAX_INSTANCES = 250;
const SINGLE_INSTANCE_MODEL = /^gemini-embedding/;
/** Tokens (words) per input before it is cut, and per request in all. */
const MAX_INPUT_TOKENS = 2048;
const MAX_REQUEST_TOKENS = 20_000;

/** What a `:predict` request asked for. */
interface VertexEmbedRequest {
  readonly inputs: readonly string[];
  /** Per instance, its `task_type` and `title`, when it named a task. */
  readonly tasks: readonly (SimEmbedTask | undefined)[];
  readonly dimensions: number;
}

/** The embedding part of each parsed `:predict` request, for rendering. */
const embedRequests = new WeakMap<SimParsedRequest, VertexEmbedRequest>();

/** Vector length when the request names none: `gemini-embedding-001`'s 3,072, the other models' 768. */
function defaultDimensions(model: string): number {
  return SINGLE_INSTANCE_MODEL.test(model) ? 3072 : 768;
}

function readParameters(parameters: unknown): { readonly dimensions?: number; readonly autoTruncate: boolean } | string {
  if (parameters === undefined) return { autoTruncate: true };
  if (!isObject(parameters)) return 'parameters must be an object';
  const { outputDimensionality, autoTruncate } = parameters;
  if (outputDimensionality !== undefined && (!Number.isInteger(outputDimensionality) || (outputDimensionality as number) < 1)) return 'parameters.outputDimensionality must be a positive integer';
  if (autoTruncate !== undefined && typeof autoTruncate !== 'boolean') return 'parameters.autoTruncate must be a boolean';
  return { autoTruncate: autoTruncate !== false, ...(typeof outputDimensionality === 'number' ? { dimensions: outputDimensionality } : {}) };
}

/** Reads a `:predict` body for `model`: the parsed request, or a 400's message. */
export function parseVertexPredict(body: unknown, model: string): SimParsedRequest | string {
  if (!isObject(body)) return 'Invalid JSON payload received.';
  const { instances } = body;
  if (!Array.isArray(instances) || instances.length === 0) return 'instances must be a non-empty array';
  const limit = SINGLE_INSTANCE_MODEL.test(model) ? 1 : MAX_INSTANCES;
  if (instances.length > limit) return `${model} takes at most ${limit} instance${limit === 1 ? '' : 's'} per request; got ${instances.length}`;
  const parameters = readParameters(body.parameters);
  if (typeof parameters === 'string') return parameters;
  const inputs: string[] = [];
  const tasks: (SimEmbedTask | undefined)[] = [];
  let tokens = 0;
  for (const [index, instance] of instances.entries()) {
    const where = `instances[${index}]`;
    if (!isObject(instance) || typeof instance.content !== 'string' || instance.content === '') return `${where}.content must be a non-empty string`;
    if (instance.task_type !== undefined && (typeof instance.task_type !== 'string' || !GOOGLE_TASK_TYPES.has(instance.task_type))) return `${where}.task_type ${JSON.stringify(instance.task_type)} is not valid`;
    if (instance.title !== undefined && typeof instance.title !== 'string') return `${where}.title must be a string`;
    const words = countWords(instance.content);
    if (!parameters.autoTruncate && words > MAX_INPUT_TOKENS) return `${where}: the input has ${words} tokens, more than the ${MAX_INPUT_TOKENS} allowed, and autoTruncate is false`;
    tokens += Math.min(words, MAX_INPUT_TOKENS);
    inputs.push(instance.content);
    tasks.push(typeof instance.task_type === 'string' ? { taskType: instance.task_type, ...(typeof instance.title === 'string' ? { title: instance.title } : {}) } : undefined);
  }
  if (tokens > MAX_REQUEST_TOKENS) return `the request has ${tokens} input tokens, more than the ${MAX_REQUEST_TOKENS} allowed`;
  const parsed: SimParsedRequest = { model, stream: false, lastUserText: inputs.at(-1) ?? '', toolNames: [], inputTokens: tokens };
  embedRequests.set(parsed, { inputs, tasks, dimensions: parameters.dimensions ?? defaultDimensions(model) });
  return parsed;
}

/** Whether a parsed request was a `:predict` one. */
export function isVertexPredict(request: SimParsedRequest): boolean {
  return embedRequests.has(request);
}

/** The `:predict` answer: one prediction per instance, in order. */
export function renderVertexPredict(request: SimParsedRequest): unknown {
  const embed = embedRequests.get(request);
  if (embed === undefined) return { predictions: [] };
  const predictions = embed.inputs.map((text, index) => {
    const words = countWords(text);
    return { embeddings: { statistics: { truncated: words > MAX_INPUT_TOKENS, token_count: Math.min(words, MAX_INPUT_TOKENS) }, values: simulatedEmbedding(text, embed.dimensions, embed.tasks[index]) } };
  });
  return { predictions, metadata: { billableCharacterCount: embed.inputs.reduce((sum, text) => sum + text.replace(/\s/g, '').length, 0) } };
}
