/**
 * Cost with prompt-cache prices: reads at `cacheRead` (or the deprecated `cachedInput`), writes at
 * `cacheWrite`, the rest of the input at `input`; and the config errors for bad cache prices, with
 * their YAML path and line.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/config-error.js';
import { parseConfig } from '../../src/config/load.js';
import { cacheTokensOf, costAtPrice, costOf } from '../../src/pricing.js';
import type { Usage } from '../../src/types.js';

const SONNET = { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 };

const usage = (extra: Partial<Usage>): Usage => ({ inputTokens: 10_000, outputTokens: 500, totalTokens: 10_500, ...extra });

describe('costAtPrice with prompt-cache prices', () => {
  it('charges reads, writes and the rest of the input each at its own price', () => {
    // (1_000 × 3 + 8_000 × 0.3 + 1_000 × 3.75 + 500 × 15) / 1e6
    expect(costAtPrice(SONNET, usage({ cacheReadInputTokens: 8_000, cacheWriteInputTokens: 1_000 }))).toBeCloseTo(0.01665, 12);
  });

  it('charges cache tokens at the input price when the model has no cache prices', () => {
    const plain = { input: 3, output: 15 };
    expect(costAtPrice(plain, usage({ cacheReadInputTokens: 8_000, cacheWriteInputTokens: 1_000 }))).toBeCloseTo((10_000 * 3 + 500 * 15) / 1e6, 12);
  });

   
  it('reads the deprecated cachedInput price and cachedInputTokens count', () => {
    expect(costAtPrice({ input: 2, output: 8, cachedInput: 0.5 }, usage({ cachedInputTokens: 4_000 }))).toBeCloseTo((6_000 * 2 + 4_000 * 0.5 + 500 * 8) / 1e6, 12);
    // cacheRead wins over cachedInput, cacheReadInputTokens over cachedInputTokens.
    expect(costAtPrice({ input: 2, output: 8, cachedInput: 0.5, cacheRead: 0.2 }, usage({ cachedInputTokens: 1, cacheReadInputTokens: 4_000 }))).toBeCloseTo((6_000 * 2 + 4_000 * 0.2 + 500 * 8) / 1e6, 12);
  });

   

  it('never counts cache tokens beyond the input, nor negative ones', () => {
    expect(cacheTokensOf(usage({ cacheReadInputTokens: 9_000, cacheWriteInputTokens: 5_000 }))).toEqual({ read: 9_000, write: 1_000, write1h: 0, uncached: 0 });
    expect(cacheTokensOf(usage({ cacheReadInputTokens: -5, cacheWriteInputTokens: Number.NaN }))).toEqual({ read: 0, write: 0, write1h: 0, uncached: 10_000 });
  });

  it('charges 1-hour writes at cacheWrite1h, the other writes at cacheWrite', () => {
    // Anthropic Sonnet: 5-minute writes 1.25 × 3, 1-hour writes 2 × 3 (docs.anthropic.com/en/docs/build-with-claude/prompt-caching#pricing).
    const price = { ...SONNET, cacheWrite1h: 6 };
    // (1_000 × 3 + 8_000 × 0.3 + 400 × 3.75 + 600 × 6 + 500 × 15) / 1e6
    expect(costAtPrice(price, usage({ cacheReadInputTokens: 8_000, cacheWriteInputTokens: 1_000, cacheWrite1hInputTokens: 600 }))).toBeCloseTo(0.018, 12);
  });

  it('without cacheWrite1h, charges 1-hour writes at cacheWrite, else at input', () => {
    const written = usage({ cacheWriteInputTokens: 1_000, cacheWrite1hInputTokens: 1_000 });
    expect(costAtPrice(SONNET, written)).toBeCloseTo((9_000 * 3 + 1_000 * 3.75 + 500 * 15) / 1e6, 12);
    expect(costAtPrice({ input: 3, output: 15 }, written)).toBeCloseTo((10_000 * 3 + 500 * 15) / 1e6, 12);
  });

  it('never counts 1-hour writes beyond the writes', () => {
    expect(cacheTokensOf(usage({ cacheWriteInputTokens: 1_000, cacheWrite1hInputTokens: 5_000 }))).toEqual({ read: 0, write: 1_000, write1h: 1_000, uncached: 9_000 });
  });

  it('prices a target by provider/model, then model', () => {
    const pricing = { 'anthropic/claude-sonnet-4-5': SONNET, 'claude-sonnet-4-5': { input: 100, output: 100 } };
    expect(costOf(pricing, { provider: 'anthropic', model: 'claude-sonnet-4-5' }, usage({ cacheWriteInputTokens: 10_000 }))).toBeCloseTo((10_000 * 3.75 + 500 * 15) / 1e6, 12);
  });
});

const config = (price: string): string => `providers:
  anthropic:
    type: anthropic
    apiKey: sk-ant-test-0123456789
routes:
  claude:
    targets: [{ provider: anthropic, model: claude-sonnet-4-5 }]
pricing:
  claude-sonnet-4-5:
${price}
`;

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (ConfigError.isConfigError(error)) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('pricing config', () => {
  it('accepts cacheRead and cacheWrite', () => {
    expect(parseConfig(config('    input: 3\n    output: 15\n    cacheRead: 0.3\n    cacheWrite: 3.75')).pricing).toEqual({ 'claude-sonnet-4-5': SONNET });
  });

  it('refuses a negative cache price, naming its path and line', () => {
    const error = configError(() => parseConfig(config('    input: 3\n    output: 15\n    cacheWrite: -1')));
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatchObject({ path: 'pricing.claude-sonnet-4-5.cacheWrite', line: 12 });
  });

  it('accepts cacheWrite1h, and refuses a negative one naming its path and line', () => {
    expect(parseConfig(config('    input: 3\n    output: 15\n    cacheWrite1h: 6')).pricing).toEqual({ 'claude-sonnet-4-5': { input: 3, output: 15, cacheWrite1h: 6 } });
    const error = configError(() => parseConfig(config('    input: 3\n    output: 15\n    cacheWrite: 3.75\n    cacheWrite1h: -6')));
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatchObject({ path: 'pricing.claude-sonnet-4-5.cacheWrite1h', line: 13 });
  });

  it('refuses a price that is not a number', () => {
    const error = configError(() => parseConfig(config('    input: 3\n    output: 15\n    cacheRead: cheap')));
    expect(error.problems[0]).toMatchObject({ path: 'pricing.claude-sonnet-4-5.cacheRead', line: 12 });
  });

  it('refuses cachedInput and cacheRead that disagree', () => {
    const error = configError(() => parseConfig(config('    input: 3\n    output: 15\n    cacheRead: 0.3\n    cachedInput: 0.5')));
    expect(error.problems[0]?.path).toBe('pricing.claude-sonnet-4-5.cachedInput');
    expect(error.problems[0]?.message).toContain('old name of `cacheRead`');
    expect(error.problems[0]?.line).toBe(13);
  });
});
