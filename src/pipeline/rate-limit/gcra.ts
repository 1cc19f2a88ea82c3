/**
 * The arithmetic of the time-based limits, as pure functions over a "theoretical arrival time"
 * (TAT, the GCRA's single number of state). The Redis Lua scripts implement the same formulas;
 * keep them in step.
 *
 * Requests per period (rps, rpm) use GCRA: each call moves the TAT forward by the emission
 * interval `period / limit`; a call is admitted when the new TAT is at most one period ahead of
 * now. That is a token bucket of capacity `limit` refilled at `limit` per period: a burst of up to
 * `limit` calls at once, then a steady `limit` per period, with an exact time for the next room.
 *
 * Tokens per minute are post-paid: a call is admitted while fewer than `limit` tokens are owed
 * (at least one token of room), and its tokens are charged when it releases its lease. A call
 * that used more tokens than the limit leaves a debt the bucket drains at `limit` per minute.
 */

/** One decision of a time-based limit. */
export interface TimedDecision {
  /** 0 when admitted, otherwise how long until there is room, ms (> 0). */
  readonly retryAfterMs: number;
  /** The state to store when the call is admitted. */
  readonly nextTat: number;
}

function emissionMs(periodMs: number, limit: number): number {
  return periodMs / limit;
}

/** The burst window: one period, but always room for at least one call (limits below 1 per period). */
function capacityMs(periodMs: number, limit: number): number {
  return Math.max(periodMs, emissionMs(periodMs, limit));
}

/** A GCRA decision for one call under `limit` calls per `periodMs`. `tat` is undefined for a fresh limit. */
export function rateDecision(tat: number | undefined, now: number, periodMs: number, limit: number): TimedDecision {
  const base = Math.max(tat ?? now, now);
  const emission = emissionMs(periodMs, limit);
  // Relative to now: `base + emission - capacity > now` refused fresh limits by rounding when the
  // clock is fractional (performance.now()); `emission - capacity` is exactly 0 or negative.
  const wait = base - now + (emission - capacityMs(periodMs, limit));
  return wait > 1e-6 ? { retryAfterMs: wait, nextTat: tat ?? now } : { retryAfterMs: 0, nextTat: base + emission };
}

/** Whether a post-paid token limit has at least one token of room; 0 when it has, else ms until it will. */
export function tokenRoomRetryAfterMs(tat: number | undefined, now: number, periodMs: number, limit: number): number {
  const owedMs = Math.max(tat ?? now, now) - now;
  const over = owedMs - (capacityMs(periodMs, limit) - emissionMs(periodMs, limit));
  return over > 0 ? over : 0;
}

/** The state after charging `tokens` to a token limit. */
export function chargeTokens(tat: number | undefined, now: number, periodMs: number, limit: number, tokens: number): number {
  return Math.max(tat ?? now, now) + tokens * emissionMs(periodMs, limit);
}
