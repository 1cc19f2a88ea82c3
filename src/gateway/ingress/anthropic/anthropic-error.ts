/**
 * A `SwitchyardError` → the error answer of the Messages API: status, headers and
 * `{ type: 'error', error: { type, message } }`, as https://platform.claude.com/docs/en/api/errors
 * documents them and the official SDK reads them (its error class is chosen by status, and by
 * `error.details.error_code` when present; it retries 408, 409, 429 and ≥ 500 unless
 * `x-should-retry` says otherwise, waiting `retry-after-ms` or `retry-after` when sent).
 *
 * | category                                      | status | error.type              |
 * | --------------------------------------------- | ------ | ----------------------- |
 * | invalid_request, context_length, content_filter | 400  | invalid_request_error   |
 * | auth (the caller's key)                       | 401    | authentication_error    |
 * | permission (the caller's key)                 | 403    | permission_error        |
 * | not_found                                     | 404    | not_found_error         |
 * | canceled                                      | 499    | invalid_request_error   |
 * | rate_limit                                    | 429    | rate_limit_error        |
 * | quota                                         | 429    | rate_limit_error        |
 * | config                                        | 500    | api_error               |
 * | server, network, unknown; auth/permission from an upstream | 502 | api_error  |
 * | circuit_open                                  | 503    | overloaded_error        |
 * | timeout                                       | 504    | timeout_error           |
 * | overloaded                                    | 529    | overloaded_error        |
 *
 * Choices the reference leaves open:
 * - `quota`: the reference answers a spent monthly limit with 429 `rate_limit_error`, no
 *   `retry-after`, and `details.error_code` `enforced_spend_limit_reached` (the SDK raises
 *   `EnforcedSpendLimitReachedError`). The same here, plus `x-should-retry: false`: the SDK would
 *   otherwise retry a 429 that no wait fixes.
 * - `circuit_open`: 503 (the SDK retries it) with `retry-after` set to when the breaker lets a
 *   probe through, so the SDK's retry lands when a target may answer rather than within its
 *   default 0.5–8 s backoff. `overloaded_error` because the reference means by it "temporarily
 *   unable to serve, retry later", which is what an open breaker is; `api_error` means an
 *   unexpected internal fault, which it is not. 503 rather than 529 keeps the gateway's own
 *   refusal apart from an upstream's overload in logs and dashboards.
 * - `timeout`: 504 `timeout_error`, the type the reference and the SDK (`GatewayTimeoutError`)
 *   give a 504.
 * - `auth` and `permission` with a `provider`: an upstream refused the gateway's own credentials.
 *   The caller's key is fine, so a 401 would send them looking in the wrong place: 502 `api_error`.
 * - `canceled`: 499 (the SDK's `ClientClosedRequestError`); the reference types unlisted 4xx
 *   statuses `invalid_request_error`.
 *
 * Every message passes through `clientErrorMessage`: no upstream addresses, no credential hints.
 */
import type { ErrorCategoryName } from '../../../error-category.js';
import { SwitchyardError } from '../../../errors.js';
import { clientErrorMessage } from '../client-error-message.js';
import type { AnthropicErrorBody, AnthropicErrorObject, AnthropicErrorType } from './wire-types.js';

/** An error answer, ready to send: `JSON.stringify(body)` with `status` and `headers`. */
export interface AnthropicErrorResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: AnthropicErrorBody;
}

/** Optional inputs of `anthropicError`. */
export interface AnthropicErrorOptions {
  /** The gateway's request id: sent as `request_id` and the `request-id` header, as Anthropic does. */
  readonly requestId?: string;
}

