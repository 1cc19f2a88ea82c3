/**
 * Prometheus metrics: a router plugin that turns the router's events into metrics on a prom-client
 * registry the caller serves at `/metrics`, kept by Switchyard's own metric classes (label children
 * resolved once, plain numbers) so a call's metrics cost well under a microsecond.
 */
export { createBoundedLabel, OTHER_LABEL, type BoundedLabel } from './bounded-label.js';
export { createCallSeries, RouteSeries, TargetSeries, type CallOutcome } from './call-series.js';
export { costAtPrice, costOf, priceOf } from '../pricing.js';
export { CounterMetric, CounterSeries } from './counter-metric.js';
export { GaugeMetric, GaugeSeries } from './gauge-metric.js';
export { HistogramMetric, HistogramSeries, type HistogramMetricOptions } from './histogram-metric.js';
export { LabelledMetric, type ExportedSeries, type LabelledMetricOptions, type MetricSample, type MetricSnapshot, type MetricType, type SeriesOwner } from './labelled-metric.js';
export { CALL_DURATION_BUCKETS, createMetricSet, RATE_LIMIT_WAIT_BUCKETS, TIME_TO_FIRST_TOKEN_BUCKETS, type MetricSet, type MetricSetOptions } from './metric-set.js';
export { createMetricsPlugin, type MetricsPlugin, type MetricsPluginOptions } from './metrics-plugin.js';
