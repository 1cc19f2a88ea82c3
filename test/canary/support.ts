/**
 * Helpers for canary tests: a canary config with the defaults, arms filled with synthetic
 * outcomes, and a seeded random source.
 */
import { ArmStats } from '../../src/canary/arm-stats.js';
import type { CanaryConfig } from '../../src/config/types.js';
import { createSeededRandom } from '../../src/testing/seeded-random.js';

/** mulberry32: a small seeded PRNG. */
export const seeded = createSeededRandom;

/** The example rollout, with overrides. */
export function canaryConfig(overrides: Partial<CanaryConfig> = {}): CanaryConfig {
  return {
    baseline: { provider: 'anthropic', model: 'claude-2.0' },
    candidate: { provider: 'anthropic', model: 'claude-2.1' },
    sticky: 'user',
    salt: 'claude-2.1-rollout',
    steps: [
      { weight: 5, minRequests: 200, minDurationMs: 600_000, approval: 'auto' },
      { weight: 25, minRequests: 500, minDurationMs: 1_800_000, approval: 'auto' },
      { weight: 50, minRequests: 1_000, minDurationMs: 0, approval: 'auto' },
      { weight: 100, minRequests: 0, minDurationMs: 0, approval: 'auto' },
    ],
    guards: { errorRate: { maxIncrease: 0.02 }, latencyP95: { maxRatio: 1.25 }, costPerCall: { maxRatio: 1.5 } },
    confidence: 0.95,
    shadow: false,
    shadowConcurrency: 4,
    brokenAt: { errorRate: 0.5, minCalls: 20 },
    sampleRatio: { alpha: 0.001, onSustained: 'pause', sustainedForMs: 600_000 },
    stallAfterMs: 300_000,
    startupWaitMs: 2_000,
    webhooks: [],
    ...overrides,
  };
}


/** An arm with `calls` calls, `errors` of them failed (spread evenly), latencies from `latency(index)`, cost `cost` each. */
export function filledArm(calls: number, errors: number, latency: (index: number) => number = (index) => 400 + ((index * 7919) % 800), cost?: number): ArmStats {
  const arm = new ArmStats();
  for (let index = 0; index < calls; index += 1) {
    const failed = index < calls && Math.floor(((index + 1) * errors) / calls) > Math.floor((index * errors) / calls);
    arm.record({
      failed,
      ...(failed ? { category: 'server' as const } : { latencyMs: latency(index) }),
      callerFault: false,
      rescued: false,
      mixed: false,
      ...(cost === undefined ? {} : { costUsd: cost * (0.9 + ((index * 31) % 21) / 100) }),
    });
  }
  return arm;
}
