import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/load.js';
import { createRouter } from '../../src/create-router.js';
import type { RouterEvents } from '../../src/events.js';
import { clientErrorMessage } from '../../src/gateway/ingress/client-error-message.js';
import type { Router } from '../../src/router/router.js';
import { startSimulator, type Simulator } from '../../src/testing/simulator.js';
import { FAST_POLICIES } from '../support/sim-config.js';
import { failure } from '../support/failure.js';

/** Both keys of the pool are wrong: the simulator answers 401 to each. */
const POOL_KEYS = ['pool-wrong-key-0123456789aa', 'pool-wrong-key-0123456789bb'];

let simulator: Simulator;
let router: Router;

beforeAll(async () => {
  simulator = await startSimulator({ apiKey: 'right-key-0123456789abcdef' });
  const config = resolveConfig(
    {
      providers: {
        pooled: { type: 'anthropic', apiKeys: ['${POOL_KEY_A}', '${POOL_KEY_B}'], baseUrl: simulator.url },
        openai: { type: 'openai', apiKey: '${OPENAI_API_KEY}', baseUrl: `${simulator.url}/v1` },
      },
      routes: {
        pool: { targets: [{ provider: 'pooled', model: 'claude-x' }] },
        'pool-then-gpt': { targets: [{ provider: 'pooled', model: 'claude-x' }], fallbacks: ['gpt'] },
        gpt: { targets: [{ provider: 'openai', model: 'gpt-4o' }] },
      },
      policies: { ...FAST_POLICIES, retry: { ...FAST_POLICIES.retry, attempts: 1 } },
    },
    { env: { POOL_KEY_A: POOL_KEYS[0] as string, POOL_KEY_B: POOL_KEYS[1] as string, OPENAI_API_KEY: simulator.apiKey } },
  );
  router = createRouter(config);
});
afterAll(async () => {
  await router.close();
  await simulator.close();
});

const hello = (model: string): { model: string; messages: { role: 'user'; content: string }[] } => ({ model, messages: [{ role: 'user', content: 'hello' }] });

function expectNoPoolKey(text: string | undefined): void {
  for (const key of POOL_KEYS) {
    expect(text).not.toContain(key);
    expect(text).not.toContain(key.slice(-12));
  }
}

describe('credential hints of a provider with a key pool (apiKeys)', () => {
  it('name apiKeys, not apiKey, in the error of a call the pool could not answer', async () => {
    const error = await failure(router.chat(hello('pool')));
    expect(error.category).toBe('auth');
    expect(error.provider).toBe('pooled');
    expect(error.message).toMatch(/^1 attempt failed: pooled\/claude-x 401 auth \(.+; check providers\.pooled\.apiKeys\)$/);
    expectNoPoolKey(error.message);
    // A gateway client reads neither the setting nor anything about the keys.
    expect(clientErrorMessage(error.message)).toBe('1 attempt failed: pooled/claude-x 401 auth (anthropic 401 authentication_error: invalid api key)');
  });

  it('name apiKeys in the auth-fallback warning when the call falls back', async () => {
    const warnings: RouterEvents['warning'][] = [];
    const stop = router.on('warning', (warning) => void warnings.push(warning));
    try {
      const answer = await router.chat(hello('pool-then-gpt'));
      expect(answer.target.provider).toBe('openai');
    } finally {
      stop();
    }
    const auth = warnings.filter((warning) => warning.code === 'auth-fallback');
    expect(auth).toHaveLength(1);
    expect(auth[0]?.message).toContain('provider "pooled"');
    expect(auth[0]?.message).toMatch(/check providers\.pooled\.apiKeys$/);
    expectNoPoolKey(auth[0]?.message);
  });
});
