/**
 * Which adapter serves which provider: the built-in factory of each wire format, and the user's
 * own by `type` (`createRouter(config, { providers: { bedrock: createBedrockAdapter } })`), which
 * may also replace a built-in one. The only place the router knows the adapters.
 */
import { createAnthropicAdapter } from '../../providers/anthropic/index.js';
import { createAzureOpenAIAdapter } from '../../providers/azure-openai/index.js';
import { createGeminiAdapter } from '../../providers/gemini/index.js';
import { createOpenAICompatibleAdapter } from '../../providers/openai-compatible/index.js';
import { createOpenAIAdapter } from '../../providers/openai/index.js';
import type { ProviderConfig } from '../config/types.js';
import { SwitchyardError } from '../errors.js';
import type { HttpTransport } from '../http/transport.js';
import { PROVIDER_SPEC_VERSION, type AdapterFactory, type ProviderAdapter, type ProviderType } from '../provider-spec.js';

/** The built-in adapter factory for each provider type. */
export const ADAPTER_FACTORIES: Readonly<Record<ProviderType, AdapterFactory>> = {
  anthropic: createAnthropicAdapter,
  openai: createOpenAIAdapter,
  'azure-openai': createAzureOpenAIAdapter,
  gemini: createGeminiAdapter,
  'openai-compatible': createOpenAICompatibleAdapter,
};

/** Adapter factories by provider `type`, given to `createRouter`. */
export type AdapterFactories = Readonly<Record<string, AdapterFactory>>;

/** The config error of a provider its router cannot serve. */
function adapterError(provider: ProviderConfig, problem: string): SwitchyardError {
  return new SwitchyardError({ category: 'config', message: `providers.${provider.id}: ${problem}`, provider: provider.id });
}

/** The error of a call to a provider id the router has no adapter for. */
export function noAdapterFor(provider: string): SwitchyardError {
  return new SwitchyardError({ category: 'config', message: `no provider "${provider}" is configured`, provider });
}

/**
 * One adapter per configured provider, by provider id, built once. Throws a `config` error for a
 * provider whose type has no factory, or whose adapter was written for another spec version.
 */
export function createAdapters(providers: Readonly<Record<string, ProviderConfig>>, transport: HttpTransport, custom: AdapterFactories = {}): Map<string, ProviderAdapter> {
  const adapters = new Map<string, ProviderAdapter>();
  for (const provider of Object.values(providers)) {
    const factory = Object.hasOwn(custom, provider.type) ? custom[provider.type] : (ADAPTER_FACTORIES as Readonly<Record<string, AdapterFactory>>)[provider.type];
    if (factory === undefined) {
      const known = [...new Set([...Object.keys(ADAPTER_FACTORIES), ...Object.keys(custom)])].join(', ');
      throw adapterError(provider, `no adapter for type "${provider.type}"; known types: ${known} (add one with createRouter's \`providers\` option)`);
    }
    const adapter = factory({ settings: provider, transport });
    const version = adapter.specificationVersion;
    if (version !== undefined && version !== PROVIDER_SPEC_VERSION) {
      throw adapterError(provider, `the adapter for type "${provider.type}" implements provider spec version ${String(version)}; this Switchyard speaks version ${PROVIDER_SPEC_VERSION}`);
    }
    adapters.set(provider.id, adapter);
  }
  return adapters;
}
