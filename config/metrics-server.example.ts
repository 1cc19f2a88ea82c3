/**
 * Serving Switchyard's Prometheus metrics at `/metrics` with nothing but `node:http`.
 *
 *   npx tsx config/metrics-server.example.ts config/example.yaml
 *   curl -s localhost:9464/metrics | grep switchyard_calls_total
 *
 * Point Prometheus at it with `config/prometheus.yml`. In an application, import from
 * `switchyard-llm` instead of `../src/...`, and serve the same registry from your own HTTP server if
 * you already have one: all it takes is `registry.contentType` and `await registry.metrics()`.
 */
import { createServer } from 'node:http';
import { loadConfig } from '../src/config/index.js';
import { createRouter } from '../src/create-router.js';

const config = loadConfig(process.argv[2] ?? 'switchyard.yaml');
// Pass `metricsRegistry: yourRegistry` to share one registry with your application's own metrics.
const router = createRouter(config);
const registry = router.metrics;
if (registry === undefined) throw new Error('metrics are turned off in this config (metrics.enabled: false)');

// 9464 is the port OpenTelemetry's Prometheus exporter uses by default; change it freely.
const port = Number(process.env.METRICS_PORT ?? 9464);
const server = createServer((request, response) => {
  if (request.method !== 'GET' || request.url?.split('?')[0] !== '/metrics') {
    response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    return;
  }
  registry.metrics().then(
    (text) => response.writeHead(200, { 'content-type': registry.contentType }).end(text),
    (error: unknown) => response.writeHead(500, { 'content-type': 'text/plain' }).end(`${error instanceof Error ? error.message : String(error)}\n`),
  );
});
server.listen(port, () => console.log(`metrics at http://localhost:${port}/metrics`));

async function shutDown(): Promise<void> {
  server.close();
  await router.close();
}
process.once('SIGINT', () => void shutDown());
process.once('SIGTERM', () => void shutDown());

// The router serves calls as usual; every call shows up in the metrics above.
export { router };
