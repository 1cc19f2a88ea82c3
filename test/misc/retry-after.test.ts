import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from '../../src/errors.js';

describe('parseRetryAfter', () => {
  const now = Date.UTC(2026, 0, 1);

  it('reads retry-after-ms, retry-after seconds and dates, and the x-ratelimit-reset durations', () => {
    expect(parseRetryAfter({ 'retry-after-ms': '1500' }, now)).toBe(1500);
    expect(parseRetryAfter({ 'retry-after': '2' }, now)).toBe(2000);
    expect(parseRetryAfter({ 'retry-after': new Date(now + 3000).toUTCString() }, now)).toBe(3000);
    expect(parseRetryAfter({ 'x-ratelimit-reset-requests': '1m2.5s' }, now)).toBe(62_500);
    expect(parseRetryAfter({ 'x-ratelimit-reset-tokens': '20ms' }, now)).toBe(20);
  });

  it('ignores a reset header that is not a duration, and stays linear on a long run of digits without a unit', () => {
    expect(parseRetryAfter({ 'x-ratelimit-reset-requests': '6m0sx' }, now)).toBeUndefined();
    // 16 KiB of digits (the header size limit): quadratic before the pattern was anchored.
    const digits = '1'.repeat(16 * 1024);
    expect(parseRetryAfter({ 'x-ratelimit-reset-requests': `${digits}x` }, now)).toBeUndefined();
  });
});
