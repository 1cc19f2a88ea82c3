/**
 * Canary rollouts across reloads: one canary plugin per canary route, kept by the route's settings.
 * A route that did not change keeps its plugin, so its run (state, statistics of the step, calls
 * waiting to be counted) carries over as it is; a changed route gets a new run, which reads the
 * rollout's state back from the store every run shares (its step and weight carry over when the
 * rollout's identity, baseline, candidate and salt, is the same). The old run keeps counting the
 * calls that started on it until the generation that holds it is retired.
 */
import { CanaryControlError } from '../canary/rollout-state.js';
import { createCanaryPlugin, type CanaryPlugin } from '../canary/canary-plugin.js';
import type { CanaryController } from '../canary/canary-controller.js';
import type { CanaryStateStore } from '../canary/state-store.js';
import type { SwitchyardConfig } from '../config/types.js';
import type { CallContext, CallOutcome } from '../pipeline/context.js';
import type { Stage } from '../pipeline/stage.js';
import { settingsHash } from './reload-identity.js';
import { KeyedShares, type Holdings } from './reload-shares.js';

/** What the canary plugins of one router share. */
export interface CanaryBankOptions {
  /** The store every run reads and writes (memory, or Redis); closed by `close()` only. */
  readonly store: CanaryStateStore;
  readonly logger: (message: string) => void;
}

/** A generation's canary: its plugins (one per canary route), their stages as one, and the controller of its routes. */
export interface GenerationCanary {
  readonly plugins: readonly CanaryPlugin[];
  /** One stage for every canary route: a call goes through its own route's canary stage, others pass (no stage per route on every call). */
  readonly stages: readonly Stage<CallContext, CallOutcome>[];
  controller(route: string): CanaryController;
}

/** The canary plugins of one router, shared by its generations. */
export interface CanaryBank {
  partsFor(config: SwitchyardConfig, holdings: Holdings): GenerationCanary;
  /** Closes the store (the plugins are closed by the router). */
  close(): Promise<void>;
}

/** The store as plugins see it: closing a plugin never closes the store the others share. */
function unclosable(store: CanaryStateStore): CanaryStateStore {
  return {
    get shared() {
      return store.shared;
    },
    read: (rollout) => store.read(rollout),
    compareAndSet: (rollout, expectedVersion, next) => store.compareAndSet(rollout, expectedVersion, next),
    writeStats: (rollout, epoch, processId, stats) => store.writeStats(rollout, epoch, processId, stats),
    readStats: (rollout, epoch) => store.readStats(rollout, epoch),
    claimDecision: (rollout, decisionId) => store.claimDecision(rollout, decisionId),
    close: () => Promise.resolve(),
  };
}

/** Creates the bank of canary plugins over one store. */
export function createCanaryBank(options: CanaryBankOptions): CanaryBank {
  const sharedStore = unclosable(options.store);
  // Plugins are closed by the router when no generation runs them; the shares only pair them with routes.
  const plugins = new KeyedShares<CanaryPlugin>(() => undefined);

  return {
    partsFor(config, holdings) {
      const byRoute = new Map<string, CanaryPlugin>();
      for (const route of Object.values(config.routes)) {
        if (route.canary === undefined) continue;
        const key = `${route.name} ${settingsHash(route)}`;
        const plugin = holdings.take(plugins, key, () => createCanaryPlugin({ config: { ...config, routes: { [route.name]: route } }, store: sharedStore, logger: options.logger }));
        byRoute.set(route.name, plugin);
      }
      const stageByRoute = new Map<string, Stage<CallContext, CallOutcome>>();
      for (const [route, plugin] of byRoute) {
        const stage = plugin.outerStages?.[0];
        if (stage !== undefined) stageByRoute.set(route, stage);
      }
      const [only] = stageByRoute.values();
      const stages: Stage<CallContext, CallOutcome>[] =
        stageByRoute.size <= 1
          ? only === undefined
            ? []
            : [only]
          : [{ name: only?.name ?? 'canary', execute: (context, next) => stageByRoute.get(context.route.name)?.execute(context, next) ?? next(context) }];
      return {
        plugins: [...byRoute.values()],
        stages,
        controller(route) {
          const plugin = byRoute.get(route);
          if (plugin === undefined) throw new CanaryControlError('unknown-route', `route ${JSON.stringify(route)} has no canary (routes with one: ${[...byRoute.keys()].join(', ') || 'none'})`);
          return plugin.controller(route);
        },
      };
    },
    close: () => options.store.close(),
  };
}
