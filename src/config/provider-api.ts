/**
 * A provider's `api:` field: which of its provider type's upstream APIs the adapter calls. One field
 * for every type, its allowed values depending on the type (Bedrock: `invoke` or `converse`; OpenAI
 * and Azure OpenAI: `chat-completions` or `responses`), so a value of another type's is reported at its YAML path.
 */

/** The APIs each provider type can call, the default first. Types not listed take no `api`. */
const PROVIDER_APIS = {
  bedrock: ['invoke', 'converse'],
  openai: ['chat-completions', 'responses'],
  'azure-openai': ['chat-completions', 'responses'],
} as const satisfies Readonly<Record<string, readonly [string, ...string[]]>>;

/** Every value `api:` may take, whatever the type (the schema's enum; the type narrows it). */
export const PROVIDER_API_VALUES = [...new Set(Object.values(PROVIDER_APIS).flat())] as [ProviderApi, ...ProviderApi[]];

/** An upstream API a provider can be configured to call. */
export type ProviderApi = (typeof PROVIDER_APIS)[keyof typeof PROVIDER_APIS][number];

/** What is wrong with `api` for a provider of `type`; undefined when nothing is (or `api` is absent). */
export function providerApiProblem(type: string, api: string | undefined): string | undefined {
  if (api === undefined) return undefined;
  const allowed: readonly string[] | undefined = (PROVIDER_APIS as Readonly<Record<string, readonly string[]>>)[type];
  if (allowed === undefined) return `only for type ${Object.keys(PROVIDER_APIS).join(' or ')} (this provider is type ${type})`;
  if (!allowed.includes(api)) return `"${api}" is not an API of type ${type}: expected ${allowed.join(' | ')}`;
  return undefined;
}

/**
 * The first dated Azure `api-version` that serves the Responses API (Microsoft's Responses guide,
 * https://learn.microsoft.com/azure/ai-foundry/openai/how-to/responses, introduced it with
 * `2025-03-01-preview`). ISO dates compare correctly as strings, so the date part is compared as one.
 */
const AZURE_RESPONSES_FIRST_VERSION = '2025-03-01-preview';

/**
 * What is wrong with `apiVersion` for the provider's API; undefined when nothing is. Only Azure's
 * Responses API has a floor: an older dated version (fine for Chat Completions) would fail every call.
 */
export function providerApiVersionProblem(type: string, api: string | undefined, apiVersion: string | undefined): string | undefined {
  if (type !== 'azure-openai' || api !== 'responses' || apiVersion === undefined) return undefined;
  const date = /^\d{4}-\d{2}-\d{2}/.exec(apiVersion)?.[0];
  if (date === undefined || date >= AZURE_RESPONSES_FIRST_VERSION.slice(0, 10)) return undefined;
  return `"${apiVersion}" is older than the Responses API (${AZURE_RESPONSES_FIRST_VERSION} or later, or v1 / preview); remove apiVersion to use the v1 API`;
}
