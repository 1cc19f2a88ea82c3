/**
 * The gateway's OpenAI Chat Completions ingress: pure mapping between the API's wire format and
 * the router's unified shapes, for the server to call. It owns no socket.
 *
 * - `parseChatCompletionRequest`: a request body → `ChatRequest` (+ stream, include_usage, user);
 * - `toChatCompletion`: a `ChatResponse` → the `chat.completion` object;
 * - `encodeChatCompletionStream`: `router.stream()` events → SSE frames;
 * - `openAIError`: a `SwitchyardError` → status, headers and `{ error }` body.
 */
export { parseChatCompletionRequest } from './parse-request.js';
export { toChatCompletion, type ChatCompletionOptions } from './to-chat-completion.js';
export { encodeChatCompletionStream, type ChatCompletionStreamOptions } from './encode-stream.js';
export { openAIError, openAIErrorObject } from './openai-error.js';
export { hideUpstreamAddresses } from '../hide-upstream-addresses.js';
export { chatCompletionId } from './completion-fields.js';
export type {
  ChatCompletionObject,
  IngressChatRequest,
  OpenAIErrorObject,
  OpenAIErrorResponse,
  OpenAIFinishReason,
  OpenAIToolCallObject,
  OpenAIUsageObject,
  ParsedOpenAIRequest,
  ResponseFormat,
} from './wire-types.js';
