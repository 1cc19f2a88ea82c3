/**
 * Key pools over real sockets, against the simulator answering per key: calls spread by weight
 * with each adapter's own credential header; a key answered 401 leaves the pool (one warning, one
 * metric, by position) while the call goes on with the next key; a key answered 429 cools down for
 * its retry-after; every key out fails the call; and no key value reaches an error, event or metric.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { parseConfig, type SwitchyardConfigInput } from '../../src/config/index.js';
import { createRouter } from '../../src/create-router.js';
import { SwitchyardError } from '../../src/errors.js';
import type { RouterEvents } from '../../src/events.js';
import type { Simulator } from '../../src/testing/simulator.js';
import type { ChatRequest } from '../../src/types.js';
import { failure } from '../support/failure.js';
import { recordRouterEvents } from '../support/router-recorder.js';
import { FAST_POLICIES } from '../support/sim-config.js';
import { useSimulator } from '../support/simulator-fixture.js';

const KEYS = ['kp-test-key-alpha-7f3a91c2', 'kp-test-key-bravo-0b6e44d8', 'kp-test-key-charlie-95cd1e07'] as const;
const [KEY_A, KEY_B, KEY_C] = KEYS;

let simulator: Simulator;
const fixture = useSimulator({ seed: 19, apiKey: KEY_A, extraApiKeys: [KEY_B, KEY_C] });
beforeEach(() => {
  ({ simulator } = fixture);
});

const ask = (model: string, text = 'hello'): ChatRequest => ({ model, messages: [{ role: 'user', content: text }] });

/** Each built-in type the simulator speaks, with where it is served and a model. */
const TYPES = {
  anthropic: { baseUrl: (url: string) => url, model: 'claude-2.1' },
  openai: { baseUrl: (url: string) => `${url}/v1`, model: 'gpt-4' },
  'openai-compatible': { baseUrl: (url: string) => `${url}/v1`, model: 'llama3' },
  'azure-openai': { baseUrl: (url: string) => url, model: 'gpt4-deployment' },
  gemini: { baseUrl: (url: string) => url, model: 'gemini-1.5-pro' },
} as const;

type PoolEntry = string | { key: string; weight: number };

function poolConfig(type: keyof typeof TYPES, apiKeys: readonly PoolEntry[], policies: object = FAST_POLICIES): SwitchyardConfigInput {
  const provider = { type, apiKeys: [...apiKeys], baseUrl: TYPES[type].baseUrl(simulator.url), ...(type === 'azure-openai' ? { apiVersion: '2024-10-21' } : {}) };
  return { providers: { pooled: provider }, routes: { r: { targets: [{ provider: 'pooled', model: TYPES[type].model }] } }, policies };
}

