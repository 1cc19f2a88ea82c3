/**
 * The series a call writes when it ends, resolved once per route and per target instead of per
 * call: a call's end then costs a few `Map` look-ups by strings the router already holds, and plain
 * additions. Creating these handles exports nothing; a series appears in the exposition on its
 * first write, exactly as with prom-client.
 */
import type { ModelPrice, PriceTable } from '../config/types.js';
import { priceOf } from '../pricing.js';
import type { CounterSeries } from './counter-metric.js';
import type { GaugeSeries } from './gauge-metric.js';
import type { HistogramSeries } from './histogram-metric.js';
import type { MetricSet } from './metric-set.js';

/** How a call ended, as the `outcome` label says it. */
export type CallOutcome = 'success' | 'error';

/** The inner map of `key`, created on first use (written out, not with a callback: hot path). */
function innerMap<K, V>(map: Map<K, Map<string, V>>, key: K): Map<string, V> {
  let inner = map.get(key);
  if (inner === undefined) {
    inner = new Map<string, V>();
    map.set(key, inner);
  }
  return inner;
}

/** The series of one target (provider and bounded model label) on one route label. */
export class TargetSeries {
  readonly durationSuccess: HistogramSeries;
  readonly durationError: HistogramSeries;
  readonly timeToFirstToken: HistogramSeries;
  readonly inputTokens: CounterSeries;
  readonly outputTokens: CounterSeries;
  readonly cost: CounterSeries;
  /**
   * The price of `provider/model` taken as a target: the price of the calls on this series only when
   * the model label is the model itself (not folded into `other`).
   */
  readonly price: ModelPrice | undefined;
  /** `calls_total` by outcome, then canary arm, then error category. */
  private readonly calls: Record<CallOutcome, Map<string, Map<string, CounterSeries>>> = { success: new Map(), error: new Map() };

  constructor(
    private readonly metrics: MetricSet,
    private readonly route: string,
    private readonly provider: string,
    private readonly model: string,
    pricing: PriceTable,
  ) {
    this.price = priceOf(pricing, { provider, model });
    this.durationSuccess = metrics.callDuration.labels(route, provider, model, 'success');
    this.durationError = metrics.callDuration.labels(route, provider, model, 'error');
    this.timeToFirstToken = metrics.timeToFirstToken.labels(route, provider, model);
    this.inputTokens = metrics.tokens.labels(route, provider, model, 'input');
    this.outputTokens = metrics.tokens.labels(route, provider, model, 'output');
    this.cost = metrics.cost.labels(route, provider, model);
  }

  /** The `calls_total` series of a call on this target. */
  callsOf(arm: string, outcome: CallOutcome, category: string): CounterSeries {
    const byCategory = innerMap(this.calls[outcome], arm);
    let series = byCategory.get(category);
    if (series === undefined) {
      series = this.metrics.calls.labels(this.route, arm, this.provider, this.model, outcome, category);
      byCategory.set(category, series);
    }
    return series;
  }

  /** The `call_duration_seconds` series of an outcome. */
  durationOf(outcome: CallOutcome): HistogramSeries {
    return outcome === 'success' ? this.durationSuccess : this.durationError;
  }
}

/** The series of one route label, and of the targets calls on it ended at. */
export class RouteSeries {
  readonly inFlight: GaugeSeries;
  /** Provider, then model label. */
  private readonly targets = new Map<string, Map<string, TargetSeries>>();

  constructor(
    private readonly metrics: MetricSet,
    private readonly pricing: PriceTable,
    readonly route: string,
  ) {
    this.inFlight = metrics.inFlight.labels(route);
  }

  /** The series of a target on this route; `model` must already be a bounded label. */
  targetOf(provider: string, model: string): TargetSeries {
    const byModel = innerMap(this.targets, provider);
    let series = byModel.get(model);
    if (series === undefined) {
      series = new TargetSeries(this.metrics, this.route, provider, model, this.pricing);
      byModel.set(model, series);
    }
    return series;
  }
}

/**
 * Creates the per-route cache of call series (`pricing` prices each target once). Keys are route
 * labels (configured routes and `direct`), so the cache stays as bounded as the labels.
 */
export function createCallSeries(metrics: MetricSet, pricing: PriceTable): (route: string) => RouteSeries {
  const routes = new Map<string, RouteSeries>();
  return (route) => {
    let series = routes.get(route);
    if (series === undefined) {
      series = new RouteSeries(metrics, pricing, route);
      routes.set(route, series);
    }
    return series;
  };
}
