/**
 * What differs between the services that speak the Responses API: where the endpoint is, how a key
 * is sent, and where embeddings go. Bodies, answers, streams and errors are the same, so one adapter
 * (adapter.ts) serves them all: OpenAI with `openAIResponsesDialect`, Azure OpenAI with its own
 * (providers/azure-openai/responses.ts).
 */

/** One service's Responses API endpoint, credentials and embeddings endpoint. */
export interface ResponsesDialect {
  /** The Responses endpoint. The body names the model (for Azure OpenAI, the deployment). */
  readonly url: string;
  /** The credential headers for a key; a header of the same name set in the config wins. */
  readonly authHeaders: (apiKey: string) => Readonly<Record<string, string>>;
  /** The embeddings URL for a model or deployment (embeddings are not a Responses API call). */
  readonly embeddingsUrl: (model: string) => string;
  /** Whether the embeddings body names the model (Azure's deployment path names it instead). */
  readonly embeddingsModelInBody: boolean;
}

/** OpenAI's: `{baseUrl}/responses` and `{baseUrl}/embeddings` with `Authorization: Bearer`. */
export function openAIResponsesDialect(baseUrl: string): ResponsesDialect {
  return {
    url: `${baseUrl}/responses`,
    authHeaders: (apiKey) => ({ authorization: `Bearer ${apiKey}` }),
    embeddingsUrl: () => `${baseUrl}/embeddings`,
    embeddingsModelInBody: true,
  };
}