describe('key pools (apiKeys)', () => {
  it.each(Object.keys(TYPES) as (keyof typeof TYPES)[])('spread calls over the keys by weight, with the %s adapter’s credential header', async (type) => {
    const router = createRouter(poolConfig(type, [KEY_A, KEY_B, { key: KEY_C, weight: 2 }]), { tracing: false });
    try {
      for (let index = 0; index < 8; index += 1) await router.chat(ask('r'));
      // Smooth weighted round robin: exactly 2, 2 and 4 of every 8 calls.
      expect([simulator.keyCount(KEY_A), simulator.keyCount(KEY_B), simulator.keyCount(KEY_C)]).toEqual([2, 2, 4]);
      let text = '';
      for await (const event of router.stream(ask('r', 'streamed'))) if (event.type === 'text-delta') text += event.text;
      expect(text).toContain('streamed');
      // The next turn of the round (C A B C) is C's.
      expect([simulator.keyCount(KEY_A), simulator.keyCount(KEY_B), simulator.keyCount(KEY_C)]).toEqual([2, 2, 5]);
    } finally {
      await router.close();
    }
  });

  it('takes a key answered 401 out: the call goes on with the next key, one warning and one metric name its position', async () => {
    const router = createRouter(poolConfig('anthropic', [KEY_A, KEY_B, KEY_C]), { tracing: false });
    const seen = recordRouterEvents(router);
    simulator.setKeyAnswer(KEY_B, { status: 401 });
    try {
      for (let index = 0; index < 9; index += 1) await router.chat(ask('r', `call ${index}`));
      await router.stream(ask('r'))[Symbol.asyncIterator]().next();
      expect(simulator.keyCount(KEY_B)).toBe(1);
      expect(simulator.keyCount(KEY_A) + simulator.keyCount(KEY_C)).toBe(10);
      const endings = seen.events['call-end'] as RouterEvents['call-end'][];
      expect(endings.every((end) => end.error === undefined && end.attempts.length === 1)).toBe(true);
      const warnings = seen.events.warning as RouterEvents['warning'][];
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatchObject({ code: 'key-removed' });
      expect(warnings[0]?.message).toMatch(/provider "pooled" refused key apiKeys\[1\] \(401 auth\): it is out of the pool, 2 of 3 keys left/);
      expect(seen.events['provider-key']).toEqual([{ provider: 'pooled', index: 1, change: 'removed', status: 401, category: 'auth', remaining: 2, size: 3 }]);
      const exposition = (await router.metrics?.metrics()) ?? '';
      expect(exposition).toContain('switchyard_key_pool_changes_total{provider="pooled",key_index="1",change="removed"} 1');
      expect(exposition).toContain('switchyard_key_pool_changes_total{provider="pooled",key_index="0",change="removed"} 0');
      for (const key of KEYS) {
        expect(seen.text()).not.toContain(key);
        expect(exposition).not.toContain(key);
      }
    } finally {
      await router.close();
    }
  });

  it('cools a key answered 429 down for its retry-after, then uses it again', async () => {
    const router = createRouter(poolConfig('openai', [KEY_A, KEY_B]), { tracing: false });
    const seen = recordRouterEvents(router);
    simulator.setKeyAnswer(KEY_A, { status: 429, retryAfterSeconds: 1 });
    try {
      await router.chat(ask('r'));
      simulator.setKeyAnswer(KEY_A, undefined);
      for (let index = 0; index < 4; index += 1) await router.chat(ask('r'));
      // The first call was answered 429 on A and sent again on B; A is skipped while it cools.
      expect([simulator.keyCount(KEY_A), simulator.keyCount(KEY_B)]).toEqual([1, 5]);
      expect(seen.events['provider-key']).toEqual([{ provider: 'pooled', index: 0, change: 'cooling', status: 429, category: 'rate_limit', cooldownMs: 1_000, remaining: 2, size: 2 }]);
      expect(seen.events.warning).toEqual([]);
      await new Promise((resolve) => setTimeout(resolve, 1_050));
      await router.chat(ask('r'));
      await router.chat(ask('r'));
      expect(simulator.keyCount(KEY_A)).toBe(2);
    } finally {
      await router.close();
    }
  });

  it('fails the call with the auth error once every key is refused, and sends nothing after', async () => {
    const router = createRouter(poolConfig('gemini', [KEY_A, KEY_B], { ...FAST_POLICIES, retry: { ...FAST_POLICIES.retry, attempts: 1 } }), { tracing: false });
    const seen = recordRouterEvents(router);
    simulator.setKeyAnswer(KEY_A, { status: 401 });
    simulator.setKeyAnswer(KEY_B, { status: 401 });
    try {
      const first = await failure(router.chat(ask('r')));
      expect(first).toMatchObject({ category: 'auth', status: 401, provider: 'pooled' });
      expect(simulator.keyCount(KEY_A) + simulator.keyCount(KEY_B)).toBe(2);
      const next = await failure(router.chat(ask('r')));
      expect(next).toMatchObject({ category: 'auth', status: 401, provider: 'pooled' });
      expect(next.message).toMatch(/every key of provider "pooled" was refused/);
      expect(simulator.keyCount(KEY_A) + simulator.keyCount(KEY_B)).toBe(2);
      expect((seen.events.warning as RouterEvents['warning'][]).map((warning) => warning.code)).toEqual(['key-removed', 'key-removed']);
      for (const key of KEYS) {
        expect(JSON.stringify(first) + first.message + JSON.stringify(next) + next.message).not.toContain(key);
        expect(seen.text()).not.toContain(key);
      }
    } finally {
      await router.close();
    }
  });

  it('fails as rate_limit without a request while every key cools down', async () => {
    const router = createRouter(poolConfig('anthropic', [KEY_A, KEY_B], { ...FAST_POLICIES, retry: { ...FAST_POLICIES.retry, attempts: 1 } }), { tracing: false });
    simulator.setKeyAnswer(KEY_A, { status: 429, retryAfterSeconds: 30 });
    simulator.setKeyAnswer(KEY_B, { status: 429, retryAfterSeconds: 20 });
    try {
      const first = await failure(router.chat(ask('r')));
      expect(first).toMatchObject({ category: 'rate_limit', status: 429 });
      const next = await failure(router.chat(ask('r')));
      expect(next).toMatchObject({ category: 'rate_limit', code: 'rate_limit.key_pool', provider: 'pooled' });
      expect(next.retryAfterMs).toBeGreaterThan(15_000);
      expect(next.retryAfterMs).toBeLessThanOrEqual(20_000);
      expect(simulator.keyCount(KEY_A) + simulator.keyCount(KEY_B)).toBe(2);
    } finally {
      await router.close();
    }
  });

  it('loads from YAML: a key set to the empty string is a config error at its path and line, never showing a key', () => {
    const yaml = [
      'providers:',
      '  anthropic:',
      '    type: anthropic',
      '    apiKeys:',
      '      - "${KP_KEY_A}"',
      '      - "${KP_KEY_B}"',
      '      - { key: "${KP_KEY_C}", weight: 3 }',
      'routes:',
      '  r: { targets: [{ provider: anthropic, model: m }] }',
      '',
    ].join('\n');
    let thrown: unknown;
    try {
      parseConfig(yaml, { env: { KP_KEY_A: KEY_A, KP_KEY_B: '', KP_KEY_C: KEY_C } });
    } catch (error) {
      thrown = error;
    }
    expect(SwitchyardError.isInstance(thrown)).toBe(true);
    const { problems, message } = thrown as SwitchyardError & { problems: readonly { path: string; message: string; line?: number }[] };
    expect(problems).toEqual([{ path: 'providers.anthropic.apiKeys[1]', line: 6, message: expect.stringMatching(/^is empty: environment variable KP_KEY_B is set to the empty string/) as unknown }]);
    for (const key of KEYS) expect(message).not.toContain(key);
    const loaded = parseConfig(yaml, { env: { KP_KEY_A: KEY_A, KP_KEY_B: KEY_B, KP_KEY_C: KEY_C } });
    expect(loaded.providers.anthropic?.apiKeys?.map((entry) => entry.weight)).toEqual([1, 1, 3]);
    expect(loaded.providers.anthropic?.apiKey).toBe(KEY_A);
    for (const key of KEYS) expect(JSON.stringify(loaded)).not.toContain(key);
  });
});
