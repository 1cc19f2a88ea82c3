/**
 * The gateway's HTTP metrics, on the router's registry so one scrape of `/metrics` shows both:
 * requests by ingress, status and key; requests in flight; request and response bytes. The key
 * label is bounded (the first 1,000 keys seen, then `other`) so a scrape stays small.
 */
import type { Registry } from 'prom-client';
import { createBoundedLabel } from '../metrics/bounded-label.js';
import { CounterMetric } from '../metrics/counter-metric.js';
import { GaugeMetric } from '../metrics/gauge-metric.js';

/** What the server records per request. */
export interface GatewayHttpMetrics {
  requestStarted(): void;
  requestEnded(entry: { readonly ingress: string; readonly status: number; readonly keyId: string | undefined; readonly requestBytes: number; readonly responseBytes: number }): void;
}

/** Registers the gateway's metrics on `registry` (names start with `prefix`). */
export function createGatewayHttpMetrics(registry: Registry, prefix: string): GatewayHttpMetrics {
  const requests = new CounterMetric({ name: `${prefix}gateway_requests_total`, help: 'HTTP requests answered by the gateway, by ingress, status and key id.', labelNames: ['ingress', 'status', 'key'] }).registerOn(registry);
  const inFlight = new GaugeMetric({ name: `${prefix}gateway_requests_in_flight`, help: 'HTTP requests the gateway is answering now.', labelNames: [] }).registerOn(registry);
  const requestBytes = new CounterMetric({ name: `${prefix}gateway_request_bytes_total`, help: 'Request body bytes received, by ingress.', labelNames: ['ingress'] }).registerOn(registry);
  const responseBytes = new CounterMetric({ name: `${prefix}gateway_response_bytes_total`, help: 'Response bytes sent, by ingress.', labelNames: ['ingress'] }).registerOn(registry);
  const keyLabel = createBoundedLabel([], 1_000);
  const gauge = inFlight.labels();
  return {
    requestStarted() {
      gauge.inc();
    },
    requestEnded(entry) {
      gauge.dec();
      requests.labels(entry.ingress, String(entry.status), entry.keyId === undefined ? 'none' : keyLabel(entry.keyId)).inc();
      if (entry.requestBytes > 0) requestBytes.labels(entry.ingress).inc(entry.requestBytes);
      responseBytes.labels(entry.ingress).inc(entry.responseBytes);
    },
  };
}