const STATUS_AND_TYPE: Readonly<Record<ErrorCategoryName, readonly [number, AnthropicErrorType]>> = {
  invalid_request: [400, 'invalid_request_error'],
  context_length: [400, 'invalid_request_error'],
  content_filter: [400, 'invalid_request_error'],
  auth: [401, 'authentication_error'],
  permission: [403, 'permission_error'],
  not_found: [404, 'not_found_error'],
  canceled: [499, 'invalid_request_error'],
  rate_limit: [429, 'rate_limit_error'],
  quota: [429, 'rate_limit_error'],
  config: [500, 'api_error'],
  server: [502, 'api_error'],
  // The model answered, but not with the JSON asked for: a bad upstream answer.
  invalid_output: [502, 'api_error'],
  network: [502, 'api_error'],
  unknown: [502, 'api_error'],
  circuit_open: [503, 'overloaded_error'],
  timeout: [504, 'timeout_error'],
  overloaded: [529, 'overloaded_error'],
};

/** The `error_code` Anthropic gives a 429 that waiting does not fix. */
const SPENT_LIMIT_CODE = 'enforced_spend_limit_reached';

/** Whether an auth or permission failure is an upstream refusing the gateway's credentials. */
function isUpstreamCredentialFailure(error: SwitchyardError): boolean {
  return (error.category === 'auth' || error.category === 'permission') && error.provider !== undefined;
}

/** The HTTP status and Anthropic error type for an error. */
export function anthropicStatusAndType(error: SwitchyardError): readonly [number, AnthropicErrorType] {
  if (isUpstreamCredentialFailure(error)) return [502, 'api_error'];
  return STATUS_AND_TYPE[error.category];
}

function messageOf(error: SwitchyardError): string {
  const message = clientErrorMessage(error.message);
  if (error.category === 'quota') return `quota exhausted: ${message}. Retrying will not help until the quota resets or is raised.`;
  if (isUpstreamCredentialFailure(error)) return `an upstream provider refused the gateway's credentials (your key was accepted): ${message}`;
  return message;
}

/** The `error` object for an error: for answers and for a stream's `error` event. */
export function anthropicErrorObject(error: SwitchyardError): AnthropicErrorObject {
  const [, type] = anthropicStatusAndType(error);
  const message = messageOf(error);
  return error.category === 'quota' ? { type, message, details: { error_code: SPENT_LIMIT_CODE } } : { type, message };
}

/** Categories whose `retryAfterMs` is sent as `retry-after` (a quota's is not: see the module). */
const WAIT_HINTED: ReadonlySet<ErrorCategoryName> = new Set(['rate_limit', 'overloaded', 'circuit_open', 'server', 'timeout', 'network']);

function headersOf(error: SwitchyardError, requestId: string | undefined): Record<string, string> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (requestId !== undefined) headers['request-id'] = requestId;
  if (error.category === 'quota') headers['x-should-retry'] = 'false';
  const waitMs = error.retryAfterMs;
  if (waitMs !== undefined && Number.isFinite(waitMs) && waitMs >= 0 && WAIT_HINTED.has(error.category)) {
    // Seconds for every client; milliseconds too, which the SDK prefers, so a 300 ms wait stays 300 ms.
    headers['retry-after'] = String(Math.ceil(waitMs / 1000));
    headers['retry-after-ms'] = String(Math.ceil(waitMs));
  }
  return headers;
}

/** The error answer for a `SwitchyardError`; see the module's table. */
export function anthropicError(error: SwitchyardError, options: AnthropicErrorOptions = {}): AnthropicErrorResponse {
  const [status] = anthropicStatusAndType(error);
  const object = anthropicErrorObject(error);
  const body: AnthropicErrorBody = options.requestId === undefined ? { type: 'error', error: object } : { type: 'error', error: object, request_id: options.requestId };
  return { status, headers: headersOf(error, options.requestId), body };
}

/**
 * Anything thrown, as a `SwitchyardError`: itself when it is one, otherwise an `unknown` error
 * whose message says nothing of the original (it may hold anything).
 */
export function asSwitchyardError(thrown: unknown): SwitchyardError {
  if (SwitchyardError.isInstance(thrown)) return thrown;
  return new SwitchyardError({ category: 'unknown', message: 'the gateway failed while answering', cause: thrown });
}
