import { describe, expect, it } from 'vitest';
import { BUCKET_COUNT, canaryBucket, canaryStickyKey, candidateThreshold, isBelowCandidateThreshold, isCandidateBucket } from '../../src/canary/bucketing.js';

const KEYS = Array.from({ length: 100_000 }, (_, index) => `user:u-${index}`);

describe('canary bucketing', () => {
  it('is deterministic: the same salt and key always give the same bucket in [0, 10000)', () => {
    for (const key of KEYS.slice(0, 1_000)) {
      const bucket = canaryBucket('claude-2.1-rollout', key);
      expect(bucket).toBe(canaryBucket('claude-2.1-rollout', key));
      expect(Number.isInteger(bucket)).toBe(true);
      expect(bucket).toBeGreaterThanOrEqual(0);
      expect(bucket).toBeLessThan(BUCKET_COUNT);
    }
  });

  it('pins known buckets, so a change of hash (which would move users between arms after an upgrade) is caught', () => {
    expect([canaryBucket('claude-2.1-rollout', 'user:u-1'), canaryBucket('claude-2.1-rollout', 'user:u-2'), canaryBucket('s', 'request:r')]).toMatchInlineSnapshot(`
      [
        5514,
        5779,
        5985,
      ]
    `);
  });

  it.each([0.5, 1, 5, 25, 50, 95])('splits 100k keys within 0.5 points of a weight of %s percent', (weight) => {
    const inCandidate = KEYS.filter((key) => isCandidateBucket(canaryBucket('salt-a', key), weight)).length;
    expect(Math.abs((inCandidate / KEYS.length) * 100 - weight)).toBeLessThan(0.5);
  });

  it('spreads keys evenly over the buckets (chi-square over 100 groups of 100 buckets)', () => {
    const groups = new Array<number>(100).fill(0);
    for (const key of KEYS) groups[Math.floor(canaryBucket('salt-a', key) / 100)]! += 1;
    const expected = KEYS.length / 100;
    const chiSquare = groups.reduce((sum, count) => sum + (count - expected) ** 2 / expected, 0);
    // 99 degrees of freedom: the 99.9th percentile is 148.2.
    expect(chiSquare).toBeLessThan(148.2);
  });

  it('raising the weight only moves baseline keys to the candidate, never back', () => {
    const weights = [0, 1, 5, 10, 25, 50, 75, 100];
    const buckets = KEYS.map((key) => canaryBucket('salt-a', key));
    for (let index = 1; index < weights.length; index += 1) {
      const before = weights[index - 1] as number;
      const after = weights[index] as number;
      let movedToCandidate = 0;
      let movedBack = 0;
      for (const bucket of buckets) {
        const wasCandidate = isCandidateBucket(bucket, before);
        const isCandidate = isCandidateBucket(bucket, after);
        if (wasCandidate && !isCandidate) movedBack += 1;
        if (!wasCandidate && isCandidate) movedToCandidate += 1;
      }
      expect(movedBack).toBe(0);
      expect(Math.abs((movedToCandidate / KEYS.length) * 100 - (after - before))).toBeLessThan(0.6);
    }
  });

  it('a new salt reshuffles: the candidate arms of two salts overlap only by chance', () => {
    const first = new Set(KEYS.filter((key) => isCandidateBucket(canaryBucket('rollout-1', key), 10)));
    const second = KEYS.filter((key) => isCandidateBucket(canaryBucket('rollout-2', key), 10));
    const overlap = second.filter((key) => first.has(key)).length;
    // Independent 10% arms share about 1% of all keys (1,000 of 100k), not 10%.
    expect(overlap).toBeGreaterThan(800);
    expect(overlap).toBeLessThan(1_200);
  });

  it('maps weights to bucket thresholds at 0.01-point resolution, clamped to 0–100', () => {
    expect(candidateThreshold(0)).toBe(0);
    expect(candidateThreshold(5)).toBe(500);
    expect(candidateThreshold(0.25)).toBe(25);
    expect(candidateThreshold(100)).toBe(10_000);
    expect(candidateThreshold(150)).toBe(10_000);
    expect(isCandidateBucket(0, 0)).toBe(false);
    expect(isCandidateBucket(9_999, 100)).toBe(true);
  });

  it.each([0, 0.01, 0.5, 5, 33.33, 50, 99.99, 100])('gives weight %s percent exactly its threshold of buckets, by weight and by threshold alike', (weight) => {
    const threshold = candidateThreshold(weight);
    let candidates = 0;
    for (let bucket = 0; bucket < BUCKET_COUNT; bucket += 1) {
      const byWeight = isCandidateBucket(bucket, weight);
      expect(isBelowCandidateThreshold(bucket, threshold)).toBe(byWeight);
      if (byWeight) candidates += 1;
    }
    expect(candidates).toBe(Math.round(weight * 100));
    if (threshold > 0) expect(isBelowCandidateThreshold(threshold - 1, threshold)).toBe(true);
    expect(isBelowCandidateThreshold(threshold, threshold)).toBe(false);
  });

  it('keys callers by user, tenant or request, and falls back to the request id', () => {
    expect(canaryStickyKey({ sticky: 'user' }, { user: 'u-1', tenant: 't' }, 'r-1')).toEqual({ key: 'user:u-1', source: 'user' });
    expect(canaryStickyKey({ sticky: 'tenant' }, { user: 'u-1', tenant: 't' }, 'r-1')).toEqual({ key: 'tenant:t', source: 'tenant' });
    expect(canaryStickyKey({ sticky: 'request' }, { user: 'u-1' }, 'r-1')).toEqual({ key: 'request:r-1', source: 'request' });
    expect(canaryStickyKey({ sticky: 'user' }, {}, 'r-2')).toEqual({ key: 'request:r-2', source: 'request-fallback' });
    expect(canaryStickyKey({ sticky: 'user' }, { user: '' }, 'r-3')).toEqual({ key: 'request:r-3', source: 'request-fallback' });
  });
});
