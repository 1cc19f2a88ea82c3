/**
 * The OpenAI Chat Completions adapter (`type: openai`), and the mapping functions the Azure
 * OpenAI and OpenAI-compatible adapters reuse. With `api: responses` the provider speaks the
 * Responses API instead (`responses/`).
 *
 * `settings.baseUrl` for this type includes the API version path, e.g. `https://api.openai.com/v1`
 * (the default written in the config); requests go to `${baseUrl}/chat/completions`. The output
 * limit is sent as `max_completion_tokens`, which OpenAI prefers and its reasoning models require.
 */
import type { AdapterFactory } from '../../src/provider-spec.js';
import { createChatCompletionsAdapter } from './chat-completions-adapter.js';
import { createResponsesAdapter } from './responses/adapter.js';

/**
 * Creates the adapter for an `openai` provider: `Authorization: Bearer <apiKey>`, model in the body;
 * with `api: responses`, the Responses API adapter (responses/adapter.ts) instead.
 */
export const createOpenAIAdapter: AdapterFactory = (context) => {
  const { settings, transport, keyPool } = context;
  if (settings.api === 'responses') return createResponsesAdapter(context);
  return createChatCompletionsAdapter({
    settings,
    transport,
    keyPool,
    dialect: {
      url: () => `${settings.baseUrl}/chat/completions`,
      embeddingsUrl: () => `${settings.baseUrl}/embeddings`,
      authHeaders: (apiKey) => ({ authorization: `Bearer ${apiKey}` }),
      modelInBody: true,
      tokenLimitField: 'max_completion_tokens',
    },
  });
};

