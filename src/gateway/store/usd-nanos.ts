/**
 * US dollars ↔ integer nano-dollars, the store's unit for money. Integers keep sums and quota
 * comparisons exact and identical in SQLite and PostgreSQL (floating-point sums would make "N
 * calls fit the quota" depend on the order they were added in). A counter holds up to 2^53 nanos
 * (≈ $9 million) exactly when read into JavaScript; the databases add beyond that exactly.
 */

const NANOS_PER_USD = 1_000_000_000;

/** Dollars to whole nano-dollars (rounded to the nearest). */
export function toNanos(usd: number): number {
  return Math.round(usd * NANOS_PER_USD);
}

/** Nano-dollars (a number, or PostgreSQL's `bigint` text) to dollars. */
export function fromNanos(nanos: number | string | bigint): number {
  return Number(nanos) / NANOS_PER_USD;
}
