/**
 * Embeddings in the OpenAI wire format (`POST /v1/embeddings`), shared by the `openai`,
 * `azure-openai` (`/openai/deployments/{deployment}/embeddings?api-version=…`) and
 * `openai-compatible` adapters. Request: `input` (a list of strings), `model` (not for Azure, whose
 * path names the deployment), `dimensions` when asked, `encoding_format: "float"`. Answer:
 * `data[].embedding` with `data[].index`, `usage.prompt_tokens`, `model`. One request carries at
 * most 2,048 inputs (the API reference's limit).
 */
import { SwitchyardError } from '../../src/errors.js';
import { exchangeJson, type JsonEndpoint } from '../../src/http/post-json.js';
import type { AdapterEmbedCall, AdapterEmbedResult } from '../../src/provider-spec.js';

/** The most inputs one OpenAI embeddings request may carry. */
export const OPENAI_MAX_EMBEDDING_INPUTS = 2048;

/** Where and how an OpenAI-format server takes embedding requests. */
export interface OpenAIEmbeddingsOptions {
  readonly endpoint: JsonEndpoint;
  /** The embeddings URL for a model (or Azure deployment). */
  readonly url: (model: string) => string;
  /** Whether the body names the model (Azure names the deployment in the path instead). */
  readonly modelInBody: boolean;
}

/** The request body of one embeddings request. */
export function buildEmbeddingsBody(call: AdapterEmbedCall, modelInBody: boolean): Record<string, unknown> {
  const body: Record<string, unknown> = { input: call.inputs };
  if (modelInBody) body.model = call.model;
  if (call.dimensions !== undefined) body.dimensions = call.dimensions;
  body.encoding_format = 'float';
  return body;
}

function malformed(provider: string, problem: string): SwitchyardError {
  return new SwitchyardError({ category: 'server', code: 'server.malformed_response', message: `${provider} returned an embeddings answer ${problem}`, provider });
}

/** The vectors of an embeddings answer, put in input order by `index`. */
export function parseEmbeddingsResponse(json: unknown, provider: string): AdapterEmbedResult {
  const answer = json as { data?: unknown; usage?: { prompt_tokens?: unknown }; model?: unknown } | null;
  if (answer === null || typeof answer !== 'object' || !Array.isArray(answer.data)) throw malformed(provider, 'without a `data` list');
  // Filled, not sparse: a slot no entry names must stay visible to the check below.
  const slots = new Array<number[] | undefined>(answer.data.length).fill(undefined);
  answer.data.forEach((item: unknown, position) => {
    const entry = item as { index?: unknown; embedding?: unknown } | null;
    const index = typeof entry?.index === 'number' ? entry.index : position;
    if (!Array.isArray(entry?.embedding) || index < 0 || index >= slots.length) throw malformed(provider, `with a bad data[${position}]`);
    slots[index] = entry.embedding as number[];
  });
  const embeddings = slots.filter((vector) => vector !== undefined);
  if (embeddings.length !== slots.length) throw malformed(provider, 'with missing indexes');
  const promptTokens = answer.usage?.prompt_tokens;
  const result: { embeddings: number[][]; inputTokens: number; servedModel?: string } = { embeddings, inputTokens: typeof promptTokens === 'number' ? promptTokens : 0 };
  if (typeof answer.model === 'string') result.servedModel = answer.model;
  return result;
}

/** `doEmbed` and its batch limit for an OpenAI-format adapter. */
export function createOpenAIEmbedder(options: OpenAIEmbeddingsOptions): { readonly doEmbed: (call: AdapterEmbedCall) => Promise<AdapterEmbedResult>; readonly maxEmbeddingInputs: number } {
  const { endpoint, url, modelInBody } = options;
  const parse = (json: unknown): AdapterEmbedResult => parseEmbeddingsResponse(json, endpoint.provider);
  return {
    maxEmbeddingInputs: OPENAI_MAX_EMBEDDING_INPUTS,
    doEmbed(call) {
      try {
        return exchangeJson(endpoint, call, url(call.model), buildEmbeddingsBody(call, modelInBody), parse);
      } catch (error) {
        return Promise.reject(error);
      }
    },
  };
}
