/**
 * Prometheus metrics: a router plugin that turns the router's events into metrics on a prom-client
 * registry the caller serves at `/metrics`, kept by Switchyard's own metric classes (label children
 * resolved once, plain numbers) so a call's metrics cost well under a microsecond.
 */
export { CALL_DURATION_BUCKETS, RATE_LIMIT_WAIT_BUCKETS, TIME_TO_FIRST_TOKEN_BUCKETS } from './metric-set.js';
export { createMetricsPlugin, type MetricsPlugin, type MetricsPluginOptions } from './metrics-plugin.js';
