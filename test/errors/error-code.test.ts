/**
 * `SwitchyardError.code`: the shape of the codes, the defaults, how copies and JSON carry the code,
 * and the code of every status the provider error mappers can meet.
 */
import { describe, expect, it } from 'vitest';
import { mapAnthropicError, mapAnthropicStreamError } from '../../providers/anthropic/errors.js';
import { mapGeminiError } from '../../providers/gemini/errors.js';
import { mapOpenAIError, mapOpenAIStreamError } from '../../providers/openai/errors.js';
import { CanaryControlError } from '../../src/canary/rollout-state.js';
import { ConfigError } from '../../src/config/config-error.js';
import { defaultErrorCode, ERROR_CATEGORIES, ERROR_CODES, invalidRequest, providerErrorCode, SwitchyardError, type ErrorCode } from '../../src/errors.js';
import type { FailedResponse } from '../../src/http/post-json.js';
import { mapTransportError, TimeoutReason } from '../../src/http/transport-errors.js';
import { circuitOpenError } from '../../src/pipeline/breaker/circuit-open-error.js';
import type { ErrorCategoryName } from '../../src/types.js';

const categoryOf = (code: ErrorCode): string => code.slice(0, code.indexOf('.'));

describe('ERROR_CODES', () => {
  it('are unique `<category>.<condition>` strings, and every category has at least one', () => {
    expect(new Set(ERROR_CODES).size).toBe(ERROR_CODES.length);
    for (const code of ERROR_CODES) {
      expect(code).toMatch(/^[a-z_]+\.[a-z_]+$/);
      expect(ERROR_CATEGORIES).toContain(categoryOf(code));
    }
    expect(new Set(ERROR_CODES.map(categoryOf))).toEqual(new Set(ERROR_CATEGORIES));
  });
});

describe('the code of an error created without one', () => {
  it('is a code of its own category, for every category, with or without a provider', () => {
    for (const category of ERROR_CATEGORIES) {
      for (const provider of [undefined, 'openai']) {
        const error = new SwitchyardError({ category, message: 'x', provider });
        expect(ERROR_CODES).toContain(error.code);
        expect(categoryOf(error.code)).toBe(category);
        expect(error.code).toBe(defaultErrorCode(category, provider));
      }
    }
  });

  it('is the `.provider` code when the error names a provider, else the category default', () => {
    expect(new SwitchyardError({ category: 'content_filter', message: 'x' }).code).toBe('content_filter.local');
    expect(new SwitchyardError({ category: 'content_filter', message: 'x', provider: 'gemini' }).code).toBe('content_filter.provider');
    expect(new SwitchyardError({ category: 'canceled', message: 'x' }).code).toBe('canceled.caller');
    expect(new SwitchyardError({ category: 'invalid_request', message: 'x', provider: 'openai' }).code).toBe('invalid_request.provider');
    // Categories without a provider side keep their default.
    expect(new SwitchyardError({ category: 'circuit_open', message: 'x', provider: 'openai' }).code).toBe('circuit_open.open');
    expect(new SwitchyardError({ category: 'network', message: 'x', provider: 'openai' }).code).toBe('network.closed');
    expect(new SwitchyardError({ category: 'unknown', message: 'x' }).code).toBe('unknown.unknown');
  });

  it('is what the creator named, when it named one', () => {
    expect(new SwitchyardError({ category: 'timeout', code: 'timeout.idle', message: 'x', provider: 'p' }).code).toBe('timeout.idle');
  });
});

describe('code in copies and JSON', () => {
  const original = new SwitchyardError({ category: 'timeout', code: 'timeout.first_byte', message: 'no headers', provider: 'openai', model: 'gpt-4o' });

  it('with() keeps the code, replaces it when given, and follows a change of category', () => {
    expect(original.with({ route: 'r', message: 'summary' }).code).toBe('timeout.first_byte');
    expect(original.with({ code: 'timeout.total' }).code).toBe('timeout.total');
    const moved = original.with({ category: 'server' });
    expect(moved.code).toBe('server.provider');
    expect(original.with({ category: 'timeout' }).code).toBe('timeout.first_byte');
  });

  it('toJSON() and JSON.stringify show it beside the category', () => {
    expect(original.toJSON()).toMatchObject({ category: 'timeout', code: 'timeout.first_byte' });
    expect(JSON.parse(JSON.stringify(original))).toMatchObject({ code: 'timeout.first_byte' });
  });

  it('subclasses carry codes too', () => {
    expect(new ConfigError({ problems: [{ path: 'routes', message: 'required' }] }).code).toBe('config.invalid');
    const control = new CanaryControlError('unavailable', 'store down');
    expect(control).toMatchObject({ category: 'server', code: 'server.state_store', reason: 'unavailable', providerCode: undefined });
    expect(new CanaryControlError('invalid-transition', 'no').code).toBe('invalid_request.canary_transition');
    expect(invalidRequest('messages', 'required').code).toBe('invalid_request.field');
    expect(circuitOpenError('openai/gpt-4o', 1_000).code).toBe('circuit_open.open');
  });
});

