/**
 * `createRouter(config)`: builds a router and its shared pipeline state from a config, in memory by
 * default and through Redis when `state.redis` is set, and turns on the stages the config asks for:
 * tracing, audit, canary and content filter (as plugins), shared-state-ready, cache and rate limit.
 * The stage order is in `router/call-pipeline.ts`.
 */
import { Redis } from 'ioredis';
import { keepAliveOnlyWhileBusy } from './router/redis-keep-alive.js';
import { resolveConfig, type SwitchyardConfigInput } from './config/index.js';
import type { SwitchyardConfig } from './config/types.js';
import { Registry } from 'prom-client';
import { createAuditPlugin, type AuditPlugin, type AuditRecordHandler } from './audit/index.js';
import { CanaryControlError, createMemoryCanaryStore, createRedisCanaryStore, type CanaryPlugin } from './canary/index.js';
import { RouterEventHub } from './events.js';
import { createContentFilterPlugin } from './filters/index.js';
import { createMetricsPlugin, type MetricsPlugin } from './metrics/index.js';
import { createDeferredTracingPlugin } from './tracing/index.js';
import { LIBRARY_VERSION } from './version.js';
import { createMemoryBreakerRegistry, createRedisBreakerRegistry, type BreakerRegistry } from './pipeline/breaker/index.js';
import { withEmbeddingCache } from './router/embed-cache-stage.js';
import { createCacheStage, createMemoryCacheStore, createRedisCacheStore, type CacheStore } from './pipeline/cache/index.js';
import type { CallContext, CallOutcome } from './pipeline/context.js';
import { createMemoryKeyLimitStore, createRedisKeyLimitStore } from './http/key-limit-store.js';
import { createMemoryRateLimiter, createRedisRateLimiter, type RateLimiter } from './pipeline/rate-limit/index.js';
import { createRateLimitStage } from './pipeline/rate-limit/rate-limit-stage.js';
import { createSharedStateReadyStage, waitUntilSettled } from './pipeline/shared-state-ready-stage.js';
import type { Stage } from './pipeline/stage.js';
import type { RouterPlugin } from './router/plugin.js';
import { createBreakerBank } from './router/reload-breakers.js';
import { createCanaryBank } from './router/reload-canary.js';
import type { GenerationParts } from './router/reload-generation.js';
import { settingsHash } from './router/reload-identity.js';
import { Holdings } from './router/reload-shares.js';
import { createRouterFromResolved, type Router, type RouterOptions } from './router/router.js';

/** Options of `createRouter`. */
export interface CreateRouterOptions extends Omit<RouterOptions, 'policyStages' | 'breakers' | 'events' | 'onClose' | 'plugins' | 'generationParts' | 'keyLimits'> {
  /** Extra plugins, after the built-in ones the config turns on. */
  readonly plugins?: readonly RouterPlugin[];
  /** Register metrics on this prom-client registry instead of a new one (`router.metrics`). */
  readonly metricsRegistry?: Registry;
  /**
   * Emit an OpenTelemetry span per call when `@opentelemetry/api` is installed. The API is loaded
   * asynchronously, so calls in the first moments of a router may go untraced; for those, create
   * the plugin with `await createTracingPlugin()` and pass it in `plugins` with `tracing: false`.
   * @default true
   */
  readonly tracing?: boolean;
  /** Receives audit records when the config says `audit.sink.type: callback`. */
  readonly auditSink?: AuditRecordHandler;
  /**
   * Use this audit plugin instead of building one from `config.audit` (to choose the stdout
   * stream, the clock or the retry timing, or to read `queueDepth` and `sinkErrors`).
   */
  readonly audit?: AuditPlugin;
  /** Use this canary plugin instead of building one from the routes' `canary` sections (a shared store, a clock). */
  readonly canary?: CanaryPlugin;
  /** Where warnings go (degraded shared state and the like); defaults to `console.warn`. Never receives secrets. */
  readonly logger?: (message: string) => void;
}

function isResolved(config: SwitchyardConfig | SwitchyardConfigInput): config is SwitchyardConfig {
  return typeof (config as Partial<SwitchyardConfig>).versionHash === 'string';
}

