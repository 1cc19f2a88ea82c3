/**
 * The Prometheus metrics plugin: subscribes to the router's events and keeps the metrics of
 * `metric-set.ts` on a prom-client registry. Nothing runs on the call path itself; a call's end
 * writes series resolved once per route and target (`call-series.ts`), so it costs a few map
 * look-ups and additions, with no label hashing. Configured routes and targets get their series at
 * 0 before the first call.
 */
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { PriceTable, RouteConfig, SwitchyardConfig } from '../config/types.js';
import type { RouterEventHub, RouterEvents } from '../events.js';
import type { RouterPlugin } from '../router/plugin.js';
import type { Target } from '../types.js';
import { createBoundedLabel, OTHER_LABEL, type BoundedLabel } from './bounded-label.js';
import { createCallSeries } from './call-series.js';
import { costAtPrice, priceOf } from '../pricing.js';
import { createMetricSet } from './metric-set.js';
import { usageOfEmbedding } from '../embedding-types.js';

/** Options of `createMetricsPlugin`. */
export interface MetricsPluginOptions {
  /** The resolved config: `metrics` (prefix, intents, processMetrics), `pricing`, routes and filters. */
  readonly config: SwitchyardConfig;
  /**
   * The registry to register on.
   * @default a new `Registry` (read it back from the plugin's `registry`)
   */
  readonly registry?: Registry;
  /**
   * Prices for `cost_usd_total`.
   * @default config.pricing
   */
  readonly pricing?: PriceTable;
  /** Read at scrape time for `audit_queue_depth` (the audit writer's queued records). */
  readonly auditQueueDepth?: () => number;
}

/** The metrics plugin, with the registry it fills. */
export type MetricsPlugin = RouterPlugin & { readonly registry: Registry };

/** Distinct values admitted beyond the configured ones before a label folds into `other`. */
const EXTRA_LABEL_VALUES = 50;

const BREAKER_STATE_VALUES: Readonly<Record<string, number>> = { closed: 0, half_open: 1, 'half-open': 1, open: 2 };

const NONE = 'none';

/** The arm a configured target plays in its route's canary, or `none`. */
function armOf(route: RouteConfig, target: Target): string {
  const canary = route.canary;
  if (canary === undefined) return NONE;
  if (canary.baseline.provider === target.provider && canary.baseline.model === target.model) return 'baseline';
  if (canary.candidate.provider === target.provider && canary.candidate.model === target.model) return 'candidate';
  return NONE;
}

/**
 * Creates the metrics plugin. Add it to `createRouter(config, { plugins })` and serve
 * `plugin.registry.metrics()` at `/metrics` (see `config/metrics-server.example.ts`).
 */
