/**
 * Prometheus metrics: a router plugin that turns the router's events into prom-client metrics
 * on a registry the caller serves at `/metrics`.
 */
export { createBoundedLabel, OTHER_LABEL, type BoundedLabel } from './bounded-label.js';
export { costOfUsage, priceFor } from './cost.js';
export { CALL_DURATION_BUCKETS, createMetricSet, RATE_LIMIT_WAIT_BUCKETS, TIME_TO_FIRST_TOKEN_BUCKETS, type MetricSet, type MetricSetOptions } from './metric-set.js';
export { createMetricsPlugin, type MetricsPlugin, type MetricsPluginOptions } from './metrics-plugin.js';
