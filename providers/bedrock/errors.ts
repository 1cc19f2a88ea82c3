/**
 * Maps Amazon Bedrock's errors into the taxonomy. Bedrock speaks AWS's REST-JSON protocol: the
 * error's type is in the `x-amzn-errortype` header (`ThrottlingException:http://…`), or the body's
 * `__type` / `code` (`com.amazon.coral.service#UnrecognizedClientException`), and the body is
 * `{ "message": "…" }`. Inside a response stream, an error is an event-stream message with
 * `:message-type: exception` and `:exception-type: throttlingException`. The type decides; the
 * HTTP status decides only for a type we do not know.
 * References: Bedrock Runtime API `InvokeModel` and `InvokeModelWithResponseStream` "Errors", and the
 * AWS common errors page (https://docs.aws.amazon.com/bedrock/latest/APIReference/CommonErrors.html).
 */
import { categoryFromStatus, providerErrorCode, redactAndClip, SwitchyardError } from '../../src/errors.js';
import type { ErrorMapper, FailedResponse } from '../../src/http/post-json.js';
import type { ErrorCategoryName } from '../../src/types.js';

/** Every documented Bedrock Runtime error (and the AWS common ones a call can meet), by type. */
export const BEDROCK_ERROR_CATEGORIES: Readonly<Record<string, ErrorCategoryName>> = {
  // 400: the request is malformed (for Anthropic models, the Messages API's own complaints).
  ValidationException: 'invalid_request',
  // 403: the credentials are fine but may not invoke this model (IAM policy, model access not granted).
  AccessDeniedException: 'permission',
  // 403/400: the credentials themselves are wrong, expired or missing.
  UnrecognizedClientException: 'auth',
  InvalidSignatureException: 'auth',
  SignatureDoesNotMatch: 'auth',
  IncompleteSignature: 'auth',
  IncompleteSignatureException: 'auth',
  ExpiredTokenException: 'auth',
  InvalidClientTokenId: 'auth',
  MissingAuthenticationTokenException: 'auth',
  MissingAuthenticationToken: 'auth',
  // 404: no such model id or inference profile in this region.
  ResourceNotFoundException: 'not_found',
  // 429: requests or tokens per minute over the account's limits.
  ThrottlingException: 'rate_limit',
  // 400: "exceeds the service quota for your account … you can resubmit your request later".
  ServiceQuotaExceededException: 'rate_limit',
  // 429: the model is being loaded; the AWS SDK retries it up to 5 times.
  ModelNotReadyException: 'overloaded',
  // 503: the service cannot take the request now.
  ServiceUnavailableException: 'overloaded',
  ServiceUnavailable: 'overloaded',
  // 500 / 424: a failure on AWS's side or in the model while processing.
  InternalServerException: 'server',
  InternalFailure: 'server',
  ModelErrorException: 'server',
  ModelStreamErrorException: 'server',
  ConflictException: 'server',
  // 408: the model took longer than its timeout.
  ModelTimeoutException: 'timeout',
};

/**
 * Messages of a `ValidationException` that mean the prompt does not fit the model's context: Bedrock
 * words it "Input is too long for requested model", and passes Anthropic's "prompt is too long".
 */
const CONTEXT_LENGTH_MESSAGES: readonly RegExp[] = [/input is too long/i, /prompt is too long/i, /exceed context limit/i, /too many input tokens/i];

/** The error type of an AWS type string: `Name:http://…` and `namespace#Name` both give `Name`. */
export function normalizeAwsErrorType(raw: string): string {
  const withoutUrl = raw.split(':')[0] ?? raw;
  const name = withoutUrl.includes('#') ? withoutUrl.slice(withoutUrl.lastIndexOf('#') + 1) : withoutUrl;
  // Stream exception types are camel-cased event names (`throttlingException`).
  return name.length === 0 ? name : name[0]!.toUpperCase() + name.slice(1);
}

function headerValue(headers: FailedResponse['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** `type` and `message` of a failed response: the type from the header or the body. */
export function readBedrockError(failure: Pick<FailedResponse, 'headers' | 'body'>): { readonly type?: string; readonly message?: string } {
  const body = typeof failure.body === 'object' && failure.body !== null ? (failure.body as Record<string, unknown>) : {};
  const rawType = headerValue(failure.headers, 'x-amzn-errortype') ?? [body.__type, body.code, body.Code].find((value): value is string => typeof value === 'string');
  const message = [body.message, body.Message].find((value): value is string => typeof value === 'string');
  return {
    ...(rawType === undefined || rawType === '' ? {} : { type: normalizeAwsErrorType(rawType) }),
    ...(message === undefined ? {} : { message }),
  };
}

/** The category of a Bedrock error type (and its message), or `undefined` for a type we do not know. */
export function categoryFromBedrockError(type: string | undefined, message: string | undefined): ErrorCategoryName | undefined {
  if (type === undefined) return undefined;
  const category = BEDROCK_ERROR_CATEGORIES[type];
  if (category === 'invalid_request' && message !== undefined && CONTEXT_LENGTH_MESSAGES.some((pattern) => pattern.test(message))) return 'context_length';
  return category;
}

/** Maps a failed Bedrock HTTP response: `bedrock <status> <type>: <message>`. */
export const mapBedrockError: ErrorMapper = (failure) => {
  const detail = readBedrockError(failure);
  const category = categoryFromBedrockError(detail.type, detail.message) ?? categoryFromStatus(failure.status);
  const label = detail.type === undefined ? `${failure.status}` : `${failure.status} ${detail.type}`;
  const text = failure.bodyText.trim();
  // Redacted before it is cut, so a credential at the cut cannot leave its first characters behind.
  const described = detail.message ?? (text === '' ? 'no error body' : redactAndClip(text, 200, ''));
  return new SwitchyardError({
    category,
    code: providerErrorCode(category),
    message: `bedrock ${label}: ${described}`,
    status: failure.status,
    retryAfterMs: failure.retryAfterMs,
    providerCode: detail.type,
  });
};

/**
 * Maps an exception message inside a response stream (`:exception-type` and its JSON payload). An
 * unknown type is a `server` error: the upstream failed mid-answer.
 */
export function mapBedrockStreamException(exceptionType: string | undefined, payload: unknown): SwitchyardError {
  const type = exceptionType === undefined ? undefined : normalizeAwsErrorType(exceptionType);
  const body = typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>) : {};
  const message = [body.message, body.Message].find((value): value is string => typeof value === 'string');
  const category = categoryFromBedrockError(type, message) ?? 'server';
  return new SwitchyardError({
    category,
    code: providerErrorCode(category),
    message: `bedrock stream ${type ?? 'exception'}: ${message ?? 'exception without a message'}`,
    providerCode: type,
  });
}
