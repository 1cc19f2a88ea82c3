/**
 * `createCanaryPlugin`: canary rollouts as a router plugin. For every route with a `canary`:
 * - the canary stage (`canary-stage.ts`) gives calls the route at the rollout's current weights;
 * - `assignTarget`, which target choice asks for a route's first target, puts each call in its arm
 *   by sticky bucketing and notes it (`notes.canary = { route, arm, step, weight }`, for audit
 *   records and metrics);
 * - a `call-end` subscriber records the call for its arm of record, sends shadow copies, and lets
 *   the decision engine promote, hold or roll back (`canary-change` events, a log line with the
 *   evidence on every change, a `canary-decision` event per decision, delivered to the route's
 *   webhooks);
 * - until a process has read a rollout's state, the route's calls wait for it (at most the
 *   canary's `startupWait`), then go to the baseline if it still has not come: a fresh process
 *   never routes at a weight it has not read.
 * State is in memory, or in Redis when a client is given (see `createCanaryRun` for sharing).
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { SwitchyardConfig } from '../config/types.js';
import type { RouterPlugin } from '../router/plugin.js';
import { canaryBucket, canaryStickyKey, isCandidateBucket } from './bucketing.js';
import type { CanaryController } from './canary-controller.js';
import { createCanaryRun, type CanaryRun } from './canary-run.js';
import { createCanaryStage } from './canary-stage.js';
import { createCanaryWebhooks, type CanaryWebhooks } from './webhooks.js';
import { createMemoryCanaryStore } from './memory-state-store.js';
import { createRedisCanaryStore } from './redis-state-store.js';
import { CanaryControlError } from './rollout-state.js';
import { createShadowMirror, type ShadowMirror } from './shadow-mirror.js';
import { rolloutId, type CanaryStateStore } from './state-store.js';

/** Options of `createCanaryPlugin`. */
export interface CanaryPluginOptions {
  /** The resolved config; every route with a `canary` is rolled out. */
  readonly config: SwitchyardConfig;
  /** Share rollouts through this Redis client (the plugin never closes it); in memory when absent. */
  readonly redis?: Redis;
  /**
   * Prefix of the Redis keys.
   * @default config.state.redis.keyPrefix, else 'switchyard:'
   */
  readonly keyPrefix?: string;
  /** A store to use instead of memory or `redis` (tests share one between two plugins). */
  readonly store?: CanaryStateStore;
  /**
   * The clock, epoch milliseconds (step durations, change times).
   * @default Date.now
   */
  readonly now?: () => number;
  /**
   * Where changes (with their evidence) and store trouble are logged.
   * @default console.warn with a `[switchyard]` prefix
   */
  readonly logger?: (message: string) => void;
  /**
   * How often statistics are flushed and the shared state read, ms.
   * @default 1000
   */
  readonly syncIntervalMs?: number;
  /** This process's id in the shared statistics. @default a random UUID */
  readonly processId?: string;
}

/** The canary plugin. */
export interface CanaryPlugin extends RouterPlugin {
  /** Routes with a canary. */
  readonly routes: readonly string[];
  /** The controller of a route's rollout; throws `CanaryControlError` (`unknown-route`) for other routes. */
  controller(route: string): CanaryController;
  /** Resolves once every rollout's state was read from the store (or the first read failed). */
  ready(): Promise<void>;
}

