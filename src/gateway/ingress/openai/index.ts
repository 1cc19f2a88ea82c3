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
export { toChatCompletion } from './to-chat-completion.js';
export { encodeChatCompletionStream, type ChatCompletionStreamOptions } from './encode-stream.js';
export { openAIError } from './openai-error.js';
export { chatCompletionId } from './completion-fields.js';
