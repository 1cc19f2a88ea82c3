/**
 * One error taxonomy for every provider. Adapters map wire errors into `SwitchyardError`;
 * the pipeline decides what to retry, what counts against a breaker and what to surface,
 * by category alone. Each error also carries a stable `code` naming its exact condition
 * (`timeout.first_byte`, `rate_limit.local`...), for callers, logs and alerts (docs/errors.md).
 */
import type { ErrorCode } from './error-category.js';
import type { Attempt, ErrorCategoryName } from './types.js';
import { sanitizeCause } from './sanitized-cause.js';
import { redactErrorText } from './secret-registry.js';

/** Every category, in a fixed order (useful for metrics labels and tests). */
export const ERROR_CATEGORIES: readonly ErrorCategoryName[] = [
  'rate_limit',
  'overloaded',
  'server',
  'timeout',
  'network',
  'auth',
  'permission',
  'invalid_request',
  'context_length',
  'content_filter',
  'invalid_output',
  'not_found',
  'quota',
  'circuit_open',
  'canceled',
  'config',
  'unknown',
];

/** Categories that another try (later, or at another target) may fix. */
const RETRYABLE: ReadonlySet<ErrorCategoryName> = new Set([
  'rate_limit',
  'overloaded',
  'server',
  'timeout',
  'network',
  'circuit_open',
]);

/** Categories caused by the caller's request itself; they never count against a provider. */
const CALLER_FAULT: ReadonlySet<ErrorCategoryName> = new Set([
  'invalid_request',
  'context_length',
  'content_filter',
  'canceled',
  'config',
]);

/** Whether a category is worth another try by default. */
export function isRetryableCategory(category: ErrorCategoryName): boolean {
  return RETRYABLE.has(category);
}

/** Whether a category is the caller's fault (and so must not open a provider's circuit breaker). */
export function isCallerFault(category: ErrorCategoryName): boolean {
  return CALLER_FAULT.has(category);
}

export { ERROR_CODES, type ErrorCode } from './error-category.js';

/** The code of an error whose creator named none (and that names no provider), per category. */
const DEFAULT_CODES: Readonly<Record<ErrorCategoryName, ErrorCode>> = {
  rate_limit: 'rate_limit.provider',
  overloaded: 'overloaded.provider',
  server: 'server.provider',
  timeout: 'timeout.provider',
  network: 'network.closed',
  auth: 'auth.provider',
  permission: 'permission.provider',
  invalid_request: 'invalid_request.field',
  context_length: 'context_length.provider',
  content_filter: 'content_filter.local',
  invalid_output: 'invalid_output.json',
  not_found: 'not_found.provider',
  quota: 'quota.provider',
  circuit_open: 'circuit_open.open',
  canceled: 'canceled.caller',
  config: 'config.invalid',
  unknown: 'unknown.unknown',
};

/** The code of each category a provider can answer with (`circuit_open` and `config` are ours alone). */
const PROVIDER_CODES: Readonly<Partial<Record<ErrorCategoryName, ErrorCode>>> = {
  rate_limit: 'rate_limit.provider',
  overloaded: 'overloaded.provider',
  server: 'server.provider',
  timeout: 'timeout.provider',
  auth: 'auth.provider',
  permission: 'permission.provider',
  invalid_request: 'invalid_request.provider',
  context_length: 'context_length.provider',
  content_filter: 'content_filter.provider',
  not_found: 'not_found.provider',
  quota: 'quota.provider',
  canceled: 'canceled.provider',
  unknown: 'unknown.provider',
};

/**
 * The code for an error of `category` that the provider answered with (an HTTP error status, an
 * error body or event): its `.provider` code, e.g. `overloaded.provider`. For error mappers.
 */
export function providerErrorCode(category: ErrorCategoryName): ErrorCode {
  return PROVIDER_CODES[category] ?? DEFAULT_CODES[category];
}

/**
 * The code an error gets when its creator names none: the category's `.provider` code when the
 * error names a `provider` (it came from that provider) and the category has one, otherwise the
 * category's default (`server.provider`, `canceled.caller`, `unknown.unknown`...; docs/errors.md).
 */
export function defaultErrorCode(category: ErrorCategoryName, provider?: string): ErrorCode {
  return (provider === undefined ? undefined : PROVIDER_CODES[category]) ?? DEFAULT_CODES[category];
}

const MARKER = Symbol.for('switchyard.error');