/** Creates the canary plugin for every route of `config` with a `canary`. */
export function createCanaryPlugin(options: CanaryPluginOptions): CanaryPlugin {
  const { config } = options;
  const now = options.now ?? Date.now;
  const logger = options.logger ?? ((message: string) => console.warn(`[switchyard] ${message}`));
  const processId = options.processId ?? randomUUID();
  const store =
    options.store ??
    (options.redis === undefined ? createMemoryCanaryStore() : createRedisCanaryStore({ redis: options.redis, keyPrefix: options.keyPrefix ?? config.state.redis?.keyPrefix ?? 'switchyard:' }));
  const runs = new Map<string, CanaryRun>();
  for (const route of Object.values(config.routes)) {
    if (route.canary === undefined) continue;
    runs.set(route.name, createCanaryRun({ route: route.name, rollout: rolloutId(route.name, route.canary), canary: route.canary, pricing: config.pricing, store, processId, now, logger }));
  }
  const firstSync = Promise.all([...runs.values()].map((run) => run.sync())).then(() => undefined);
  const webhooks = new Map<string, CanaryWebhooks>();
  for (const route of Object.values(config.routes)) {
    if (route.canary !== undefined && route.canary.webhooks.length > 0) webhooks.set(route.name, createCanaryWebhooks({ webhooks: route.canary.webhooks, logger }));
  }
  const timer =
    runs.size === 0
      ? undefined
      : setInterval(() => {
          for (const run of runs.values()) void run.sync();
        }, options.syncIntervalMs ?? 1_000);
  timer?.unref();
  const mirrors: ShadowMirror[] = [];

  function runOf(route: string): CanaryRun {
    const run = runs.get(route);
    if (run === undefined) throw new CanaryControlError('unknown-route', `route ${JSON.stringify(route)} has no canary (routes with one: ${[...runs.keys()].join(', ') || 'none'})`);
    return run;
  }

  return {
    name: 'canary',
    routes: [...runs.keys()],
    outerStages: runs.size === 0 ? [] : [createCanaryStage(runs)],
    assignTarget(route, context) {
      return runs.get(route.name)?.assign(route, context);
    },
    explainTarget(route, who) {
      const run = runs.get(route.name);
      const canary = route.canary;
      if (run === undefined || canary === undefined) return undefined;
      if (!run.loaded) {
        return { target: canary.baseline, reason: `this process has not read the rollout's shared state yet: calls wait for it (at most ${canary.startupWaitMs} ms), then go to the baseline` };
      }
      const status = run.status();
      const weight = canary.shadow ? 0 : status.weight;
      const sticky = canaryStickyKey(canary, who, 'explain');
      const where = `canary ${status.state} at step ${status.step + 1} (candidate weight ${weight}%)`;
      if (sticky.source !== 'user' && sticky.source !== 'tenant') {
        if (weight <= 0) return { target: canary.baseline, reason: `${where}: every call goes to the baseline` };
        if (weight >= 100) return { target: canary.candidate, reason: `${where}: every call goes to the candidate` };
        return { reason: `${where}: no ${canary.sticky} given, so each call is drawn anew` };
      }
      const bucket = canaryBucket(canary.salt, sticky.key);
      const arm = isCandidateBucket(bucket, weight) ? 'candidate' : 'baseline';
      return { target: canary[arm], reason: `${where}: ${sticky.source} bucket ${bucket} of 10000 is in the ${arm} arm` };
    },
    attach(_router, internals) {
      for (const route of Object.values(config.routes)) {
        const canary = route.canary;
        const run = runs.get(route.name);
        if (canary === undefined || run === undefined) continue;
        let mirror: ShadowMirror | undefined;
        if (canary.shadow) {
          mirror = createShadowMirror({ concurrency: canary.shadowConcurrency, mirror: (request, target, signal) => internals.mirror(request, target, signal), pricing: config.pricing });
          mirrors.push(mirror);
        }
        run.attach(internals.events, mirror);
      }
      internals.events.on('call-end', (payload) => {
        const note = payload.notes.canary;
        if (note !== undefined) runs.get(note.route)?.onCallEnd(payload);
      });
      internals.events.on('canary-decision', (record) => webhooks.get(record.route)?.deliver(record));
    },
    async close() {
      clearInterval(timer);
      await Promise.allSettled([...webhooks.values()].map((hooks) => hooks.close()));
      for (const mirror of mirrors) mirror.close();
      await Promise.allSettled([...runs.values()].map((run) => run.close()));
      await store.close();
    },
    controller(route) {
      const run = runOf(route);
      return {
        status: () => run.status(),
        report: () => run.report(),
        promote: (note) => run.control('promote', note),
        pause: (note) => run.control('pause', note),
        resume: (request) => run.control('resume', request),
        abort: (note) => run.control('abort', note),
        sync: async () => {
          await run.idle();
          await run.sync();
        },
      };
    },
    ready: () => firstSync,
  };
}
