/**
 * Which adapter serves which provider: the built-in factory of each wire format, and the user's
 * own by `type` (`createRouter(config, { providers: { watsonx: createWatsonxAdapter } })`), which
 * may also replace a built-in one. The only place the router knows the adapters.
 */
import { createAnthropicAdapter } from '../../providers/anthropic/index.js';
import { createAzureOpenAIAdapter } from '../../providers/azure-openai/index.js';
import { createBedrockAdapter } from '../../providers/bedrock/index.js';
import { createGeminiAdapter } from '../../providers/gemini/index.js';
import { createOpenAICompatibleAdapter } from '../../providers/openai-compatible/index.js';
import { createOpenAIAdapter } from '../../providers/openai/index.js';
import { createVertexAdapter } from '../../providers/vertex/index.js';
import { providerTypeLine } from '../config/provider-type-lines.js';
import { DEFAULT_KEY_COOLDOWN_MS } from '../config/resolve-config.js';
import type { ProviderConfig } from '../config/types.js';
import { SwitchyardError } from '../errors.js';
import type { RouterEventHub } from '../events.js';
import { createKeyPool, type KeyPool, type KeyPoolChange } from '../http/key-pool.js';
import type { KeyLimitStore } from '../http/key-limit-store.js';
import type { HttpTransport } from '../http/transport.js';
import { PROVIDER_SPEC_VERSION, type AdapterFactory, type ProviderAdapter, type ProviderType } from '../provider-spec.js';

/** The built-in adapter factory for each provider type. */
export const ADAPTER_FACTORIES: Readonly<Record<ProviderType, AdapterFactory>> = {
  anthropic: createAnthropicAdapter,
  openai: createOpenAIAdapter,
  'azure-openai': createAzureOpenAIAdapter,
  gemini: createGeminiAdapter,
  'openai-compatible': createOpenAICompatibleAdapter,
  bedrock: createBedrockAdapter,
  vertex: createVertexAdapter,
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
 * The error of a provider whose type no factory serves: where the type was written (with its line
 * when the config came from YAML), the built-in types, and how to register one.
 */
function unknownTypeError(provider: ProviderConfig, custom: AdapterFactories): SwitchyardError {
  const line = providerTypeLine(provider);
  const where = `providers.${provider.id}.type${line === undefined ? '' : `, line ${line}`}`;
  const registered = Object.keys(custom);
  const also = registered.length === 0 ? '' : `; registered: ${registered.join(', ')}`;
  return new SwitchyardError({
    category: 'config',
    provider: provider.id,
    message: `provider '${provider.id}' (${where}): unknown type '${provider.type}'; built-in types are ${Object.keys(ADAPTER_FACTORIES).join(', ')}${also}; register a factory with createRouter(config, { providers: { '${provider.type}': … } })`,
  });
}

/** Reports a pool's key changes on the router's events: every change, and a removal once as a warning. */
function reportKeyChange(events: RouterEventHub | undefined, change: KeyPoolChange): void {
  if (events === undefined) return;
  events.emit('provider-key', change);
  if (change.change !== 'removed') return;
  events.emit('warning', {
    code: 'key-removed',
    message: `provider "${change.provider}" refused key apiKeys[${change.index}] (${change.status} ${change.category}): it is out of the pool, ${change.remaining} of ${change.size} keys left; check providers.${change.provider}.apiKeys[${change.index}]`,
  });
}

/** The key pool of a provider with `apiKeys`, reporting on `events`, its keys' limits in `limitStore`. */
function keyPoolOf(provider: ProviderConfig, events: RouterEventHub | undefined, limitStore: KeyLimitStore | undefined): KeyPool | undefined {
  if (provider.apiKeys === undefined || provider.apiKeys.length === 0) return undefined;
  const breaker = provider.keyPool?.breaker;
  return createKeyPool({
    provider: provider.id,
    keys: provider.apiKeys,
    cooldownMs: provider.keyPool?.cooldownMs ?? DEFAULT_KEY_COOLDOWN_MS,
    onChange: (change) => reportKeyChange(events, change),
    ...(breaker === undefined ? {} : { breaker }),
    ...(limitStore === undefined ? {} : { limitStore }),
  });
}

/**
 * One adapter per configured provider, by provider id, built once, each with its key pool when the
 * provider has `apiKeys` (reporting removed and cooling keys on `events`; per-key limits held in
 * `keyLimits`, the router's store, or the pool's own). Throws a `config` error for a provider
 * whose type has no factory, or whose adapter was written for another spec version.
 */
export function createAdapters(
  providers: Readonly<Record<string, ProviderConfig>>,
  transport: HttpTransport,
  custom: AdapterFactories = {},
  events?: RouterEventHub,
  keyLimits?: KeyLimitStore,
): Map<string, ProviderAdapter> {
  const adapters = new Map<string, ProviderAdapter>();
  for (const provider of Object.values(providers)) {
    const factory = Object.hasOwn(custom, provider.type) ? custom[provider.type] : (ADAPTER_FACTORIES as Readonly<Record<string, AdapterFactory>>)[provider.type];
    if (factory === undefined) throw unknownTypeError(provider, custom);
    const keyPool = keyPoolOf(provider, events, keyLimits);
    const adapter = factory({ settings: provider, transport, ...(keyPool === undefined ? {} : { keyPool }) });
    // Unknown: a custom adapter in JavaScript may claim any version, whatever the type allows.
    const version: unknown = adapter.specificationVersion;
    if (version !== undefined && version !== PROVIDER_SPEC_VERSION) {
      throw adapterError(provider, `the adapter for type "${provider.type}" implements provider spec version ${typeof version === 'number' || typeof version === 'string' ? version : typeof version}; this Switchyard speaks version ${PROVIDER_SPEC_VERSION}`);
    }
    adapters.set(provider.id, adapter);
  }
  return adapters;
}
