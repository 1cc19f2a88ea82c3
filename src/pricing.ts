/**
 * What a call cost, from the config's `pricing` (US dollars per million tokens). One definition
 * for audit records, metrics, the canary's cost guard and the gateway's quotas and ledger.
 */
import type { ModelPrice, PriceTable } from './config/types.js';
import type { Target, Usage } from './types.js';

/** The price of a target: `provider/model` first, then the bare model name; undefined when unpriced. */
export function priceOf(pricing: PriceTable, target: Target): ModelPrice | undefined {
  return pricing[`${target.provider}/${target.model}`] ?? pricing[target.model];
}

/** A token count for pricing: a finite number ≥ 0, anything else 0. */
function tokens(value: number | undefined): number {
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : 0;
}

/**
 * Input tokens read from and written to the provider's prompt cache, each within what is left of
 * `inputTokens` (they are part of it), the writes to 1-hour entries (`write1h`) within the writes.
 * Reads come from `cacheReadInputTokens`, or the deprecated `cachedInputTokens` a custom adapter may
 * still set.
 */
export function cacheTokensOf(usage: Usage): { readonly read: number; readonly write: number; readonly write1h: number; readonly uncached: number } {
  const input = tokens(usage.inputTokens);
  // eslint-disable-next-line @typescript-eslint/no-deprecated -- the old name, still read from custom adapters
  const read = Math.min(tokens(usage.cacheReadInputTokens ?? usage.cachedInputTokens), input);
  const write = Math.min(tokens(usage.cacheWriteInputTokens), input - read);
  return { read, write, write1h: Math.min(tokens(usage.cacheWrite1hInputTokens), write), uncached: input - read - write };
}

/**
 * The cost of `usage` at `price`, in dollars. Input tokens read from the provider's prompt cache
 * are charged at `cacheRead` (or the deprecated `cachedInput`, else `input`), tokens written to it
 * at `cacheWrite` (else `input`), those of them written to 1-hour entries at `cacheWrite1h` (else
 * as the other writes: a price table without it keeps its old totals), the rest of the input at
 * `input`; negative counts count as 0.
 *
 * @example
 * // 10k input tokens of which 8k read from the cache and 1k written, 500 output, Claude Sonnet prices
 * costAtPrice({ input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 }, { inputTokens: 10_000, outputTokens: 500, totalTokens: 10_500, cacheReadInputTokens: 8_000, cacheWriteInputTokens: 1_000 });
 * // (1_000 × 3 + 8_000 × 0.3 + 1_000 × 3.75 + 500 × 15) / 1e6 = 0.01665
 */
export function costAtPrice(price: ModelPrice, usage: Usage): number {
  const { read, write, write1h, uncached } = cacheTokensOf(usage);
  // eslint-disable-next-line @typescript-eslint/no-deprecated -- the old name, still read from configs
  const readPrice = price.cacheRead ?? price.cachedInput ?? price.input;
  const writePrice = price.cacheWrite ?? price.input;
  const write1hPrice = price.cacheWrite1h ?? writePrice;
  return (uncached * price.input + read * readPrice + (write - write1h) * writePrice + write1h * write1hPrice + tokens(usage.outputTokens) * price.output) / 1_000_000;
}

/** The cost of a call in dollars, or undefined when its target has no price. */
export function costOf(pricing: PriceTable, target: Target, usage: Usage): number | undefined {
  const price = priceOf(pricing, target);
  return price === undefined ? undefined : costAtPrice(price, usage);
}
