/**
 * The base of Switchyard's own Prometheus metrics: a metric whose label children ("series") are
 * resolved once and then written as plain numbers, with no per-update label hashing. prom-client's
 * labelled metrics rebuild a hash string of the labels on every `inc()` / `observe()` / `set()`;
 * here a series is an object the caller keeps, so an update is an addition.
 *
 * The metrics still live on a prom-client `Registry`: they implement the contract its
 * `registerMetric()`, `metrics()`, `getMetricsAsJSON()` and `resetMetrics()` rely on (`name`, `help`,
 * `type`, `aggregator`, an async `get()` and `reset()`), and export the same values in the same order
 * prom-client's own metrics would: series in the order they were first written, never-written series
 * not at all, label-less counters and gauges from the start.
 */
import type { Metric, Registry } from 'prom-client';

/** The Prometheus types these metrics export. */
export type MetricType = 'counter' | 'gauge' | 'histogram';

/** One exported sample, as prom-client's registry reads it from `get()`. */
export interface MetricSample {
  readonly value: number;
  readonly labels: Readonly<Record<string, string | number>>;
  /** The sample's name when it is not the metric's (`_bucket`, `_sum`, `_count`). */
  readonly metricName?: string;
  /** Series labels written after `labels` (histograms' `getForPromString()` only). */
  readonly sharedLabels?: Readonly<Record<string, string>>;
  /** Always empty: exemplars are not kept (they need an OpenMetrics registry and per-update work). */
  readonly exemplar?: null;
}

/** What `get()` returns: prom-client's `MetricObjectWithValues`. */
export interface MetricSnapshot {
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
  readonly values: MetricSample[];
  readonly aggregator: 'sum';
}

/** Options shared by every metric kind. */
export interface LabelledMetricOptions<L extends string> {
  /** Full name, prefix included. */
  readonly name: string;
  readonly help: string;
  /** Label names, in the order label values are given to `labels()` and written out. */
  readonly labelNames: readonly L[];
  /** Runs at the start of every scrape (e.g. to set a gauge read from elsewhere). */
  readonly collect?: () => void;
}

/** What a series needs from its metric: to be exported from its first write on. */
export interface SeriesOwner<S> {
  admit(series: S): void;
}

/** The state every series keeps besides its values. */
export interface ExportedSeries {
  /** The series' labels, in label-name order (shared with every export; never mutate). */
  readonly labels: Readonly<Record<string, string>>;
  /** Whether the series was written since it was created or last reset (only those are exported). */
  exported: boolean;
  /** Clears the values (on `reset()`). */
  zero(): void;
}

/** Same rules as prom-client (and Prometheus) for metric and label names. */
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** A node of the label-value tree: one level per label, the series at the leaf. */
class SeriesNode<S> {
  readonly next = new Map<string, SeriesNode<S>>();
  series: S | undefined = undefined;
}

/**
 * A metric with cached label children. `labels(...values)` returns the same series object for the
 * same values every time (a walk down one `Map` per label, no string building), so hot paths
 * resolve a series once and keep it.
 */
export abstract class LabelledMetric<L extends string, S extends ExportedSeries> implements SeriesOwner<S> {
  /**
   * Writable on purpose: prom-client's registry strips `_total` from counter names in place when it
   * serves OpenMetrics, as it does with its own counters.
   */
  name: string;
  readonly help: string;
  abstract readonly type: MetricType;
  readonly labelNames: readonly L[];
  readonly aggregator = 'sum' as const;
  /** Series written since creation or the last reset, in first-write order (the export order). */
  protected exportedSeries: S[] = [];
  private readonly root = new SeriesNode<S>();
  private readonly collect: (() => void) | undefined;

  constructor(options: LabelledMetricOptions<L>) {
    if (options.help === '') throw new Error('Missing mandatory help parameter');
    if (!METRIC_NAME.test(options.name)) throw new Error(`Invalid metric name: ${options.name}`);
    if (!options.labelNames.every((label) => LABEL_NAME.test(label))) throw new Error(`Invalid label name in ${options.labelNames.join(', ')}`);
    this.name = options.name;
    this.help = options.help;
    this.labelNames = [...options.labelNames];
    this.collect = options.collect;
  }

  /** Builds a series for new label values (not exported until written). */
  protected abstract createSeries(labels: Readonly<Record<string, string>>): S;

  /** The samples of the written series, for `get()`. */
  protected abstract samples(): MetricSample[];

  /** The series of these label values (one per label name, in order), created on first use. */
  labels(...values: string[]): S {
    if (values.length !== this.labelNames.length) {
      throw new Error(`Invalid number of arguments (${values.length}): "${values.join(', ')}" for label names (${this.labelNames.length}): "${this.labelNames.join(', ')}".`);
    }
    let node = this.root;
    for (const value of values) {
      let next = node.next.get(value);
      if (next === undefined) {
        next = new SeriesNode<S>();
        node.next.set(value, next);
      }
      node = next;
    }
    if (node.series === undefined) {
      const labels: Record<string, string> = {};
      for (let index = 0; index < values.length; index += 1) labels[this.labelNames[index] as string] = values[index] as string;
      node.series = this.createSeries(labels);
    }
    return node.series;
  }

  /** Called by a series on its first write: from now on it is exported, after those before it. */
  admit(series: S): void {
    series.exported = true;
    this.exportedSeries.push(series);
  }

  /** Zeroes every series and stops exporting them until written again (`registry.resetMetrics()`). */
  reset(): void {
    for (const series of this.exportedSeries) {
      series.zero();
      series.exported = false;
    }
    this.exportedSeries = [];
  }

  /** prom-client's metric contract: the current values, read at scrape time. */
  async get(): Promise<MetricSnapshot> {
    this.collectNow();
    return this.snapshot(this.samples());
  }

  /** Registers on a prom-client registry (throws when another metric has the name). */
  registerOn(registry: Registry): this {
    // The registry only reads the contract above; its TypeScript type names prom-client's classes.
    registry.registerMetric(this as unknown as Metric);
    return this;
  }

  /** Runs the `collect` option, if any: call before reading values for a scrape. */
  protected collectNow(): void {
    this.collect?.();
  }

  /** Wraps samples as prom-client's `MetricObjectWithValues`. */
  protected snapshot(values: MetricSample[]): MetricSnapshot {
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }
}
