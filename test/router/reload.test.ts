/**
 * `router.reload(config)` over real sockets (the simulator): routes swap, calls in flight finish on
 * the config they started with, bad configs are refused while the old one serves, and breakers and
 * canary state of unchanged targets and routes carry over.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, type SwitchyardConfigInput } from '../../src/config/index.js';
import { createRouter } from '../../src/create-router.js';
import { SwitchyardError } from '../../src/errors.js';
import type { ConfigReloaded } from '../../src/router/reload-changes.js';
import type { Router } from '../../src/router/router.js';
import { startSimulator, type Simulator } from '../../src/testing/simulator.js';
import { FAST_POLICIES } from '../support/sim-config.js';
import { failure } from '../support/failure.js';

const ROTATED_KEY = 'sim-rotated-key-0123456789';
let simulator: Simulator;
let directory: string;
const routers: Router[] = [];

beforeAll(async () => {
  simulator = await startSimulator({ extraApiKeys: [ROTATED_KEY] });
  directory = mkdtempSync(join(tmpdir(), 'switchyard-reload-'));
});
afterEach(async () => {
  await Promise.all(routers.splice(0).map((router) => router.close()));
  simulator.reset();
});
afterAll(async () => {
  await simulator.close();
  rmSync(directory, { recursive: true, force: true });
});

function open(config: SwitchyardConfigInput): Router {
  const router = createRouter(config, { logger: () => undefined, tracing: false });
  routers.push(router);
  return router;
}

/** One anthropic provider and the given routes. */
function config(routes: Record<string, unknown>, extra: Record<string, unknown> = {}): SwitchyardConfigInput {
  return {
    providers: { anthropic: { type: 'anthropic', apiKey: simulator.apiKey, baseUrl: simulator.url } },
    routes,
    policies: FAST_POLICIES,
    ...extra,
  } as SwitchyardConfigInput;
}

const ask = (model: string) => ({ model, messages: [{ role: 'user' as const, content: 'hi' }] });

/** The `ConfigError` a reload is refused with. */
async function refusal(promise: Promise<unknown>): Promise<ConfigError> {
  const error = await failure(promise);
  if (!ConfigError.isConfigError(error)) throw new Error(`expected a ConfigError, got ${error.message}`);
  return error;
}

