/**
 * The unified embedding request and response (`router.embed()`). Nothing here knows a provider;
 * adapters map these through `ProviderAdapter.doEmbed` (`provider-spec.ts`).
 */
import type { Attempt, Target, Usage } from './types.js';

/**
 * What the vectors are for, in provider-neutral words; sent as Gemini's `taskType` and Vertex AI's
 * `task_type`, ignored by OpenAI-format providers (which have no such field).
 * - `query` / `document`: the two sides of search (RETRIEVAL_QUERY / RETRIEVAL_DOCUMENT);
 * - `similarity`, `classification`, `clustering`: SEMANTIC_SIMILARITY, CLASSIFICATION, CLUSTERING;
 * - `question-answering`, `fact-verification`, `code-query`: the query side of a question, a claim
 *   to check, a code search (QUESTION_ANSWERING, FACT_VERIFICATION, CODE_RETRIEVAL_QUERY); what they
 *   are matched against is embedded as `document`.
 */
export const EMBEDDING_TASK_TYPES = ['query', 'document', 'similarity', 'classification', 'clustering', 'question-answering', 'fact-verification', 'code-query'] as const;

/** One of `EMBEDDING_TASK_TYPES`. */
export type EmbeddingTaskType = (typeof EMBEDDING_TASK_TYPES)[number];

/** An embedding request in Switchyard's unified shape. */
export interface EmbedRequest {
  /** An embedding route from the config (`kind: embedding`), or `provider/model` when direct addressing is allowed. */
  readonly model: string;
  /** One text, or several: one vector per text, in the same order. */
  readonly input: string | readonly string[];
  /**
   * The length of each vector, for models that can shorten theirs (OpenAI `text-embedding-3-*`
   * `dimensions`, Gemini `outputDimensionality`). Absent: the model's own length.
   */
  readonly dimensions?: number;
  /**
   * What the vectors are for (Gemini and Vertex AI make different vectors per task; OpenAI ignores
   * it). Part of the cache key. Absent: the model's default.
   */
  readonly taskType?: EmbeddingTaskType;
  /** The documents' title, for `taskType: 'document'` only (Gemini, Vertex AI); one title for every input of the call. */
  readonly title?: string;
  /** Free-form caller data (e.g. `intent`); never sent upstream. */
  readonly metadata?: Readonly<Record<string, string>>;
}

/** Token counts of an embedding call (embeddings produce no output tokens). */
export interface EmbeddingUsage {
  readonly inputTokens: number;
  readonly totalTokens: number;
}

/** An embedding call's usage as chat `Usage` (no output tokens), for what prices, meters and records both. */
export function usageOfEmbedding(usage: EmbeddingUsage): Usage {
  return { inputTokens: usage.inputTokens, outputTokens: 0, totalTokens: usage.totalTokens };
}

/** The answer to `router.embed()`. */
export interface EmbedResponse {
  /** One vector per input, in input order. */
  readonly embeddings: number[][];
  /** Summed over every upstream request the inputs were split into. Gemini reports no counts (0). */
  readonly usage: EmbeddingUsage;
  /** The route that answered (the requested one or a fallback). */
  readonly route: string;
  /** The target that answered; every vector comes from it. */
  readonly target: Target;
  /** The model name the provider reported serving, when it reports one. */
  readonly servedModel?: string;
  /** Every try this call made, in order; the last one answered. */
  readonly attempts: readonly Attempt[];
  /** Wall time of the whole call. */
  readonly latencyMs: number;
  /** The call's request id. */
  readonly requestId: string;
  /** True when the answer came from the cache. */
  readonly cached: boolean;
}
