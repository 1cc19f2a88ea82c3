import { describe, expect, it } from 'vitest';
import {
  displayPrefixOf,
  generateKey,
  generateKeyId,
  generateReservationId,
  hashKey,
  isUnheldReservation,
  KEY_RANDOM_CHARACTERS,
} from '../../../src/gateway/store/key-format.js';

describe('virtual key format', () => {
  it('generates sy- keys of 43 base62 characters (≥ 256 bits), all different', () => {
    const keys = Array.from({ length: 2_000 }, generateKey);
    for (const key of keys) expect(key).toMatch(/^sy-[A-Za-z0-9]{43}$/);
    expect(new Set(keys).size).toBe(keys.length);
    expect(KEY_RANDOM_CHARACTERS * Math.log2(62)).toBeGreaterThanOrEqual(256);
  });

  it('draws every base62 character equally often (no modulo bias)', () => {
    const counts = new Map<string, number>();
    for (let index = 0; index < 2_000; index += 1) {
      for (const character of generateKey().slice(3)) counts.set(character, (counts.get(character) ?? 0) + 1);
    }
    const expected = (2_000 * 43) / 62; // ≈ 1387, σ ≈ 37; `byte % 62` without rejection gives ≈ 1700 for 8 characters
    expect(counts.size).toBe(62);
    for (const count of counts.values()) {
      expect(count).toBeGreaterThan(expected - 200);
      expect(count).toBeLessThan(expected + 200);
    }
  });

  it('hashes with SHA-256, hex', () => {
    expect(hashKey('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(hashKey('sy-a')).not.toBe(hashKey('sy-b'));
  });

  it('keeps a short prefix for display', () => {
    expect(displayPrefixOf('sy-abcdefghijk')).toBe('sy-abcd…');
    expect(displayPrefixOf('custom-key-value-that-is-long')).toBe('cust…');
  });

  it('makes ids unrelated to the key, and tells unlimited keys’ reservations apart', () => {
    expect(generateKeyId()).toMatch(/^key_[A-Za-z0-9]{20}$/);
    expect(generateKeyId()).not.toBe(generateKeyId());
    const held = generateReservationId('held');
    const unheld = generateReservationId('unheld');
    expect(held).toMatch(/^rsv_[A-Za-z0-9]{22}$/);
    expect(unheld).toMatch(/^rsu_[A-Za-z0-9]{22}$/);
    expect(isUnheldReservation(held)).toBe(false);
    expect(isUnheldReservation(unheld)).toBe(true);
  });
});
