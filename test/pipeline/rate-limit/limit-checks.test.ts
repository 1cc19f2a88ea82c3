import { describe, expect, it } from 'vitest';
import type { RateLimitPolicy } from '../../../src/config/types.js';
import { limitChecks } from '../../../src/pipeline/rate-limit/limit-checks.js';

const policy: RateLimitPolicy = { global: { rps: 50 }, perUser: { concurrency: 5 }, perTenant: { rpm: 30, tpm: 1_000 }, waitMs: 0 };

describe('limitChecks', () => {
  it('gives each caller its own checks: global, then per user, then per tenant', () => {
    const ids = (user?: string, tenant?: string): string[] => limitChecks({ user, tenant }, policy).map((check) => check.id);
    expect(ids('u-1', 't-1')).toEqual(['global:rps', 'perUser:concurrency:u-1', 'perTenant:rpm:t-1', 'perTenant:tpm:t-1']);
    expect(ids('u-2', 't-1')).toEqual(['global:rps', 'perUser:concurrency:u-2', 'perTenant:rpm:t-1', 'perTenant:tpm:t-1']);
    expect(ids('u-1', 't-2')).toEqual(['global:rps', 'perUser:concurrency:u-1', 'perTenant:rpm:t-2', 'perTenant:tpm:t-2']);
    expect(ids(undefined, 't-2')).toEqual(['global:rps', 'perTenant:rpm:t-2', 'perTenant:tpm:t-2']);
    expect(ids('u-1', '')).toEqual(['global:rps', 'perUser:concurrency:u-1']);
    expect(ids()).toEqual(['global:rps']);
  });

  it('builds a caller’s checks once and reuses them, and keeps being right past its memory of callers', () => {
    const first = limitChecks({ user: 'u-1', tenant: 't-1' }, policy);
    expect(limitChecks({ user: 'u-1', tenant: 't-1' }, policy)).toBe(first);
    for (let index = 0; index < 20_050; index += 1) {
      const checks = limitChecks({ user: `u-${index}`, tenant: 't-1' }, policy);
      expect(checks[1]?.id).toBe(`perUser:concurrency:u-${index}`);
    }
    expect(limitChecks({ user: 'u-1', tenant: 't-1' }, policy).map((check) => check.id)).toEqual(first.map((check) => check.id));
  });
});
