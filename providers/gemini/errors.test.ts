import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { categoryFromStatus } from '../../src/errors.js';
import type { FailedResponse } from '../../src/http/post-json.js';
import { geminiFormat, geminiStatusName } from '../../src/testing/formats/gemini.js';
import { GEMINI_STATUS_CATEGORIES, mapGeminiError, parseGoogleDuration, retryDelayFromDetails } from './errors.js';

function fixture(name: string): unknown {
  return JSON.parse(readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8'));
}

function failure(status: number, body: unknown, retryAfterMs?: number): FailedResponse {
  const bodyText = typeof body === 'string' ? body : JSON.stringify(body);
  return { status, headers: {}, bodyText, body: typeof body === 'string' ? undefined : body, retryAfterMs };
}

function googleBody(code: number, status: string, message = 'something happened', details?: unknown[]): unknown {
  return { error: { code, message, status, ...(details === undefined ? {} : { details }) } };
}

const ALL_STATUSES = Array.from({ length: 200 }, (_, index) => 400 + index);

describe('mapGeminiError: every HTTP status 400–599', () => {
  it.each(ALL_STATUSES)('%i with the body the simulator renders maps to a category', (status) => {
    const { body } = geminiFormat.renderError(status, `simulated ${status}`);
    const error = mapGeminiError(failure(status, body));
    const name = geminiStatusName(status);
    const expected = GEMINI_STATUS_CATEGORIES[name] ?? categoryFromStatus(status);
    expect(error.category).toBe(expected);
    expect(error.status).toBe(status);
    expect(error.providerCode).toBe(name);
    expect(error.message).toContain(`simulated ${status}`);
  });

  it.each(ALL_STATUSES)('%i with a body that is not JSON falls back to the HTTP status', (status) => {
    const error = mapGeminiError(failure(status, '<html>Bad Gateway</html>'));
    expect(error.category).toBe(categoryFromStatus(status));
    expect(error.message).toContain('<html>Bad Gateway</html>');
  });

  it.each([
    [400, 'invalid_request'],
    [401, 'auth'],
    [403, 'permission'],
    [404, 'not_found'],
    [429, 'rate_limit'],
    [500, 'server'],
    [503, 'overloaded'],
    [504, 'timeout'],
  ] as const)('the documented status %i maps to %s', (status, category) => {
    expect(mapGeminiError(failure(status, geminiFormat.renderError(status, 'x').body)).category).toBe(category);
  });
});

describe('mapGeminiError: every google.rpc status name', () => {
  it.each([
    ['INVALID_ARGUMENT', 400, 'invalid_request'],
    ['FAILED_PRECONDITION', 400, 'permission'],
    ['OUT_OF_RANGE', 400, 'invalid_request'],
    ['UNAUTHENTICATED', 401, 'auth'],
    ['PERMISSION_DENIED', 403, 'permission'],
    ['NOT_FOUND', 404, 'not_found'],
    ['ALREADY_EXISTS', 409, 'invalid_request'],
    ['ABORTED', 409, 'server'],
    ['RESOURCE_EXHAUSTED', 429, 'rate_limit'],
    ['CANCELLED', 499, 'server'],
    ['INTERNAL', 500, 'server'],
    // INTERNAL is Google's generic server failure: a 5xx status says which.
    ['INTERNAL', 503, 'overloaded'],
    ['INTERNAL', 504, 'timeout'],
    ['DATA_LOSS', 500, 'server'],
    ['UNKNOWN', 500, 'server'],
    ['UNKNOWN', 418, 'invalid_request'],
    ['UNIMPLEMENTED', 501, 'invalid_request'],
    ['UNAVAILABLE', 503, 'overloaded'],
    ['DEADLINE_EXCEEDED', 504, 'timeout'],
    ['SOMETHING_NEW', 503, 'overloaded'],
  ] as const)('%s (HTTP %i) → %s', (name, status, category) => {
    const error = mapGeminiError(failure(status, googleBody(status, name)));
    expect(error.category).toBe(category);
    expect(error.providerCode).toBe(name);
  });

  it('covers every name in the table', () => {
    expect(Object.keys(GEMINI_STATUS_CATEGORIES).sort()).toEqual(
      [
        'ABORTED',
        'ALREADY_EXISTS',
        'CANCELLED',
        'DATA_LOSS',
        'DEADLINE_EXCEEDED',
        'FAILED_PRECONDITION',
        'INTERNAL',
        'INVALID_ARGUMENT',
        'NOT_FOUND',
        'OUT_OF_RANGE',
        'PERMISSION_DENIED',
        'RESOURCE_EXHAUSTED',
        'UNAUTHENTICATED',
        'UNAVAILABLE',
        'UNIMPLEMENTED',
        'UNKNOWN',
      ].sort(),
    );
  });
});

describe('mapGeminiError: documented bodies', () => {
  it('reads retryDelay from RetryInfo when no header says', () => {
    const error = mapGeminiError(failure(429, fixture('error-429-retry-info.json')));
    expect(error.category).toBe('rate_limit');
    expect(error.retryable).toBe(true);
    expect(error.retryAfterMs).toBe(34_400);
    expect(error.providerCode).toBe('RESOURCE_EXHAUSTED');
  });

  it('prefers the retry-after header over RetryInfo', () => {
    expect(mapGeminiError(failure(429, fixture('error-429-retry-info.json'), 2_000)).retryAfterMs).toBe(2_000);
  });

  it('maps an exhausted daily quota to quota, which is not retried', () => {
    const error = mapGeminiError(failure(429, fixture('error-daily-quota.json')));
    expect(error.category).toBe('quota');
    expect(error.retryable).toBe(false);
    expect(error.retryAfterMs).toBe(17_000);
  });

  it('maps an invalid key sent as 400 INVALID_ARGUMENT to auth', () => {
    const error = mapGeminiError(failure(400, fixture('error-api-key-invalid.json')));
    expect(error.category).toBe('auth');
    expect(error.providerCode).toBe('API_KEY_INVALID');
  });

  it('maps an invalid key to auth from the message when ErrorInfo is missing', () => {
    expect(mapGeminiError(failure(400, googleBody(400, 'INVALID_ARGUMENT', 'API key expired. Please renew the API key.'))).category).toBe('auth');
  });

  it('maps an input over the context window to context_length', () => {
    const error = mapGeminiError(failure(400, fixture('error-context-length.json')));
    expect(error.category).toBe('context_length');
    expect(error.retryable).toBe(false);
  });

  it('maps an unsupported region to permission', () => {
    expect(mapGeminiError(failure(400, fixture('error-region.json'))).category).toBe('permission');
  });

  it('never repeats a key that a message echoes', () => {
    const key = 'AIzaSyA1234567890abcdefghijklmnopqrstu';
    const error = mapGeminiError(failure(400, googleBody(400, 'INVALID_ARGUMENT', `API key not valid: ${key}`)));
    expect(error.message).not.toContain(key);
    expect(JSON.stringify(error.toJSON())).not.toContain(key);
  });
});

describe('retry delays', () => {
  it.each([
    ['17s', 17_000],
    ['34.4s', 34_400],
    ['0.5s', 500],
    ['0s', 0],
    [' 3s ', 3_000],
    ['1m', undefined],
    ['17', undefined],
    ['-1s', undefined],
    [17, undefined],
    [undefined, undefined],
  ] as const)('parseGoogleDuration(%j) = %j', (input, expected) => {
    expect(parseGoogleDuration(input)).toBe(expected);
  });

  it('ignores RetryInfo-looking entries of another type and takes the first valid RetryInfo', () => {
    expect(
      retryDelayFromDetails([
        { '@type': 'type.googleapis.com/google.rpc.Help', retryDelay: '99s' },
        { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: 'soon' },
        { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '5s' },
      ]),
    ).toBe(5_000);
    expect(retryDelayFromDetails([])).toBeUndefined();
  });
});
