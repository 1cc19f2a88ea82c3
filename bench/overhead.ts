/**
 * `npm run bench`: Switchyard against raw `undici` to the same simulator, in the same process and
 * run. The simulator runs in a child process so it does not share the client's event loop.
 *
 * Measured, each for the raw client and the router with the whole pipeline on (cache with a miss on
 * every call, rate limits with room to spare, breaker, retry, timeouts):
 * - added latency per call at concurrency 1 (p50, p99), non-streaming;
 * - throughput at saturation (concurrency 64);
 * - time to first token for streams at concurrency 1.
 * Rounds alternate raw and router so drift on the machine affects both alike.
 *
 * Usage: `npm run bench [-- --calls 3000 --rounds 3 --write]`; `--write` replaces the overhead
 * section of docs/benchmarks.md.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import type { createRouter as CreateRouter } from '../src/create-router.js';
import { parseSse } from '../src/streaming/sse.js';
import { loadLine, machineLine, runLoad, startSimulatorProcess, summarise, type LatencySummary } from './support.js';

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '3000' },
    rounds: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '64' },
    write: { type: 'boolean', default: false },
    /** Measure the built package (`npm run build` first), as users import it, instead of the sources through tsx. */
    dist: { type: 'boolean', default: false },
  },
});
const distEntry = new URL('../dist/index.js', import.meta.url).href;
const { createRouter } = (values.dist ? await import(distEntry) : await import('../src/create-router.js')) as { createRouter: typeof CreateRouter };
const calls = Number(values.calls);
const rounds = Number(values.rounds);
const concurrency = Number(values.concurrency);

const simulator = await startSimulatorProcess();
const apiKey = 'sim-key';

const raw = new Pool(simulator.url, { connections: 100, keepAliveTimeout: 300_000 });
let sequence = 0;
function body(stream: boolean): string {
  sequence += 1;
  return JSON.stringify({ model: 'claude-2.0', max_tokens: 256, stream, temperature: 0, system: 'Be terse.', messages: [{ role: 'user', content: `question ${sequence}` }] });
}
const headers = { 'content-type': 'application/json', 'x-api-key': apiKey, 'anthropic-version': '2023-06-01' };

async function rawChat(): Promise<void> {
  const response = await raw.request({ path: '/v1/messages', method: 'POST', headers, body: body(false) });
  const json = (await response.body.json()) as { content: { text: string }[] };
  if (response.statusCode !== 200 || typeof json.content[0]?.text !== 'string') throw new Error('raw call failed');
}

async function rawFirstToken(): Promise<number> {
  const started = performance.now();
  const response = await raw.request({ path: '/v1/messages', method: 'POST', headers, body: body(true) });
  let first = 0;
  for await (const event of parseSse(response.body)) {
    if (first === 0 && event.event === 'content_block_delta') first = performance.now() - started;
  }
  return first;
}

const router = createRouter({
  providers: { anthropic: { type: 'anthropic', apiKey, baseUrl: simulator.url, pool: { connections: 100, keepAliveTimeout: '300s' } } },
  routes: { claude: { targets: [{ provider: 'anthropic', model: 'claude-2.0' }] } },
  policies: {
    timeout: { connect: '5s', firstByte: '30s', idle: '30s', total: '120s' },
    retry: { attempts: 3, minDelay: '2s', maxDelay: '10s' },
    breaker: { errorRate: 0.15, minRequests: 20, window: '60s', openFor: '30s' },
    rateLimit: { global: { rps: 1_000_000 }, perUser: { concurrency: 1_000 }, perTenant: { rpm: 100_000_000 } },
    cache: { ttl: '600s', keyPrefix: 'claude:', maxEntries: 10_000 },
  },
});
let routerSequence = 0;
function routerRequest(): { model: string; system: string; messages: { role: 'user'; content: string }[]; maxTokens: number; temperature: number } {
  routerSequence += 1;
  return { model: 'claude', system: 'Be terse.', messages: [{ role: 'user', content: `question ${routerSequence}` }], maxTokens: 256, temperature: 0 };
}
const who = { user: 'bench-user', tenant: 'bench-tenant' };

async function routerChat(): Promise<void> {
  const response = await router.chat(routerRequest(), who);
  if (typeof response.text !== 'string') throw new Error('router call failed');
}

