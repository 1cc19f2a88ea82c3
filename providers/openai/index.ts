/**
 * The OpenAI Chat Completions adapter (`type: openai`), and the mapping functions the Azure
 * OpenAI and OpenAI-compatible adapters reuse.
 *
 * `settings.baseUrl` for this type includes the API version path, e.g. `https://api.openai.com/v1`
 * (the default written in the config); requests go to `${baseUrl}/chat/completions`. The output
 * limit is sent as `max_completion_tokens`, which OpenAI prefers and its reasoning models require.
 */
import type { AdapterFactory } from '../../src/provider-spec.js';
import { createChatCompletionsAdapter } from './chat-completions-adapter.js';

/** The base URL of the official API, including `/v1`. */
export const OPENAI_DEFAULT_BASE_URL = 'https://api.openai.com/v1';

/** Creates the adapter for an `openai` provider: `Authorization: Bearer <apiKey>`, model in the body. */
export const createOpenAIAdapter: AdapterFactory = ({ settings, transport }) =>
  createChatCompletionsAdapter({
    settings,
    transport,
    dialect: {
      url: () => `${settings.baseUrl}/chat/completions`,
      authHeaders: settings.apiKey === undefined || settings.apiKey === '' ? {} : { authorization: `Bearer ${settings.apiKey}` },
      modelInBody: true,
      tokenLimitField: 'max_completion_tokens',
    },
  });

export { createChatCompletionsAdapter, mergeHeaders } from './chat-completions-adapter.js';
export type { ChatCompletionsAdapterOptions, ChatCompletionsDialect } from './chat-completions-adapter.js';
export { createOpenAIError, mapOpenAIError, mapOpenAIStreamError, readOpenAIErrorBody } from './errors.js';
export type { OpenAIErrorDetail, OpenAIErrorOptions } from './errors.js';
export { buildChatCompletionsBody, imageUrlOf, toOpenAIMessages, toOpenAIToolChoice, toOpenAITools } from './request.js';
export type {
  BodyOptions,
  ChatCompletionsBody,
  OpenAIContentPart,
  OpenAIMessage,
  OpenAITool,
  OpenAIToolCall,
  OpenAIToolChoice,
  TokenLimitField,
} from './request.js';
export { mapOpenAIFinishReason, parseChatCompletion, parseOpenAIUsage } from './response.js';
export { ChatCompletionStreamMapper, parseChatCompletionStream } from './stream.js';
export type { ChatStreamOptions } from './stream.js';
