/**
 * The Azure OpenAI adapter (`type: azure-openai`). Same bodies, chunks and errors as OpenAI Chat
 * Completions, per the Azure OpenAI REST reference (Azure/azure-rest-api-specs,
 * `.../AzureOpenAI/inference/stable/2024-10-21/inference.json`), with three differences:
 * the deployment is named in the path (`call.model` is the deployment, and the body has no
 * `model`), the key goes in an `api-key` header, and `api-version` is a required query parameter.
 * A prompt stopped by the content filter is a 400 with `code: content_filter` (mapped to
 * `content_filter`); a completion stopped by it ends with `finish_reason: content_filter`.
 *
 * `settings.baseUrl` is the resource endpoint, e.g. `https://my-resource.openai.azure.com`. With
 * `api: responses` the provider speaks the Responses API instead (responses.ts).
 */
import type { AdapterFactory } from '../../src/provider-spec.js';
import { createChatCompletionsAdapter } from '../openai/chat-completions-adapter.js';
import type { TokenLimitField } from '../openai/request.js';
import { createResponsesAdapter } from '../openai/responses/adapter.js';
import { azureResponsesDialect, isDatedVersion } from './responses.js';

/** The `api-version` used when the config names none: the GA version of 2024-10-21. */
export const AZURE_DEFAULT_API_VERSION = '2024-10-21';

/**
 * `max_completion_tokens` arrived in API version 2024-09-01-preview (and is in 2024-10-21 GA);
 * older versions reject it and only know `max_tokens`. Versions not written as a date (`preview`,
 * `latest`) are the newest and take `max_completion_tokens`.
 */
export function azureTokenLimitField(apiVersion: string): TokenLimitField {
  const date = /^(\d{4}-\d{2}-\d{2})/.exec(apiVersion)?.[1];
  return date !== undefined && date < '2024-09-01' ? 'max_tokens' : 'max_completion_tokens';
}

/** The chat completions URL of a deployment. */
export function azureChatUrl(baseUrl: string, deployment: string, apiVersion: string): string {
  return `${baseUrl}/openai/deployments/${encodeURIComponent(deployment)}/chat/completions?api-version=${encodeURIComponent(apiVersion)}`;
}

/** The embeddings URL of a deployment. */
function azureEmbeddingsUrl(baseUrl: string, deployment: string, apiVersion: string): string {
  return `${baseUrl}/openai/deployments/${encodeURIComponent(deployment)}/embeddings?api-version=${encodeURIComponent(apiVersion)}`;
}

/** Creates the adapter for an `azure-openai` provider; with `api: responses`, the Responses API adapter with Azure's dialect. */
export const createAzureOpenAIAdapter: AdapterFactory = (context) => {
  const { settings, transport, keyPool } = context;
  if (settings.api === 'responses') {
    // A v1 name (`v1`, `preview`) is no dated `api-version` for the deployment embeddings path.
    const embeddingsVersion = settings.apiVersion !== undefined && isDatedVersion(settings.apiVersion) ? settings.apiVersion : AZURE_DEFAULT_API_VERSION;
    return createResponsesAdapter(context, azureResponsesDialect(settings, (deployment) => azureEmbeddingsUrl(settings.baseUrl, deployment, embeddingsVersion)));
  }
  const apiVersion = settings.apiVersion ?? AZURE_DEFAULT_API_VERSION;
  return createChatCompletionsAdapter({
    settings,
    transport,
    keyPool,
    dialect: {
      url: (deployment) => azureChatUrl(settings.baseUrl, deployment, apiVersion),
      embeddingsUrl: (deployment) => azureEmbeddingsUrl(settings.baseUrl, deployment, apiVersion),
      authHeaders: (apiKey) => ({ 'api-key': apiKey }),
      modelInBody: false,
      tokenLimitField: azureTokenLimitField(apiVersion),
    },
  });
};
