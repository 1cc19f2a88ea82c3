import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/load.js';
import { createRouter } from '../../src/create-router.js';
import type { RouterEvents } from '../../src/events.js';
import type { Router } from '../../src/router/router.js';
import { startSimulator, type Simulator } from '../../src/testing/simulator.js';
import { FAST_POLICIES } from '../support/sim-config.js';
import { failure } from '../support/failure.js';

const WRONG_KEY = 'wrong-key-0123456789abcdef';

let simulator: Simulator;
let router: Router;

beforeAll(async () => {
  simulator = await startSimulator({ apiKey: 'right-key-0123456789abcdef' });
  const config = resolveConfig(
    {
      providers: {
        anthropic: { type: 'anthropic', apiKey: '${ANTHROPIC_API_KEY}', baseUrl: simulator.url },
        openai: { type: 'openai', apiKey: '${OPENAI_API_KEY}', baseUrl: `${simulator.url}/v1` },
        // Nothing listens on port 1: connection refused.
        down: { type: 'openai', apiKey: 'some-key-0123456789', baseUrl: 'http://127.0.0.1:1/v1' },
      },
      routes: {
        claude: { targets: [{ provider: 'anthropic', model: 'claude-x' }], fallbacks: ['gpt'] },
        gpt: { targets: [{ provider: 'openai', model: 'gpt-4o' }] },
        broken: { targets: [{ provider: 'anthropic', model: 'claude-x' }], fallbacks: ['unreachable'] },
        unreachable: { targets: [{ provider: 'down', model: 'gpt-4o' }] },
      },
      policies: { ...FAST_POLICIES, retry: { ...FAST_POLICIES.retry, attempts: 1 } },
    },
    { env: { ANTHROPIC_API_KEY: WRONG_KEY, OPENAI_API_KEY: simulator.apiKey } },
  );
  router = createRouter(config);
});
afterAll(async () => {
  await router.close();
  await simulator.close();
});

const hello = (model: string): { model: string; messages: { role: 'user'; content: string }[] } => ({ model, messages: [{ role: 'user', content: 'hello' }] });

describe('an auth failure that falls back', () => {
  it('emits an auth-fallback warning naming the provider and the variable, never the key, and counts it', async () => {
    const warnings: RouterEvents['warning'][] = [];
    const stop = router.on('warning', (warning) => void warnings.push(warning));
    try {
      const first = await router.chat(hello('claude'));
      expect(first.target.provider).toBe('openai');
      expect(first.attempts.map((attempt) => attempt.outcome)).toEqual(['auth', 'ok']);
      await router.chat(hello('claude'));
    } finally {
      stop();
    }
    const auth = warnings.filter((warning) => warning.code === 'auth-fallback');
    // Once a minute per provider, however many calls fall back.
    expect(auth).toHaveLength(1);
    expect(auth[0]?.message).toContain('provider "anthropic"');
    expect(auth[0]?.message).toContain('401 auth');
    expect(auth[0]?.message).toContain('ANTHROPIC_API_KEY');
    expect(auth[0]?.message).toContain('openai/gpt-4o');
    expect(auth[0]?.message).not.toContain(WRONG_KEY);
    expect(auth[0]?.message).not.toContain(WRONG_KEY.slice(0, 10));

    const exposition = await router.metrics?.metrics();
    expect(exposition).toMatch(/switchyard_auth_fallbacks_total\{provider="anthropic"\} 2\b/);
    expect(exposition).toMatch(/switchyard_auth_fallbacks_total\{provider="openai"\} 0\b/);
  });
});

describe('the error of a call whose every attempt failed', () => {
  it('names every target tried, so an unreachable fallback does not hide the primary', async () => {
    const error = await failure(router.chat(hello('broken')));
    expect(error.category).toBe('network');
    expect(error.provider).toBe('down');
    expect(error.attempts.map((attempt) => attempt.outcome)).toEqual(['auth', 'network']);
    expect(error.message).toMatch(/^all 2 attempts failed: anthropic\/claude-x 401 auth \(.+\); down\/gpt-4o network \(.+\)$/);
    // The rejected key's entry says which setting to fix, never the key.
    expect(error.message).toMatch(/anthropic\/claude-x 401 auth \([^)]*check the key in ANTHROPIC_API_KEY \(providers\.anthropic\.apiKey\)/);
    expect(error.message).not.toContain(WRONG_KEY.slice(0, 10));
  });

  it('names the provider and model of a single failed attempt', async () => {
    const error = await failure(router.chat(hello('unreachable')));
    expect(error.category).toBe('network');
    expect(error.message).toMatch(/^1 attempt failed: down\/gpt-4o network \(.+\)$/);
  });
});
