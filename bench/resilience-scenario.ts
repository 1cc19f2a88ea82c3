/**
 * The situation `bench/resilience.ts` replays: a primary target that fails about 15 % of calls
 * (random 500/503/529 and scheduled 429/529 bursts, all with `retry-after`) and has a slow tail, and
 * a healthy secondary on another provider. Also the seeded random source Switchyard's jitter uses.
 */
import type { ResilienceScenario } from './resilience-simulator-process.js';

/** The primary target's model (Anthropic Messages). */
export const PRIMARY = 'claude-2.0';
/** The secondary target's model (OpenAI Chat Completions, another provider). */
export const SECONDARY = 'gpt-4o';

/** The upstream situation for a seed: the same for every client. */
export function resilienceScenario(seed: number): ResilienceScenario {
  return {
    seed,
    models: {
      // ~10.5 % random failures, a 3 % slow tail of +1 s: alone, a p99 of about 1.25 s.
      [PRIMARY]: { latencyMs: 250, errorRate: 0.105, errorStatuses: [500, 503, 529], retryAfterSeconds: 1, slowTail: { probability: 0.03, extraMs: 1_000 } },
      [SECONDARY]: { latencyMs: 300 },
    },
    // Overload bursts: 200 ms of 429/529 with `retry-after: 1` every 4 s (5 % of the time).
    bursts: [
      {
        model: PRIMARY,
        everyMs: 4_000,
        forMs: 200,
        firstAtMs: 1_500,
        behavior: { latencyMs: 250, errorRate: 1, errorStatuses: [429, 529], retryAfterSeconds: 1, slowTail: { probability: 0.03, extraMs: 1_000 } },
      },
    ],
  };
}

/** A small seeded PRNG (mulberry32), so Switchyard's jitter is repeatable. */
export function seededRandom(start: number): () => number {
  let state = start >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296;
  };
}
