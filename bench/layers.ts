/**
 * Diagnostic: throughput of each layer at saturation against the same simulator, to find where the
 * router's overhead enters: raw undici, the Anthropic adapter on Switchyard's transport, the router
 * with default policies, and the router with rate limits and cache on.
 * `tsx bench/layers.ts [calls]`.
 */
import { Pool } from 'undici';
import { createAnthropicAdapter } from '../providers/anthropic/index.js';
import { createRouter } from '../src/create-router.js';
import { createPooledTransport } from '../src/http/transport.js';
import { runLoad, startSimulatorProcess } from './support.js';

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
const neverAborted = new AbortController().signal;
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
for (let round = 0; round < 3; round += 1) {
  for (const [name, call] of layers) {
    const list = results.get(name) ?? [];
    list.push((await runLoad(calls, 64, call)).perSecond);
    results.set(name, list);
  }
}
const rawBest = Math.max(...(results.get('raw undici') ?? [1]));
for (const [name, list] of results) {
  const best = Math.max(...list);
  console.log(`${name.padEnd(32)} ${best.toFixed(0).padStart(6)} calls/s  (${(best / rawBest).toFixed(2)}× raw)`);
}
await Promise.all([minimal.close(), full.close(), transport.close(), pool.close()]);
await simulator.stop();
