import { describe, expect, it } from 'vitest';
import { costOf as costOfUsage, priceOf as priceFor } from '../../src/pricing.js';
import { createBoundedLabel } from '../../src/metrics/bounded-label.js';

const pricing = {
  'anthropic/claude-3-5-sonnet': { input: 3, output: 15, cachedInput: 0.3 },
  'gpt-4o': { input: 2.5, output: 10 },
};

describe('costOfUsage', () => {
  it('prices by provider/model first, then by bare model', () => {
    expect(priceFor(pricing, { provider: 'anthropic', model: 'claude-3-5-sonnet' })).toEqual(pricing['anthropic/claude-3-5-sonnet']);
    expect(priceFor(pricing, { provider: 'azure', model: 'gpt-4o' })).toEqual(pricing['gpt-4o']);
    expect(priceFor(pricing, { provider: 'openai', model: 'unknown' })).toBeUndefined();
  });

  it('charges input and output per million tokens', () => {
    expect(costOfUsage(pricing, { provider: 'openai', model: 'gpt-4o' }, { inputTokens: 1_000_000, outputTokens: 500_000, totalTokens: 1_500_000 })).toBeCloseTo(2.5 + 5, 10);
  });

  it('charges cached input at the cached price, or the input price when none is given', () => {
    const usage = { inputTokens: 1000, outputTokens: 0, totalTokens: 1000, cachedInputTokens: 800 };
    expect(costOfUsage(pricing, { provider: 'anthropic', model: 'claude-3-5-sonnet' }, usage)).toBeCloseTo((200 * 3 + 800 * 0.3) / 1e6, 12);
    expect(costOfUsage(pricing, { provider: 'openai', model: 'gpt-4o' }, usage)).toBeCloseTo((1000 * 2.5) / 1e6, 12);
  });

  it('is undefined for an unpriced model', () => {
    expect(costOfUsage(pricing, { provider: 'local', model: 'llama3' }, { inputTokens: 5, outputTokens: 5, totalTokens: 10 })).toBeUndefined();
  });
});

describe('createBoundedLabel', () => {
  it('passes known values, admits a few more, then folds the rest into other', () => {
    const label = createBoundedLabel(['a', 'b'], 2);
    expect(['a', 'x', 'y', 'z', 'x', 'b', 'w'].map(label)).toEqual(['a', 'x', 'y', 'other', 'x', 'b', 'other']);
  });
});
