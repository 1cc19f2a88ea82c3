/**
 * A Prometheus gauge with cached label children (see `labelled-metric.ts`): `labels(...)` once, then
 * `set()`, `inc()` and `dec()` on the series are plain assignments. Same rules as prom-client's
 * `Gauge`: values must be numbers, increments default to 1.
 */
import { format } from 'node:util';
import { LabelledMetric, type ExportedSeries, type LabelledMetricOptions, type MetricSample, type SeriesOwner } from './labelled-metric.js';

/** One label-value combination of a gauge. */
export class GaugeSeries implements ExportedSeries {
  /** The current value. */
  value = 0;
  exported = false;

  constructor(
    private readonly owner: SeriesOwner<GaugeSeries>,
    readonly labels: Readonly<Record<string, string>>,
  ) {}

  /** Sets the value. */
  set(value: number): void {
    if (typeof value !== 'number') throw new TypeError(`Value is not a valid number: ${format(value)}`);
    this.value = value;
    if (!this.exported) this.owner.admit(this);
  }

  /** Adds `amount` (default 1). */
  inc(amount = 1): void {
    this.add(amount);
  }

  /** Subtracts `amount` (default 1). */
  dec(amount = 1): void {
    this.add(-amount);
  }

  zero(): void {
    this.value = 0;
  }

  private add(delta: number): void {
    if (typeof delta !== 'number') throw new TypeError(`Delta is not a valid number: ${format(delta)}`);
    this.value += delta;
    if (!this.exported) this.owner.admit(this);
  }
}

/** A gauge; a label-less one is exported at 0 from the start. */
export class GaugeMetric<L extends string = string> extends LabelledMetric<L, GaugeSeries> {
  readonly type = 'gauge' as const;

  constructor(options: LabelledMetricOptions<L>) {
    super(options);
    if (this.labelNames.length === 0) this.admit(this.labels());
  }

  protected createSeries(labels: Readonly<Record<string, string>>): GaugeSeries {
    return new GaugeSeries(this, labels);
  }

  protected samples(): MetricSample[] {
    return this.exportedSeries.map((series) => ({ value: series.value, labels: series.labels }));
  }

  /** Zeroes every series; a label-less gauge stays exported (at 0), as in prom-client. */
  override reset(): void {
    super.reset();
    if (this.labelNames.length === 0) this.admit(this.labels());
  }
}
