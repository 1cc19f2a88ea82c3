/**
 * The resilience pipeline through the whole router, over real sockets: the simulator's own request
 * counts prove what reached the upstream.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SwitchyardConfigInput } from '../../src/config/index.js';
import { createRouter } from '../../src/create-router.js';
import type { RouterEvents } from '../../src/events.js';
import { startSimulator, type Simulator } from '../../src/testing/simulator.js';
import type { ChatRequest } from '../../src/types.js';
import { FAST_POLICIES, simConfig } from '../support/sim-config.js';
import { failure } from '../support/failure.js';

let simulator: Simulator;
beforeAll(async () => {
  simulator = await startSimulator({ seed: 11 });
});
afterAll(async () => {
  await simulator.close();
});
afterEach(() => simulator.reset());

const ask = (model: string, text = 'hello', temperature?: number): ChatRequest => ({
  model,
  messages: [{ role: 'user', content: text }],
  ...(temperature === undefined ? {} : { temperature }),
});


function withPolicies(policies: Record<string, unknown>, routes?: Record<string, unknown>): SwitchyardConfigInput {
  const base = simConfig(simulator);
  return { ...base, policies: { ...FAST_POLICIES, ...policies }, ...(routes === undefined ? {} : { routes: { ...base.routes, ...routes } }) } as SwitchyardConfigInput;
}

const pairRoute = {
  pair: {
    targets: [
      { provider: 'anthropic', model: 'bad-model', weight: 1 },
      { provider: 'anthropic', model: 'good-model', weight: 1 },
    ],
  },
};

describe('circuit breaker', () => {
  const breaker = { enabled: true, errorRate: 0.5, minRequests: 5, window: '10s', openFor: '300ms', halfOpenProbes: 1 };

  it('opens after minRequests failures, stops sending traffic to the target, and closes after recovery', async () => {
    const router = createRouter(withPolicies({ breaker }, pairRoute));
    const changes: RouterEvents['breaker-change'][] = [];
    router.on('breaker-change', (change) => changes.push(change));
    simulator.setBehavior('bad-model', { errorRate: 1, errorStatuses: [500] });

    for (let index = 0; index < 40; index += 1) {
      const response = await router.chat(ask('pair'));
      expect(response.target.model).toBe('good-model');
    }
    expect(simulator.count('bad-model')).toBe(5); // exactly minRequests reached it; then the breaker held it off
    expect(changes).toEqual([{ target: 'anthropic/bad-model', from: 'closed', to: 'open' }]);

    simulator.setBehavior('bad-model', {});
    await new Promise((resolve) => setTimeout(resolve, 350));
    const models = new Set<string>();
    for (let index = 0; index < 30; index += 1) models.add((await router.chat(ask('pair'))).target.model);
    expect(models.has('bad-model')).toBe(true);
    expect(changes.map((change) => change.to)).toEqual(['open', 'half_open', 'closed']);
    await router.close();
  });

  it('fails fast with circuit_open and retryAfterMs when every target is open', async () => {
    const router = createRouter(withPolicies({ breaker }, { solo: { targets: [{ provider: 'anthropic', model: 'bad-model' }] } }));
    simulator.setBehavior('bad-model', { errorRate: 1, errorStatuses: [503] });
    for (let index = 0; index < 5; index += 1) await failure(router.chat(ask('solo')));
    const before = simulator.count('bad-model');
    const error = await failure(router.chat(ask('solo')));
    expect(error.category).toBe('circuit_open');
    expect(error.retryAfterMs).toBeGreaterThan(0);
    expect(error.retryAfterMs).toBeLessThanOrEqual(300);
    expect(simulator.count('bad-model')).toBe(before);
    await router.close();
  });

  it('does not count the caller’s own errors against a target', async () => {
    const router = createRouter(withPolicies({ breaker }, { solo: { targets: [{ provider: 'anthropic', model: 'picky-model' }] } }));
    simulator.enqueueFault('picky-model', { kind: 'status', status: 400 }, 10);
    for (let index = 0; index < 10; index += 1) expect((await failure(router.chat(ask('solo')))).category).toBe('invalid_request');
    expect((await router.chat(ask('solo'))).text).toBe('Echo: hello');
    await router.close();
  });
});

describe('retry budget', () => {
  it('caps retries at the budget plus a small floor, so retries cannot multiply an outage', async () => {
    const router = createRouter(withPolicies({ retry: { ...FAST_POLICIES.retry, attempts: 3, budget: 0 } }, { solo: { targets: [{ provider: 'anthropic', model: 'down-model' }] } }));
    simulator.setBehavior('down-model', { errorRate: 1, errorStatuses: [500] });
    const errors = await Promise.all(Array.from({ length: 30 }, () => failure(router.chat(ask('solo')))));
    // Without a budget: 30 calls × 3 tries = 90. With budget 0: 30 first tries + the floor of 10 retries.
    expect(simulator.count('down-model')).toBe(40);
    expect(errors.filter((error) => error.message.includes('retry budget exhausted')).length).toBeGreaterThan(0);
    await router.close();
  });
});

describe('rate limits', () => {
  it('refuses a tenant over its rpm with rate_limit and a correct retryAfterMs, without calling upstream', async () => {
    const router = createRouter(withPolicies({ rateLimit: { perTenant: { rpm: 3 }, wait: '0s' } }));
    for (let index = 0; index < 3; index += 1) await router.chat(ask('gpt4'), { tenant: 'acme' });
    const error = await failure(router.chat(ask('gpt4'), { tenant: 'acme' }));
    expect(error.category).toBe('rate_limit');
    expect(error.retryAfterMs).toBeGreaterThan(15_000);
    expect(error.retryAfterMs).toBeLessThanOrEqual(20_000);
    expect(simulator.count()).toBe(3);
    await router.chat(ask('gpt4'), { tenant: 'other' }); // other tenants are not affected
    await router.close();
  });

  it('lets a call over the per-user concurrency wait for room', async () => {
    const router = createRouter(withPolicies({ rateLimit: { perUser: { concurrency: 2 }, wait: '2s' } }));
    simulator.setBehavior('gpt-4', { latencyMs: 100 });
    const waits: number[] = [];
    router.on('call-end', ({ notes }) => waits.push(notes.rateLimitWaitMs ?? 0));
    await Promise.all(Array.from({ length: 4 }, () => router.chat(ask('gpt4'), { user: 'u' })));
    expect(simulator.count()).toBe(4);
    expect(waits.filter((wait) => wait > 50)).toHaveLength(2); // two waited for the first two to finish
    await router.close();
  });

  it('fails a call over the per-user concurrency at once when wait is 0', async () => {
    const router = createRouter(withPolicies({ rateLimit: { perUser: { concurrency: 1 }, wait: '0s' } }));
    simulator.setBehavior('gpt-4', { latencyMs: 100 });
    const results = await Promise.allSettled([router.chat(ask('gpt4'), { user: 'u' }), router.chat(ask('gpt4'), { user: 'u' })]);
    expect(results.map((result) => result.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(simulator.count()).toBe(1);
    await router.close();
  });
});

describe('cache', () => {
  const cache = { ttl: '10s', keyPrefix: 'test:', maxEntries: 100 };

  it('answers an identical deterministic call from the cache', async () => {
    const router = createRouter(withPolicies({ cache }));
    const first = await router.chat(ask('gpt4', 'same question', 0));
    const second = await router.chat(ask('gpt4', 'same question', 0));
    expect(first.cached).toBe(false);
    expect(second.cached).toBe(true);
    expect(second.text).toBe(first.text);
    expect(simulator.count()).toBe(1);
    await router.chat(ask('gpt4', 'same question', 0), { cache: false });
    expect(simulator.count()).toBe(2);
    await router.chat(ask('gpt4', 'same question', 0.7)); // sampled: not cached unless configured
    await router.chat(ask('gpt4', 'same question', 0.7));
    expect(simulator.count()).toBe(4);
    await router.close();
  });

  it('shares one upstream call among identical calls in flight (single-flight)', async () => {
    const router = createRouter(withPolicies({ cache }));
    simulator.setBehavior('gpt-4', { latencyMs: 80 });
    const responses = await Promise.all(Array.from({ length: 10 }, () => router.chat(ask('gpt4', 'popular', 0))));
    expect(simulator.count()).toBe(1);
    expect(new Set(responses.map((response) => response.text))).toEqual(new Set(['Echo: popular']));
    expect(new Set(responses.map((response) => response.requestId)).size).toBe(10);
    await router.close();
  });

  it('replays a cached answer as a stream', async () => {
    const router = createRouter(withPolicies({ cache }));
    const answer = await router.chat(ask('claude', 'stream me', 0), { user: 'x' });
    const texts: string[] = [];
    let finish: RouterEvents['call-end']['response'];
    for await (const event of router.stream(ask('claude', 'stream me', 0), { user: 'x' })) {
      if (event.type === 'text-delta') texts.push(event.text);
      if (event.type === 'finish') finish = event.response;
    }
    expect(texts.join('')).toBe(answer.text);
    expect(finish?.cached).toBe(true);
    expect(simulator.count()).toBe(1);
    await router.close();
  });
});

describe('retry budget with fallbacks', () => {
  it('spends one retry per rescued call, so a flaky primary with a healthy fallback fails no call', async () => {
    const router = createRouter(
      withPolicies({ retry: { ...FAST_POLICIES.retry, attempts: 3, budget: 0.2 } }, {
        flaky: { targets: [{ provider: 'anthropic', model: 'flaky-model' }], fallbacks: ['gpt4'] },
      }),
    );
    simulator.setBehavior('flaky-model', { errorRate: 0.15, errorStatuses: [500, 529] });
    const results = await Promise.allSettled(Array.from({ length: 300 }, (_, index) => router.chat(ask('flaky', `q${index}`))));
    // 15% of calls need one retry each (to the fallback); a budget of 20% of calls covers them.
    expect(results.filter((result) => result.status === 'rejected')).toHaveLength(0);
    expect(simulator.count('flaky-model')).toBe(300);
    expect(simulator.count('gpt-4')).toBeGreaterThan(10);
    await router.close();
  });
});

describe('per-call policy overrides', () => {
  it('applies a call’s own timeout and retry settings, and names a bad override', async () => {
    const router = createRouter(withPolicies({}));
    simulator.enqueueFault('gpt-4', { kind: 'status', status: 500 }, 5);
    const once = await failure(router.chat(ask('gpt4'), { policies: { retry: { attempts: 1 } } }));
    expect(once.attempts).toHaveLength(1);
    simulator.reset();
    simulator.enqueueFault('gpt-4', { kind: 'hang' });
    const timedOut = await failure(router.chat(ask('gpt4'), { policies: { timeout: { total: '100ms' }, retry: { attempts: 1 } } }));
    expect(timedOut.category).toBe('timeout');
    expect(timedOut.message).toContain('total');
    const bad = await failure(router.chat(ask('gpt4'), { policies: { retry: { attempts: -1 } } }));
    expect(bad.category).toBe('invalid_request');
    expect(bad.field).toBe('options.policies.retry.attempts');
    await router.close();
  });
});
