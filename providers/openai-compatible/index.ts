/**
 * The adapter for servers that speak OpenAI Chat Completions (`type: openai-compatible`):
 * DeepSeek, vLLM, Ollama, One API / New API and similar gateways. It shares the OpenAI mapping and
 * differs where these servers do:
 * - `Authorization: Bearer` is sent only when an API key is configured (local servers need none);
 * - the output limit is `max_tokens`, which every one of them understands;
 * - answers without ids or usage are accepted (an id is generated, usage is zero or absent);
 * - a stream that closes with `[DONE]` but never sent a `finish_reason` counts as finished;
 * - DeepSeek's `reasoning_content` becomes a reasoning part, never text, and goes back on the
 *   assistant turns that called tools, as DeepSeek's thinking mode requires (openai/reasoning.ts);
 * - `reasoning` is sent as `reasoning_effort` whenever asked;
 * - error bodies may be `{ error: "text" }`, `{ detail }`, `{ message }` or plain text.
 *
 * `settings.baseUrl` is the server's OpenAI base, usually ending in `/v1`
 * (e.g. `https://api.deepseek.com/v1`, `http://localhost:11434/v1`, `http://localhost:8000/v1`);
 * requests go to `${baseUrl}/chat/completions`.
 */
import type { AdapterFactory } from '../../src/provider-spec.js';
import { createChatCompletionsAdapter } from '../openai/chat-completions-adapter.js';

/** Creates the adapter for an `openai-compatible` provider. */
export const createOpenAICompatibleAdapter: AdapterFactory = ({ settings, transport, keyPool }) =>
  createChatCompletionsAdapter({
    settings,
    transport,
    keyPool,
    dialect: {
      url: () => `${settings.baseUrl}/chat/completions`,
      embeddingsUrl: () => `${settings.baseUrl}/embeddings`,
      authHeaders: (apiKey) => ({ authorization: `Bearer ${apiKey}` }),
      modelInBody: true,
      tokenLimitField: 'max_tokens',
    },
  });
