/**
 * `npx tsx bench/stream-layers.ts [rounds=9] [streams=3000]`: where a stream's client CPU goes, layer
 * by layer, at 64 streams in flight against the simulator (in a child process, not counted): raw
 * undici reading the SSE body with Switchyard's parser and parsing every event's JSON; the
 * Anthropic adapter alone (transport, SSE, mapping); the router with its built-in defaults. The
 * contenders alternate order from round to round; prints the median client CPU per stream of each.
 * Single runs move by ±15 µs on a shared 2-core VM: compare runs, not single numbers.
 */
import { Pool } from 'undici';
import { createAnthropicAdapter } from '../providers/anthropic/index.js';
import { FanOutController } from '../src/http/shared-signal.js';
import { createPooledTransport } from '../src/http/transport.js';
import { parseSse } from '../src/streaming/sse.js';
import { createRouter } from '../src/create-router.js';
import { median, runLoad, startSimulatorProcess } from './support.js';

const rounds = Number(process.argv[2] ?? '9');
const streams = Number(process.argv[3] ?? '3000');
const simulator = await startSimulatorProcess();
const raw = new Pool(simulator.url, { connections: 100, keepAliveTimeout: 300_000 });
const headers = { 'content-type': 'application/json', 'x-api-key': 'sim-key', 'anthropic-version': '2023-06-01' };
let sequence = 0;
async function rawStream(): Promise<void> {
  sequence += 1;
  const response = await raw.request({ path: '/v1/messages', method: 'POST', headers, body: JSON.stringify({ model: 'claude-2.0', max_tokens: 256, stream: true, temperature: 0, system: 'Be terse.', messages: [{ role: 'user', content: `question ${sequence}` }] }) });
  let text = '';
  for await (const event of parseSse(response.body)) {
    const data = JSON.parse(event.data) as { delta?: { text?: string } };
    if (event.event === 'content_block_delta' && typeof data.delta?.text === 'string') text += data.delta.text;
  }
  if (text === '') throw new Error('raw');
}
const transport = createPooledTransport();
const adapter = createAnthropicAdapter({ settings: { id: 'anthropic', type: 'anthropic', apiKey: 'sim-key', baseUrl: simulator.url, headers: {}, defaultMaxTokens: 256 }, transport });
const neverAborted = new FanOutController().signal;
async function adapterStream(): Promise<void> {
  sequence += 1;
  const parts = await adapter.doStream({ request: { model: 'x', system: 'Be terse.', messages: [{ role: 'user', content: `question ${sequence}` }], temperature: 0, maxTokens: 256 }, model: 'claude-2.0', signal: neverAborted, firstByteTimeoutMs: 30_000, idleTimeoutMs: 30_000 });
  let text = '';
  for await (const part of parts) if (part.type === 'text-delta') text += part.text;
  if (text === '') throw new Error('adapter');
}
const router = createRouter({
  providers: { anthropic: { type: 'anthropic', apiKey: 'sim-key', baseUrl: simulator.url, pool: { connections: 100, keepAliveTimeout: '300s' } } },
  routes: { claude: { targets: [{ provider: 'anthropic', model: 'claude-2.0' }] } },
});
async function routerStream(): Promise<void> {
  sequence += 1;
  let text = '';
  for await (const event of router.stream({ model: 'claude', system: 'Be terse.', messages: [{ role: 'user', content: `question ${sequence}` }], maxTokens: 256, temperature: 0 })) if (event.type === 'text-delta') text += event.text;
  if (text === '') throw new Error('router');
}
const contenders = { raw: rawStream, adapter: adapterStream, router: routerStream };
const cpu: Record<string, number[]> = { raw: [], adapter: [], router: [] };
for (const fn of Object.values(contenders)) await runLoad(1000, 64, fn);
for (let round = 0; round < rounds; round++) {
  const names = Object.keys(contenders);
  if (round % 2 === 1) names.reverse();
  for (const name of names) {
    const before = process.cpuUsage();
    await runLoad(streams, 64, contenders[name as keyof typeof contenders]);
    const used = process.cpuUsage(before);
    cpu[name]?.push((used.user + used.system) / streams);
  }
}
for (const [name, values] of Object.entries(cpu)) console.log(name.padEnd(8), median(values).toFixed(1), 'µs CPU per stream');
await Promise.all([router.close(), transport.close(), raw.close()]);
await simulator.stop();
