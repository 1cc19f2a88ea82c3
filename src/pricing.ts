/**
 * What a call cost, from the config's `pricing` (US dollars per million tokens). One definition
 * for audit records, metrics and canary cost guards.
 */
import type { ModelPrice, PriceTable } from './config/types.js';
import type { Target, Usage } from './types.js';

/** The price of a target: `provider/model` first, then the bare model name; undefined when unpriced. */
export function priceOf(pricing: PriceTable, target: Target): ModelPrice | undefined {
  return pricing[`${target.provider}/${target.model}`] ?? pricing[target.model];
}

/**
 * The cost of `usage` at `price`, in dollars. Input tokens served from the provider's prompt
 * cache are charged at `cachedInput` (or `input` when that is not set); negative counts count as 0.
 */
export function costAtPrice(price: ModelPrice, usage: Usage): number {
  const input = Math.max(0, usage.inputTokens);
  const cached = Math.min(Math.max(0, usage.cachedInputTokens ?? 0), input);
  return ((input - cached) * price.input + cached * (price.cachedInput ?? price.input) + Math.max(0, usage.outputTokens) * price.output) / 1_000_000;
}

/** The cost of a call in dollars, or undefined when its target has no price. */
export function costOf(pricing: PriceTable, target: Target, usage: Usage): number | undefined {
  const price = priceOf(pricing, target);
  return price === undefined ? undefined : costAtPrice(price, usage);
}