/** Options for constructing a `SwitchyardError`. */
export interface SwitchyardErrorOptions {
  readonly category: ErrorCategoryName;
  /**
   * The exact condition, `<category>.<condition>` (see `ErrorCode`, docs/errors.md).
   * Defaults from the category and `provider` (see `defaultErrorCode`).
   */
  readonly code?: ErrorCode;
  readonly message: string;
  /** Defaults from the category (see `isRetryableCategory`). */
  readonly retryable?: boolean;
  readonly status?: number;
  readonly provider?: string;
  readonly model?: string;
  readonly route?: string;
  /** How long the provider asked us to wait, in milliseconds. */
  readonly retryAfterMs?: number;
  /**
   * The provider's own error type or code (e.g. `overloaded_error`, `insufficient_quota`), as it
   * sent it; never one of ours (our condition is `code`).
   */
  readonly providerCode?: string;
  /** Which field of the request was at fault, for `invalid_request` raised by Switchyard itself. */
  readonly field?: string;
  readonly attempts?: readonly Attempt[];
  /** What caused it; kept as given when it is a `SwitchyardError`, otherwise as `sanitizeCause(cause)`. */
  readonly cause?: unknown;
}

/**
 * The only error type Switchyard throws. Recognise it with `SwitchyardError.isInstance(e)`,
 * which also works across two installed copies of the package.
 *
 * Safe to log whole: its `message` and `providerCode` pass through `redactErrorText`, and its
 * `cause` through `sanitizeCause`, when it is built, so `util.inspect(error, { depth: Infinity })`,
 * `console.error(error)`, `JSON.stringify(error)`, `String(error)` and a walk of the `cause` chain
 * never show a secret. A foreign cause (an undici,
 * Node or `JSON.parse` error, or anything a plugin threw) is kept as a `SanitizedCause`: its name,
 * `code` and redacted message, never its raw fields (undici's `data`, `headers`, `body`...).
 *
 * Redaction scope: the secrets redacted are those registered with `registerSecret`, in one registry
 * for the whole process (per copy of the package), shared by every router and never emptied, plus
 * the known key shapes. A router does not depend on what other routers registered: its config's
 * secrets, each adapter's `apiKey` and each endpoint's credential headers are registered when it is
 * built (src/secret-registry.ts, docs/observability.md "Secrets in errors and events").
 */
export class SwitchyardError extends Error {
  override readonly name: string = 'SwitchyardError';
  readonly category: ErrorCategoryName;
  /** The exact condition, always set, e.g. `timeout.first_byte` (docs/errors.md lists every code). */
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly status: number | undefined;
  readonly provider: string | undefined;
  readonly model: string | undefined;
  readonly route: string | undefined;
  readonly retryAfterMs: number | undefined;
  readonly providerCode: string | undefined;
  readonly field: string | undefined;
  readonly attempts: readonly Attempt[];
  /** `true` here; typed `unknown` because `isInstance` reads it from any object (another copy's error, or not an error). */
  private readonly [MARKER]: unknown = true;

  constructor(options: SwitchyardErrorOptions) {
    super(redactErrorText(options.message), options.cause === undefined ? undefined : { cause: sanitizeCause(options.cause) });
    this.category = options.category;
    this.code = options.code ?? defaultErrorCode(options.category, options.provider);
    this.retryable = options.retryable ?? isRetryableCategory(options.category);
    this.status = options.status;
    this.provider = options.provider;
    this.model = options.model;
    this.route = options.route;
    this.retryAfterMs = options.retryAfterMs;
    this.providerCode = options.providerCode === undefined ? undefined : redactErrorText(options.providerCode);
    this.field = options.field;
    this.attempts = options.attempts ?? [];
  }

  /** True for any `SwitchyardError`, from this or another copy of the package. */
  static isInstance(error: unknown): error is SwitchyardError {
    return typeof error === 'object' && error !== null && (error as SwitchyardError)[MARKER] === true;
  }

  /**
   * A copy with some fields replaced (errors are immutable once thrown). The code is kept unless
   * `changes` gives one or moves the error to another category (then that category's default).
   */
  with(changes: Partial<SwitchyardErrorOptions>): SwitchyardError {
    const category = changes.category ?? this.category;
    const code = changes.code ?? (category === this.category ? this.code : undefined);
    return new SwitchyardError({
      message: this.message,
      retryable: this.retryable,
      status: this.status,
      provider: this.provider,
      model: this.model,
      route: this.route,
      retryAfterMs: this.retryAfterMs,
      providerCode: this.providerCode,
      field: this.field,
      attempts: this.attempts,
      cause: this.cause,
      ...changes,
      category,
      code,
    });
  }

  /** A plain object for logs and audit records (never includes secrets). */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      category: this.category,
      code: this.code,
      message: this.message,
      retryable: this.retryable,
      status: this.status,
      provider: this.provider,
      model: this.model,
      route: this.route,
      retryAfterMs: this.retryAfterMs,
      providerCode: this.providerCode,
      field: this.field,
      attempts: this.attempts,
    };
  }
}

