/**
 * A programming error inside an adapter (a `TypeError` its own code threw) is `unknown.internal`:
 * tried once, not retried at the same target, not counted against the target's breaker, with the
 * original kept as a sanitised cause. A real transport failure (the simulator hanging up the
 * socket: undici's `SocketError`) is still `network` and retried.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRouter } from '../../src/create-router.js';
import { SanitizedCause, SwitchyardError } from '../../src/errors.js';
import type { AdapterFactory, ProviderAdapter } from '../../src/provider-spec.js';
import { ADAPTER_FACTORIES } from '../../src/router/adapters.js';
import { startSimulator, type Simulator } from '../../src/testing/simulator.js';
import { failure } from '../support/failure.js';
import { FAST_POLICIES } from '../support/sim-config.js';

let simulator: Simulator;
beforeAll(async () => {
  simulator = await startSimulator({ seed: 5 });
});
afterAll(async () => {
  await simulator.close();
});

/** An openai-compatible adapter whose `doChat` and `doStream` throw a `TypeError` before any request, counting calls. */
function buggyAdapter(): { readonly factory: AdapterFactory; readonly calls: () => number } {
  let calls = 0;
  const factory: AdapterFactory = (context) => ({
    ...ADAPTER_FACTORIES['openai-compatible'](context),
    doChat: async () => {
      calls += 1;
      // The bug: trusting a parsed body to have a field it does not have (TypeError: reading of null).
      const body = JSON.parse('null') as { readonly result: Awaited<ReturnType<ProviderAdapter['doChat']>> };
      return body.result;
    },
    doStream: () => {
      calls += 1;
      return Promise.reject(new TypeError('adapter bug in doStream'));
    },
  });
  return { factory, calls: () => calls };
}

function configFor(breakerEnabled: boolean) {
  return {
    providers: { buggy: { type: 'buggy-llm', baseUrl: `${simulator.url}/v1`, apiKey: simulator.apiKey } },
    routes: { r: { targets: [{ provider: 'buggy', model: 'm' }] } },
    policies: { ...FAST_POLICIES, breaker: breakerEnabled ? { enabled: true, errorRate: 0.1, minRequests: 1, window: '10s', openFor: '10s' } : { enabled: false } },
  };
}

describe('a programming error inside an adapter', () => {
  it('is unknown.internal, tried exactly once, with the TypeError as a sanitised cause', async () => {
    const buggy = buggyAdapter();
    const router = createRouter(configFor(false), { tracing: false, providers: { 'buggy-llm': buggy.factory } });
    try {
      const error = await failure(router.chat({ model: 'r', messages: [{ role: 'user', content: 'hi' }] }));
      expect(buggy.calls()).toBe(1);
      expect(error).toMatchObject({ category: 'unknown', code: 'unknown.internal', retryable: false, provider: 'buggy', model: 'm' });
      expect(error.attempts).toHaveLength(1);
      expect(error.message).toContain('TypeError');
      expect(error.cause).toBeInstanceOf(SanitizedCause);
      expect((error.cause as SanitizedCause).name).toBe('TypeError');
    } finally {
      await router.close();
    }
  });

  it('is tried once in a stream too', async () => {
    const buggy = buggyAdapter();
    const router = createRouter(configFor(false), { tracing: false, providers: { 'buggy-llm': buggy.factory } });
    try {
      let thrown: unknown;
      try {
        for await (const _event of router.stream({ model: 'r', messages: [{ role: 'user', content: 'hi' }] })) {
          // nothing arrives
        }
      } catch (error) {
        thrown = error;
      }
      expect(SwitchyardError.isInstance(thrown)).toBe(true);
      expect(thrown).toMatchObject({ category: 'unknown', code: 'unknown.internal' });
      expect(buggy.calls()).toBe(1);
    } finally {
      await router.close();
    }
  });

  it('does not open the target breaker: the next call reaches the adapter again', async () => {
    const buggy = buggyAdapter();
    const router = createRouter(configFor(true), { tracing: false, providers: { 'buggy-llm': buggy.factory } });
    try {
      for (let call = 1; call <= 3; call += 1) {
        const error = await failure(router.chat({ model: 'r', messages: [{ role: 'user', content: 'hi' }] }));
        expect(error.code).toBe('unknown.internal');
        expect(buggy.calls()).toBe(call);
      }
    } finally {
      await router.close();
    }
  });
});

describe('a transport failure', () => {
  it('an undici socket hang-up is still network and retried', async () => {
    simulator.reset();
    simulator.enqueueFault('m', { kind: 'hang-up' }, 1);
    const router = createRouter(
      {
        providers: { local: { type: 'openai-compatible', baseUrl: `${simulator.url}/v1`, apiKey: simulator.apiKey } },
        routes: { r: { targets: [{ provider: 'local', model: 'm' }] } },
        policies: FAST_POLICIES,
      },
      { tracing: false },
    );
    try {
      const response = await router.chat({ model: 'r', messages: [{ role: 'user', content: 'hello again' }] });
      expect(response.text).toBe('Echo: hello again');
      expect(response.attempts.map((attempt) => attempt.outcome)).toEqual(['network', 'ok']);
    } finally {
      await router.close();
    }
  });
});
