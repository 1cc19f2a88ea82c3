/**
 * A key pool's own refusals (no key free: at their limits, cooling, or held back by their own
 * breakers) are `rate_limit.key_pool`: no request was sent, so they never count against the
 * target's circuit breaker. Before, they were 429s of the provider's, and a pool kept full by the
 * user's own per-key limits opened the breaker and took the whole target offline for its open period.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { createRouter } from '../../src/create-router.js';
import type { Simulator } from '../../src/testing/simulator.js';
import type { ChatRequest } from '../../src/types.js';
import { failure } from '../support/failure.js';
import { FAST_POLICIES } from '../support/sim-config.js';
import { useSimulator } from '../support/simulator-fixture.js';

const KEYS = ['kpb-test-key-alpha-5e1c9d20', 'kpb-test-key-bravo-0a7f3b64'] as const;

let simulator: Simulator;
const fixture = useSimulator({ seed: 29, apiKey: KEYS[0], extraApiKeys: [KEYS[1]] });
beforeEach(() => {
  ({ simulator } = fixture);
});

const ask = (text: string): ChatRequest => ({ model: 'r', messages: [{ role: 'user', content: text }] });

describe('key pool refusals and the target breaker', () => {
  it('a pool full by its own limits fails calls as rate_limit.key_pool and never opens the breaker', async () => {
    const router = createRouter(
      {
        providers: { pooled: { type: 'openai', baseUrl: `${simulator.url}/v1`, apiKeys: KEYS.map((key) => ({ key, limits: { rpm: 2 } })) } },
        routes: { r: { targets: [{ provider: 'pooled', model: 'gpt-4' }] } },
        policies: { ...FAST_POLICIES, retry: { ...FAST_POLICIES.retry, attempts: 1 }, breaker: { enabled: true, errorRate: 0.5, minRequests: 5, window: '60s', openFor: '30s', halfOpenProbes: 1 } },
      },
      { tracing: false },
    );
    const changes: string[] = [];
    router.on('breaker-change', (change) => changes.push(`${change.from}->${change.to}`));
    try {
      for (let index = 0; index < 4; index += 1) await router.chat(ask(`served ${index}`));
      for (let index = 0; index < 6; index += 1) {
        const error = await failure(router.chat(ask(`refused ${index}`)));
        expect(error).toMatchObject({ category: 'rate_limit', code: 'rate_limit.key_pool', provider: 'pooled' });
        expect(error).not.toHaveProperty('status', 429);
      }
      // Six refusals in ten calls would open a breaker at 50 % over 5 calls, were they counted.
      expect(changes).toEqual([]);
      expect(KEYS.map((key) => simulator.keyCount(key))).toEqual([2, 2]);
    } finally {
      await router.close();
    }
  });
});
