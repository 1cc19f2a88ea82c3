/**
 * An Aho-Corasick matcher over folded text (see `fold-text.ts`): every occurrence of every word,
 * overlapping ones included, in one pass over the text, whatever the number of words.
 *
 * The trie's nodes live in parallel arrays; each node keeps its transitions in a `Map` keyed by
 * code point (the alphabet is all of Unicode, so no dense tables), a failure link to the longest
 * proper suffix that is also in the trie, and a dictionary link to the nearest node on the failure
 * chain where a word ends, so reporting overlapping words never walks nodes that end nothing.
 */
import { forEachFolded, foldWord } from './fold-text.js';

/** One occurrence of a word in a text. */
export interface WordMatch {
  /** The word as configured (the first one, when several fold to the same form). */
  readonly word: string;
  /** Where the occurrence starts in the original text (UTF-16 index). */
  readonly start: number;
  /** Where it ends (exclusive). Widened to whole characters when folding changed their length. */
  readonly end: number;
}

/** Finds words in texts, case and width folded. */
export interface WordMatcher {
  /** The number of distinct folded words. */
  readonly size: number;
  /** Every occurrence, overlapping ones included, ordered by where they end, then by length (longest first). */
  findAll(text: string): WordMatch[];
  /** How many occurrences there are (same as `findAll(text).length`, without building them). */
  count(text: string): number;
  /** Whether any word occurs; stops at the first. */
  test(text: string): boolean;
}

const ROOT = 0;
const NONE = -1;

/** Stops a scan early (thrown through the scan's callback, caught by `matches`). */
class StopScan extends Error {}
const STOP = new StopScan('scan stopped');

/** Builds a matcher for `words`; empty words (or words that fold to nothing) are ignored. */
export function createWordMatcher(words: readonly string[]): WordMatcher {
  const transitions: Map<number, number>[] = [new Map<number, number>()];
  const failure: number[] = [ROOT];
  const dictionaryLink: number[] = [NONE];
  const depth: number[] = [0];
  /** The word that ends at each node, as an index into `patterns`, or NONE. */
  const ending: number[] = [NONE];
  const patterns: string[] = [];

  for (const word of words) {
    const folded = foldWord(word);
    if (folded.length === 0) continue;
    let node = ROOT;
    for (const codePoint of folded) {
      let next = (transitions[node] as Map<number, number>).get(codePoint);
      if (next === undefined) {
        next = transitions.length;
        transitions.push(new Map());
        failure.push(ROOT);
        dictionaryLink.push(NONE);
        depth.push((depth[node] as number) + 1);
        ending.push(NONE);
        (transitions[node] as Map<number, number>).set(codePoint, next);
      }
      node = next;
    }
    if (ending[node] === NONE) {
      ending[node] = patterns.length;
      patterns.push(word);
    }
  }

  // Breadth-first, so a node's failure target (always shallower) is finished before the node.
  // The root's children fail to the root, as they were created.
  const queue: number[] = [...(transitions[ROOT] as Map<number, number>).values()];
  for (let head = 0; head < queue.length; head += 1) {
    const node = queue[head] as number;
    for (const [codePoint, child] of transitions[node] as Map<number, number>) {
      let fallback = failure[node] as number;
      while (fallback !== ROOT && !(transitions[fallback] as Map<number, number>).has(codePoint)) fallback = failure[fallback] as number;
      const suffix = (transitions[fallback] as Map<number, number>).get(codePoint) ?? ROOT;
      failure[child] = suffix;
      dictionaryLink[child] = ending[suffix] !== NONE ? suffix : (dictionaryLink[suffix] as number);
      queue.push(child);
    }
  }

  /**
   * Runs the automaton over `text`. `onMatch` gets the pattern and the index (in folded code
   * points) of its last code point; `track` keeps the original ranges for `rangeOf`.
   */
  function scan(text: string, track: boolean, onMatch: (pattern: number, lastIndex: number, length: number) => void, starts: number[], ends: number[]): void {
    let state = ROOT;
    let position = 0;
    forEachFolded(text, (codePoint, start, end) => {
      if (track) {
        starts.push(start);
        ends.push(end);
      }
      let next = (transitions[state] as Map<number, number>).get(codePoint);
      while (next === undefined && state !== ROOT) {
        state = failure[state] as number;
        next = (transitions[state] as Map<number, number>).get(codePoint);
      }
      state = next ?? ROOT;
      let node = ending[state] !== NONE ? state : (dictionaryLink[state] as number);
      while (node !== NONE) {
        onMatch(ending[node] as number, position, depth[node] as number);
        node = dictionaryLink[node] as number;
      }
      position += 1;
    });
  }

  const noRanges: number[] = [];

  return {
    size: patterns.length,

    findAll(text) {
      if (patterns.length === 0) return [];
      const matches: WordMatch[] = [];
      const starts: number[] = [];
      const ends: number[] = [];
      scan(
        text,
        true,
        (pattern, lastIndex, length) => {
          matches.push({ word: patterns[pattern] as string, start: starts[lastIndex - length + 1] as number, end: ends[lastIndex] as number });
        },
        starts,
        ends,
      );
      return matches;
    },

    count(text) {
      if (patterns.length === 0) return 0;
      let total = 0;
      scan(text, false, () => (total += 1), noRanges, noRanges);
      return total;
    },

    test(text) {
      if (patterns.length === 0) return false;
      try {
        scan(
          text,
          false,
          () => {
            throw STOP;
          },
          noRanges,
          noRanges,
        );
      } catch (error) {
        if (error === STOP) return true;
        throw error;
      }
      return false;
    },
  };
}