/** Shorthand for an `invalid_request` error naming the offending field. */
export function invalidRequest(field: string, problem: string): SwitchyardError {
  return new SwitchyardError({ category: 'invalid_request', code: 'invalid_request.field', message: `${field}: ${problem}`, field });
}

/**
 * The category an HTTP status means when the body says nothing more specific.
 * Covers every status from 400 to 599; adapters refine it from the provider's error type.
 */
export function categoryFromStatus(status: number): ErrorCategoryName {
  switch (status) {
    case 400:
    case 405:
    case 406:
    case 411:
    case 412:
    case 414:
    case 415:
    case 416:
    case 417:
    case 421:
    case 422:
      return 'invalid_request';
    case 401:
    case 407:
      return 'auth';
    case 402:
      return 'quota';
    case 403:
      return 'permission';
    case 404:
    case 410:
      return 'not_found';
    case 408:
      return 'timeout';
    case 409:
    case 423:
    case 425:
      return 'server';
    case 413:
      return 'context_length';
    case 429:
      return 'rate_limit';
    case 451:
      return 'content_filter';
    case 499:
      return 'canceled';
    case 503:
    case 529:
      return 'overloaded';
    case 504:
    case 524:
      return 'timeout';
    default:
      if (status >= 500 && status <= 599) return 'server';
      if (status >= 400 && status <= 499) return 'invalid_request';
      return 'unknown';
  }
}

/** Read-only view of response headers, as undici gives them. */
export type HeaderBag = Readonly<Record<string, string | string[] | undefined>>;

function headerValue(headers: HeaderBag, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Parses a duration like `1s`, `6m0s`, `20ms`, `1h2m3.5s` (OpenAI's `x-ratelimit-reset-*`). */
function parseGoDuration(text: string): number | undefined {
  // Anchored first: unanchored, a long run of digits without a unit is scanned from every start (quadratic).
  if (!/^(?:\d+(?:\.\d+)?(?:ms|h|m|s))+$/.test(text.trim())) return undefined;
  const pattern = /(\d+(?:\.\d+)?)(ms|h|m|s)/g;
  let total = 0;
  let matched = '';
  for (const match of text.matchAll(pattern)) {
    const amount = Number(match[1]);
    const unit = match[2];
    total += unit === 'ms' ? amount : unit === 's' ? amount * 1000 : unit === 'm' ? amount * 60_000 : amount * 3_600_000;
    matched += match[0];
  }
  return matched.length > 0 && matched.length === text.trim().length ? total : undefined;
}

/**
 * How long the provider asked us to wait, in milliseconds, from `retry-after-ms`, `retry-after`
 * (seconds or an HTTP date), or the `x-ratelimit-reset-*` family (durations, seconds or epoch).
 * Returns `undefined` when no header says.
 */
export function parseRetryAfter(headers: HeaderBag, now: number = Date.now()): number | undefined {
  const milliseconds = headerValue(headers, 'retry-after-ms');
  if (milliseconds !== undefined && /^\d+(\.\d+)?$/.test(milliseconds.trim())) {
    return Math.ceil(Number(milliseconds));
  }
  const retryAfter = headerValue(headers, 'retry-after');
  if (retryAfter !== undefined) {
    const trimmed = retryAfter.trim();
    if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.ceil(Number(trimmed) * 1000);
    const date = Date.parse(trimmed);
    if (!Number.isNaN(date)) return Math.max(0, date - now);
  }
  let longest: number | undefined;
  for (const name of ['x-ratelimit-reset-requests', 'x-ratelimit-reset-tokens', 'x-ratelimit-reset']) {
    const value = headerValue(headers, name)?.trim();
    if (value === undefined || value === '') continue;
    let ms: number | undefined;
    if (/^\d+(\.\d+)?$/.test(value)) {
      const number = Number(value);
      // Large numbers are epoch seconds; small ones are seconds from now.
      ms = number > 1e9 ? Math.max(0, number * 1000 - now) : number * 1000;
    } else {
      ms = parseGoDuration(value) ?? (Number.isNaN(Date.parse(value)) ? undefined : Math.max(0, Date.parse(value) - now));
    }
    if (ms !== undefined) longest = Math.max(longest ?? 0, Math.ceil(ms));
  }
  return longest;
}

// Secret redaction lives in secret-registry.ts (the process-wide registry: see its TSDoc for the
// scope) and cause sanitising in sanitized-cause.ts; both are re-exported here, where the rest of
// the code (and users) have always found them.
export { registerSecret, registerHeaderSecret, replaceSlotSecrets, redactSecrets, redactSecretFragments, redactAndClip, redactErrorText } from './secret-registry.js';
export { SanitizedCause, sanitizeCause } from './sanitized-cause.js';
