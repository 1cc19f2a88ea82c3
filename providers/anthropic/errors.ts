/**
 * Maps Anthropic's error bodies (`{ type: 'error', error: { type, message } }`), sent with an HTTP
 * status or as an `error` event inside a stream, into the taxonomy. The error `type` decides; the
 * status decides when the body names no type we know, and when it names only the generic
 * `api_error` with a 5xx status (so a 503 `api_error` is `overloaded`, as in every adapter).
 * Reference: https://platform.claude.com/docs/en/api/errors
 */
import { categoryFromStatus, providerErrorCode, redactAndClip, SwitchyardError } from '../../src/errors.js';
import type { ErrorMapper, FailedResponse } from '../../src/http/post-json.js';
import type { ErrorCategoryName } from '../../src/types.js';

/** Every documented Anthropic error type and the category it means. */
export const ANTHROPIC_ERROR_CATEGORIES: Readonly<Record<string, ErrorCategoryName>> = {
  invalid_request_error: 'invalid_request',
  authentication_error: 'auth',
  billing_error: 'quota',
  permission_error: 'permission',
  not_found_error: 'not_found',
  // "The request conflicts with the current state of a resource … then retry": as for status 409.
  conflict_error: 'server',
  request_too_large: 'context_length',
  rate_limit_error: 'rate_limit',
  api_error: 'server',
  timeout_error: 'timeout',
  overloaded_error: 'overloaded',
};

/**
 * Messages of an `invalid_request_error` that mean the prompt does not fit the model's context.
 * The API words it "prompt is too long: 210000 tokens > 200000 maximum"; the input-plus-max_tokens
 * check words it "input length and `max_tokens` exceed context limit: …".
 */
const CONTEXT_LENGTH_MESSAGES: readonly RegExp[] = [/prompt is too long/i, /context window/i, /exceed context limit/i];

/** The `type` and `message` of an Anthropic error body, when it is one. */
export interface AnthropicErrorDetail {
  readonly type?: string;
  readonly message?: string;
}

/** Reads `{ error: { type, message } }` from a parsed body; anything else gives an empty detail. */
export function readAnthropicError(body: unknown): AnthropicErrorDetail {
  if (typeof body !== 'object' || body === null) return {};
  const error = (body as { error?: unknown }).error;
  if (typeof error !== 'object' || error === null) return {};
  const { type, message } = error as { type?: unknown; message?: unknown };
  return {
    ...(typeof type === 'string' ? { type } : {}),
    ...(typeof message === 'string' ? { message } : {}),
  };
}

/**
 * `api_error` says only that something failed on Anthropic's side. Like the generic labels of the
 * other adapters (OpenAI `server_error`, Gemini `INTERNAL`), it leaves a 5xx status to say which:
 * 503 and 529 `overloaded`, 504 `timeout`, the others `server`.
 */
const GENERIC_SERVER_TYPE = 'api_error';

/**
 * The category an Anthropic error type (and its message) means, or `undefined` for an unknown type.
 * `status` is the HTTP status, when the error came with one (not for errors inside a stream).
 */
export function categoryFromAnthropicError(type: string | undefined, message: string | undefined, status?: number): ErrorCategoryName | undefined {
  if (type === undefined) return undefined;
  if (type === GENERIC_SERVER_TYPE && status !== undefined && status >= 500 && status <= 599) return categoryFromStatus(status);
  const category = ANTHROPIC_ERROR_CATEGORIES[type];
  if (category === 'invalid_request' && message !== undefined && CONTEXT_LENGTH_MESSAGES.some((pattern) => pattern.test(message))) {
    return 'context_length';
  }
  return category;
}

function describe(failure: FailedResponse, detail: AnthropicErrorDetail): string {
  if (detail.message !== undefined && detail.message !== '') return detail.message;
  const text = failure.bodyText.trim();
  // Redacted before it is cut, so a key at the cut cannot leave its first characters behind.
  return text === '' ? 'no error body' : redactAndClip(text, 200, '');
}

/** Maps a failed Anthropic HTTP response: `anthropic <status> <type>: <message>`. */
export const mapAnthropicError: ErrorMapper = (failure) => {
  const detail = readAnthropicError(failure.body);
  const category = categoryFromAnthropicError(detail.type, detail.message, failure.status) ?? categoryFromStatus(failure.status);
  const label = detail.type === undefined ? `${failure.status}` : `${failure.status} ${detail.type}`;
  return new SwitchyardError({
    category,
    code: providerErrorCode(category),
    message: `anthropic ${label}: ${describe(failure, detail)}`,
    status: failure.status,
    retryAfterMs: failure.retryAfterMs,
    providerCode: detail.type,
  });
};

/**
 * Maps the data of an `error` event received inside a stream (after a 200). There is no status;
 * an unknown or missing type is a `server` error, since the upstream failed mid-answer.
 */
export function mapAnthropicStreamError(data: unknown): SwitchyardError {
  const detail = readAnthropicError(data);
  const category = categoryFromAnthropicError(detail.type, detail.message) ?? 'server';
  return new SwitchyardError({
    category,
    code: providerErrorCode(category),
    message: `anthropic stream ${detail.type ?? 'error'}: ${detail.message ?? 'error event without a message'}`,
    providerCode: detail.type,
  });
}
