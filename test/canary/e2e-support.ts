/**
 * End-to-end helpers: a simulator-backed config whose `claude` route is a canary rollout, and a
 * router with the canary plugin on a fake clock.
 */
import { createCanaryPlugin, type CanaryPlugin, type CanaryPluginOptions } from '../../src/canary/canary-plugin.js';
import { resolveConfig } from '../../src/config/index.js';
import type { SwitchyardConfig } from '../../src/config/types.js';
import { createRouter } from '../../src/create-router.js';
import type { RouterEvents } from '../../src/events.js';
import type { Router } from '../../src/router/router.js';
import type { Simulator } from '../../src/testing/simulator.js';
import type { ChatRequest } from '../../src/types.js';
import { simConfig } from '../support/sim-config.js';

/** The `canary` section of the `claude` route, as written in YAML (durations as strings). */
export type CanaryInput = Record<string, unknown>;

/** A resolved config with `claude` as a canary from claude-2.0 to claude-2.1, falling back to `gpt4`. */
export function canarySimConfig(simulator: Simulator, canary: CanaryInput, extra: Record<string, unknown> = {}): SwitchyardConfig {
  return resolveConfig(
    simConfig(simulator, {
      routes: {
        claude: {
          canary: {
            baseline: { provider: 'anthropic', model: 'claude-2.0' },
            candidate: { provider: 'anthropic', model: 'claude-2.1' },
            ...canary,
          },
          fallbacks: ['gpt4'],
        },
        gpt4: { targets: [{ provider: 'openai', model: 'gpt-4' }] },
      },
      pricing: { 'anthropic/claude-2.0': { input: 8, output: 24 }, 'anthropic/claude-2.1': { input: 8, output: 24 } },
      ...extra,
    } as never),
  );
}

/** A router with a canary plugin, and what the test wants to watch. */
export interface CanaryHarness {
  readonly router: Router;
  readonly plugin: CanaryPlugin;
  readonly changes: RouterEvents['canary-change'][];
  readonly logs: string[];
  /** Advances the fake clock. */
  advance(ms: number): void;
  close(): Promise<void>;
}

/** Starts a router with the canary plugin on a fake clock. */
export function startCanaryRouter(config: SwitchyardConfig, options: Partial<CanaryPluginOptions> = {}): CanaryHarness {
  let clock = Date.UTC(2025, 0, 1);
  const logs: string[] = [];
  const plugin = createCanaryPlugin({ config, now: () => clock, logger: (message) => logs.push(message), syncIntervalMs: 60_000, ...options });
  const router = createRouter(config, { canary: plugin, logger: () => undefined });
  const changes: RouterEvents['canary-change'][] = [];
  router.on('canary-change', (change) => changes.push(change));
  return {
    router,
    plugin,
    changes,
    logs,
    advance(ms) {
      clock += ms;
    },
    close: () => router.close(),
  };
}

/** A one-message request to the `claude` route. */
export function ask(text = 'hello'): ChatRequest {
  return { model: 'claude', messages: [{ role: 'user', content: text }] };
}

/** Sends `count` calls from distinct users (`prefix-<n>`), `concurrency` at a time; returns the answering model per user. */
export async function sendCalls(router: Router, count: number, prefix: string, concurrency = 16): Promise<Map<string, string>> {
  const answered = new Map<string, string>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const user = `${prefix}-${next}`;
      next += 1;
      const response = await router.chat(ask(`question from ${user}`), { user });
      answered.set(user, response.target.model);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return answered;
}