export function createMetricsPlugin(options: MetricsPluginOptions): MetricsPlugin {
  const { config } = options;
  const registry = options.registry ?? new Registry();
  const pricing = options.pricing ?? config.pricing;
  const prefix = config.metrics.prefix;
  const metrics = createMetricSet({ registry, prefix, ...(options.auditQueueDepth === undefined ? {} : { auditQueueDepth: options.auditQueueDepth }) });
  if (config.metrics.processMetrics && registry.getSingleMetric(`${prefix}process_cpu_user_seconds_total`) === undefined) {
    collectDefaultMetrics({ register: registry, prefix });
  }
  const routeSeries = createCallSeries(metrics, pricing);

  const routes = Object.values(config.routes);
  const targets = routes.flatMap((route) => route.targets);
  const routeLabel = (name: string): string => (config.routes[name] === undefined ? 'direct' : name);
  const modelLabel: BoundedLabel = createBoundedLabel(
    targets.map((target) => target.model),
    EXTRA_LABEL_VALUES,
  );
  const targetLabel: BoundedLabel = createBoundedLabel(
    targets.map((target) => `${target.provider}/${target.model}`),
    EXTRA_LABEL_VALUES,
  );
  const warningLabel: BoundedLabel = createBoundedLabel([], EXTRA_LABEL_VALUES);
  const providerLabel: BoundedLabel = createBoundedLabel(Object.keys(config.providers), EXTRA_LABEL_VALUES);
  /** Auth failures already counted: a failure stays the call's last error while open breakers are skipped. */
  const countedAuthFailures = new WeakSet<object>();
  const knownIntents = new Set(config.metrics.intents);
  const intentLabel = (intent: string | undefined): string => (intent === undefined || intent === '' ? NONE : knownIntents.has(intent) ? intent : OTHER_LABEL);
  const filterAction = config.filters.sensitiveWords?.action ?? NONE;

  // Series that exist at 0 before the first call, so rates and alerts work from the start. Gauges
  // are raised by 0, not set: a plugin made by a reload must not zero calls in flight or open breakers.
  for (const route of routes) {
    metrics.inFlight.labels(route.name).inc(0);
    for (const target of route.targets) {
      const model = modelLabel(target.model);
      metrics.calls.labels(route.name, armOf(route, target), target.provider, model, 'success', NONE).inc(0);
      metrics.breakerState.labels(targetLabel(`${target.provider}/${target.model}`)).inc(0);
    }
    if (route.policies.cache !== undefined) for (const result of ['hit', 'miss']) metrics.cacheLookups.labels(route.name, result).inc(0);
    if (route.policies.rateLimit !== undefined) metrics.rateLimitRejections.labels(route.name).inc(0);
  }
  for (const intent of [...knownIntents, OTHER_LABEL, NONE]) metrics.callsByIntent.labels(intent, 'success').inc(0);
  for (const provider of Object.keys(config.providers)) metrics.authFallbacks.labels(providerLabel(provider)).inc(0);
  // A pool's keys get their removal series at 0, so an alert on any increase works from the start.
  for (const provider of Object.values(config.providers)) {
    for (let index = 0; index < (provider.apiKeys?.length ?? 0); index += 1) metrics.keyPoolChanges.labels(providerLabel(provider.id), String(index), 'removed').inc(0);
  }

  function onRetry(retry: RouterEvents['retry']): void {
    const { after } = retry;
    metrics.retries.labels(routeLabel(retry.route), retry.target.provider, modelLabel(retry.target.model), after.category).inc();
    if ((after.category === 'auth' || after.category === 'permission') && !countedAuthFailures.has(after)) {
      countedAuthFailures.add(after);
      metrics.authFallbacks.labels(providerLabel(after.provider ?? NONE)).inc();
    }
  }

  function onCallEnd(end: RouterEvents['call-end']): void {
    const route = routeLabel(end.route);
    const { response, error, notes } = end;
    const target: Target | undefined = response?.target ?? end.embedding?.target ?? end.attempts.at(-1)?.target;
    const provider = target?.provider ?? NONE;
    const model = target === undefined ? NONE : modelLabel(target.model);
    const outcome = error === undefined ? 'success' : 'error';
    const onRoute = routeSeries(route);
    const onTarget = onRoute.targetOf(provider, model);
    // Same updates in the same order as ever: a series is exported from its first write on.
    onRoute.inFlight.dec();
    onTarget.callsOf(notes.canary?.arm ?? NONE, outcome, error?.category ?? NONE).inc();
    onTarget.durationOf(outcome).observe(end.latencyMs / 1000);
    if (end.timeToFirstTokenMs !== undefined) onTarget.timeToFirstToken.observe(end.timeToFirstTokenMs / 1000);
    metrics.callsByIntent.labels(intentLabel(end.request.metadata?.intent), outcome).inc();
    if (response !== undefined && !response.cached) {
      onTarget.inputTokens.inc(response.usage.inputTokens);
      onTarget.outputTokens.inc(response.usage.outputTokens);
      // Prompt-cache reads and writes (parts of the input) and reasoning (part of the output) only
      // when reported: most calls have none, and a series of zeros per target would only cost memory.
      const { cacheReadInputTokens: cacheRead, cacheWriteInputTokens: cacheWrite, cacheWrite1hInputTokens: cacheWrite1h, reasoningTokens: reasoning } = response.usage;
      if (cacheRead !== undefined && cacheRead > 0) metrics.tokens.labels(route, provider, model, 'cache_read').inc(cacheRead);
      if (cacheWrite !== undefined && cacheWrite > 0) metrics.tokens.labels(route, provider, model, 'cache_write').inc(cacheWrite);
      if (cacheWrite1h !== undefined && cacheWrite1h > 0) metrics.tokens.labels(route, provider, model, 'cache_write_1h').inc(cacheWrite1h);
      if (reasoning !== undefined && reasoning > 0) metrics.tokens.labels(route, provider, model, 'reasoning').inc(reasoning);
      // The series' price when the model label is the model (the usual case), else a look-up.
      const price = model === response.target.model ? onTarget.price : priceOf(pricing, response.target);
      const cost = price === undefined ? undefined : costAtPrice(price, response.usage);
      if (cost !== undefined && cost > 0) onTarget.cost.inc(cost);
    }
    const embedding = end.embedding;
    if (embedding !== undefined && !embedding.cached) {
      // Embedding calls: input tokens only, priced like any input.
      const usage = usageOfEmbedding(embedding.usage);
      onTarget.inputTokens.inc(usage.inputTokens);
      const price = model === embedding.target.model ? onTarget.price : priceOf(pricing, embedding.target);
      const cost = price === undefined ? undefined : costAtPrice(price, usage);
      if (cost !== undefined && cost > 0) onTarget.cost.inc(cost);
    }
    if (notes.cache !== undefined) metrics.cacheLookups.labels(route, notes.cache).inc();
    if (error?.category === 'rate_limit' && end.attempts.length === 0) metrics.rateLimitRejections.labels(route).inc();
    if (notes.rateLimitWaitMs !== undefined && notes.rateLimitWaitMs > 0) metrics.rateLimitWait.labels(route).observe(notes.rateLimitWaitMs / 1000);
    if (notes.sensitiveWordHits !== undefined && notes.sensitiveWordHits > 0) {
      metrics.sensitiveWordHits.labels(route, filterAction).inc(notes.sensitiveWordHits);
      metrics.sensitiveWordCalls.labels(route, filterAction).inc();
    }
    if (notes.canary !== undefined) {
      const canaryRoute = routeLabel(notes.canary.route);
      metrics.canaryStep.labels(canaryRoute).set(notes.canary.step);
      metrics.canaryWeight.labels(canaryRoute).set(notes.canary.weight);
    }
  }

  /** Subscribes every handler; returns the unsubscribe functions. */
  function subscribe(events: RouterEventHub): (() => void)[] {
    return [
      events.on('call-start', (start) => routeSeries(routeLabel(start.route)).inFlight.inc()),
      events.on('call-end', onCallEnd),
      events.on('attempt', ({ attempt }) => metrics.attempts.labels(attempt.target.provider, modelLabel(attempt.target.model), attempt.outcome).inc()),
      events.on('retry', onRetry),
      events.on('breaker-change', (change) => {
        const target = targetLabel(change.target);
        const value = BREAKER_STATE_VALUES[change.to];
        if (value !== undefined) metrics.breakerState.labels(target).set(value);
        metrics.breakerTransitions.labels(target, change.to).inc();
      }),
      events.on('canary-change', (change) => {
        const route = routeLabel(change.route);
        metrics.canaryStep.labels(route).set(change.step);
        metrics.canaryWeight.labels(route).set(change.weight);
        metrics.canaryDecisions.labels(route, change.decision).inc();
      }),
      events.on('audit-write', (write) => (write.ok ? metrics.auditRecordsWritten.labels().inc() : metrics.auditSinkErrors.labels().inc())),
      events.on('warning', (warning) => metrics.warnings.labels(warningLabel(warning.code)).inc()),
      events.on('provider-key', (change) => metrics.keyPoolChanges.labels(providerLabel(change.provider), String(change.index), change.change).inc()),
    ];
  }

  let unsubscribe: (() => void)[] = [];
  return {
    name: 'metrics',
    registry,
    attach(_router, internals) {
      unsubscribe = subscribe(internals.events);
    },
    async close() {
      for (const stop of unsubscribe) stop();
      unsubscribe = [];
    },
  };
}
