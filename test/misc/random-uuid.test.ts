import { describe, expect, it } from 'vitest';
import { randomUuid } from '../../src/random-uuid.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('randomUuid', () => {
  it('gives version 4 UUIDs in lower-case hex, all different, across many refills of its random bytes', () => {
    const ids = Array.from({ length: 5_000 }, () => randomUuid()); // 128 ids per refill: ~40 refills
    for (const id of ids) expect(id).toMatch(UUID_V4);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('uses every hex digit in every free position, with the variant digit spread over 8, 9, a and b', () => {
    const digitsSeen = Array.from({ length: 36 }, () => new Set<string>());
    for (let index = 0; index < 2_000; index += 1) {
      const id = randomUuid();
      for (let position = 0; position < id.length; position += 1) digitsSeen[position]?.add(id[position] as string);
    }
    const sizes = digitsSeen.map((seen) => seen.size);
    const expected = Array.from({ length: 36 }, (_, position) => ([8, 13, 18, 23].includes(position) ? 1 : position === 14 ? 1 : position === 19 ? 4 : 16));
    expect(sizes).toEqual(expected);
  });
});
