/**
 * Every Prometheus metric Switchyard exports, created once on a registry. Names carry the
 * configured prefix (`switchyard_` by default); labels are bounded (see `bounded-label.ts`).
 * `docs/observability.md` lists them with their labels and buckets.
 *
 * The metrics are Switchyard's own (`counter-metric.ts`, `gauge-metric.ts`, `histogram-metric.ts`:
 * label children resolved once, plain numbers) registered on the caller's prom-client `Registry`,
 * which serves them beside its other metrics in the same exposition prom-client's would give.
 */
import type { Registry } from 'prom-client';
import { SwitchyardError } from '../errors.js';
import { CounterMetric } from './counter-metric.js';
import { GaugeMetric } from './gauge-metric.js';
import { HistogramMetric } from './histogram-metric.js';

/** Whole-call latency, seconds: cache hits (ms) up to long generations (minutes). */
export const CALL_DURATION_BUCKETS: readonly number[] = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300];

/** Time to first token of streams, seconds: what a user waits before text appears. */
export const TIME_TO_FIRST_TOKEN_BUCKETS: readonly number[] = [0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10, 20];

/** Time waited for rate-limit room, seconds (`rateLimit.wait` is usually well under a minute). */
export const RATE_LIMIT_WAIT_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** The metrics of one registry. */
export interface MetricSet {
  readonly calls: CounterMetric<'route' | 'arm' | 'provider' | 'model' | 'outcome' | 'category'>;
  readonly callDuration: HistogramMetric<'route' | 'provider' | 'model' | 'outcome'>;
  readonly timeToFirstToken: HistogramMetric<'route' | 'provider' | 'model'>;
  readonly tokens: CounterMetric<'route' | 'provider' | 'model' | 'type'>;
  readonly cost: CounterMetric<'route' | 'provider' | 'model'>;
  readonly attempts: CounterMetric<'provider' | 'model' | 'outcome'>;
  readonly retries: CounterMetric<'route' | 'provider' | 'model' | 'category'>;
  readonly breakerState: GaugeMetric<'target'>;
  readonly breakerTransitions: CounterMetric<'target' | 'to'>;
  readonly rateLimitRejections: CounterMetric<'route'>;
  readonly rateLimitWait: HistogramMetric<'route'>;
  readonly cacheLookups: CounterMetric<'route' | 'result'>;
  readonly inFlight: GaugeMetric<'route'>;
  readonly canaryStep: GaugeMetric<'route'>;
  readonly canaryWeight: GaugeMetric<'route'>;
  readonly canaryDecisions: CounterMetric<'route' | 'decision'>;
  readonly auditQueueDepth: GaugeMetric;
  readonly auditRecordsWritten: CounterMetric;
  readonly auditSinkErrors: CounterMetric;
  readonly sensitiveWordHits: CounterMetric<'route' | 'action'>;
  readonly sensitiveWordCalls: CounterMetric<'route' | 'action'>;
  readonly callsByIntent: CounterMetric<'intent' | 'outcome'>;
  readonly warnings: CounterMetric<'code'>;
  readonly authFallbacks: CounterMetric<'provider'>;
  readonly keyPoolChanges: CounterMetric<'provider' | 'key_index' | 'change'>;
}

/** Options of `createMetricSet`. */
export interface MetricSetOptions {
  readonly registry: Registry;
  /** Prefix of every name, e.g. `switchyard_`. */
  readonly prefix: string;
  /** Read at scrape time for `audit_queue_depth`. */
  readonly auditQueueDepth?: () => number;
}

/** The class of one kind of metric. */
type MetricClass<M> = abstract new (...parameters: never[]) => M;

/**
 * Creates the metrics on a registry. A metric of the same name already there (a second router on
 * one registry) is reused, so both routers add up; anything else of that name (another kind, or a
 * prom-client metric registered by someone else) is a `config` error.
 */
