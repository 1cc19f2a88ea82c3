/** A breaker policy for tests, with overrides. */
import type { BreakerPolicy } from '../../../src/config/types.js';

/** 50 % over at least 10 calls in 10 s; open 5 s; 2 probes. */
export function breakerPolicy(overrides: Partial<BreakerPolicy> = {}): BreakerPolicy {
  return { enabled: true, errorRate: 0.5, minRequests: 10, windowMs: 10_000, openForMs: 5_000, halfOpenProbes: 2, ...overrides };
}

/** A clock tests move by hand. */
export interface ManualClock {
  readonly now: () => number;
  advance(milliseconds: number): void;
}

/** A manual clock starting at `start` (a round number, so bucket boundaries are easy to reason about). */
export function manualClock(start = 1_700_000_000_000): ManualClock {
  let time = start;
  return {
    now: () => time,
    advance(milliseconds) {
      time += milliseconds;
    },
  };
}
