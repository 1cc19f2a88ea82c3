import { describe, expect, it } from 'vitest';
import { registerSecret, SwitchyardError } from '../../src/errors.js';
import { describeFailure, summarizeFailures } from '../../src/router/failure-summary.js';

const error = (options: ConstructorParameters<typeof SwitchyardError>[0]): SwitchyardError => new SwitchyardError(options);

describe('summarizeFailures', () => {
  it('lists every target with status, category and the provider text', () => {
    const message = summarizeFailures(
      [
        { key: 'anthropic/claude-x', error: error({ category: 'auth', status: 401, message: 'invalid x-api-key' }) },
        { key: 'openai/gpt-4o', error: error({ category: 'network', message: 'connection refused' }) },
        { key: 'gemini/g', error: error({ category: 'circuit_open', message: 'circuit breaker for gemini/g is open' }) },
      ],
      true,
    );
    expect(message).toBe('all 2 attempts failed: anthropic/claude-x 401 auth (invalid x-api-key); openai/gpt-4o network (connection refused); gemini/g skipped (circuit open)');
  });

  it('says "1 attempt failed" for one, and does not say "all" when the call stopped early', () => {
    expect(summarizeFailures([{ key: 'a/m', error: error({ category: 'server', status: 500, message: 'boom' }) }], true)).toBe('1 attempt failed: a/m 500 server (boom)');
    const two = [
      { key: 'a/m', error: error({ category: 'server', status: 500, message: 'boom' }) },
      { key: 'b/m', error: error({ category: 'invalid_request', status: 400, message: 'bad field' }) },
    ];
    expect(summarizeFailures(two, false)).toMatch(/^2 attempts failed: /);
  });

  it('redacts and bounds what it shows', () => {
    registerSecret('sk-summary-secret-0123456789');
    const long = error({ category: 'server', status: 500, message: 'x'.repeat(1_000) });
    expect(describeFailure({ key: 'a/m', error: long }).length).toBeLessThan(200);
    const leaky = new SwitchyardError({ category: 'auth', status: 401, message: 'ok' }).with({});
    Object.defineProperty(leaky, 'message', { value: 'bad key sk-summary-secret-0123456789' });
    expect(describeFailure({ key: 'a/m', error: leaky })).not.toContain('sk-summary-secret');
    const many = Array.from({ length: 50 }, (_, index) => ({ key: `p${index}/m`, error: long }));
    const summary = summarizeFailures(many, true);
    expect(summary).toContain('… and 42 more');
    expect(summary.length).toBeLessThanOrEqual(2_001);
  });
});
