import { describe, expect, it } from 'vitest';
import { categoryFromStatus, SwitchyardError } from '../../src/errors.js';
import type { FailedResponse } from '../../src/http/post-json.js';
import { azureErrorObject } from '../../src/testing/formats/azure-openai.js';
import { openAIErrorObject } from '../../src/testing/formats/openai.js';
import type { ErrorCategoryName } from '../../src/types.js';
import { mapOpenAIError, mapOpenAIStreamError, readOpenAIErrorBody } from './errors.js';
import { readJsonFixture } from './test-helpers.js';

interface ErrorCase {
  readonly name: string;
  readonly status: number;
  readonly body?: unknown;
  readonly bodyText?: string;
  readonly category: ErrorCategoryName;
  readonly providerCode?: string;
}

function failure(status: number, body: unknown, bodyText?: string, retryAfterMs?: number): FailedResponse {
  return { status, headers: {}, body, bodyText: bodyText ?? (body === undefined ? '' : JSON.stringify(body)), retryAfterMs };
}

const STATUSES = Array.from({ length: 200 }, (_, index) => 400 + index);

describe('mapOpenAIError: every status 400–599', () => {
  it.each(STATUSES)('%i with an empty body falls back to the status category', (status) => {
    const error = mapOpenAIError(failure(status, undefined));
    expect(error.category).toBe(categoryFromStatus(status));
    expect(error.status).toBe(status);
    expect(error.message).toContain(`HTTP ${status}`);
  });

  it.each(STATUSES)('%i with the OpenAI body the simulator renders maps to the status category', (status) => {
    const error = mapOpenAIError(failure(status, { error: openAIErrorObject(status, `simulated ${status}`) }));
    expect(error.category).toBe(categoryFromStatus(status));
    expect(error.message).toContain(`simulated ${status}`);
  });

  it.each(STATUSES)('%i with the Azure body the simulator renders maps to the status category', (status) => {
    const error = mapOpenAIError(failure(status, { error: azureErrorObject(status, `simulated ${status}`) }));
    expect(error.category).toBe(categoryFromStatus(status));
  });
});

describe('mapOpenAIError: documented and observed error bodies', () => {
  const { cases } = readJsonFixture('error-bodies.json') as { cases: ErrorCase[] };

  it.each(cases.map((item) => [item.name, item] as const))('%s', (_name, item) => {
    const error = mapOpenAIError(failure(item.status, item.body, item.bodyText));
    expect(SwitchyardError.isInstance(error)).toBe(true);
    expect(error.category).toBe(item.category);
    expect(error.status).toBe(item.status);
    if (item.providerCode !== undefined) expect(error.providerCode).toBe(item.providerCode);
    expect(error.message.length).toBeGreaterThan(`HTTP ${item.status}`.length);
  });

  it('keeps insufficient_quota apart from rate limiting: quota is not retryable, rate_limit is', () => {
    const quota = mapOpenAIError(failure(429, { error: { message: 'You exceeded your current quota', type: 'insufficient_quota', code: 'insufficient_quota' } }));
    const limited = mapOpenAIError(failure(429, { error: { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' } }));
    expect([quota.category, quota.retryable]).toEqual(['quota', false]);
    expect([limited.category, limited.retryable]).toEqual(['rate_limit', true]);
  });

  it('passes retry-after through', () => {
    const error = mapOpenAIError(failure(429, { error: { message: 'slow down', code: 'rate_limit_exceeded' } }, undefined, 2500));
    expect(error.retryAfterMs).toBe(2500);
  });

  it('never repeats the API key: the configured secret and known key patterns are scrubbed', () => {
    const body = { error: { message: 'Incorrect API key provided: local-secret-token-42 (also sk-proj-0123456789abcdefghij)', code: 'invalid_api_key' } };
    const error = mapOpenAIError(failure(401, body), 'local-secret-token-42');
    expect(error.category).toBe('auth');
    expect(error.message).not.toContain('local-secret-token-42');
    expect(error.message).not.toContain('sk-proj-0123456789abcdefghij');
    expect(error.message).toContain('[redacted]');
  });

  it('strips HTML and clips very long bodies', () => {
    const error = mapOpenAIError(failure(502, undefined, `<html><body><h1>Bad Gateway</h1>${'x'.repeat(5000)}</body></html>`));
    expect(error.message).toContain('Bad Gateway');
    expect(error.message).not.toContain('<h1>');
    expect(error.message.length).toBeLessThan(600);
  });

  it('reads FastAPI validation lists into one message', () => {
    const detail = readOpenAIErrorBody({ detail: [{ loc: ['body', 'messages', 0], msg: 'field required' }] }, '');
    expect(detail.message).toBe('body.messages.0: field required');
  });

  it('reads vLLM numeric codes as a status, not as a provider code', () => {
    const detail = readOpenAIErrorBody({ object: 'error', message: 'bad', type: 'BadRequestError', code: 400 }, '');
    expect(detail).toMatchObject({ message: 'bad', type: 'BadRequestError', status: 400 });
    expect(detail.code).toBeUndefined();
  });
});

describe('mapOpenAIStreamError: error frames inside a stream', () => {
  it.each([
    [{ error: { message: 'The server had an error', type: 'server_error', param: null, code: null } }, 'server'],
    [{ error: { message: 'Rate limit reached', type: 'tokens', code: 'rate_limit_exceeded' } }, 'rate_limit'],
    [{ error: { message: 'quota', type: 'insufficient_quota', code: 'insufficient_quota' } }, 'quota'],
    [{ error: { message: 'filtered', code: 'content_filter', innererror: { code: 'ResponsibleAIPolicyViolation' } } }, 'content_filter'],
    [{ error: { message: 'overloaded', type: 'BadRequestError', code: 503 } }, 'overloaded'],
    [{ error: { message: 'bad request', type: 'invalid_request_error' } }, 'invalid_request'],
    [{ error: { message: 'something odd' } }, 'server'],
    [{ error: 'upstream reset' }, 'server'],
    ['not even json', 'server'],
  ] as const)('%j → %s', (payload, category) => {
    const error = mapOpenAIStreamError(payload);
    expect(error.category).toBe(category);
    expect(error.status).toBeUndefined();
    expect(error.message).toContain('error in stream');
  });
});