/** Resolves once `check` holds, polling the event loop (no timing assumed). */
async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('router.reload()', () => {
  it('swaps routes: a new route answers, a removed one is unknown, router.config and the event say what changed', async () => {
    const router = open(config({ old: { targets: [{ provider: 'anthropic', model: 'claude-2.0' }] }, kept: { targets: [{ provider: 'anthropic', model: 'claude-2.0' }] } }));
    const events: ConfigReloaded[] = [];
    router.on('config-reloaded', (event) => events.push(event));
    const before = router.config.versionHash;
    expect((await router.chat(ask('old'))).route).toBe('old');

    const result = await router.reload(config({ fresh: { targets: [{ provider: 'anthropic', model: 'claude-2.1' }] }, kept: { targets: [{ provider: 'anthropic', model: 'claude-2.0' }] } }));

    expect(result.from).toBe(before);
    expect(result.to).toBe(router.config.versionHash);
    expect(result.to).not.toBe(before);
    expect(result.changes.routes).toEqual({ added: ['fresh'], removed: ['old'], changed: [] });
    expect(result.changes.providers).toEqual({ added: [], removed: [], changed: [] });
    expect(events).toEqual([result]);
    expect(Object.keys(router.config.routes).sort()).toEqual(['fresh', 'kept']);
    const answer = await router.chat(ask('fresh'));
    expect(answer.target).toEqual({ provider: 'anthropic', model: 'claude-2.1' });
    const removed = await failure(router.chat(ask('old')));
    expect(removed.category).toBe('invalid_request');
    expect(removed.message).toMatch(/unknown route "old"; configured routes: (fresh, kept|kept, fresh)/);
    expect(router.explain('fresh').target).toEqual({ provider: 'anthropic', model: 'claude-2.1' });
  });

  it('lets a call in flight finish on the config it started with, even when its provider is replaced', async () => {
    const router = open(config({ chat: { targets: [{ provider: 'anthropic', model: 'claude-2.0' }] } }));
    simulator.setBehavior('claude-2.0', { latencyMs: 400 });
    const inFlight = router.chat(ask('chat'));
    const inFlightStream = (async () => {
      let text = '';
      for await (const event of router.stream(ask('chat'))) if (event.type === 'text-delta') text += event.text;
      return text;
    })();
    await until(() => simulator.count('claude-2.0') === 2);

    // The provider changes (a rotated key): a new adapter and pool; the old pool serves the calls in flight.
    const next = config({ chat: { targets: [{ provider: 'anthropic', model: 'claude-2.1' }] } });
    const result = await router.reload({ ...next, providers: { anthropic: { type: 'anthropic', apiKey: ROTATED_KEY, baseUrl: simulator.url } } });
    expect(result.changes.providers.changed).toEqual(['anthropic']);
    expect(result.changes.routes.changed).toEqual(['chat']);

    const fresh = await router.chat(ask('chat'));
    expect(fresh.target.model).toBe('claude-2.1');
    const old = await inFlight;
    expect(old.target.model).toBe('claude-2.0');
    expect(old.text).toBe('Echo: hi');
    expect(await inFlightStream).toBe('Echo: hi');
    // After the old generation retired, the router still serves.
    expect((await router.chat(ask('chat'))).target.model).toBe('claude-2.1');
  });

  it('refuses an invalid config with its problems, and the old config keeps serving', async () => {
    const router = open(config({ chat: { targets: [{ provider: 'anthropic', model: 'claude-2.0' }] } }));
    const before = router.config;
    const refused = await refusal(router.reload(config({ chat: { targets: [{ provider: 'nowhere', model: 'x' }] } })));
    expect(refused.problems.map((problem) => problem.path)).toEqual(['routes.chat.targets[0].provider']);
    expect(router.config).toBe(before);
    expect((await router.chat(ask('chat'))).target.model).toBe('claude-2.0');
  });

  it('refuses a YAML file with errors naming path and line, and a change that needs a restart', async () => {
    const router = open(config({ chat: { targets: [{ provider: 'anthropic', model: 'claude-2.0' }] } }));
    const before = router.config.versionHash;
    const file = join(directory, 'bad.yaml');
    writeFileSync(file, ['providers:', `  anthropic: { type: anthropic, apiKey: ${simulator.apiKey}, baseUrl: "${simulator.url}" }`, 'routes:', '  chat:', '    targets:', '      - { provider: anthropic, model: claude-2.0, weight: -5 }', ''].join('\n'));
    const invalid = await refusal(router.reload(file));
    expect(invalid.problems).toEqual([expect.objectContaining({ path: 'routes.chat.targets[0].weight', line: 6 })]);

    const restart = join(directory, 'restart.yaml');
    writeFileSync(restart, ['providers:', `  anthropic: { type: anthropic, apiKey: ${simulator.apiKey}, baseUrl: "${simulator.url}" }`, 'routes:', '  chat: { targets: [{ provider: anthropic, model: claude-2.1 }] }', 'metrics:', '  prefix: other_', ''].join('\n'));
    const needsRestart = await refusal(router.reload(restart));
    expect(needsRestart.problems).toEqual([expect.objectContaining({ path: 'metrics.prefix', line: 6, message: expect.stringMatching(/restart/) })]);
    expect(router.config.versionHash).toBe(before);
    expect((await router.chat(ask('chat'))).target.model).toBe('claude-2.0');

    // The same file without the restart-only change reloads.
    writeFileSync(restart, ['providers:', `  anthropic: { type: anthropic, apiKey: ${simulator.apiKey}, baseUrl: "${simulator.url}" }`, 'routes:', '  chat: { targets: [{ provider: anthropic, model: claude-2.1 }] }', ''].join('\n'));
    await router.reload(restart);
    expect((await router.chat(ask('chat'))).target.model).toBe('claude-2.1');
  });

  it('keeps an open breaker of an unchanged target open, and gives a changed target a fresh one', async () => {
    const breakerPolicies = { ...FAST_POLICIES, retry: { ...FAST_POLICIES.retry, attempts: 1 }, breaker: { enabled: true, errorRate: 0.5, minRequests: 2, window: '60s', openFor: '60s' } };
    const routes = { chat: { targets: [{ provider: 'anthropic', model: 'claude-2.0' }] } };
    const router = open(config(routes, { policies: breakerPolicies }));
    const changes: string[] = [];
    router.on('breaker-change', (change) => changes.push(`${change.target}:${change.to}`));
    simulator.enqueueFault('claude-2.0', { kind: 'status', status: 500 }, 2);
    for (let index = 0; index < 2; index += 1) expect((await failure(router.chat(ask('chat')))).category).toBe('server');
    expect(changes).toEqual(['anthropic/claude-2.0:open']);
    expect((await failure(router.chat(ask('chat')))).category).toBe('circuit_open');

    // Unchanged provider (only a route was added): the breaker stays open, no request goes upstream.
    await router.reload(config({ ...routes, other: { targets: [{ provider: 'anthropic', model: 'claude-2.1' }] } }, { policies: breakerPolicies }));
    const upstreamBefore = simulator.count('claude-2.0');
    expect((await failure(router.chat(ask('chat')))).category).toBe('circuit_open');
    expect(simulator.count('claude-2.0')).toBe(upstreamBefore);

    // Changed provider (a rotated key): a fresh breaker, the call reaches the upstream and succeeds.
    const rotated = { ...config(routes, { policies: breakerPolicies }), providers: { anthropic: { type: 'anthropic', apiKey: ROTATED_KEY, baseUrl: simulator.url } } } as SwitchyardConfigInput;
    await router.reload(rotated);
    expect((await router.chat(ask('chat'))).text).toBe('Echo: hi');
    expect(simulator.count('claude-2.0')).toBe(upstreamBefore + 1);
  });

  it("carries an unchanged canary route's run over (its step and counted calls), and a changed one's step through the store", async () => {
    const canaryRoute = {
      canary: {
        baseline: { provider: 'anthropic', model: 'claude-2.0' },
        candidate: { provider: 'anthropic', model: 'claude-2.1' },
        salt: 'reload-test',
        steps: [{ weight: 10, minRequests: 1_000_000 }, { weight: 50, minRequests: 1_000_000 }, { weight: 100 }],
      },
    };
    const router = open(config({ rollout: canaryRoute }));
    await router.ready();
    for (let index = 0; index < 20; index += 1) await router.chat(ask('rollout'), { user: `user-${index}` });
    await router.canary('rollout').promote();
    const before = router.canary('rollout').status();
    expect(before.weight).toBe(50);

    // Unchanged, beside a second canary route the reload adds (the routes' canary stages run as one).
    const second = { canary: { ...canaryRoute.canary, salt: 'reload-test-second', steps: [{ weight: 100 }] } };
    await router.reload(config({ rollout: canaryRoute, second, plain: { targets: [{ provider: 'anthropic', model: 'claude-2.0' }] } }));
    await router.ready();
    expect((await router.chat(ask('second'), { user: 'user-1' })).target.model).toBe('claude-2.1');
    expect(router.canary('second').status().weight).toBe(100);
    const after = router.canary('rollout').status();
    expect(after.step).toBe(before.step);
    expect(after.weight).toBe(50);
    expect(after.arms.baseline.calls + after.arms.candidate.calls).toBe(before.arms.baseline.calls + before.arms.candidate.calls);

    // A changed route (another timeout) gets a new run that reads the rollout's state back.
    await router.reload(config({ rollout: { ...canaryRoute, policies: { timeout: { total: '20s' } } } }));
    expect(router.canary('rollout').status().weight).toBe(50);
    const models = new Set<string>();
    for (let index = 0; index < 40; index += 1) models.add((await router.chat(ask('rollout'), { user: `user-${index}` })).target.model);
    expect([...models].sort()).toEqual(['claude-2.0', 'claude-2.1']);
  });

  it('keeps metrics working across reloads: no duplicate registration, calls in flight never below zero', async () => {
    const router = open(config({ chat: { targets: [{ provider: 'anthropic', model: 'claude-2.0' }] } }));
    simulator.setBehavior('claude-2.0', { latencyMs: 200 });
    const inFlight = router.chat(ask('chat'));
    await until(() => simulator.count('claude-2.0') === 1);
    await router.reload(config({ chat: { targets: [{ provider: 'anthropic', model: 'claude-2.0' }] }, added: { targets: [{ provider: 'anthropic', model: 'claude-2.1' }] } }));
    await inFlight;
    await router.chat(ask('added'));
    const text = await (router.metrics as NonNullable<Router['metrics']>).metrics();
    expect(text).toMatch(/switchyard_calls_in_flight\{route="chat"\} 0/);
    expect(text).toMatch(/switchyard_calls_total\{route="chat",[^}]*\} 1/);
    expect(text).toMatch(/switchyard_calls_total\{route="added",[^}]*outcome="success"[^}]*\} 1/);
  });

  it('names the config in use in audit records written after a reload', async () => {
    const records: { configVersion?: string; kind?: string }[] = [];
    const audited = { audit: { sink: { type: 'callback' } } };
    const router = createRouter(config({ chat: { targets: [{ provider: 'anthropic', model: 'claude-2.0' }] } }, audited), {
      logger: () => undefined,
      tracing: false,
      auditSink: (record) => {
        if ((record as { kind?: string }).kind === 'call') records.push(record);
      },
    });
    routers.push(router);
    await router.chat(ask('chat'));
    const first = router.config.versionHash;
    await router.reload(config({ chat: { targets: [{ provider: 'anthropic', model: 'claude-2.1' }] } }, audited));
    await router.chat(ask('chat'));
    await until(() => records.length >= 2);
    expect(records.map((record) => record.configVersion)).toEqual([first, router.config.versionHash]);
  });

  it('applies reloads in order, and refuses one after close()', async () => {
    const router = open(config({ a: { targets: [{ provider: 'anthropic', model: 'claude-2.0' }] } }));
    const [first, second] = await Promise.all([
      router.reload(config({ b: { targets: [{ provider: 'anthropic', model: 'claude-2.0' }] } })),
      router.reload(config({ c: { targets: [{ provider: 'anthropic', model: 'claude-2.0' }] } })),
    ]);
    expect(second.from).toBe(first.to);
    expect(Object.keys(router.config.routes)).toEqual(['c']);
    await router.close();
    const refused = await failure(router.reload(config({ d: { targets: [{ provider: 'anthropic', model: 'claude-2.0' }] } })));
    expect(SwitchyardError.isInstance(refused) && refused.message).toMatch(/closed/);
  });
});