describe('transport failures', () => {
  const signalAbortedWith = (reason: unknown): AbortSignal => AbortSignal.abort(reason);

  it('names the timeout kind in `code`, never in `providerCode`', () => {
    for (const kind of ['connect', 'first_byte', 'idle', 'total'] as const) {
      const error = mapTransportError(new Error('aborted'), signalAbortedWith(new TimeoutReason(kind, 10)));
      expect(error.code).toBe(`timeout.${kind}`);
      expect(error.providerCode).toBeUndefined();
    }
    const undiciCodes = { UND_ERR_CONNECT_TIMEOUT: 'timeout.connect', UND_ERR_HEADERS_TIMEOUT: 'timeout.first_byte', UND_ERR_BODY_TIMEOUT: 'timeout.idle' } as const;
    for (const [undiciCode, code] of Object.entries(undiciCodes)) {
      const error = mapTransportError(Object.assign(new Error('timeout'), { code: undiciCode }), undefined);
      expect(error).toMatchObject({ category: 'timeout', code, providerCode: undefined });
    }
  });

  it('maps socket codes by condition and keeps the socket code on the cause', () => {
    const cases: Readonly<Record<string, ErrorCode>> = {
      ECONNREFUSED: 'network.refused',
      ECONNRESET: 'network.reset',
      EPIPE: 'network.reset',
      ENOTFOUND: 'network.dns',
      EAI_AGAIN: 'network.dns',
      EHOSTUNREACH: 'network.unreachable',
      UND_ERR_SOCKET: 'network.closed',
      ERR_TLS_CERT_ALTNAME_INVALID: 'network.tls',
      ERR_SSL_WRONG_VERSION_NUMBER: 'network.tls',
      DEPTH_ZERO_SELF_SIGNED_CERT: 'network.tls',
      UND_ERR_INFO: 'network.other',
    };
    for (const [socketCode, code] of Object.entries(cases)) {
      const error = mapTransportError(Object.assign(new Error(`failed ${socketCode}`), { code: socketCode }), undefined);
      expect(error).toMatchObject({ category: 'network', code, providerCode: undefined });
      expect((error.cause as { code?: string }).code).toBe(socketCode);
    }
    expect(mapTransportError(new Error('no code at all'), undefined).code).toBe('network.other');
  });

  it('a caller abort is canceled.caller', () => {
    expect(mapTransportError(new Error('aborted'), signalAbortedWith(new Error('caller left'))).code).toBe('canceled.caller');
  });
});

describe('provider error mappers give `.provider` codes for every status 400-599', () => {
  const failed = (status: number, body: unknown): FailedResponse => ({ status, headers: {}, bodyText: JSON.stringify(body), body, retryAfterMs: undefined });
  const mappers: Readonly<Record<string, (status: number) => SwitchyardError>> = {
    anthropic: (status) => mapAnthropicError(failed(status, { type: 'error', error: { type: 'api_error', message: 'm' } })),
    openai: (status) => mapOpenAIError(failed(status, { error: { message: 'm', type: 'invalid_request_error', code: null } })),
    gemini: (status) => mapGeminiError(failed(status, { error: { code: status, message: 'm', status: 'UNKNOWN' } })),
    plain: (status) => mapOpenAIError({ status, headers: {}, bodyText: '<html>bad gateway</html>', body: undefined, retryAfterMs: undefined }),
  };

  it.each(Object.keys(mappers))('%s', (name) => {
    const map = mappers[name] as (status: number) => SwitchyardError;
    for (let status = 400; status <= 599; status += 1) {
      const error = map(status);
      expect(error.code, `${name} ${status}`).toBe(providerErrorCode(error.category));
      expect(error.code.endsWith('.provider'), `${name} ${status}`).toBe(true);
    }
  });

  it('errors inside streams, and named error types, are `.provider` codes of their category', () => {
    expect(mapAnthropicStreamError({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } })).toMatchObject({ code: 'overloaded.provider', providerCode: 'overloaded_error' });
    expect(mapOpenAIStreamError({ error: { message: 'slow down', type: 'requests', code: 'rate_limit_exceeded' } })).toMatchObject({ code: 'rate_limit.provider', providerCode: 'rate_limit_exceeded' });
    expect(mapOpenAIError(failed(429, { error: { message: 'quota', type: 'insufficient_quota', code: 'insufficient_quota' } })).code).toBe('quota.provider');
    expect(mapAnthropicError(failed(400, { type: 'error', error: { type: 'invalid_request_error', message: 'prompt is too long: 210000 tokens > 200000 maximum' } })).code).toBe('context_length.provider');
  });

  it('providerErrorCode covers every category a provider can answer with', () => {
    const providerSide: readonly ErrorCategoryName[] = ERROR_CATEGORIES.filter((category) => category !== 'circuit_open' && category !== 'config' && category !== 'network' && category !== 'invalid_output');
    for (const category of providerSide) expect(providerErrorCode(category)).toBe(`${category}.provider`);
  });
});
