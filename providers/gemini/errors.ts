/**
 * Gemini error mapping. Google answers errors as `{ error: { code, message, status, details } }`
 * where `status` is a `google.rpc.Code` name (INVALID_ARGUMENT, RESOURCE_EXHAUSTED, …) and
 * `details` holds typed messages (`google.rpc.ErrorInfo`, `google.rpc.QuotaFailure`,
 * `google.rpc.RetryInfo`). The category comes from the status name; the structured details refine
 * it. Only two refinements read message text, because Google gives no structured field for them:
 * an invalid key from old proxies that drop `ErrorInfo`, and the context-length overflow.
 */
import { categoryFromStatus, providerErrorCode, redactAndClip, SwitchyardError } from '../../src/errors.js';
import type { FailedResponse } from '../../src/http/post-json.js';
import type { ErrorCategoryName } from '../../src/types.js';

/** The category each documented `google.rpc.Code` name means, before refinement. */
export const GEMINI_STATUS_CATEGORIES: Readonly<Record<string, ErrorCategoryName | undefined>> = {
  INVALID_ARGUMENT: 'invalid_request',
  OUT_OF_RANGE: 'invalid_request',
  ALREADY_EXISTS: 'invalid_request',
  UNIMPLEMENTED: 'invalid_request',
  // Documented causes are billing not enabled and an unsupported region: the account, not the request.
  FAILED_PRECONDITION: 'permission',
  UNAUTHENTICATED: 'auth',
  PERMISSION_DENIED: 'permission',
  NOT_FOUND: 'not_found',
  RESOURCE_EXHAUSTED: 'rate_limit',
  // The service gave up on the call (our own cancellations never reach here: the transport maps them).
  CANCELLED: 'server',
  ABORTED: 'server',
  INTERNAL: 'server',
  DATA_LOSS: 'server',
  UNAVAILABLE: 'overloaded',
  DEADLINE_EXCEEDED: 'timeout',
  // UNKNOWN says nothing; the HTTP status decides.
  UNKNOWN: undefined,
};

/**
 * `INTERNAL` says only that something failed on Google's side. Like the generic labels of the other
 * adapters (Anthropic `api_error`, OpenAI `server_error`), it leaves a 5xx status to say which:
 * 503 `overloaded`, 504 `timeout`, the others `server`.
 */
function isGenericServerName(name: string, status: number): boolean {
  return name === 'INTERNAL' && status >= 500 && status <= 599;
}

/** The parts of a Google error body this mapper reads. */
interface GoogleErrorBody {
  readonly code?: number;
  readonly message: string;
  readonly status?: string;
  readonly details: readonly Record<string, unknown>[];
}

const ERROR_INFO = 'type.googleapis.com/google.rpc.ErrorInfo';
const QUOTA_FAILURE = 'type.googleapis.com/google.rpc.QuotaFailure';
const RETRY_INFO = 'type.googleapis.com/google.rpc.RetryInfo';

const INVALID_KEY_REASONS = new Set(['API_KEY_INVALID', 'API_KEY_EXPIRED']);
const INVALID_KEY_MESSAGE = /API key (not valid|expired)/i;
/** e.g. "The input token count (1200000) exceeds the maximum number of tokens allowed (1048576)." */
const CONTEXT_LENGTH_MESSAGE = /input token count.*exceeds the maximum/i;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads `{ error: {...} }`; `undefined` when the body is not a Google error. */
export function readGoogleError(body: unknown): GoogleErrorBody | undefined {
  const error = isRecord(body) ? body.error : undefined;
  if (!isRecord(error)) return undefined;
  return {
    code: typeof error.code === 'number' ? error.code : undefined,
    message: typeof error.message === 'string' ? error.message : '',
    status: typeof error.status === 'string' ? error.status : undefined,
    details: Array.isArray(error.details) ? error.details.filter(isRecord) : [],
  };
}

/**
 * Parses a protobuf `Duration` in its JSON form (`"17s"`, `"34.4s"`, `"0.5s"`) into milliseconds.
 * Returns `undefined` for anything else.
 */
