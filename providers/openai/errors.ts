/**
 * Maps OpenAI-shaped error bodies into the taxonomy: the official API's
 * `{ error: { message, type, param, code } }` (https://platform.openai.com/docs/guides/error-codes),
 * Azure's `{ error: { code: "429", message } }` and content-filter `innererror`, and the variants
 * OpenAI-compatible servers send: `{ error: "text" }` (Ollama), `{ object: "error", message, type,
 * code: 400 }` (vLLM), `{ detail: ... }` (FastAPI servers), `{ message }`, plain text and HTML.
 *
 * The provider's `code` decides first, then its `type`, then Azure's `innererror.code`; generic
 * labels (`invalid_request_error`, `server_error`, `api_error`) defer to the HTTP status, so a 503
 * labelled `server_error` is `overloaded` and a 402 labelled `invalid_request_error` is `quota`.
 * Messages are never searched for keywords.
 */
import { categoryFromStatus, providerErrorCode, redactAndClip, registerSecret, SwitchyardError } from '../../src/errors.js';
import type { FailedResponse } from '../../src/http/post-json.js';
import type { ErrorCategoryName } from '../../src/types.js';

/** What was understood of an error body. */
export interface OpenAIErrorDetail {
  readonly message: string;
  readonly type?: string;
  readonly code?: string;
  readonly param?: string;
  /** Azure: `innererror.code` (e.g. `ResponsibleAIPolicyViolation`). */
  readonly innerCode?: string;
  /** A status the body itself carries (Azure `status`, vLLM's numeric `code`). */
  readonly status?: number;
}

/** Codes and types that name a category on their own, whatever the status. */
const SPECIFIC: Readonly<Record<string, ErrorCategoryName>> = {
  insufficient_quota: 'quota',
  billing_hard_limit_reached: 'quota',
  billing_not_active: 'quota',
  credit_balance_exhausted: 'quota',
  // One API / New API gateways: the gateway's own balance for the user or token ran out.
  insufficient_user_quota: 'quota',
  pre_consume_token_quota_failed: 'quota',
  context_length_exceeded: 'context_length',
  string_above_max_length: 'context_length',
  rate_limit_exceeded: 'rate_limit',
  rate_limit_error: 'rate_limit',
  tokens: 'rate_limit',
  requests: 'rate_limit',
  tokens_usage_based: 'rate_limit',
  requests_usage_based: 'rate_limit',
  content_filter: 'content_filter',
  content_policy_violation: 'content_filter',
  invalid_prompt: 'content_filter',
  responsibleaipolicyviolation: 'content_filter',
  invalid_api_key: 'auth',
  invalid_authentication: 'auth',
  authentication_error: 'auth',
  invalid_issuer: 'auth',
  permission_error: 'permission',
  permission_denied: 'permission',
  request_forbidden: 'permission',
  unsupported_country_region_territory: 'permission',
  model_not_found: 'not_found',
  deploymentnotfound: 'not_found',
  not_found_error: 'not_found',
  server_is_overloaded: 'overloaded',
  engine_overloaded: 'overloaded',
  overloaded_error: 'overloaded',
  slow_down: 'overloaded',
};

/** Generic labels that say an error happened but not which; used only when no status is known. */
const GENERIC_WITHOUT_STATUS: Readonly<Record<string, ErrorCategoryName>> = {
  server_error: 'server',
  api_error: 'server',
  internal_error: 'server',
  invalid_request_error: 'invalid_request',
};

