/**
 * A Prometheus histogram with cached label children (see `labelled-metric.ts`): `labels(...)` once,
 * then `observe()` finds the bucket and adds to a `Float64Array`. Exported exactly as prom-client's
 * `Histogram`: per series, cumulative `_bucket` samples (`le` first, then the series labels), the
 * `+Inf` bucket, `_sum` and `_count`.
 */
import { format } from 'node:util';
import { LabelledMetric, type ExportedSeries, type LabelledMetricOptions, type MetricSample, type MetricSnapshot, type SeriesOwner } from './labelled-metric.js';

/** One label-value combination of a histogram. */
export class HistogramSeries implements ExportedSeries {
  /** Observations per bucket (not cumulative); those above the last bound are only in `count`. */
  readonly bucketCounts: Float64Array;
  sum = 0;
  count = 0;
  exported = false;

  constructor(
    private readonly owner: SeriesOwner<HistogramSeries>,
    private readonly upperBounds: readonly number[],
    readonly labels: Readonly<Record<string, string>>,
  ) {
    this.bucketCounts = new Float64Array(upperBounds.length);
  }

  /** Records one value; throws when it is not a finite number, like prom-client. */
  observe(value: number): void {
    if (!Number.isFinite(value)) throw new TypeError(`Value is not a valid number: ${format(value)}`);
    const bounds = this.upperBounds;
    for (let index = 0; index < bounds.length; index += 1) {
      if (value <= (bounds[index] as number)) {
        this.bucketCounts[index]! += 1;
        break;
      }
    }
    this.sum += value;
    this.count += 1;
    if (!this.exported) this.owner.admit(this);
  }

  zero(): void {
    this.bucketCounts.fill(0);
    this.sum = 0;
    this.count = 0;
  }
}

/** Options of a histogram: the common ones and its bucket bounds. */
export interface HistogramMetricOptions<L extends string> extends LabelledMetricOptions<L> {
  /** Upper bounds of the buckets, ascending (`+Inf` is implicit). */
  readonly buckets: readonly number[];
}

/** A histogram; a label-less one is exported (empty) from the start, until reset. */
export class HistogramMetric<L extends string = string> extends LabelledMetric<L, HistogramSeries> {
  readonly type = 'histogram' as const;
  readonly upperBounds: readonly number[];

  constructor(options: HistogramMetricOptions<L>) {
    super(options);
    if (this.labelNames.some((label: string) => label === 'le')) throw new Error('le is a reserved label keyword');
    this.upperBounds = Object.freeze([...options.buckets]);
    if (this.labelNames.length === 0) this.admit(this.labels());
  }

  protected createSeries(labels: Readonly<Record<string, string>>): HistogramSeries {
    return new HistogramSeries(this, this.upperBounds, labels);
  }

  /** Samples with the series labels apart, as prom-client's registry prefers for the text format. */
  protected samples(): MetricSample[] {
    const bucketName = `${this.name}_bucket`;
    const sumName = `${this.name}_sum`;
    const countName = `${this.name}_count`;
    const values: MetricSample[] = [];
    for (const series of this.exportedSeries) {
      const shared = series.labels;
      let cumulative = 0;
      for (let index = 0; index < this.upperBounds.length; index += 1) {
        cumulative += series.bucketCounts[index] as number;
        values.push({ labels: { le: this.upperBounds[index] as number }, sharedLabels: shared, value: cumulative, metricName: bucketName, exemplar: null });
      }
      values.push(
        { labels: { le: '+Inf' }, sharedLabels: shared, value: series.count, metricName: bucketName, exemplar: null },
        { labels: {}, sharedLabels: shared, value: series.sum, metricName: sumName },
        { labels: {}, sharedLabels: shared, value: series.count, metricName: countName },
      );
    }
    return values;
  }

  /** Read by prom-client's registry for the text format (labels and series labels apart). */
  async getForPromString(): Promise<MetricSnapshot> {
    this.collectNow();
    return this.snapshot(this.samples());
  }

  /** prom-client's metric contract: every sample with all its labels in one object. */
  override async get(): Promise<MetricSnapshot> {
    this.collectNow();
    return this.snapshot(this.samples().map(({ sharedLabels, labels, ...rest }) => ({ ...rest, labels: { ...labels, ...sharedLabels } })));
  }
}
