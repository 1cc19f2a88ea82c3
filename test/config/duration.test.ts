import { describe, expect, it } from 'vitest';
import { formatDuration, MAX_DURATION_MS, parseDuration } from '../../src/config/duration.js';
import { SwitchyardError } from '../../src/errors.js';

describe('parseDuration', () => {
  it.each([
    ['300ms', 300],
    ['30s', 30_000],
    ['1.5s', 1_500],
    ['10m', 600_000],
    ['1h', 3_600_000],
    ['1h30m', 5_400_000],
    ['1m30s', 90_000],
    ['0.1s', 100],
    ['.5s', 500],
    ['0s', 0],
    [' 2s ', 2_000],
  ])('reads %j as %d ms', (text, expected) => {
    expect(parseDuration(text)).toBe(expected);
  });

  it('takes a number as milliseconds', () => {
    expect(parseDuration(250)).toBe(250);
    expect(parseDuration(0)).toBe(0);
  });

  it.each([
    ['', /empty/],
    ['30', /no unit; write 30ms or 30s/],
    ['5d', /unknown unit "d"/],
    ['5 s', /expected a number followed by a unit|no unit/],
    ['-1s', /must not be negative/],
    ['abc', /expected a number followed by a unit/],
    ['10x5s', /unknown unit "x"/],
    ['1000h', /at most 2147483647ms/],
  ])('refuses %j with a clear message', (text, message) => {
    let thrown: unknown;
    try {
      parseDuration(text);
    } catch (error) {
      thrown = error;
    }
    expect(SwitchyardError.isInstance(thrown)).toBe(true);
    expect((thrown as SwitchyardError).category).toBe('config');
    expect((thrown as SwitchyardError).message).toMatch(message);
    expect((thrown as SwitchyardError).message).toContain(JSON.stringify(text));
  });

  it('refuses negative, infinite and too large numbers', () => {
    expect(() => parseDuration(-5)).toThrow(/must not be negative/);
    expect(() => parseDuration(Number.POSITIVE_INFINITY)).toThrow(/finite/);
    expect(() => parseDuration(Number.NaN)).toThrow(/finite/);
    expect(() => parseDuration(MAX_DURATION_MS + 1)).toThrow(/at most/);
    expect(parseDuration(MAX_DURATION_MS)).toBe(MAX_DURATION_MS);
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0ms'],
    [250, '250ms'],
    [1_500, '1.5s'],
    [600_000, '10m'],
    [3_600_000, '1h'],
  ])('formats %d ms as %j, which parses back', (milliseconds, text) => {
    expect(formatDuration(milliseconds)).toBe(text);
    expect(parseDuration(text)).toBe(milliseconds);
  });
});
