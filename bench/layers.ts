/**
 * Diagnostic: throughput of each layer at saturation against the same simulator, to find where the
 * router's overhead enters: raw undici, the Anthropic adapter on Switchyard's transport, the router
 * with default policies, and the router with rate limits and cache on; calls per second and the
 * client's CPU time per call (medians of 3 rounds). `tsx bench/layers.ts [calls]`.
 */
import { Pool } from 'undici';
import { createAnthropicAdapter } from '../providers/anthropic/index.js';
import { createRouter } from '../src/create-router.js';
import { FanOutController } from '../src/http/shared-signal.js';
import { createPooledTransport } from '../src/http/transport.js';
import { median, runLoad, startSimulatorProcess } from './support.js';

const calls = Number(process.argv[2] ?? '15000');
const simulator = await startSimulatorProcess();
let sequence = 0;
const question = (): string => `question ${(sequence += 1)}`;

const pool = new Pool(simulator.url, { connections: 100 });
const headers = { 'content-type': 'application/json', 'x-api-key': 'sim-key', 'anthropic-version': '2023-06-01' };
const raw = async (): Promise<void> => {
  const response = await pool.request({ path: '/v1/messages', method: 'POST', headers, body: JSON.stringify({ model: 'claude-2.0', max_tokens: 256, temperature: 0, system: 'Be terse.', messages: [{ role: 'user', content: question() }] }) });
  await response.body.json();
};

const transport = createPooledTransport();
const adapter = createAnthropicAdapter({ settings: { id: 'anthropic', type: 'anthropic', apiKey: 'sim-key', baseUrl: simulator.url, headers: {}, defaultMaxTokens: 256 }, transport });
// The router hands adapters signals it owns (fan-out signals, see src/http/shared-signal.ts).
const neverAborted = new FanOutController().signal;
const direct = async (): Promise<void> => {
  await adapter.doChat({ request: { model: 'x', system: 'Be terse.', messages: [{ role: 'user', content: question() }], temperature: 0, maxTokens: 256 }, model: 'claude-2.0', signal: neverAborted, firstByteTimeoutMs: 30_000, idleTimeoutMs: 30_000 });
};

const base = {
  providers: { anthropic: { type: 'anthropic' as const, apiKey: 'sim-key', baseUrl: simulator.url } },
  routes: { claude: { targets: [{ provider: 'anthropic', model: 'claude-2.0' }] } },
};
const minimal = createRouter(base);
const full = createRouter({
  ...base,
  policies: {
    rateLimit: { global: { rps: 1_000_000 }, perUser: { concurrency: 1_000 }, perTenant: { rpm: 100_000_000 } },
    cache: { ttl: '600s', keyPrefix: 'claude:', maxEntries: 10_000 },
  },
});
const viaRouter = (router: typeof minimal) => async (): Promise<void> => {
  await router.chat({ model: 'claude', system: 'Be terse.', messages: [{ role: 'user', content: question() }], maxTokens: 256, temperature: 0 }, { user: 'u', tenant: 't' });
};

const layers: [string, () => Promise<void>][] = [
  ['raw undici', raw],
  ['adapter + transport', direct],
  ['router, default policies', viaRouter(minimal)],
  ['router, + rate limits + cache', viaRouter(full)],
];
for (const [, call] of layers) await runLoad(2_000, 64, call);
const results = new Map<string, number[]>();
const cpu = new Map<string, number[]>();
for (let round = 0; round < 3; round += 1) {
  for (const [name, call] of layers) {
    const before = process.cpuUsage();
    const load = await runLoad(calls, 64, call);
    const used = process.cpuUsage(before);
    results.set(name, [...(results.get(name) ?? []), load.perSecond]);
    cpu.set(name, [...(cpu.get(name) ?? []), (used.user + used.system) / calls]);
  }
}
const rawMedian = median(results.get('raw undici') ?? [1]);
for (const [name, list] of results) {
  const middle = median(list);
  console.log(`${name.padEnd(32)} ${middle.toFixed(0).padStart(6)} calls/s  (${(middle / rawMedian).toFixed(2)}× raw)  ${median(cpu.get(name) ?? []).toFixed(1).padStart(6)} µs client CPU per call`);
}
await Promise.all([minimal.close(), full.close(), transport.close(), pool.close()]);
await simulator.stop();
