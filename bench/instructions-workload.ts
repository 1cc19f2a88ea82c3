/**
 * The workload `bench/instructions.ts` counts: `calls` non-streaming calls (one at a time unless a
 * concurrency is given) against
 * the simulator (in a child process, not counted), through one contender:
 * `raw` (undici `Pool.request` + `body.json()`), `adapter` (the Anthropic adapter on Switchyard's
 * transport), `defaults` (the router with built-in policies), `limits` (plus three rate limits with
 * room to spare), `cache` (plus a cache that misses every call) or `pipeline` (both). Bundled by esbuild and run under valgrind by the driver; usable on
 * its own: `tsx bench/instructions-workload.ts defaults 2000 [concurrency]`.
 */
import { Pool } from 'undici';
import { createAnthropicAdapter } from '../providers/anthropic/index.js';
import { createRouter } from '../src/create-router.js';
import { FanOutController } from '../src/http/shared-signal.js';
import { createPooledTransport } from '../src/http/transport.js';
import { runLoad, startSimulatorProcess } from './support.js';

const [mode = 'defaults', callsText = '2000', concurrencyText = '1'] = process.argv.slice(2);
const calls = Number(callsText);
const concurrency = Number(concurrencyText);
const simulator = await startSimulatorProcess();
let sequence = 0;
const question = (): string => `question ${(sequence += 1)}`;

const pool = new Pool(simulator.url, { connections: 100, keepAliveTimeout: 300_000 });
const headers = { 'content-type': 'application/json', 'x-api-key': 'sim-key', 'anthropic-version': '2023-06-01' };
async function raw(): Promise<void> {
  const response = await pool.request({
    path: '/v1/messages',
    method: 'POST',
    headers,
    body: JSON.stringify({ model: 'claude-2.0', max_tokens: 256, temperature: 0, system: 'Be terse.', messages: [{ role: 'user', content: question() }] }),
  });
  await response.body.json();
}

const transport = createPooledTransport();
const adapter = createAnthropicAdapter({ settings: { id: 'anthropic', type: 'anthropic', apiKey: 'sim-key', baseUrl: simulator.url, headers: {}, defaultMaxTokens: 256 }, transport });
const neverAborted = new FanOutController().signal;
async function direct(): Promise<void> {
  await adapter.doChat({ request: { model: 'x', system: 'Be terse.', messages: [{ role: 'user', content: question() }], temperature: 0, maxTokens: 256 }, model: 'claude-2.0', signal: neverAborted, firstByteTimeoutMs: 30_000, idleTimeoutMs: 30_000 });
}

const base = {
  providers: { anthropic: { type: 'anthropic' as const, apiKey: 'sim-key', baseUrl: simulator.url } },
  routes: { claude: { targets: [{ provider: 'anthropic', model: 'claude-2.0' }] } },
};
const rateLimit = { global: { rps: 1_000_000 }, perUser: { concurrency: 1_000 }, perTenant: { rpm: 100_000_000 } };
const cache = { ttl: '600s', keyPrefix: 'claude:', maxEntries: 10_000 };
const policiesByMode: Record<string, object> = { limits: { rateLimit }, cache: { cache }, pipeline: { rateLimit, cache } };
const router = createRouter({ ...base, policies: policiesByMode[mode] ?? {} });
async function viaRouter(): Promise<void> {
  const response = await router.chat({ model: 'claude', system: 'Be terse.', messages: [{ role: 'user', content: question() }], maxTokens: 256, temperature: 0 }, { user: 'bench-user', tenant: 'bench-tenant' });
  if (typeof response.text !== 'string') throw new Error('router call failed');
}

const contenders: Record<string, () => Promise<void>> = { raw, adapter: direct, defaults: viaRouter, limits: viaRouter, cache: viaRouter, pipeline: viaRouter };
const call = contenders[mode];
if (call === undefined) throw new Error(`unknown mode "${mode}"; one of ${Object.keys(contenders).join(', ')}`);
await runLoad(calls, concurrency, call);
await Promise.all([router.close(), transport.close(), pool.close()]);
await simulator.stop();
