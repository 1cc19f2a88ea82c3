/**
 * The price of a call from its token counts and the config's `pricing` table (US dollars per
 * million tokens, looked up by `provider/model` first, then by the bare model name).
 */
import type { ModelPrice, PriceTable } from '../config/types.js';
import type { Target, Usage } from '../types.js';

/** The price entry for a target: `provider/model` first, then the bare model name. */
export function priceOf(target: Target, pricing: PriceTable): ModelPrice | undefined {
  return pricing[`${target.provider}/${target.model}`] ?? pricing[target.model];
}

/**
 * The cost of one answer in US dollars, or `undefined` when the table has no price for the
 * target. Cached input tokens are charged at `cachedInput` (or `input` when absent); the result is
 * rounded to 1e-10 dollars, so sums of records do not drift with binary fractions.
 *
 * @example
 * costOf({ provider: 'openai', model: 'gpt-4o' }, { inputTokens: 1000, outputTokens: 500, totalTokens: 1500 }, { 'gpt-4o': { input: 2.5, output: 10 } });
 * // 0.0075
 */
export function costOf(target: Target, usage: Usage, pricing: PriceTable): number | undefined {
  const price = priceOf(target, pricing);
  if (price === undefined) return undefined;
  const cached = Math.min(Math.max(0, usage.cachedInputTokens ?? 0), Math.max(0, usage.inputTokens));
  const uncached = Math.max(0, usage.inputTokens) - cached;
  const dollars = (uncached * price.input + cached * (price.cachedInput ?? price.input) + Math.max(0, usage.outputTokens) * price.output) / 1_000_000;
  return Math.round(dollars * 1e10) / 1e10;
}
