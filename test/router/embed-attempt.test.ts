/**
 * How an embedding call's inputs are packed into upstream requests: by the adapter's input count
 * and, when it gives one, by an estimated token budget (UTF-8 bytes / 3 per input).
 */
import { describe, expect, it } from 'vitest';
import { estimateEmbeddingTokens, packInputs } from '../../src/router/embed-attempt.js';

describe('packInputs', () => {
  it('cuts by count alone when there is no token budget', () => {
    expect(packInputs(['a', 'b', 'c', 'd', 'e'], 2, Infinity)).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
    expect(packInputs(['a', 'b'], Infinity, Infinity)).toEqual([['a', 'b']]);
  });

  it('packs greedily under the estimated budget, in order, whichever limit comes first', () => {
    const six = 'x'.repeat(18); // 6 estimated tokens
    expect(packInputs([six, six, six, six], 10, 12)).toEqual([[six, six], [six, six]]);
    expect(packInputs([six, 'y', six, 'z'], 3, 13)).toEqual([[six, 'y', six], ['z']]);
  });

  it('sends an input estimated over the budget alone rather than dropping or cutting it', () => {
    const big = 'x'.repeat(300);
    expect(packInputs(['a', big, 'b'], 10, 50)).toEqual([['a'], [big], ['b']]);
  });

  it('over-counts rather than under-counts: bytes, not characters', () => {
    expect([estimateEmbeddingTokens('abcd'), estimateEmbeddingTokens('漢字'), estimateEmbeddingTokens('')]).toEqual([2, 2, 0]);
  });
});