export function createMetricSet(options: MetricSetOptions): MetricSet {
  const { registry, prefix } = options;

  function existing<M>(kind: MetricClass<M>, name: string): M | undefined {
    const found: unknown = registry.getSingleMetric(prefix + name);
    if (found === undefined) return undefined;
    if (!(found instanceof kind)) {
      throw new SwitchyardError({ category: 'config', message: `metric ${prefix}${name} is already registered as another kind of metric` });
    }
    return found;
  }

  function counter<L extends string>(name: string, help: string, labelNames: readonly L[]): CounterMetric<L> {
    return existing<CounterMetric<L>>(CounterMetric, name) ?? new CounterMetric({ name: prefix + name, help, labelNames }).registerOn(registry);
  }

  function gauge<L extends string>(name: string, help: string, labelNames: readonly L[]): GaugeMetric<L> {
    return existing<GaugeMetric<L>>(GaugeMetric, name) ?? new GaugeMetric({ name: prefix + name, help, labelNames }).registerOn(registry);
  }

  function histogram<L extends string>(name: string, help: string, labelNames: readonly L[], buckets: readonly number[]): HistogramMetric<L> {
    return existing<HistogramMetric<L>>(HistogramMetric, name) ?? new HistogramMetric({ name: prefix + name, help, labelNames, buckets }).registerOn(registry);
  }

  const auditQueueDepth: GaugeMetric =
    existing<GaugeMetric>(GaugeMetric, 'audit_queue_depth') ??
    new GaugeMetric({
      name: `${prefix}audit_queue_depth`,
      help: 'Audit records waiting to be written (batch fsync mode), read at scrape time.',
      labelNames: [],
      collect() {
        const depth = options.auditQueueDepth?.();
        if (depth !== undefined && Number.isFinite(depth)) auditQueueDepth.labels().set(depth);
      },
    }).registerOn(registry);

  return {
    calls: counter('calls_total', 'Calls that ended, by requested route, canary arm, answering (or last tried) target, outcome and error category.', ['route', 'arm', 'provider', 'model', 'outcome', 'category']),
    callDuration: histogram('call_duration_seconds', 'Wall time of whole calls (all attempts, retries and waits), seconds.', ['route', 'provider', 'model', 'outcome'], CALL_DURATION_BUCKETS),
    timeToFirstToken: histogram('time_to_first_token_seconds', 'Streams: time from the call entering the router to the first output, seconds.', ['route', 'provider', 'model'], TIME_TO_FIRST_TOKEN_BUCKETS),
    tokens: counter('tokens_total', 'Tokens providers reported for answered calls (cache hits excluded), by type input or output; cache_read and cache_write count the input tokens read from and written to the provider\'s prompt cache (parts of input), cache_write_1h the writes to 1-hour entries (part of cache_write), reasoning the output tokens spent on reasoning (part of output).', ['route', 'provider', 'model', 'type']),
    cost: counter('cost_usd_total', 'Cost of answered calls from the pricing table, US dollars (cache hits and unpriced models excluded).', ['route', 'provider', 'model']),
    attempts: counter('attempts_total', 'Tries at a target, by outcome (ok or the error category).', ['provider', 'model', 'outcome']),
    retries: counter('retries_total', 'Retries scheduled, by the target retried on and the category of the error that caused them.', ['route', 'provider', 'model', 'category']),
    breakerState: gauge('breaker_state', 'Circuit breaker state per target: 0 closed, 1 half-open, 2 open.', ['target']),
    breakerTransitions: counter('breaker_transitions_total', 'Circuit breaker state changes per target, by the state entered.', ['target', 'to']),
    rateLimitRejections: counter('rate_limit_rejections_total', 'Calls refused by Switchyard’s own rate limits (before any provider was tried).', ['route']),
    rateLimitWait: histogram('rate_limit_wait_seconds', 'Time calls waited for rate-limit room (only calls that waited), seconds.', ['route'], RATE_LIMIT_WAIT_BUCKETS),
    cacheLookups: counter('cache_lookups_total', 'Response cache outcomes: hit, miss, shared (joined an identical call in flight) or bypass.', ['route', 'result']),
    inFlight: gauge('calls_in_flight', 'Calls in the router now (streams until they end).', ['route']),
    canaryStep: gauge('canary_step', 'Current step of a route’s canary rollout.', ['route']),
    canaryWeight: gauge('canary_weight', 'Current candidate share of a route’s canary rollout, percent.', ['route']),
    canaryDecisions: counter('canary_decisions_total', 'Canary rollout decisions (promote, hold, rollback, pause, resume, abort, complete).', ['route', 'decision']),
    auditQueueDepth,
    auditRecordsWritten: counter('audit_records_written_total', 'Audit records written.', []),
    auditSinkErrors: counter('audit_sink_errors_total', 'Audit records a sink failed to write.', []),
    sensitiveWordHits: counter('sensitive_word_hits_total', 'Sensitive-word occurrences found in requests, by the configured action.', ['route', 'action']),
    sensitiveWordCalls: counter('sensitive_word_calls_total', 'Calls whose request held at least one sensitive word, by the configured action.', ['route', 'action']),
    callsByIntent: counter('calls_by_intent_total', 'Calls by the caller’s metadata.intent (unlisted values fold into other, absent ones are none).', ['intent', 'outcome']),
    warnings: counter('warnings_total', 'Warnings the router emitted (degraded shared state, sink failures...), by code.', ['code']),
    authFallbacks: counter('auth_fallbacks_total', 'Tries refused with auth or permission (401/403) after which the call went on to another target, by provider.', ['provider']),
    keyPoolChanges: counter('key_pool_changes_total', 'Keys of a provider’s key pool (apiKeys) removed (answered 401/403) or cooling down (answered 429), by the key’s position in apiKeys, never its value.', ['provider', 'key_index', 'change']),
  };
}
