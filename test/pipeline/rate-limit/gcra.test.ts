import { describe, expect, it } from 'vitest';
import { chargeTokens, rateDecision, tokenRoomRetryAfterMs } from '../../../src/pipeline/rate-limit/gcra.js';

/** A small seeded generator, so a failing case can be replayed. */
function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

describe('gcra arithmetic', () => {
  it('never admits more than limit + elapsed / emission interval in any interval (property)', () => {
    for (let seed = 1; seed <= 50; seed += 1) {
      const random = seededRandom(seed);
      const limit = 1 + Math.floor(random() * 20);
      const periodMs = random() < 0.5 ? 1_000 : 60_000;
      const emission = periodMs / limit;
      let now = 0;
      let tat: number | undefined;
      const admitted: number[] = [];
      for (let call = 0; call < 300; call += 1) {
        now += random() < 0.7 ? random() * emission * 0.3 : random() * emission * 3;
        const decision = rateDecision(tat, now, periodMs, limit);
        if (decision.retryAfterMs === 0) {
          admitted.push(now);
          tat = decision.nextTat;
        } else {
          // The promised time is exact: refused a hair before, admitted at it.
          expect(rateDecision(tat, now + decision.retryAfterMs - 0.001, periodMs, limit).retryAfterMs).toBeGreaterThan(0);
          expect(rateDecision(tat, now + decision.retryAfterMs, periodMs, limit).retryAfterMs).toBe(0);
        }
      }
      for (let from = 0; from < admitted.length; from += 1) {
        for (let to = from; to < admitted.length; to += 1) {
          const span = (admitted[to] as number) - (admitted[from] as number);
          expect(to - from + 1).toBeLessThanOrEqual(limit + Math.floor(span / emission + 1e-9));
        }
      }
    }
  });

  it('admits a burst of exactly the limit from idle', () => {
    let tat: number | undefined;
    let admitted = 0;
    for (let call = 0; call < 100; call += 1) {
      const decision = rateDecision(tat, 5_000, 60_000, 30);
      if (decision.retryAfterMs === 0) {
        admitted += 1;
        tat = decision.nextTat;
      }
    }
    expect(admitted).toBe(30);
  });

  it('token limits admit while at least one token of room is left, and drain at the limit per minute', () => {
    // 1,000 tpm: 60 ms per token.
    let tat = chargeTokens(undefined, 0, 60_000, 1_000, 999);
    expect(tokenRoomRetryAfterMs(tat, 0, 60_000, 1_000)).toBe(0);
    tat = chargeTokens(tat, 0, 60_000, 1_000, 1);
    expect(tokenRoomRetryAfterMs(tat, 0, 60_000, 1_000)).toBe(60);
    expect(tokenRoomRetryAfterMs(tat, 60, 60_000, 1_000)).toBe(0);
    // A debt larger than the limit drains too: 3,000 tokens owed leave 2,001 to drain first.
    expect(tokenRoomRetryAfterMs(chargeTokens(undefined, 0, 60_000, 1_000, 3_000), 0, 60_000, 1_000)).toBe(2_001 * 60);
  });
});

describe('rateDecision on a fractional clock', () => {
  it('admits the first call of a fresh limit at any instant (rounding once refused ~45% of them)', () => {
    let refused = 0;
    for (let index = 0; index < 100_000; index += 1) {
      const now = index * 12.345678 + Math.random();
      if (rateDecision(undefined, now, 60_000, 1).retryAfterMs > 0) refused += 1;
      if (rateDecision(undefined, now, 1_000, 50).retryAfterMs > 0) refused += 1;
    }
    expect(refused).toBe(0);
  });

  it('still refuses the call after a full burst, with the exact wait', () => {
    const now = 1_000.123;
    let tat: number | undefined;
    for (let index = 0; index < 3; index += 1) {
      const decision = rateDecision(tat, now, 60_000, 3);
      expect(decision.retryAfterMs).toBe(0);
      tat = decision.nextTat;
    }
    expect(rateDecision(tat, now, 60_000, 3).retryAfterMs).toBeCloseTo(20_000, 6);
  });
});
