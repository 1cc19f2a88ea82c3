/**
 * Routing and `explain()` must tell a user the same arm: both go through the bucket rule in
 * bucketing.ts. Real calls through the router (simulator upstream) against `router.explain()`,
 * for many users at several weights.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/testing/simulator.js';
import { canarySimConfig, sendCalls, startCanaryRouter, type CanaryHarness } from './e2e-support.js';

const USERS = 400;
const CANDIDATE = 'claude-2.1';

let simulator: Simulator;
let harness: CanaryHarness | undefined;

beforeAll(async () => {
  simulator = await startSimulator({ seed: 17 });
});
afterAll(async () => {
  await simulator.close();
});
afterEach(async () => {
  await harness?.close();
  harness = undefined;
  simulator.reset();
});

describe('canary: routing and explain() agree on every user', () => {
  it.each([0.5, 5, 25, 50, 90])('at candidate weight %s percent', async (weight) => {
    harness = startCanaryRouter(
      canarySimConfig(simulator, {
        sticky: 'user',
        // A first step that never ends within the test: the weight stays put.
        steps: [{ weight, minRequests: 1_000_000 }, { weight: 100 }],
      }),
    );
    await harness.plugin.ready();
    expect(harness.plugin.controller('claude').status()).toMatchObject({ state: 'running', weight });

    const routed = await sendCalls(harness.router, USERS, `w${weight}`, 32);
    expect(routed.size).toBe(USERS);
    let candidates = 0;
    for (const [user, model] of routed) {
      const explained = harness.router.explain('claude', { user });
      expect(explained.target?.model, `${user}: ${explained.reason}`).toBe(model);
      expect(explained.reason).toContain(model === CANDIDATE ? 'candidate arm' : 'baseline arm');
      if (model === CANDIDATE) candidates += 1;
    }
    // Both arms appear where the weight allows (400 users: the split is within a few points).
    expect(Math.abs(candidates / USERS - weight / 100)).toBeLessThan(0.08);
    // Sticky: the same users are routed the same way again.
    const again = await sendCalls(harness.router, USERS, `w${weight}`, 32);
    expect(again).toEqual(routed);
  });
});
