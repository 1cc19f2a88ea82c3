/**
 * Embeddings in the Gemini API wire format: `POST {root}/models/{model}:batchEmbedContents` with
 * `requests: [{ model: "models/{model}", content: { parts: [{ text }] }, taskType?, title?,
 * outputDimensionality? }]`, answered by `embeddings: [{ values }]` in request order. One batch
 * carries at most 100 requests (the API answers more with "at most 100 requests can be in one
 * batch"). The answer reports no token counts, so usage is 0. `EmbedContentRequest`'s fields from
 * https://ai.google.dev/api/embeddings (`taskType`: the `TaskType` enum; `title`: "Only applicable
 * when TaskType is RETRIEVAL_DOCUMENT").
 */
import type { EmbeddingTaskType } from '../../src/embedding-types.js';
import { SwitchyardError } from '../../src/errors.js';
import { exchangeJson, type JsonEndpoint } from '../../src/http/post-json.js';
import type { AdapterEmbedCall, AdapterEmbedResult } from '../../src/provider-spec.js';

/** The most inputs one `batchEmbedContents` request may carry. */
export const GEMINI_MAX_EMBEDDING_INPUTS = 100;

/**
 * Google's task type for each unified one: Gemini API `TaskType` and Vertex AI `task_type` share
 * these values (https://ai.google.dev/api/embeddings#tasktype,
 * https://cloud.google.com/vertex-ai/generative-ai/docs/model-reference/text-embeddings-api).
 */
export const GOOGLE_EMBEDDING_TASK_TYPES: Readonly<Record<EmbeddingTaskType, string>> = {
  query: 'RETRIEVAL_QUERY',
  document: 'RETRIEVAL_DOCUMENT',
  similarity: 'SEMANTIC_SIMILARITY',
  classification: 'CLASSIFICATION',
  clustering: 'CLUSTERING',
  'question-answering': 'QUESTION_ANSWERING',
  'fact-verification': 'FACT_VERIFICATION',
  'code-query': 'CODE_RETRIEVAL_QUERY',
};

/** The request body of one `batchEmbedContents` request. */
export function buildBatchEmbedBody(call: AdapterEmbedCall): Record<string, unknown> {
  const model = `models/${call.model.replace(/^models\//, '')}`;
  const task: Record<string, unknown> = {};
  if (call.taskType !== undefined) task.taskType = GOOGLE_EMBEDDING_TASK_TYPES[call.taskType];
  if (call.title !== undefined) task.title = call.title;
  if (call.dimensions !== undefined) task.outputDimensionality = call.dimensions;
  return { requests: call.inputs.map((text) => ({ model, content: { parts: [{ text }] }, ...task })) };
}

/** The vectors of a `batchEmbedContents` answer. */
export function parseBatchEmbedResponse(json: unknown, provider: string): AdapterEmbedResult {
  const answer = json as { embeddings?: unknown } | null;
  if (answer === null || typeof answer !== 'object' || !Array.isArray(answer.embeddings)) {
    throw new SwitchyardError({ category: 'server', code: 'server.malformed_response', message: `${provider} returned an embeddings answer without an \`embeddings\` list`, provider });
  }
  const embeddings = answer.embeddings.map((item: unknown, index) => {
    const values = (item as { values?: unknown } | null)?.values;
    if (!Array.isArray(values)) throw new SwitchyardError({ category: 'server', code: 'server.malformed_response', message: `${provider} returned embeddings[${index}] without \`values\``, provider });
    return values as number[];
  });
  return { embeddings, inputTokens: 0 };
}

/** `doEmbed` and its batch limit for the Gemini adapter. */
export function createGeminiEmbedder(endpoint: JsonEndpoint, urlFor: (model: string) => string): { readonly doEmbed: (call: AdapterEmbedCall) => Promise<AdapterEmbedResult>; readonly maxEmbeddingInputs: number } {
  const parse = (json: unknown): AdapterEmbedResult => parseBatchEmbedResponse(json, endpoint.provider);
  return {
    maxEmbeddingInputs: GEMINI_MAX_EMBEDDING_INPUTS,
    doEmbed(call) {
      try {
        return exchangeJson(endpoint, call, urlFor(call.model), buildBatchEmbedBody(call), parse);
      } catch (error) {
        return Promise.reject(error);
      }
    },
  };
}