async function routerFirstToken(): Promise<number> {
  const started = performance.now();
  let first = 0;
  for await (const event of router.stream(routerRequest(), who)) {
    if (first === 0 && event.type === 'text-delta') first = performance.now() - started;
  }
  return first;
}

async function sequential(total: number, call: () => Promise<unknown>): Promise<number[]> {
  const latencies: number[] = [];
  for (let index = 0; index < total; index += 1) {
    const started = performance.now();
    await call();
    latencies.push(performance.now() - started);
  }
  return latencies;
}

async function sequentialValues(total: number, call: () => Promise<number>): Promise<number[]> {
  const values: number[] = [];
  for (let index = 0; index < total; index += 1) values.push(await call());
  return values;
}

// Warm up both paths (JIT, connections).
await sequential(300, rawChat);
await sequential(300, routerChat);
await runLoad(2_000, concurrency, rawChat);
await runLoad(2_000, concurrency, routerChat);

const samples = { rawLatency: [] as number[], routerLatency: [] as number[], rawTtft: [] as number[], routerTtft: [] as number[] };
const throughput = { raw: [] as number[], router: [] as number[] };
for (let round = 0; round < rounds; round += 1) {
  samples.rawLatency.push(...(await sequential(calls, rawChat)));
  samples.routerLatency.push(...(await sequential(calls, routerChat)));
  throughput.raw.push((await runLoad(calls * 3, concurrency, rawChat)).perSecond);
  throughput.router.push((await runLoad(calls * 3, concurrency, routerChat)).perSecond);
  samples.rawTtft.push(...(await sequentialValues(Math.floor(calls / 3), rawFirstToken)));
  samples.routerTtft.push(...(await sequentialValues(Math.floor(calls / 3), routerFirstToken)));
}

await router.close();
await raw.close();
await simulator.stop();

const median = (list: number[]): number => [...list].sort((left, right) => left - right)[Math.floor(list.length / 2)] ?? 0;
const rawLatency = summarise(samples.rawLatency);
const routerLatency = summarise(samples.routerLatency);
const rawTtft = summarise(samples.rawTtft);
const routerTtft = summarise(samples.routerTtft);
const rawRps = median(throughput.raw);
const routerRps = median(throughput.router);
const us = (value: number): string => `${value.toFixed(0)} µs`;
const row = (name: string, rawValue: LatencySummary, routerValue: LatencySummary): string =>
  `| ${name} | ${us(rawValue.p50)} / ${us(rawValue.p99)} | ${us(routerValue.p50)} / ${us(routerValue.p99)} | ${us(routerValue.p50 - rawValue.p50)} / ${us(routerValue.p99 - rawValue.p99)} |`;

const report = [
  '<!-- overhead:start -->',
  `Machine: ${machineLine()}. Command: \`npm run bench -- --calls ${calls} --rounds ${rounds} --concurrency ${concurrency}${values.dist ? ' --dist' : ''}\`, ${new Date().toISOString().slice(0, 10)}; ${values.dist ? 'the built package (dist/)' : 'the sources through tsx'}; ${loadLine()} before the run.`,
  '',
  '| measure | raw undici p50 / p99 | Switchyard p50 / p99 | added p50 / p99 |',
  '| --- | --- | --- | --- |',
  row('chat latency, concurrency 1', rawLatency, routerLatency),
  row('stream time to first token, concurrency 1', rawTtft, routerTtft),
  '',
  `| throughput at concurrency ${concurrency} (median of ${rounds} rounds) | raw undici | Switchyard | ratio |`,
  '| --- | --- | --- | --- |',
  `| non-streaming calls per second | ${rawRps.toFixed(0)} | ${routerRps.toFixed(0)} | ${(routerRps / rawRps).toFixed(2)} |`,
  '<!-- overhead:end -->',
].join('\n');
console.log(report);

if (values.write) {
  const path = new URL('../docs/benchmarks.md', import.meta.url).pathname;
  const current = readFileSync(path, 'utf8');
  const updated = current.replace(/<!-- overhead:start -->[\s\S]*<!-- overhead:end -->/, report);
  writeFileSync(path, updated === current && !current.includes('<!-- overhead:start -->') ? `${current}\n${report}\n` : updated);
}