export function parseGoogleDuration(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const found = /^\s*(\d+(?:\.\d+)?)s\s*$/.exec(text);
  return found === null ? undefined : Math.ceil(Number(found[1]) * 1000);
}

/** `retryDelay` of the first `google.rpc.RetryInfo` detail, in milliseconds. */
export function retryDelayFromDetails(details: readonly Record<string, unknown>[]): number | undefined {
  for (const detail of details) {
    if (detail['@type'] === RETRY_INFO) {
      const delay = parseGoogleDuration(detail.retryDelay);
      if (delay !== undefined) return delay;
    }
  }
  return undefined;
}

function errorInfoReason(details: readonly Record<string, unknown>[]): string | undefined {
  for (const detail of details) {
    if (detail['@type'] === ERROR_INFO && typeof detail.reason === 'string') return detail.reason;
  }
  return undefined;
}

/** A daily quota (`GenerateRequestsPerDayPerProjectPerModel-FreeTier`) will not come back within a retry. */
function isDailyQuota(details: readonly Record<string, unknown>[]): boolean {
  return details.some(
    (detail) =>
      detail['@type'] === QUOTA_FAILURE &&
      Array.isArray(detail.violations) &&
      detail.violations.some((violation) => isRecord(violation) && typeof violation.quotaId === 'string' && /PerDay/.test(violation.quotaId)),
  );
}

function refine(category: ErrorCategoryName, error: GoogleErrorBody, reason: string | undefined): ErrorCategoryName {
  if (reason !== undefined && INVALID_KEY_REASONS.has(reason)) return 'auth';
  if (category === 'invalid_request') {
    if (INVALID_KEY_MESSAGE.test(error.message)) return 'auth';
    if (CONTEXT_LENGTH_MESSAGE.test(error.message)) return 'context_length';
  }
  if (category === 'rate_limit' && isDailyQuota(error.details)) return 'quota';
  return category;
}

/** Arguments of `geminiError`. */
export interface GeminiErrorInput {
  /** The HTTP status (or, inside a stream, the error's `code`). */
  readonly status: number;
  readonly body: unknown;
  /** The raw body, used as the message when it is not a Google error. */
  readonly bodyText?: string;
  /** From the response headers; wins over `RetryInfo`. */
  readonly retryAfterMs?: number;
}

/** Builds the `SwitchyardError` for a Gemini error body (HTTP failure or an `error` chunk in a stream). */
export function geminiError(input: GeminiErrorInput): SwitchyardError {
  const error = readGoogleError(input.body);
  if (error === undefined) {
    // Redacted before it is cut, so a key at the cut cannot leave its first characters behind.
    const text = redactAndClip((input.bodyText ?? '').trim(), 500, '');
    const category = categoryFromStatus(input.status);
    return new SwitchyardError({
      category,
      code: providerErrorCode(category),
      message: `gemini returned HTTP ${input.status}${text === '' ? '' : `: ${text}`}`,
      status: input.status,
      retryAfterMs: input.retryAfterMs,
    });
  }
  const reason = errorInfoReason(error.details);
  const named = error.status === undefined || isGenericServerName(error.status, input.status) ? undefined : GEMINI_STATUS_CATEGORIES[error.status];
  const base = named ?? categoryFromStatus(input.status);
  const category = refine(base, error, reason);
  return new SwitchyardError({
    category,
    code: providerErrorCode(category),
    message: `gemini ${input.status} ${error.status ?? 'error'}: ${error.message || 'no message'}`,
    status: input.status,
    providerCode: reason ?? error.status,
    retryAfterMs: input.retryAfterMs ?? retryDelayFromDetails(error.details),
  });
}

/** The `ErrorMapper` for `postJson`: maps a failed Gemini HTTP response. */
export function mapGeminiError(failure: FailedResponse): SwitchyardError {
  return geminiError({ status: failure.status, body: failure.body, bodyText: failure.bodyText, retryAfterMs: failure.retryAfterMs });
}
