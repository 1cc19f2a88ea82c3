/**
 * Which adapter factory serves which provider type. The only place the router knows the adapters.
 */
import { createAnthropicAdapter } from '../../providers/anthropic/index.js';
import { createAzureOpenAIAdapter } from '../../providers/azure-openai/index.js';
import { createGeminiAdapter } from '../../providers/gemini/index.js';
import { createOpenAICompatibleAdapter } from '../../providers/openai-compatible/index.js';
import { createOpenAIAdapter } from '../../providers/openai/index.js';
import type { AdapterFactory, ProviderType } from '../provider-spec.js';

/** The built-in adapter factory for each provider type. */
export const ADAPTER_FACTORIES: Readonly<Record<ProviderType, AdapterFactory>> = {
  anthropic: createAnthropicAdapter,
  openai: createOpenAIAdapter,
  'azure-openai': createAzureOpenAIAdapter,
  gemini: createGeminiAdapter,
  'openai-compatible': createOpenAICompatibleAdapter,
};
