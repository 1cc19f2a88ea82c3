/**
 * The price of a call from the config's `pricing` table (US dollars per million tokens).
 * Input tokens served from the provider's prompt cache are charged at `cachedInput` when given.
 */
import type { ModelPrice, PriceTable } from '../config/types.js';
import type { Target, Usage } from '../types.js';

/** The price entry for a target: `provider/model` first, then the bare model name. */
export function priceFor(pricing: PriceTable, target: Target): ModelPrice | undefined {
  return pricing[`${target.provider}/${target.model}`] ?? pricing[target.model];
}

/** What `usage` cost at `target`, in US dollars, or `undefined` when the table has no price for it. */
export function costOfUsage(pricing: PriceTable, target: Target, usage: Usage): number | undefined {
  const price = priceFor(pricing, target);
  return price === undefined ? undefined : costAtPrice(price, usage);
}

/** What `usage` cost at `price`, in US dollars. */
export function costAtPrice(price: ModelPrice, usage: Usage): number {
  const cached = Math.min(Math.max(usage.cachedInputTokens ?? 0, 0), usage.inputTokens);
  const fresh = usage.inputTokens - cached;
  return (fresh * price.input + cached * (price.cachedInput ?? price.input) + usage.outputTokens * price.output) / 1_000_000;
}
