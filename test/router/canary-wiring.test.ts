/**
 * A canary route from the config alone: createRouter builds the rollout, router.canary() steers it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SwitchyardConfigInput } from '../../src/config/index.js';
import { createRouter } from '../../src/create-router.js';
import { SwitchyardError } from '../../src/errors.js';
import { startSimulator, type Simulator } from '../../src/testing/simulator.js';
import { FAST_POLICIES } from '../support/sim-config.js';

let simulator: Simulator;
beforeAll(async () => {
  simulator = await startSimulator();
});
afterAll(async () => {
  await simulator.close();
});

function config(): SwitchyardConfigInput {
  return {
    providers: { anthropic: { type: 'anthropic', apiKey: simulator.apiKey, baseUrl: simulator.url } },
    routes: {
      claude: {
        canary: {
          baseline: { provider: 'anthropic', model: 'claude-2.0' },
          candidate: { provider: 'anthropic', model: 'claude-2.1' },
          salt: 'wiring-test',
          steps: [{ weight: 10, minRequests: 1_000_000 }, { weight: 100 }],
        },
      },
      plain: { targets: [{ provider: 'anthropic', model: 'claude-2.0' }] },
    },
    policies: FAST_POLICIES,
  };
}

describe('canary routes through createRouter', () => {
  it('splits by the step weight, counts both arms, and moves everyone on promote()', async () => {
    const router = createRouter(config(), { logger: () => undefined });
    const before = new Map<string, string>();
    for (let index = 0; index < 200; index += 1) {
      const user = `user-${index}`;
      before.set(user, (await router.chat({ model: 'claude', messages: [{ role: 'user', content: 'hi' }] }, { user })).target.model);
    }
    const candidates = [...before.values()].filter((model) => model === 'claude-2.1').length;
    expect(candidates).toBeGreaterThan(5); // about 10% of 200
    expect(candidates).toBeLessThan(45);
    const controller = router.canary('claude');
    const status = controller.status();
    expect(status.weight).toBe(10);
    expect(status.arms.baseline.calls + status.arms.candidate.calls).toBe(200);

    await controller.promote();
    expect(controller.status().weight).toBe(100);
    for (const user of ['user-1', 'user-2', 'user-3']) {
      expect((await router.chat({ model: 'claude', messages: [{ role: 'user', content: 'hi' }] }, { user })).target.model).toBe('claude-2.1');
    }
    await router.close();
  });

  it('refuses to steer a route without a canary', async () => {
    const router = createRouter(config(), { logger: () => undefined });
    expect(() => router.canary('plain')).toThrow(/has no canary/);
    const noCanary = createRouter({ ...config(), routes: { plain: { targets: [{ provider: 'anthropic', model: 'claude-2.0' }] } } });
    expect(() => noCanary.canary('plain')).toThrow(SwitchyardError);
    await Promise.all([router.close(), noCanary.close()]);
  });
});

describe('explain() on a canary route', () => {
  it('names the arm each user is bucketed into, agreeing with the calls it makes', async () => {
    const router = createRouter(config(), { logger: () => undefined });
    // Before the rollout's state is read, explain says calls would go to the baseline.
    expect(router.explain('claude', { user: 'ann' })).toMatchObject({ target: { model: 'claude-2.0' }, reason: expect.stringMatching(/has not read the rollout's shared state yet/) });
    await router.ready();
    for (const user of ['ann', 'ben', 'cat', 'dan', 'eve', 'fay', 'gus', 'hal']) {
      const explanation = router.explain('claude', { user });
      expect(explanation.reason).toMatch(/canary running at step 1 \(candidate weight 10%\): user bucket \d+ of 10000 is in the (baseline|candidate) arm/);
      const response = await router.chat({ model: 'claude', messages: [{ role: 'user', content: 'hi' }] }, { user });
      expect(response.target.model).toBe(explanation.target?.model);
    }
    expect(router.explain('claude').reason).toMatch(/no user given, so each call is drawn anew/);
    await router.close();
  });
});
