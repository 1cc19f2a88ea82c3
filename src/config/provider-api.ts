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
