import { describe, expect, it } from 'vitest';
import { ERROR_CATEGORIES } from '../../../src/errors.js';
import { countsAgainstBreaker } from '../../../src/pipeline/breaker/counts-against-breaker.js';
import { circuitOpenError } from '../../../src/pipeline/breaker/circuit-open-error.js';
import type { ErrorCategoryName } from '../../../src/types.js';

const EXPECTED: Record<ErrorCategoryName, boolean> = {
  rate_limit: true,
  overloaded: true,
  server: true,
  timeout: true,
  network: true,
  auth: true,
  permission: true,
  invalid_request: false,
  context_length: false,
  content_filter: false,
  invalid_output: false,
  not_found: true,
  quota: true,
  circuit_open: false,
  canceled: false,
  config: false,
  unknown: true,
};

describe('countsAgainstBreaker', () => {
  it('covers every category', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual([...ERROR_CATEGORIES].sort());
  });

  it.each(ERROR_CATEGORIES.map((category) => [category, EXPECTED[category]] as const))('%s → %s', (category, expected) => {
    expect(countsAgainstBreaker(category)).toBe(expected);
  });

  it('leaves out unknown.internal (a bug inside the try), but not unknown.provider', () => {
    expect(countsAgainstBreaker('unknown', 'unknown.internal')).toBe(false);
    expect(countsAgainstBreaker('unknown', 'unknown.provider')).toBe(true);
  });
});

describe('circuitOpenError', () => {
  it('is a retryable circuit_open error naming the target and the wait', () => {
    const error = circuitOpenError('anthropic/claude-2.1', 1_234.2);
    expect(error).toMatchObject({ category: 'circuit_open', retryable: true, retryAfterMs: 1_235, provider: 'anthropic', model: 'claude-2.1' });
    expect(error.message).toContain('anthropic/claude-2.1');
  });
});
