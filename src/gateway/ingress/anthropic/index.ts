/**
 * The gateway's Anthropic Messages ingress: pure mapping between the Messages API
 * (`POST /v1/messages`, as the official `@anthropic-ai/sdk` speaks it) and the router's unified
 * shapes. No HTTP server here; the gateway's server calls these:
 *
 * - `parseMessagesRequest(body)` → `{ request, stream, user?, requestedModel }`
 * - `toMessage(response, requestedModel)` → the `message` object of a non-streaming answer
 * - `encodeMessagesStream(router.stream(…), { id: newMessageId(), requestedModel })` → SSE text
 * - `anthropicError(error)` → `{ status, headers, body }` of an error answer
 */
export { parseMessagesRequest } from './parse-request.js';
export type { ParsedAnthropicRequest } from './parse-request.js';
export { toMessage } from './to-message.js';
export { encodeMessagesStream } from './encode-stream.js';
export { MessagesStreamFrames } from './stream-frames.js';
export { anthropicError, asSwitchyardError } from './anthropic-error.js';
export { newMessageId } from './message-fields.js';
export type { AnthropicMessage } from './wire-types.js';
