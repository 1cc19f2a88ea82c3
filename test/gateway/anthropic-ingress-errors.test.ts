/**
 * The Anthropic Messages ingress's error answers: status, type and headers for every category, the
 * choices the reference leaves open (quota, open breaker, upstream credentials), and that no
 * upstream address leaves the gateway.
 */
import { describe, expect, it } from 'vitest';
import { ERROR_CATEGORIES, SwitchyardError } from '../../src/errors.js';
import { anthropicError } from '../../src/gateway/ingress/anthropic/index.js';

describe('anthropicError', () => {
  const table: [string, Partial<ConstructorParameters<typeof SwitchyardError>[0]>, number, string][] = [
    ['invalid_request', {}, 400, 'invalid_request_error'],
    ['context_length', {}, 400, 'invalid_request_error'],
    ['content_filter', {}, 400, 'invalid_request_error'],
    ['auth', {}, 401, 'authentication_error'],
    ['auth', { provider: 'anthropic' }, 502, 'api_error'],
    ['permission', {}, 403, 'permission_error'],
    ['permission', { provider: 'openai' }, 502, 'api_error'],
    ['not_found', {}, 404, 'not_found_error'],
    ['canceled', {}, 499, 'invalid_request_error'],
    ['rate_limit', {}, 429, 'rate_limit_error'],
    ['quota', {}, 429, 'rate_limit_error'],
    ['config', {}, 500, 'api_error'],
    ['server', {}, 502, 'api_error'],
    ['invalid_output', {}, 502, 'api_error'],
    ['network', {}, 502, 'api_error'],
    ['unknown', {}, 502, 'api_error'],
    ['circuit_open', {}, 503, 'overloaded_error'],
    ['timeout', {}, 504, 'timeout_error'],
    ['overloaded', {}, 529, 'overloaded_error'],
  ];
  it.each(table)('%s %j → %i %s', (category, extra, status, type) => {
    const answered = anthropicError(new SwitchyardError({ category: category as SwitchyardError['category'], message: 'it failed', ...extra }));
    expect(answered.status).toBe(status);
    expect(answered.body.type).toBe('error');
    expect(answered.body.error.type).toBe(type);
    expect(answered.headers['content-type']).toBe('application/json');
  });

  it('covers every category', () => {
    expect(new Set(table.map(([category]) => category))).toEqual(new Set(ERROR_CATEGORIES));
  });

  it('sends how long to wait in seconds and milliseconds for a rate limit, an overload or an open breaker', () => {
    for (const category of ['rate_limit', 'overloaded', 'circuit_open'] as const) {
      const { headers } = anthropicError(new SwitchyardError({ category, message: 'wait', retryAfterMs: 1500 }));
      expect(headers['retry-after']).toBe('2');
      expect(headers['retry-after-ms']).toBe('1500');
      expect(headers['x-should-retry']).toBeUndefined();
    }
    expect(anthropicError(new SwitchyardError({ category: 'rate_limit', message: 'wait' })).headers['retry-after']).toBeUndefined();
  });

  it('tells the SDK not to retry a spent quota, with the code Anthropic uses and no wait', () => {
    const answered = anthropicError(new SwitchyardError({ category: 'quota', message: 'app "billing" used its 100000 tokens for today', retryAfterMs: 3_600_000 }));
    expect(answered).toStrictEqual({
      status: 429,
      headers: { 'content-type': 'application/json', 'x-should-retry': 'false' },
      body: {
        type: 'error',
        error: {
          type: 'rate_limit_error',
          message: 'quota exhausted: app "billing" used its 100000 tokens for today. Retrying will not help until the quota resets or is raised.',
          details: { error_code: 'enforced_spend_limit_reached' },
        },
      },
    });
  });

  it('carries the request id as Anthropic does, and says an upstream refused the gateway, not the caller', () => {
    const answered = anthropicError(new SwitchyardError({ category: 'auth', message: 'all 1 attempts failed: anthropic/claude-x 401 auth (invalid x-api-key)', provider: 'anthropic' }), { requestId: 'req_123' });
    expect(answered.headers['request-id']).toBe('req_123');
    expect(answered.body.request_id).toBe('req_123');
    expect(answered.body.error.message).toBe("an upstream provider refused the gateway's credentials (your key was accepted): all 1 attempts failed: anthropic/claude-x 401 auth (invalid x-api-key)");
  });

  it('never shows an upstream address', () => {
    const message = 'all 2 attempts failed: local/llama3 network (connect ECONNREFUSED 10.0.0.7:11434); openai/gpt-4 server (POST https://llm.internal.example:8443/v1/chat/completions returned 500)';
    expect(anthropicError(new SwitchyardError({ category: 'network', message })).body.error.message).toBe(
      'all 2 attempts failed: local/llama3 network (connect ECONNREFUSED <upstream>); openai/gpt-4 server (POST <upstream> returned 500)',
    );
  });
});
