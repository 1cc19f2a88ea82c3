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
export { toMessage, contentOf } from './to-message.js';
export type { ToMessageOptions } from './to-message.js';
export { encodeMessagesStream } from './encode-stream.js';
export type { EncodeMessagesStreamOptions, MessagesEventStream } from './encode-stream.js';
export { MessagesStreamFrames, sseFrame } from './stream-frames.js';
export type { StreamFrameOptions } from './stream-frames.js';
export { anthropicError, anthropicErrorObject, anthropicStatusAndType, asSwitchyardError } from './anthropic-error.js';
export type { AnthropicErrorOptions, AnthropicErrorResponse } from './anthropic-error.js';
export { messageIdOf, newMessageId, stopReasonOf, stopSequenceOf, usageOf } from './message-fields.js';
export { hideUpstreamAddresses, HIDDEN_ADDRESS } from '../hide-upstream-addresses.js';
export type {
  AnthropicContentBlock,
  AnthropicErrorBody,
  AnthropicErrorObject,
  AnthropicErrorType,
  AnthropicMessage,
  AnthropicStopReason,
  AnthropicTextBlock,
  AnthropicToolUseBlock,
  AnthropicUsage,
} from './wire-types.js';