const MAX_MESSAGE = 500;

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asLabel(value: unknown): string | undefined {
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

function asStatus(value: unknown): number | undefined {
  const number = typeof value === 'string' && /^\d{3}$/.test(value) ? Number(value) : value;
  return typeof number === 'number' && Number.isInteger(number) && number >= 400 && number <= 599 ? number : undefined;
}

/** Whitespace folded, secrets redacted, then cut: never cut first, or half a key would survive. */
function clip(text: string): string {
  return redactAndClip(text.replace(/\s+/g, ' ').trim(), MAX_MESSAGE);
}

/** FastAPI's `detail`: a string, or a list of `{ loc, msg }` validation problems. */
function detailMessage(detail: unknown): string | undefined {
  if (typeof detail === 'string') return detail;
  if (Array.isArray(detail)) {
    const parts = detail.map((item) => {
      if (!isObject(item)) return String(item);
      const location = Array.isArray(item.loc) ? item.loc.join('.') : undefined;
      const message = typeof item.msg === 'string' ? item.msg : JSON.stringify(item);
      return location === undefined ? message : `${location}: ${message}`;
    });
    return parts.join('; ');
  }
  return isObject(detail) ? JSON.stringify(detail) : undefined;
}

/** Reads an `{ message, type, code, param, innererror, status }` object. */
function fromErrorObject(error: JsonObject, fallback: string): OpenAIErrorDetail {
  const message = typeof error.message === 'string' && error.message.trim() !== '' ? error.message : fallback;
  const inner = isObject(error.innererror) ? error.innererror : isObject(error.inner_error) ? error.inner_error : undefined;
  const code = asLabel(error.code);
  const status = asStatus(error.status) ?? asStatus(error.code);
  return {
    message: clip(message),
    ...(asLabel(error.type) === undefined ? {} : { type: asLabel(error.type) }),
    ...(code === undefined || asStatus(code) !== undefined ? {} : { code }),
    ...(asLabel(error.param) === undefined ? {} : { param: asLabel(error.param) }),
    ...(inner === undefined || asLabel(inner.code) === undefined ? {} : { innerCode: asLabel(inner.code) }),
    ...(status === undefined ? {} : { status }),
  };
}

/**
 * Understands any of the error bodies OpenAI and compatible servers send. `bodyText` is used
 * when the body is not JSON (a proxy's HTML page, a plain-text message).
 */
export function readOpenAIErrorBody(body: unknown, bodyText: string): OpenAIErrorDetail {
  const textFallback = clip(bodyText.replace(/<[^>]*>/g, ' ')) || 'no error details in the response body';
  if (isObject(body)) {
    if (isObject(body.error)) return fromErrorObject(body.error, textFallback);
    if (typeof body.error === 'string') {
      const message = typeof body.message === 'string' ? `${body.error}: ${body.message}` : body.error;
      return fromErrorObject({ ...body, message, error: undefined }, textFallback);
    }
    if (body.detail !== undefined) return { message: clip(detailMessage(body.detail) ?? textFallback) };
    if (typeof body.message === 'string' || body.object === 'error') return fromErrorObject(body, textFallback);
    return { message: clip(bodyText) || textFallback };
  }
  if (typeof body === 'string' && body.trim() !== '') return { message: clip(body) };
  return { message: textFallback };
}

/** The category a detail names, or `undefined` when only the status can say. */
function specificCategory(detail: OpenAIErrorDetail): ErrorCategoryName | undefined {
  for (const label of [detail.code, detail.type, detail.innerCode]) {
    if (label === undefined) continue;
    const category = SPECIFIC[label.toLowerCase()];
    if (category !== undefined) return category;
  }
  return undefined;
}

/** Options for `createOpenAIError`. */
export interface OpenAIErrorOptions {
  /** The HTTP status, when the error came with one (not for errors inside a stream). */
  readonly status?: number;
  readonly retryAfterMs?: number;
  /** Text to scrub from the message (the adapter's own API key), besides the known key patterns. */
  readonly secret?: string;
  /** Where an error without a status was found, for the message (default `error in stream`). */
  readonly where?: string;
}

/** Builds the `SwitchyardError` for an understood error body. */
export function createOpenAIError(detail: OpenAIErrorDetail, options: OpenAIErrorOptions = {}): SwitchyardError {
  const status = options.status ?? detail.status;
  let category = specificCategory(detail);
  if (category === undefined && status !== undefined) category = categoryFromStatus(status);
  if (category === undefined) {
    const generic = [detail.code, detail.type].find((label) => label !== undefined && GENERIC_WITHOUT_STATUS[label.toLowerCase()] !== undefined);
    category = generic === undefined ? 'server' : (GENERIC_WITHOUT_STATUS[generic.toLowerCase()] ?? 'server');
  }
  const providerCode = detail.code ?? detail.innerCode ?? detail.type;
  const label = [options.status === undefined ? (options.where ?? 'error in stream') : `HTTP ${options.status}`, providerCode].filter((part) => part !== undefined).join(' ');
  let message = `${label}: ${detail.message}`;
  if (options.secret !== undefined && options.secret.length >= 4) message = message.split(options.secret).join('[redacted]');
  return new SwitchyardError({
    category,
    code: providerErrorCode(category),
    message,
    ...(options.status === undefined ? {} : { status: options.status }),
    ...(options.retryAfterMs === undefined ? {} : { retryAfterMs: options.retryAfterMs }),
    ...(providerCode === undefined ? {} : { providerCode }),
  });
}

/** Maps a failed HTTP response from an OpenAI-shaped API (the `ErrorMapper` for `postJson`). */
export function mapOpenAIError(failure: FailedResponse, secret?: string): SwitchyardError {
  // Registered (once; process-wide) so that it is redacted before the message is cut, not after.
  registerSecret(secret);
  return createOpenAIError(readOpenAIErrorBody(failure.body, failure.bodyText), {
    status: failure.status,
    retryAfterMs: failure.retryAfterMs,
    secret,
  });
}

/**
 * Maps an error payload that came without an HTTP error status: a stream's `{ error }` data frame
 * or a 200 body holding an error. Unlabelled errors default to `server`.
 */
export function mapOpenAIStreamError(payload: unknown, secret?: string, where = 'error in stream'): SwitchyardError {
  registerSecret(secret);
  return createOpenAIError(readOpenAIErrorBody(payload, typeof payload === 'string' ? payload : payload === undefined ? '' : JSON.stringify(payload)), { secret, where });
}
