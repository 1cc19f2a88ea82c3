/**
 * The adapter for servers that speak OpenAI Chat Completions (`type: openai-compatible`):
 * DeepSeek, vLLM, Ollama, One API / New API and similar gateways. It shares the OpenAI mapping and
 * differs where these servers do:
 * - `Authorization: Bearer` is sent only when an API key is configured (local servers need none);
 * - the output limit is `max_tokens`, which every one of them understands;
 * - answers without ids or usage are accepted (an id is generated, usage is zero or absent);
 * - a stream that closes with `[DONE]` but never sent a `finish_reason` counts as finished;
 * - DeepSeek's `reasoning_content` is not part of the answer text;
 * - error bodies may be `{ error: "text" }`, `{ detail }`, `{ message }` or plain text.
 *
 * `settings.baseUrl` is the server's OpenAI base, usually ending in `/v1`
 * (e.g. `https://api.deepseek.com/v1`, `http://localhost:11434/v1`, `http://localhost:8000/v1`);
 * requests go to `${baseUrl}/chat/completions`.
 */
import type { AdapterFactory } from '../../src/provider-spec.js';
import { createChatCompletionsAdapter } from '../openai/chat-completions-adapter.js';

/** Creates the adapter for an `openai-compatible` provider. */
export const createOpenAICompatibleAdapter: AdapterFactory = ({ settings, transport }) =>
  createChatCompletionsAdapter({
    settings,
    transport,
    dialect: {
      url: () => `${settings.baseUrl}/chat/completions`,
      authHeaders: settings.apiKey === undefined || settings.apiKey === '' ? {} : { authorization: `Bearer ${settings.apiKey}` },
      modelInBody: true,
      tokenLimitField: 'max_tokens',
    },
  });
