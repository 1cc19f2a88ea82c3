/**
 * A `SwitchyardError` → the HTTP answer an OpenAI client expects: the status the `openai` SDK turns
 * into its error classes (`BadRequestError`, `RateLimitError`, ...), and the body
 * `{ error: { message, type, param, code } }` with the types and codes of the API's error guide
 * (https://platform.openai.com/docs/guides/error-codes). The same types and codes read back through
 * Switchyard's own OpenAI adapter (`providers/openai/errors.ts`) as the category they came from, so
 * one gateway can sit behind another.
 */
import type { SwitchyardError } from '../../../errors.js';
import type { ErrorCategoryName } from '../../../types.js';
import { clientErrorMessage } from '../client-error-message.js';
import type { OpenAIErrorObject, OpenAIErrorResponse } from './wire-types.js';

interface ErrorShape {
  readonly status: number;
  readonly type: string;
  readonly code: string | null;
}

/** Every category, and how an OpenAI client is told about it. */
const SHAPES: Readonly<Record<ErrorCategoryName, ErrorShape>> = {
  invalid_request: { status: 400, type: 'invalid_request_error', code: null },
  context_length: { status: 400, type: 'invalid_request_error', code: 'context_length_exceeded' },
  content_filter: { status: 400, type: 'invalid_request_error', code: 'content_filter' },
  auth: { status: 401, type: 'authentication_error', code: 'invalid_api_key' },
  permission: { status: 403, type: 'permission_error', code: 'permission_denied' },
  not_found: { status: 404, type: 'invalid_request_error', code: 'model_not_found' },
  rate_limit: { status: 429, type: 'rate_limit_error', code: 'rate_limit_exceeded' },
  quota: { status: 429, type: 'insufficient_quota', code: 'insufficient_quota' },
  overloaded: { status: 503, type: 'service_unavailable_error', code: 'server_is_overloaded' },
  circuit_open: { status: 503, type: 'service_unavailable_error', code: null },
  timeout: { status: 504, type: 'server_error', code: null },
  server: { status: 502, type: 'server_error', code: null },
  // The model answered, but not with the JSON asked for: a bad upstream answer.
  invalid_output: { status: 502, type: 'server_error', code: 'invalid_output' },
  network: { status: 502, type: 'server_error', code: null },
  unknown: { status: 502, type: 'server_error', code: null },
  // The client that canceled is gone; 499 is what proxies log for it.
  canceled: { status: 499, type: 'invalid_request_error', code: null },
  config: { status: 500, type: 'server_error', code: null },
};

/** Fields the router names in the unified shape, under the names the client sent them. */
const PARAM_NAMES: Readonly<Record<string, string>> = {
  maxTokens: 'max_tokens',
  topP: 'top_p',
  toolChoice: 'tool_choice',
  'toolChoice.name': 'tool_choice.function.name',
};

/** An upstream refused the gateway's own credentials: the client's key is fine, so not a 401/403. */
const UPSTREAM_CREDENTIALS: ErrorShape = { status: 502, type: 'server_error', code: null };

function isUpstreamCredentialFailure(error: SwitchyardError): boolean {
  return (error.category === 'auth' || error.category === 'permission') && error.provider !== undefined;
}

function shapeOf(error: SwitchyardError): ErrorShape {
  if (isUpstreamCredentialFailure(error)) return UPSTREAM_CREDENTIALS;
  return SHAPES[error.category];
}

function messageOf(error: SwitchyardError): string {
  const message = clientErrorMessage(error.message);
  return isUpstreamCredentialFailure(error) ? `an upstream provider refused the gateway's credentials (your key was accepted): ${message}` : message;
}

function paramOf(error: SwitchyardError): string | null {
  if (error.field !== undefined) return PARAM_NAMES[error.field] ?? error.field;
  // The API names `messages` for a conversation too long for the model.
  return error.category === 'context_length' ? 'messages' : null;
}

/** The `error` object, for an HTTP error body or an error frame in a stream. */
export function openAIErrorObject(error: SwitchyardError): OpenAIErrorObject {
  const shape = shapeOf(error);
  return { message: messageOf(error), type: shape.type, param: paramOf(error), code: shape.code };
}

/**
 * The HTTP answer for an error: status, headers and body.
 *
 * - invalid_request, context_length (`context_length_exceeded`), content_filter → 400
 *   `invalid_request_error`, `param` the field at fault (in the client's spelling);
 * - auth → 401 (`authentication_error`, `invalid_api_key`); permission → 403; not_found → 404;
 *   but auth and permission errors that name a `provider` are an upstream refusing the gateway's
 *   own credentials: the client's key was fine, so 502 `server_error`, saying so;
 * - rate_limit → 429 `rate_limit_exceeded`; quota → 429 `insufficient_quota`;
 * - overloaded, circuit_open → 503; timeout → 504; server, network, unknown → 502;
 *   canceled → 499; config (the gateway's own setup) → 500.
 *
 * `retry-after` (seconds, rounded up) and `retry-after-ms` go with a retryable error whose wait is
 * known (rate_limit, circuit_open, overloaded...).
 * `x-should-retry` carries the error's `retryable`: the `openai` SDK obeys it before its own rule
 * (which would retry every 429, `insufficient_quota` included). The message is the error's own
 * (secrets already redacted by `SwitchyardError`) with upstream URLs and addresses hidden.
 */
export function openAIError(error: SwitchyardError): OpenAIErrorResponse {
  const shape = shapeOf(error);
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-should-retry': error.retryable ? 'true' : 'false' };
  const wait = error.retryAfterMs;
  if (error.retryable && wait !== undefined && Number.isFinite(wait) && wait >= 0) {
    const milliseconds = Math.ceil(wait);
    headers['retry-after'] = String(Math.ceil(milliseconds / 1000));
    headers['retry-after-ms'] = String(milliseconds);
  }
  return { status: shape.status, headers, body: { error: openAIErrorObject(error) } };
}
