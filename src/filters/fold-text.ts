/**
 * Text folding for sensitive-word matching: case and width folded, so `ＢＡＤ`, `bad` and `Bad`
 * are one word, and a decomposed `é` (e + U+0301) matches a composed one.
 *
 * Text is folded one segment at a time (a base character and the combining marks after it) with
 * NFKC, then upper- and lower-cased (which also folds `ß` to `ss` and `ς` to `σ`). Every folded code
 * point remembers the segment it came from, so a match in folded text maps back to a range of the
 * original string, which is what masking needs.
 */

/** Folded code points of a text, each with the original range (UTF-16 indices) it came from. */
export interface FoldedText {
  readonly codePoints: readonly number[];
  /** Where each folded code point's segment starts in the original text. */
  readonly starts: readonly number[];
  /** Where each folded code point's segment ends (exclusive) in the original text. */
  readonly ends: readonly number[];
}

const COMBINING_MARK = /^\p{M}$/u;
const FIRST_MARK = 0x300;
const SEGMENT_CACHE_LIMIT = 20_000;
const segmentCache = new Map<string, readonly number[]>();

/** CJK Unified Ideographs are neither cased nor changed by NFKC: the common case for Chinese text. */
function isPlainIdeograph(codePoint: number): boolean {
  return codePoint >= 0x4e00 && codePoint <= 0x9fff;
}

function isCombiningMark(codePoint: number): boolean {
  return codePoint >= FIRST_MARK && !isPlainIdeograph(codePoint) && COMBINING_MARK.test(String.fromCodePoint(codePoint));
}

function foldSegmentText(segment: string): readonly number[] {
  const cached = segmentCache.get(segment);
  if (cached !== undefined) return cached;
  const folded = segment.normalize('NFKC').toUpperCase().toLowerCase().normalize('NFKC');
  const codePoints: number[] = [];
  for (const character of folded) codePoints.push(character.codePointAt(0) as number);
  if (segmentCache.size >= SEGMENT_CACHE_LIMIT) segmentCache.clear();
  segmentCache.set(segment, codePoints);
  return codePoints;
}

/**
 * Calls `visit` with each folded code point of `text`, and the original range it came from.
 * The matcher runs on this directly, without building arrays.
 */
export function forEachFolded(text: string, visit: (codePoint: number, start: number, end: number) => void): void {
  let index = 0;
  const length = text.length;
  while (index < length) {
    const start = index;
    const first = text.codePointAt(index) as number;
    index += first > 0xffff ? 2 : 1;
    const baseEnd = index;
    // Gather the combining marks that belong to this base character.
    while (index < length && text.charCodeAt(index) >= FIRST_MARK) {
      const next = text.codePointAt(index) as number;
      if (!isCombiningMark(next)) break;
      index += next > 0xffff ? 2 : 1;
    }
    if (index === baseEnd && first < 128) {
      visit(first >= 0x41 && first <= 0x5a ? first + 32 : first, start, index);
    } else if (index === baseEnd && isPlainIdeograph(first)) {
      visit(first, start, index);
    } else {
      for (const codePoint of foldSegmentText(text.slice(start, index))) visit(codePoint, start, index);
    }
  }
}

/** Folds a whole text, keeping each folded code point's original range. */
export function foldText(text: string): FoldedText {
  const codePoints: number[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  forEachFolded(text, (codePoint, start, end) => {
    codePoints.push(codePoint);
    starts.push(start);
    ends.push(end);
  });
  return { codePoints, starts, ends };
}

/** The folded form of a word, as code points (what the matcher stores). */
export function foldWord(word: string): number[] {
  return [...foldText(word).codePoints];
}
