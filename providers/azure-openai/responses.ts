/**
 * The Responses API on Azure OpenAI (`type: azure-openai`, `api: responses`): the OpenAI Responses
 * adapter (providers/openai/responses/) with Azure's endpoint and `api-key` header. The body names
 * the deployment in `model`, as the v1 API's examples do (`client.responses.create(model=<deployment>)`
 * against `base_url=https://{resource}.openai.azure.com/openai/v1/`,
 * https://learn.microsoft.com/azure/ai-foundry/openai/api-version-lifecycle and
 * https://learn.microsoft.com/azure/ai-foundry/openai/how-to/responses).
 *
 * The endpoint follows `apiVersion`: absent or `v1`, the GA v1 API at `{endpoint}/openai/v1/responses`
 * (no `api-version`); `preview`, the v1 preview at `…/openai/v1/responses?api-version=preview`; a dated
 * version (`2025-04-01-preview`), the older preview API at `{endpoint}/openai/responses?api-version=…`.
 * Embeddings stay on the deployment's embeddings endpoint, with the dated version when one is
 * configured and the adapter's default otherwise (a v1 name is not a dated `api-version`).
 */
import type { ProviderSettings } from '../../src/provider-spec.js';
import type { ResponsesDialect } from '../openai/responses/dialect.js';

/** Whether an `api-version` is a date (`2024-10-21`, `2025-04-01-preview`), not a v1 name (`v1`, `preview`). */
export function isDatedVersion(apiVersion: string): boolean {
  return /^\d{4}-\d{2}-\d{2}/.test(apiVersion);
}

/** The Responses endpoint of an Azure OpenAI resource for a configured `apiVersion` (see the file comment). */
export function azureResponsesUrl(baseUrl: string, apiVersion: string | undefined): string {
  if (apiVersion === undefined || apiVersion === 'v1') return `${baseUrl}/openai/v1/responses`;
  const query = `api-version=${encodeURIComponent(apiVersion)}`;
  return isDatedVersion(apiVersion) ? `${baseUrl}/openai/responses?${query}` : `${baseUrl}/openai/v1/responses?${query}`;
}

/** Azure's dialect of the Responses API for one provider; `embeddingsUrl` gives a deployment's embeddings URL. */
export function azureResponsesDialect(settings: ProviderSettings, embeddingsUrl: (deployment: string) => string): ResponsesDialect {
  return {
    url: azureResponsesUrl(settings.baseUrl, settings.apiVersion),
    authHeaders: (apiKey) => ({ 'api-key': apiKey }),
    embeddingsUrl,
    embeddingsModelInBody: false,
  };
}
