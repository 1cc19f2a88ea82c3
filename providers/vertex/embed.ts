/**
 * Embeddings through Vertex AI's Text embeddings API
 * (https://cloud.google.com/vertex-ai/generative-ai/docs/model-reference/text-embeddings-api):
 * `POST …/publishers/google/models/{model}:predict` with `instances: [{ content, task_type?, title? }]` and
 * `parameters: { outputDimensionality?, autoTruncate: false }`, answered by `predictions[i].embeddings`
 * (`values`, and `statistics.token_count`, summed into the usage: unlike the Gemini API, Vertex
 * counts tokens). Limits, from "API limits" in
 * https://cloud.google.com/vertex-ai/generative-ai/docs/embeddings/get-text-embeddings: 250 inputs
 * per request, one for `gemini-embedding-001` ("supports one instance per request"), and "The API
 * has a maximum input token limit of 20,000" per request, over which it answers 400.
 * `autoTruncate: false` makes an input longer than the model takes a 400 rather than the vector of
 * its first 2,048 tokens: an index should not silently hold a vector of half a document.
 */
import { SwitchyardError } from '../../src/errors.js';
import type { AdapterEmbedCall, AdapterEmbedResult } from '../../src/provider-spec.js';
import { GOOGLE_EMBEDDING_TASK_TYPES } from '../gemini/embed.js';

/** The most inputs one `:predict` request may carry. */
export const VERTEX_MAX_EMBEDDING_INPUTS = 250;

/** The most inputs one `:predict` request to `model` may carry: one for Gemini embedding models. */
export function vertexEmbeddingInputLimit(model: string): number {
  return /^gemini-embedding/.test(model.replace(/^models\//, '')) ? 1 : VERTEX_MAX_EMBEDDING_INPUTS;
}

/** The most input tokens one `:predict` request may carry, for every model. */
export const VERTEX_MAX_EMBEDDING_REQUEST_TOKENS = 20_000;

/** The body of one `:predict` request. */
export function buildVertexPredictBody(call: AdapterEmbedCall): Record<string, unknown> {
  // The reference's instance fields are snake_case (`task_type`), unlike the parameters.
  const task: Record<string, string> = {};
  if (call.taskType !== undefined) task.task_type = GOOGLE_EMBEDDING_TASK_TYPES[call.taskType];
  if (call.title !== undefined) task.title = call.title;
  return {
    instances: call.inputs.map((content) => ({ content, ...task })),
    parameters: call.dimensions === undefined ? { autoTruncate: false } : { outputDimensionality: call.dimensions, autoTruncate: false },
  };
}

function malformed(provider: string, problem: string): SwitchyardError {
  return new SwitchyardError({ category: 'server', code: 'server.malformed_response', message: `${provider} returned an embeddings answer ${problem}`, provider });
}

/** The vectors and summed token counts of a `:predict` answer. */
export function parseVertexPredictResponse(json: unknown, provider: string): AdapterEmbedResult {
  const predictions = (json as { predictions?: unknown } | null)?.predictions;
  if (!Array.isArray(predictions)) throw malformed(provider, 'without a `predictions` list');
  let inputTokens = 0;
  const embeddings = predictions.map((prediction: unknown, index) => {
    const embedding = (prediction as { embeddings?: { values?: unknown; statistics?: { token_count?: unknown } } } | null)?.embeddings;
    if (!Array.isArray(embedding?.values)) throw malformed(provider, `without predictions[${index}].embeddings.values`);
    const tokens = embedding.statistics?.token_count;
    if (typeof tokens === 'number' && Number.isFinite(tokens)) inputTokens += tokens;
    return embedding.values as number[];
  });
  return { embeddings, inputTokens };
}
