/**
 * Switchyard's own counter, gauge and histogram: the same operations on them and on prom-client's
 * classes give the same exposition, and they behave as metrics on a prom-client registry
 * (registration, look-up, default process metrics beside them, reset, scrape hooks).
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '../../src/errors.js';
import { CounterMetric } from '../../src/metrics/counter-metric.js';
import { GaugeMetric } from '../../src/metrics/gauge-metric.js';
import { HistogramMetric } from '../../src/metrics/histogram-metric.js';
import { createMetricSet } from '../../src/metrics/metric-set.js';
import { parsePrometheusText, sumOf } from './prometheus-text.js';

/** Runs `apply` on a prom-client registry and on one of ours; returns both expositions. */
async function bothWays(apply: (registry: Registry, kind: 'prom-client' | 'switchyard') => void): Promise<{ expected: string; actual: string }> {
  const expected = new Registry();
  const actual = new Registry();
  apply(expected, 'prom-client');
  apply(actual, 'switchyard');
  return { expected: await expected.metrics(), actual: await actual.metrics() };
}

describe('counter', () => {
  it('exports like prom-client: first-write order, label order, label-less at 0, defaults to 1', async () => {
    const { expected, actual } = await bothWays((registry, kind) => {
      const labelNames = ['route', 'outcome'] as const;
      if (kind === 'prom-client') {
        const counter = new Counter({ name: 'c_total', help: 'Help with a \\ backslash\nand a line.', labelNames, registers: [registry] });
        counter.labels('b', 'ok').inc(2.5);
        counter.labels('a', 'error').inc();
        counter.labels('b', 'ok').inc(0.1);
        counter.labels('quote"d\nvalue', 'ok').inc(0);
        new Counter({ name: 'plain_total', help: 'No labels.', registers: [registry] });
      } else {
        const counter = new CounterMetric({ name: 'c_total', help: 'Help with a \\ backslash\nand a line.', labelNames }).registerOn(registry);
        counter.labels('b', 'ok').inc(2.5);
        counter.labels('a', 'error').inc();
        counter.labels('b', 'ok').inc(0.1);
        counter.labels('quote"d\nvalue', 'ok').inc(0);
        new CounterMetric({ name: 'plain_total', help: 'No labels.', labelNames: [] }).registerOn(registry);
      }
    });
    expect(actual).toBe(expected);
    expect(actual).toContain('c_total{route="b",outcome="ok"} 2.6');
  });

  it('returns one cached series per label values and exports it only once written', async () => {
    const registry = new Registry();
    const counter = new CounterMetric({ name: 'c_total', help: 'h', labelNames: ['route'] }).registerOn(registry);
    const series = counter.labels('a');
    expect(counter.labels('a')).toBe(series);
    expect(await registry.metrics()).not.toContain('c_total{');
    series.inc(3);
    expect(sumOf(parsePrometheusText(await registry.metrics()), 'c_total', { route: 'a' })).toBe(3);
  });

  it('refuses what prom-client refuses: negative and infinite increments, the wrong number of label values', () => {
    const counter = new CounterMetric({ name: 'c_total', help: 'h', labelNames: ['route'] });
    expect(() => counter.labels('a').inc(-1)).toThrow('It is not possible to decrease a counter');
    expect(() => counter.labels('a').inc(Number.POSITIVE_INFINITY)).toThrow(TypeError);
    expect(() => counter.labels('a', 'b')).toThrow(/Invalid number of arguments/);
    expect(() => new CounterMetric({ name: 'bad name', help: 'h', labelNames: [] })).toThrow(/Invalid metric name/);
    expect(() => new CounterMetric({ name: 'c', help: 'h', labelNames: ['bad-label'] })).toThrow(/Invalid label name/);
    expect(() => new CounterMetric({ name: 'c', help: '', labelNames: [] })).toThrow(/help/);
  });
});

