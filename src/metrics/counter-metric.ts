/**
 * A Prometheus counter with cached label children (see `labelled-metric.ts`): `labels(...)` once,
 * then `inc()` on the series is a check and an addition. Same rules as prom-client's `Counter`:
 * increments default to 1, negative ones throw, infinite ones throw.
 */
import { format } from 'node:util';
import { LabelledMetric, type ExportedSeries, type LabelledMetricOptions, type MetricSample, type SeriesOwner } from './labelled-metric.js';

/** One label-value combination of a counter. */
export class CounterSeries implements ExportedSeries {
  /** The running total. */
  value = 0;
  exported = false;

  constructor(
    private readonly owner: SeriesOwner<CounterSeries>,
    readonly labels: Readonly<Record<string, string>>,
  ) {}

  /** Adds `amount` (default 1); throws on a negative or infinite amount, like prom-client. */
  inc(amount = 1): void {
    if (amount && !Number.isFinite(amount)) throw new TypeError(`Value is not a valid number: ${format(amount)}`);
    if (amount < 0) throw new Error('It is not possible to decrease a counter');
    this.value += amount;
    if (!this.exported) this.owner.admit(this);
  }

  zero(): void {
    this.value = 0;
  }
}

/** A counter; a label-less one is exported at 0 from the start. */
export class CounterMetric<L extends string = string> extends LabelledMetric<L, CounterSeries> {
  readonly type = 'counter' as const;

  constructor(options: LabelledMetricOptions<L>) {
    super(options);
    if (this.labelNames.length === 0) this.admit(this.labels());
  }

  protected createSeries(labels: Readonly<Record<string, string>>): CounterSeries {
    return new CounterSeries(this, labels);
  }

  protected samples(): MetricSample[] {
    return this.exportedSeries.map((series) => ({ value: series.value, labels: series.labels }));
  }

  /** Zeroes every series; a label-less counter stays exported (at 0), as in prom-client. */
  override reset(): void {
    super.reset();
    if (this.labelNames.length === 0) this.admit(this.labels());
  }
}
