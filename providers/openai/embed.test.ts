import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '../../src/errors.js';
import { parseEmbeddingsResponse } from './embed.js';

const vector = (value: number): number[] => [value, value / 2];

describe('parseEmbeddingsResponse', () => {
  it('puts the vectors in input order by their index', () => {
    const result = parseEmbeddingsResponse(
      { data: [{ index: 1, embedding: vector(2) }, { index: 0, embedding: vector(1) }], usage: { prompt_tokens: 4 }, model: 'text-embedding-3-small' },
      'openai',
    );
    expect(result).toEqual({ embeddings: [vector(1), vector(2)], inputTokens: 4, servedModel: 'text-embedding-3-small' });
  });

  it('refuses an answer that names one index twice and leaves another out', () => {
    const parse = (): unknown => parseEmbeddingsResponse({ data: [{ index: 0, embedding: vector(1) }, { index: 0, embedding: vector(2) }] }, 'openai');
    expect(parse).toThrow(SwitchyardError);
    expect(parse).toThrow('openai returned an embeddings answer with missing indexes');
  });

  it('refuses an index that is not a whole number', () => {
    expect(() => parseEmbeddingsResponse({ data: [{ index: 0.5, embedding: vector(1) }] }, 'openai')).toThrow('with missing indexes');
  });
});