/**
 * Creates a router from a resolved config (`loadConfig('switchyard.yaml')`) or a typed config
 * object (`defineConfig({...})`).
 *
 * What lives as long as the router: the Redis client, the rate limiter, the cache store, the audit
 * log, tracing, the metrics registry and the user's plugins. What each config generation builds
 * (`router.reload()`): the breakers of each provider's settings, the canary run of each canary
 * route (both kept when unchanged), the content filter and the metrics plugin.
 *
 * @example
 * const router = createRouter(loadConfig('switchyard.yaml'));
 * const response = await router.chat({ model: 'claude', messages: [{ role: 'user', content: 'Hi' }] }, { user: 'u-42' });
 */
export function createRouter(config: SwitchyardConfig | SwitchyardConfigInput, options: CreateRouterOptions = {}): Router {
  const resolved = isResolved(config) ? config : resolveConfig(config);
  const events = new RouterEventHub();
  const warnedOnce = new Set<string>();
  const logger = (message: string): void => {
    events.emit('warning', { code: 'shared-state', message });
    if (warnedOnce.has(message)) return;
    warnedOnce.add(message);
    (options.logger ?? console.warn)(`[switchyard] ${message}`);
  };

  // `state` cannot change on reload (see router/reload-changes.ts): the client is the router's.
  const redisSettings = resolved.state.redis;
  const redis =
    redisSettings === undefined
      ? undefined
      : new Redis(redisSettings.url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2_000, retryStrategy: (times) => Math.min(times * 200, 2_000) });
  redis?.on('error', () => undefined); // surfaced through the stores' degraded state and warnings
  // A forgotten `close()` must not keep the process alive: Redis holds it only while a command runs.
  if (redis !== undefined) keepAliveOnlyWhileBusy(redis);
  const sharedStateReady = redis === undefined ? undefined : waitUntilSettled(redis, 2_000);
  const sharedStateStage = sharedStateReady === undefined ? undefined : createSharedStateReadyStage(sharedStateReady);

  const breakers = createBreakerBank((namespace) => {
    const registry: BreakerRegistry =
      redis === undefined || redisSettings === undefined
        ? createMemoryBreakerRegistry()
        : createRedisBreakerRegistry({ redis, keyPrefix: `${redisSettings.keyPrefix}${namespace}:`, failMode: redisSettings.failMode, logger });
    registry.onStateChange((change) => events.emit('breaker-change', { target: change.key, from: change.from, to: change.to }));
    return registry;
  });

  // Per-key limits of key pools, kept for the router's life: a reload that keeps a key keeps its counters.
  const keyLimits =
    redis === undefined || redisSettings === undefined
      ? createMemoryKeyLimitStore()
      : createRedisKeyLimitStore({ redis, keyPrefix: redisSettings.keyPrefix, failMode: redisSettings.failMode, logger });

  // The limiter and the cache store are made when a config first asks for them, and kept.
  let limiter: RateLimiter | undefined;
  let rateLimitStage: Stage<CallContext, CallOutcome> | undefined;
  let cacheStore: CacheStore | undefined;
  let cacheStage: Stage<CallContext, CallOutcome> | undefined;
  function policyStagesFor(current: SwitchyardConfig): Stage<CallContext, CallOutcome>[] {
    const routes = Object.values(current.routes);
    if (cacheStage === undefined && routes.some((route) => route.policies.cache !== undefined)) {
      const maxEntries = Math.max(...routes.map((route) => route.policies.cache?.maxEntries ?? 0));
      const memory = createMemoryCacheStore({ maxEntries });
      cacheStore = redis === undefined || redisSettings === undefined ? memory : createRedisCacheStore({ redis, failMode: redisSettings.failMode, logger, fallback: memory });
      cacheStage = withEmbeddingCache(createCacheStage(cacheStore), cacheStore);
    }
    if (rateLimitStage === undefined && routes.some((route) => route.policies.rateLimit !== undefined)) {
      limiter =
        redis === undefined || redisSettings === undefined
          ? createMemoryRateLimiter()
          : createRedisRateLimiter({ redis, keyPrefix: redisSettings.keyPrefix, failMode: redisSettings.failMode, logger });
      rateLimitStage = createRateLimitStage(limiter);
    }
    // A stage left in after its policy went from the config costs a look-up: it passes calls without one.
    return [...(sharedStateStage === undefined ? [] : [sharedStateStage]), ...(cacheStage === undefined ? [] : [cacheStage]), ...(rateLimitStage === undefined ? [] : [rateLimitStage])];
  }

  // Order matters: tracing spans everything; the audit record is written for every call that
  // entered the pipeline, blocked ones included; the canary shapes the route's targets for the
  // stages inside it; the content filter runs before cache and limits.
  const tracing = options.tracing === false ? undefined : createDeferredTracingPlugin({ tracerVersion: LIBRARY_VERSION });
  const audit =
    options.audit ?? (resolved.audit === undefined ? undefined : createAuditPlugin({ config: resolved, ...(options.auditSink === undefined ? {} : { sink: options.auditSink }) }));
  const canaryLogger = (message: string): void => (options.logger ?? console.warn)(`[switchyard] ${message}`);
  const canaries =
    options.canary === undefined
      ? createCanaryBank({
          store: redis === undefined ? createMemoryCanaryStore() : createRedisCanaryStore({ redis, keyPrefix: redisSettings?.keyPrefix ?? 'switchyard:' }),
          logger: canaryLogger,
        })
      : undefined;
  const metricsRegistry = resolved.metrics.enabled ? (options.metricsRegistry ?? new Registry()) : undefined;
  let metricsPlugin: MetricsPlugin | undefined;
  /** Every route a metrics plugin was told of: a removed route's calls still in flight keep their label. */
  let metricsRoutes: SwitchyardConfig['routes'] = {};
  let filter: { readonly key: string; readonly plugin: RouterPlugin | undefined } | undefined;

  function generationParts(current: SwitchyardConfig): GenerationParts {
    const holdings = new Holdings();
    const canary = canaries?.partsFor(current, holdings);
    const filterKey = settingsHash(current.filters);
    if (filter?.key !== filterKey) filter = { key: filterKey, plugin: createContentFilterPlugin(current.filters) };
    metricsRoutes = { ...metricsRoutes, ...current.routes };
    const metrics =
      metricsRegistry === undefined
        ? undefined
        : createMetricsPlugin({
            config: { ...current, routes: metricsRoutes },
            registry: metricsRegistry,
            ...(audit === undefined ? {} : { auditQueueDepth: () => audit.queueDepth }),
          });
    const canaryPlugins = options.canary === undefined ? (canary?.plugins ?? []) : [options.canary];
    const before = [...(tracing === undefined ? [] : [tracing]), ...(audit === undefined ? [] : [audit])];
    const after = [...(filter.plugin === undefined ? [] : [filter.plugin]), ...(metrics === undefined ? [] : [metrics]), ...(options.plugins ?? [])];
    const stagesOf = (plugins: readonly RouterPlugin[]): Stage<CallContext, CallOutcome>[] => plugins.flatMap((plugin) => plugin.outerStages ?? []);
    return {
      plugins: [...before, ...canaryPlugins, ...after],
      outerStages: [...stagesOf(before), ...(canary === undefined ? stagesOf(canaryPlugins) : canary.stages), ...stagesOf(after)],
      policyStages: policyStagesFor(current),
      breakers: breakers.gateFor(current, holdings),
      canaryController: (route) => {
        if (options.canary !== undefined) return options.canary.controller(route);
        if (canary === undefined) throw new CanaryControlError('unknown-route', `route ${JSON.stringify(route)} has no canary rollout`);
        return canary.controller(route);
      },
      // The previous metrics plugin stops counting when this one starts: every event is counted once.
      activate: () => {
        const previous = metricsPlugin;
        metricsPlugin = metrics;
        if (previous !== undefined && previous !== metrics) void previous.close?.();
      },
      retire: () => holdings.dropAll(),
    };
  }

  return createRouterFromResolved(resolved, {
    ...options,
    events,
    keyLimits,
    generationParts,
    ...(metricsRegistry === undefined ? {} : { metrics: metricsRegistry }),
    ...(sharedStateReady === undefined ? {} : { ready: () => sharedStateReady.promise }),
    onClose: async () => {
      await Promise.allSettled([breakers.close(), limiter?.close(), keyLimits.close(), cacheStore?.close(), canaries?.close()]);
      if (redis !== undefined) await redis.quit().catch(() => redis.disconnect());
    },
  });
}
