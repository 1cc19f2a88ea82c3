/**
 * The Prometheus metrics plugin: subscribes to the router's events and keeps prom-client metrics
 * (see `metric-set.ts`). Nothing runs on the call path itself; each event costs a few map lookups
 * and counter increments, with label children cached (and pre-created for configured routes and
 * targets, so series exist at 0 before the first call).
 */
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { PriceTable, RouteConfig, SwitchyardConfig } from '../config/types.js';
import type { RouterEventHub, RouterEvents } from '../events.js';
import type { RouterPlugin } from '../router/plugin.js';
import type { Target } from '../types.js';
import { createBoundedLabel, OTHER_LABEL, type BoundedLabel } from './bounded-label.js';
import { costOfUsage } from './cost.js';
import { createMetricSet, type MetricSet } from './metric-set.js';

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

/** Caches the label children of a metric, keyed by their values. */
function childCache<T>(make: (...values: string[]) => T): (...values: string[]) => T {
  const children = new Map<string, T>();
  return (...values) => {
    const key = values.join('\u0000');
    let child = children.get(key);
    if (child === undefined) {
      child = make(...values);
      children.set(key, child);
    }
    return child;
  };
}

/** Label children of every metric, cached. */
function createChildren(metrics: MetricSet) {
  return {
    calls: childCache((...values) => metrics.calls.labels(...values)),
    callDuration: childCache((...values) => metrics.callDuration.labels(...values)),
    timeToFirstToken: childCache((...values) => metrics.timeToFirstToken.labels(...values)),
    tokens: childCache((...values) => metrics.tokens.labels(...values)),
    cost: childCache((...values) => metrics.cost.labels(...values)),
    attempts: childCache((...values) => metrics.attempts.labels(...values)),
    retries: childCache((...values) => metrics.retries.labels(...values)),
    breakerState: childCache((...values) => metrics.breakerState.labels(...values)),
    breakerTransitions: childCache((...values) => metrics.breakerTransitions.labels(...values)),
    rateLimitRejections: childCache((...values) => metrics.rateLimitRejections.labels(...values)),
    rateLimitWait: childCache((...values) => metrics.rateLimitWait.labels(...values)),
    cacheLookups: childCache((...values) => metrics.cacheLookups.labels(...values)),
    inFlight: childCache((...values) => metrics.inFlight.labels(...values)),
    canaryStep: childCache((...values) => metrics.canaryStep.labels(...values)),
    canaryWeight: childCache((...values) => metrics.canaryWeight.labels(...values)),
    canaryDecisions: childCache((...values) => metrics.canaryDecisions.labels(...values)),
    sensitiveWordHits: childCache((...values) => metrics.sensitiveWordHits.labels(...values)),
    sensitiveWordCalls: childCache((...values) => metrics.sensitiveWordCalls.labels(...values)),
    callsByIntent: childCache((...values) => metrics.callsByIntent.labels(...values)),
    warnings: childCache((...values) => metrics.warnings.labels(...values)),
  };
}

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
  const children = createChildren(metrics);

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
  const knownIntents = new Set(config.metrics.intents);
  const intentLabel = (intent: string | undefined): string => (intent === undefined || intent === '' ? NONE : knownIntents.has(intent) ? intent : OTHER_LABEL);
  const filterAction = config.filters.sensitiveWords?.action ?? NONE;

  // Series that exist at 0 before the first call, so rates and alerts work from the start.
  for (const route of routes) {
    children.inFlight(route.name).set(0);
    for (const target of route.targets) {
      const model = modelLabel(target.model);
      children.calls(route.name, armOf(route, target), target.provider, model, 'success', NONE).inc(0);
      children.breakerState(targetLabel(`${target.provider}/${target.model}`)).set(0);
    }
    if (route.policies.cache !== undefined) for (const result of ['hit', 'miss']) children.cacheLookups(route.name, result).inc(0);
    if (route.policies.rateLimit !== undefined) children.rateLimitRejections(route.name).inc(0);
  }
  for (const intent of [...knownIntents, OTHER_LABEL, NONE]) children.callsByIntent(intent, 'success').inc(0);

  function onCallEnd(end: RouterEvents['call-end']): void {
    const route = routeLabel(end.route);
    const { response, error, notes } = end;
    const target: Target | undefined = response?.target ?? end.attempts.at(-1)?.target;
    const provider = target?.provider ?? NONE;
    const model = target === undefined ? NONE : modelLabel(target.model);
    const outcome = error === undefined ? 'success' : 'error';
    children.inFlight(route).dec();
    children.calls(route, notes.canary?.arm ?? NONE, provider, model, outcome, error?.category ?? NONE).inc();
    children.callDuration(route, provider, model, outcome).observe(end.latencyMs / 1000);
    if (end.timeToFirstTokenMs !== undefined) children.timeToFirstToken(route, provider, model).observe(end.timeToFirstTokenMs / 1000);
    children.callsByIntent(intentLabel(end.request.metadata?.intent), outcome).inc();
    if (response !== undefined && !response.cached) {
      children.tokens(route, provider, model, 'input').inc(response.usage.inputTokens);
      children.tokens(route, provider, model, 'output').inc(response.usage.outputTokens);
      const cost = costOfUsage(pricing, response.target, response.usage);
      if (cost !== undefined && cost > 0) children.cost(route, provider, model).inc(cost);
    }
    if (notes.cache !== undefined) children.cacheLookups(route, notes.cache).inc();
    if (error?.category === 'rate_limit' && end.attempts.length === 0) children.rateLimitRejections(route).inc();
    if (notes.rateLimitWaitMs !== undefined && notes.rateLimitWaitMs > 0) children.rateLimitWait(route).observe(notes.rateLimitWaitMs / 1000);
    if (notes.sensitiveWordHits !== undefined && notes.sensitiveWordHits > 0) {
      children.sensitiveWordHits(route, filterAction).inc(notes.sensitiveWordHits);
      children.sensitiveWordCalls(route, filterAction).inc();
    }
    if (notes.canary !== undefined) {
      const canaryRoute = routeLabel(notes.canary.route);
      children.canaryStep(canaryRoute).set(notes.canary.step);
      children.canaryWeight(canaryRoute).set(notes.canary.weight);
    }
  }

  /** Subscribes every handler; returns the unsubscribe functions. */
  function subscribe(events: RouterEventHub): (() => void)[] {
    return [
      events.on('call-start', (start) => children.inFlight(routeLabel(start.route)).inc()),
      events.on('call-end', onCallEnd),
      events.on('attempt', ({ attempt }) => children.attempts(attempt.target.provider, modelLabel(attempt.target.model), attempt.outcome).inc()),
      events.on('retry', (retry) => children.retries(routeLabel(retry.route), retry.target.provider, modelLabel(retry.target.model), retry.after.category).inc()),
      events.on('breaker-change', (change) => {
        const target = targetLabel(change.target);
        const value = BREAKER_STATE_VALUES[change.to];
        if (value !== undefined) children.breakerState(target).set(value);
        children.breakerTransitions(target, change.to).inc();
      }),
      events.on('canary-change', (change) => {
        const route = routeLabel(change.route);
        children.canaryStep(route).set(change.step);
        children.canaryWeight(route).set(change.weight);
        children.canaryDecisions(route, change.decision).inc();
      }),
      events.on('audit-write', (write) => (write.ok ? metrics.auditRecordsWritten.inc() : metrics.auditSinkErrors.inc())),
      events.on('warning', (warning) => children.warnings(warningLabel(warning.code)).inc()),
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
