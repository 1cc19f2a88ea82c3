import { describe, expect, it } from 'vitest';
import { categoryFromStatus, SwitchyardError } from '../../src/errors.js';
import type { FailedResponse } from '../../src/http/post-json.js';
import { anthropicErrorTypeForStatus } from '../../src/testing/formats/anthropic.js';
import type { ErrorCategoryName } from '../../src/types.js';
import { ANTHROPIC_ERROR_CATEGORIES, mapAnthropicError, mapAnthropicStreamError } from './errors.js';

function failure(status: number, body: unknown, retryAfterMs?: number): FailedResponse {
  const bodyText = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
  let parsed: unknown;
  try {
    parsed = bodyText === '' ? undefined : JSON.parse(bodyText);
  } catch {
    parsed = undefined;
  }
  return { status, headers: {}, bodyText, body: parsed, retryAfterMs };
}

function anthropicBody(type: string, message: string): unknown {
  return { type: 'error', error: { type, message }, request_id: 'req_011CSHoEeqs5C35K2UUqR7Fy' };
}

/**
 * What each status means when Anthropic answers it with its documented error type. Other 5xx come
 * with the generic `api_error`, which leaves the status to decide (503 `overloaded`, 524 `timeout`).
 */
function expectedForStatus(status: number): ErrorCategoryName {
  const documented: Record<number, ErrorCategoryName> = {
    401: 'auth',
    402: 'quota',
    403: 'permission',
    404: 'not_found',
    409: 'server',
    413: 'context_length',
    429: 'rate_limit',
    504: 'timeout',
    529: 'overloaded',
  };
  return documented[status] ?? (status < 500 ? 'invalid_request' : categoryFromStatus(status));
}

const STATUSES = Array.from({ length: 200 }, (_, index) => 400 + index);

describe('mapAnthropicError', () => {
  it.each(STATUSES)('status %i with an Anthropic body maps by its error type', (status) => {
    const type = anthropicErrorTypeForStatus(status);
    const error = mapAnthropicError(failure(status, anthropicBody(type, 'something went wrong'), 1500));
    expect(SwitchyardError.isInstance(error)).toBe(true);
    expect(error.category).toBe(expectedForStatus(status));
    expect(error.status).toBe(status);
    expect(error.providerCode).toBe(type);
    expect(error.retryAfterMs).toBe(1500);
    expect(error.message).toBe(`anthropic ${status} ${type}: something went wrong`);
  });

  it.each(STATUSES)('status %i without a JSON body falls back to the status', (status) => {
    const error = mapAnthropicError(failure(status, '<html>Bad Gateway</html>'));
    expect(error.category).toBe(categoryFromStatus(status));
    expect(error.message).toBe(`anthropic ${status}: <html>Bad Gateway</html>`);
    expect(error.providerCode).toBeUndefined();
  });

  const documentedTypes: readonly (readonly [string, ErrorCategoryName])[] = [
    ['invalid_request_error', 'invalid_request'],
    ['authentication_error', 'auth'],
    ['billing_error', 'quota'],
    ['permission_error', 'permission'],
    ['not_found_error', 'not_found'],
    ['conflict_error', 'server'],
    ['request_too_large', 'context_length'],
    ['rate_limit_error', 'rate_limit'],
    ['api_error', 'server'],
    ['timeout_error', 'timeout'],
    ['overloaded_error', 'overloaded'],
  ];

  it('covers every documented error type', () => {
    expect(Object.keys(ANTHROPIC_ERROR_CATEGORIES).sort()).toEqual(documentedTypes.map(([type]) => type).sort());
  });

  it.each([
    [500, 'server'],
    [502, 'server'],
    [503, 'overloaded'],
    [504, 'timeout'],
    [529, 'overloaded'],
  ] as const)('api_error with status %i → %s: the generic type leaves a 5xx status to decide', (status, category) => {
    const error = mapAnthropicError(failure(status, anthropicBody('api_error', 'service unavailable'), 2000));
    expect(error).toMatchObject({ category, status, providerCode: 'api_error', retryAfterMs: 2000 });
  });

  it.each(documentedTypes)('%s → %s whatever the status says', (type, category) => {
    // The type is more specific than the status: a 400 carrying overloaded_error is still overloaded.
    expect(mapAnthropicError(failure(400, anthropicBody(type, 'detail'))).category).toBe(category);
    expect(mapAnthropicError(failure(500, anthropicBody(type, 'detail'))).category).toBe(category);
  });

  it.each([
    'prompt is too long: 207791 tokens > 200000 maximum',
    'input length and `max_tokens` exceed context limit: 198981 + 21333 > 200000, decrease input length or `max_tokens` and try again',
    'The request exceeds the model context window',
  ])('an invalid_request_error saying "%s" is context_length', (message) => {
    expect(mapAnthropicError(failure(400, anthropicBody('invalid_request_error', message))).category).toBe('context_length');
  });

  it('keeps other invalid_request_errors as invalid_request', () => {
    const error = mapAnthropicError(failure(400, anthropicBody('invalid_request_error', 'messages: roles must alternate')));
    expect(error.category).toBe('invalid_request');
    expect(error.retryable).toBe(false);
  });

  it('falls back to the status for an unknown error type', () => {
    const error = mapAnthropicError(failure(503, anthropicBody('brand_new_error', 'later')));
    expect(error.category).toBe('overloaded');
    expect(error.providerCode).toBe('brand_new_error');
  });

  it('describes an empty body', () => {
    expect(mapAnthropicError(failure(502, undefined)).message).toBe('anthropic 502: no error body');
  });

  it('never repeats an API key that the upstream echoed', () => {
    const error = mapAnthropicError(failure(401, anthropicBody('authentication_error', 'invalid x-api-key sk-ant-api03-abcdefghijklmnop')));
    expect(error.message).not.toContain('sk-ant-api03-abcdefghijklmnop');
    expect(error.category).toBe('auth');
  });
});

describe('mapAnthropicStreamError', () => {
  it('maps an in-stream overloaded_error to overloaded', () => {
    const error = mapAnthropicStreamError({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });
    expect(error).toMatchObject({ category: 'overloaded', providerCode: 'overloaded_error', retryable: true });
    expect(error.message).toBe('anthropic stream overloaded_error: Overloaded');
  });

  it('treats an unknown or missing type as a server error', () => {
    expect(mapAnthropicStreamError({ type: 'error', error: { type: 'mystery', message: 'x' } }).category).toBe('server');
    expect(mapAnthropicStreamError({}).category).toBe('server');
  });
});