describe('gauge', () => {
  it('exports like prom-client after set, inc and dec, and after a reset', async () => {
    const operations = (series: { set(value: number): void; inc(value?: number): void; dec(value?: number): void }[]): void => {
      const [first, second, third] = series;
      first?.set(0);
      second?.inc();
      first?.inc(5);
      first?.dec();
      third?.set(-2.25);
      second?.dec(3);
    };
    const { expected, actual } = await bothWays((registry, kind) => {
      if (kind === 'prom-client') {
        const gauge = new Gauge({ name: 'g', help: 'A gauge.', labelNames: ['route'], registers: [registry] });
        operations([gauge.labels('x'), gauge.labels('y'), gauge.labels('z')]);
        const plain = new Gauge({ name: 'plain', help: 'No labels.', registers: [registry] });
        plain.set(4);
        registry.resetMetrics();
        gauge.labels('z').inc();
      } else {
        const gauge = new GaugeMetric({ name: 'g', help: 'A gauge.', labelNames: ['route'] }).registerOn(registry);
        operations([gauge.labels('x'), gauge.labels('y'), gauge.labels('z')]);
        new GaugeMetric({ name: 'plain', help: 'No labels.', labelNames: [] }).registerOn(registry).labels().set(4);
        registry.resetMetrics();
        gauge.labels('z').inc();
      }
    });
    expect(actual).toBe(expected);
    expect(actual).toBe('# HELP g A gauge.\n# TYPE g gauge\ng{route="z"} 1\n\n# HELP plain No labels.\n# TYPE plain gauge\nplain 0\n');
  });

  it('runs its collect hook at every scrape', async () => {
    const registry = new Registry();
    let reads = 0;
    const gauge: GaugeMetric = new GaugeMetric({
      name: 'depth',
      help: 'h',
      labelNames: [],
      collect: () => {
        reads += 1;
        gauge.labels().set(reads * 10);
      },
    }).registerOn(registry);
    await registry.metrics();
    expect(sumOf(parsePrometheusText(await registry.metrics()), 'depth')).toBe(20);
  });
});

describe('histogram', () => {
  it('exports like prom-client: cumulative buckets, values on bounds and above the last bound, +Inf, sum, count', async () => {
    const buckets = [0.05, 0.1, 1, 2.5, 300];
    const observed = [0.05, 0.0500001, 0, 3, 1e6, 0.1, 2.5, 299.999, 0.3];
    const { expected, actual } = await bothWays((registry, kind) => {
      if (kind === 'prom-client') {
        const histogram = new Histogram({ name: 'h_seconds', help: 'A histogram.', labelNames: ['route', 'outcome'], buckets, registers: [registry] });
        for (const [index, value] of observed.entries()) histogram.labels(index % 2 === 0 ? 'a' : 'b', 'ok').observe(value);
        new Histogram({ name: 'plain_seconds', help: 'No labels.', buckets, registers: [registry] });
      } else {
        const histogram = new HistogramMetric({ name: 'h_seconds', help: 'A histogram.', labelNames: ['route', 'outcome'], buckets }).registerOn(registry);
        for (const [index, value] of observed.entries()) histogram.labels(index % 2 === 0 ? 'a' : 'b', 'ok').observe(value);
        new HistogramMetric({ name: 'plain_seconds', help: 'No labels.', labelNames: [], buckets }).registerOn(registry);
      }
    });
    expect(actual).toBe(expected);
    expect(actual).toContain('h_seconds_bucket{le="+Inf",route="a",outcome="ok"} 5');
  });

  it('refuses non-finite observations and an `le` label, like prom-client', () => {
    const histogram = new HistogramMetric({ name: 'h', help: 'h', labelNames: ['route'], buckets: [1] });
    expect(() => histogram.labels('a').observe(Number.NaN)).toThrow(TypeError);
    expect(() => new HistogramMetric({ name: 'h', help: 'h', labelNames: ['le'], buckets: [1] })).toThrow('le is a reserved label keyword');
  });
});

describe('metrics on a prom-client registry', () => {
  it('sit beside default process metrics, are found by getSingleMetric and reused by a second metric set', async () => {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry, prefix: 'app_' });
    const first = createMetricSet({ registry, prefix: 'app_' });
    const second = createMetricSet({ registry, prefix: 'app_' });
    expect(second.calls).toBe(first.calls);
    expect(registry.getSingleMetric('app_calls_total')).toBe(first.calls);
    first.calls.labels('r', 'none', 'p', 'm', 'success', 'none').inc();
    second.calls.labels('r', 'none', 'p', 'm', 'success', 'none').inc();
    const exposition = parsePrometheusText(await registry.metrics());
    expect(sumOf(exposition, 'app_calls_total', { route: 'r' })).toBe(2);
    // The default process metrics are there; their value can be 0 this early (the kernel counts CPU in ticks).
    expect(exposition.types.get('app_process_cpu_user_seconds_total')).toBe('counter');
    expect(exposition.types.get('app_process_resident_memory_bytes')).toBe('gauge');
    expect(exposition.types.get('app_call_duration_seconds')).toBe('histogram');
  });

  it('refuse to share a name with a metric that is not Switchyard’s of the same kind (a config error)', () => {
    const registry = new Registry();
    new Counter({ name: 'app_calls_total', help: 'Someone else’s.', registers: [registry] });
    expect(() => createMetricSet({ registry, prefix: 'app_' })).toThrow(SwitchyardError);
    const other = new Registry();
    new CounterMetric({ name: 'app_breaker_state', help: 'A counter where a gauge belongs.', labelNames: ['target'] }).registerOn(other);
    expect(() => createMetricSet({ registry: other, prefix: 'app_' })).toThrow(/already registered as another kind/);
  });
});
