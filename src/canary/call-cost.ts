/**
 * The price of one call from its token usage and the config's `pricing` (US dollars per million
 * tokens). Cached input tokens are part of `inputTokens` and are billed at `cachedInput` when the
 * price has one.
 */
import type { ModelPrice, PriceTable } from '../config/types.js';
import type { Target, Usage } from '../types.js';

/** The price of a target: by `provider/model`, else by bare model name, else undefined. */
export function priceOf(pricing: PriceTable, target: Target): ModelPrice | undefined {
  return pricing[`${target.provider}/${target.model}`] ?? pricing[target.model];
}

/** The cost of a call in US dollars, or undefined when the target has no price. */
export function callCost(pricing: PriceTable, target: Target, usage: Usage): number | undefined {
  const price = priceOf(pricing, target);
  if (price === undefined) return undefined;
  const cached = Math.min(usage.inputTokens, usage.cachedInputTokens ?? 0);
  const fresh = usage.inputTokens - cached;
  return (fresh * price.input + cached * (price.cachedInput ?? price.input) + usage.outputTokens * price.output) / 1_000_000;
}
