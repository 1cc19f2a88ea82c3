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
import type { Registry } from 'prom-client';
import { createAuditPlugin, type AuditPlugin, type AuditRecordHandler } from './audit/index.js';
import { CanaryControlError, createCanaryPlugin, type CanaryPlugin } from './canary/index.js';
import { RouterEventHub } from './events.js';
import { createContentFilterPlugin } from './filters/index.js';
import { createMetricsPlugin } from './metrics/index.js';
import { createDeferredTracingPlugin } from './tracing/index.js';
import { LIBRARY_VERSION } from './version.js';
import { createMemoryBreakerRegistry, createRedisBreakerRegistry, type BreakerRegistry } from './pipeline/breaker/index.js';
import { createCacheStage, createMemoryCacheStore, createRedisCacheStore, type CacheStore } from './pipeline/cache/index.js';
import type { CallContext, CallOutcome } from './pipeline/context.js';
import { createMemoryRateLimiter, createRedisRateLimiter, type RateLimiter } from './pipeline/rate-limit/index.js';
import { createRateLimitStage } from './pipeline/rate-limit/rate-limit-stage.js';
import { createSharedStateReadyStage, waitUntilSettled } from './pipeline/shared-state-ready-stage.js';
import type { Stage } from './pipeline/stage.js';
import type { RouterPlugin } from './router/plugin.js';
import { createRouterFromResolved, type Router, type RouterOptions } from './router/router.js';

/** Options of `createRouter`. */
export interface CreateRouterOptions extends Omit<RouterOptions, 'policyStages' | 'breakers' | 'events' | 'onClose' | 'plugins'> {
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

  const redisSettings = resolved.state.redis;
  const redis =
    redisSettings === undefined
      ? undefined
      : new Redis(redisSettings.url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2_000, retryStrategy: (times) => Math.min(times * 200, 2_000) });
  redis?.on('error', () => undefined); // surfaced through the stores' degraded state and warnings
  // A forgotten `close()` must not keep the process alive: Redis holds it only while a command runs.
  if (redis !== undefined) keepAliveOnlyWhileBusy(redis);
  const sharedStateReady = redis === undefined ? undefined : waitUntilSettled(redis, 2_000);

  const routes = Object.values(resolved.routes);
  const breakers: BreakerRegistry =
    redis === undefined || redisSettings === undefined
      ? createMemoryBreakerRegistry()
      : createRedisBreakerRegistry({ redis, keyPrefix: redisSettings.keyPrefix, failMode: redisSettings.failMode, logger });
  breakers.onStateChange((change) => events.emit('breaker-change', { target: change.key, from: change.from, to: change.to }));

  let limiter: RateLimiter | undefined;
  if (routes.some((route) => route.policies.rateLimit !== undefined)) {
    limiter =
      redis === undefined || redisSettings === undefined
        ? createMemoryRateLimiter()
        : createRedisRateLimiter({ redis, keyPrefix: redisSettings.keyPrefix, failMode: redisSettings.failMode, logger });
  }

  let cacheStore: CacheStore | undefined;
  if (routes.some((route) => route.policies.cache !== undefined)) {
    const maxEntries = Math.max(...routes.map((route) => route.policies.cache?.maxEntries ?? 0));
    const memory = createMemoryCacheStore({ maxEntries });
    cacheStore =
      redis === undefined || redisSettings === undefined ? memory : createRedisCacheStore({ redis, failMode: redisSettings.failMode, logger, fallback: memory });
  }

  const policyStages: Stage<CallContext, CallOutcome>[] = [];
  if (sharedStateReady !== undefined) policyStages.push(createSharedStateReadyStage(sharedStateReady));
  if (cacheStore !== undefined) policyStages.push(createCacheStage(cacheStore));
  if (limiter !== undefined) policyStages.push(createRateLimitStage(limiter));

  // Order matters: tracing spans everything; the audit record is written for every call that
  // entered the pipeline, blocked ones included; the canary shapes the route's targets for the
  // stages inside it; the content filter runs before cache and limits.
  const builtIns: RouterPlugin[] = [];
  if (options.tracing !== false) builtIns.push(createDeferredTracingPlugin({ tracerVersion: LIBRARY_VERSION }));
  const audit =
    options.audit ?? (resolved.audit === undefined ? undefined : createAuditPlugin({ config: resolved, ...(options.auditSink === undefined ? {} : { sink: options.auditSink }) }));
  if (audit !== undefined) builtIns.push(audit);
  const canary =
    options.canary ??
    (routes.some((route) => route.canary !== undefined)
    ? createCanaryPlugin({
        config: resolved,
        ...(redis === undefined ? {} : { redis, keyPrefix: redisSettings?.keyPrefix }),
        logger: (message) => (options.logger ?? console.warn)(`[switchyard] ${message}`),
      })
    : undefined);
  if (canary !== undefined) builtIns.push(canary);
  const contentFilter = createContentFilterPlugin(resolved.filters);
  if (contentFilter !== undefined) builtIns.push(contentFilter);
  const metrics = resolved.metrics.enabled
    ? createMetricsPlugin({
        config: resolved,
        ...(options.metricsRegistry === undefined ? {} : { registry: options.metricsRegistry }),
        ...(audit === undefined ? {} : { auditQueueDepth: () => audit.queueDepth }),
      })
    : undefined;
  if (metrics !== undefined) builtIns.push(metrics);

  return createRouterFromResolved(resolved, {
    ...options,
    policyStages,
    breakers,
    events,
    ...(metrics === undefined ? {} : { metrics: metrics.registry }),
    canaryController: (route) => {
      if (canary === undefined) throw new CanaryControlError('unknown-route', `route ${JSON.stringify(route)} has no canary rollout`);
      return canary.controller(route);
    },
    plugins: [...builtIns, ...(options.plugins ?? [])],
    ...(sharedStateReady === undefined ? {} : { ready: () => sharedStateReady.promise }),
    onClose: async () => {
      await Promise.allSettled([breakers.close(), limiter?.close(), cacheStore?.close()]);
      if (redis !== undefined) await redis.quit().catch(() => redis.disconnect());
    },
  });
}
