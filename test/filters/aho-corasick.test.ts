import { describe, expect, it } from 'vitest';
import { createWordMatcher, type WordMatch } from '../../src/filters/aho-corasick.js';
import { foldText, foldWord } from '../../src/filters/fold-text.js';
import { maskMatches } from '../../src/filters/sensitive-word-filter.js';
import { createSeededRandom as createRandom } from '../../src/testing/seeded-random.js';


/** The reference: every (folded) word at every folded position, by brute force. */
function naiveFind(words: readonly string[], text: string): WordMatch[] {
  const folded = foldText(text);
  const patterns = new Map<string, { word: string; codePoints: number[] }>();
  for (const word of words) {
    const codePoints = foldWord(word);
    const key = codePoints.join(',');
    if (codePoints.length > 0 && !patterns.has(key)) patterns.set(key, { word, codePoints });
  }
  const matches: WordMatch[] = [];
  for (let end = 0; end < folded.codePoints.length; end += 1) {
    const here: (WordMatch & { length: number })[] = [];
    for (const { word, codePoints } of patterns.values()) {
      const start = end - codePoints.length + 1;
      if (start < 0) continue;
      if (codePoints.every((codePoint, offset) => folded.codePoints[start + offset] === codePoint)) {
        here.push({ word, start: folded.starts[start] as number, end: folded.ends[end] as number, length: codePoints.length });
      }
    }
    here.sort((left, right) => right.length - left.length);
    matches.push(...here.map(({ word, start, end: matchEnd }) => ({ word, start, end: matchEnd })));
  }
  return matches;
}

/** A wide alphabet (case, width, accents, ß, CJK, astral) and a narrow one, where words nest and overlap often. */
const WIDE = ['a', 'b', 'A', 'B', 'ａ', 'Ｂ', '敏', '感', '词', 'é', 'e\u0301', ' ', 'ß', 's', 'S', '𠀀'];
const NARROW = ['a', 'b', 'A', 'ａ'];

function randomString(random: () => number, alphabet: readonly string[], maxLength: number): string {
  const length = Math.floor(random() * (maxLength + 1));
  let text = '';
  for (let index = 0; index < length; index += 1) text += alphabet[Math.floor(random() * alphabet.length)]!;
  return text;
}

describe('createWordMatcher', () => {
  it('agrees with a brute-force search on random words and texts (property)', () => {
    const random = createRandom(42);
    for (let round = 0; round < 600; round += 1) {
      const alphabet = round % 2 === 0 ? NARROW : WIDE;
      const words = Array.from({ length: 1 + Math.floor(random() * 8) }, () => randomString(random, alphabet, 5)).filter((word) => word !== '');
      const text = randomString(random, alphabet, 40);
      const matcher = createWordMatcher(words);
      const expected = naiveFind(words, text);
      expect(matcher.findAll(text), `words ${JSON.stringify(words)} in ${JSON.stringify(text)}`).toEqual(expected);
      expect(matcher.count(text)).toBe(expected.length);
      expect(matcher.test(text)).toBe(expected.length > 0);
    }
  });

  it('reports overlapping and nested words (the classic he/she/his/hers)', () => {
    const matcher = createWordMatcher(['he', 'she', 'his', 'hers']);
    expect(matcher.findAll('ushers')).toEqual([
      { word: 'she', start: 1, end: 4 },
      { word: 'he', start: 2, end: 4 },
      { word: 'hers', start: 2, end: 6 },
    ]);
    expect(matcher.count('ahishers')).toBe(4);
  });

  it('reports every word ending at one place, longest first', () => {
    const matcher = createWordMatcher(['abcd', 'bcd', 'cd', 'd', 'x']);
    expect(matcher.findAll('abcd').map((match) => match.word)).toEqual(['abcd', 'bcd', 'cd', 'd']);
  });

  it('finds repeated and self-overlapping occurrences', () => {
    const matcher = createWordMatcher(['aa']);
    expect(matcher.findAll('aaaa').map((match) => [match.start, match.end])).toEqual([
      [0, 2],
      [1, 3],
      [2, 4],
    ]);
  });

  it('matches Chinese words inside Chinese text', () => {
    const matcher = createWordMatcher(['敏感词', '违禁']);
    expect(matcher.findAll('这是一个敏感词和违禁品的测试')).toEqual([
      { word: '敏感词', start: 4, end: 7 },
      { word: '违禁', start: 8, end: 10 },
    ]);
    expect(matcher.test('这是一个正常的句子')).toBe(false);
  });

  it('folds case, in both the words and the text', () => {
    const matcher = createWordMatcher(['Secret']);
    expect(matcher.findAll('a SECRET, a secret and a sEcReT')).toHaveLength(3);
    expect(createWordMatcher(['STRASSE']).test('die Straße')).toBe(true);
  });

  it('folds full-width to half-width, keeping original ranges', () => {
    const matcher = createWordMatcher(['bad word', '敏感']);
    const text = 'ａ ＢＡＤ　ＷＯＲＤ here, and 敏感 too';
    const matches = matcher.findAll(text);
    expect(matches.map((match) => text.slice(match.start, match.end))).toEqual(['ＢＡＤ　ＷＯＲＤ', '敏感']);
    expect(createWordMatcher(['ＡＢＣ']).test('xabcx')).toBe(true);
  });

  it('matches composed and decomposed accents alike, but not the bare letter', () => {
    expect(createWordMatcher(['café']).test('CAFE\u0301 au lait')).toBe(true);
    expect(createWordMatcher(['cafe\u0301']).test('Café')).toBe(true);
    expect(createWordMatcher(['cafe']).test('café')).toBe(false);
  });

  it('handles characters outside the BMP', () => {
    const matcher = createWordMatcher(['𠀀𠀀']);
    const text = 'x𠀀𠀀y';
    const [match] = matcher.findAll(text);
    expect(match).toEqual({ word: '𠀀𠀀', start: 1, end: 5 });
  });

  it('ignores empty words and reports the first of words that fold alike', () => {
    const matcher = createWordMatcher(['', 'Bad', 'BAD', 'ｂａｄ']);
    expect(matcher.size).toBe(1);
    expect(matcher.findAll('bad')).toEqual([{ word: 'Bad', start: 0, end: 3 }]);
    expect(createWordMatcher([]).findAll('anything')).toEqual([]);
  });

  it('scans a long text with many words in one pass', () => {
    const words = Array.from({ length: 5_000 }, (_, index) => `w${index}x`);
    const matcher = createWordMatcher(words);
    const text = 'lorem ipsum '.repeat(20_000) + 'w4999x';
    expect(matcher.findAll(text)).toEqual([{ word: 'w4999x', start: text.length - 6, end: text.length }]);
  });
});

describe('maskMatches', () => {
  it('masks one mask character per character, merging overlaps', () => {
    const text = 'ushers and 敏感词';
    const matches = createWordMatcher(['she', 'hers', '敏感词']).findAll(text);
    expect(maskMatches(text, matches, '*')).toBe('u***** and ***');
  });

  it('masks characters outside the BMP once each and full-width words whole', () => {
    const text = 'x𠀀𠀀y ＢＡＤ';
    expect(maskMatches(text, createWordMatcher(['𠀀𠀀', 'bad']).findAll(text), '#')).toBe('x##y ###');
  });
});
