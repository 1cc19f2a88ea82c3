/**
 * `npm run bench`: Switchyard against raw `undici` to the same simulator, in the same process and
 * run. The simulator runs in a child process so it does not share the client's event loop.
 *
 * Measured for the raw client and two routers — the built-in defaults (retry, timeouts, breaker,
 * metrics; what the core gives with no policies configured) and the whole pipeline (cache with a
 * miss on every call, rate limits with room to spare, breaker, retry, timeouts):
 * - added latency per call at concurrency 1 (p50, p99), non-streaming;
 * - throughput at saturation (concurrency 64), and the client process's CPU time per call there
 *   (the simulator runs on the other core, so throughput follows the client's CPU per call);
 * - time to first token for streams at concurrency 1;
 * - whole streams at saturation (concurrency 64): streams per second and client CPU per stream. The
 *   raw client parses every event's JSON, as any client reading a stream must.
 * Latency samples are taken call by call in turn (raw, defaults, pipeline, raw, …), and throughput
 * ratios within each round, so drift on the machine affects all contenders alike. The loads of a
 * round run in a different order each round (every order in turn, `roundOrder`): in a fixed order
 * each contender's load followed the same other contender's, whose garbage it collected.
 *
 * Usage: `npm run bench [-- --calls 3000 --rounds 6 --write]` (builds, then measures the built
 * package as users import it); `npx tsx bench/overhead.ts` measures the sources through tsx.
 * `--write` replaces the overhead section of docs/benchmarks.md.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import type { createRouter as CreateRouter } from '../src/create-router.js';
import { parseSse } from '../src/streaming/sse.js';
import { loadLine, machineLine, median, roundOrder, runLoad, sequential, startSimulatorProcess, summarise } from './support.js';

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '3000' },
    /** Rounds; a multiple of 6 runs the three contenders' loads in every order equally often. */
    rounds: { type: 'string', default: '6' },
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

/** A whole stream read the way any client must: every event's data parsed. */
async function rawWholeStream(): Promise<void> {
  const response = await raw.request({ path: '/v1/messages', method: 'POST', headers, body: body(true) });
  let text = '';
  for await (const event of parseSse(response.body)) {
    const data = JSON.parse(event.data) as { delta?: { text?: string } };
    if (event.event === 'content_block_delta' && typeof data.delta?.text === 'string') text += data.delta.text;
  }
  if (response.statusCode !== 200 || text === '') throw new Error('raw stream failed');
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

const provider = { anthropic: { type: 'anthropic' as const, apiKey, baseUrl: simulator.url, pool: { connections: 100, keepAliveTimeout: '300s' } } };
const routes = { claude: { targets: [{ provider: 'anthropic', model: 'claude-2.0' }] } };
/** The router as configured by nobody: the built-in defaults (retry, timeouts, breaker on; no limits, no cache). */
const coreRouter = createRouter({ providers: provider, routes });
/** The whole pipeline: the reference article's policies, limits with room to spare, a cache that misses every call. */
const pipelineRouter = createRouter({
  providers: provider,
  routes,
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
type BenchRouter = typeof coreRouter;

const chatVia = (router: BenchRouter) => async (): Promise<void> => {
  const response = await router.chat(routerRequest(), who);
  if (typeof response.text !== 'string') throw new Error('router call failed');
};

const wholeStreamVia = (router: BenchRouter) => async (): Promise<void> => {
  let text = '';
  for await (const event of router.stream(routerRequest(), who)) if (event.type === 'text-delta') text += event.text;
  if (text === '') throw new Error('router stream failed');
};

const firstTokenVia = (router: BenchRouter) => async (): Promise<number> => {
  const started = performance.now();
  let first = 0;
  for await (const event of router.stream(routerRequest(), who)) {
    if (first === 0 && event.type === 'text-delta') first = performance.now() - started;
  }
  return first;
};

/** Times one call of each contender in turn, `total` times: latency samples taken side by side. */
async function interleavedLatencies(total: number, calls: readonly (() => Promise<unknown>)[]): Promise<number[][]> {
  const latencies = calls.map(() => [] as number[]);
  for (let index = 0; index < total; index += 1) {
    for (const [which, call] of calls.entries()) {
      const started = performance.now();
      await call();
      latencies[which]?.push(performance.now() - started);
    }
  }
  return latencies;
}

/** Measures one stream of each contender in turn, `total` times. */
async function interleavedValues(total: number, calls: readonly (() => Promise<number>)[]): Promise<number[][]> {
  const values = calls.map(() => [] as number[]);
  for (let index = 0; index < total; index += 1) {
    for (const [which, call] of calls.entries()) values[which]?.push(await call());
  }
  return values;
}

const contenders = [
  { name: 'raw undici', chat: rawChat, firstToken: rawFirstToken, wholeStream: rawWholeStream },
  { name: 'Switchyard, built-in defaults', chat: chatVia(coreRouter), firstToken: firstTokenVia(coreRouter), wholeStream: wholeStreamVia(coreRouter) },
  { name: 'Switchyard, whole pipeline', chat: chatVia(pipelineRouter), firstToken: firstTokenVia(pipelineRouter), wholeStream: wholeStreamVia(pipelineRouter) },
];

// Warm up every path (JIT, connections).
for (const contender of contenders) {
  await sequential(300, contender.chat);
  await runLoad(2_000, concurrency, contender.chat);
}

const samples = contenders.map(() => ({ latency: [] as number[], ttft: [] as number[], throughput: [] as number[], cpu: [] as number[], streamThroughput: [] as number[], streamCpu: [] as number[] }));
for (let round = 0; round < rounds; round += 1) {
  // Contenders take turns call by call (latency) and load by load within each round (throughput),
  // so drift on the machine affects all alike; the loads' order changes from round to round.
  const latencies = await interleavedLatencies(calls, contenders.map((contender) => contender.chat));
  for (const [index, list] of latencies.entries()) samples[index]?.latency.push(...list);
  const order = roundOrder(round, contenders.length);
  for (const index of order) {
    const contender = contenders[index] as (typeof contenders)[number];
    const cpuBefore = process.cpuUsage();
    const load = await runLoad(calls * 3, concurrency, contender.chat);
    const cpu = process.cpuUsage(cpuBefore);
    samples[index]?.throughput.push(load.perSecond);
    samples[index]?.cpu.push((cpu.user + cpu.system) / (calls * 3));
  }
  const streams = Math.floor(calls / 2);
  for (const index of order) {
    const contender = contenders[index] as (typeof contenders)[number];
    const cpuBefore = process.cpuUsage();
    const load = await runLoad(streams, concurrency, contender.wholeStream);
    const cpu = process.cpuUsage(cpuBefore);
    samples[index]?.streamThroughput.push(load.perSecond);
    samples[index]?.streamCpu.push((cpu.user + cpu.system) / streams);
  }
  const firstTokens = await interleavedValues(Math.floor(calls / 3), contenders.map((contender) => contender.firstToken));
  for (const [index, list] of firstTokens.entries()) samples[index]?.ttft.push(...list);
}

await Promise.all([coreRouter.close(), pipelineRouter.close()]);
await raw.close();
await simulator.stop();

const us = (value: number): string => `${value.toFixed(0)} µs`;
const [rawSamples] = samples;
if (rawSamples === undefined) throw new Error('no raw samples');
const rawLatency = summarise(rawSamples.latency);
const rawTtft = summarise(rawSamples.ttft);
const latencyRow = (name: string, measure: (sample: (typeof samples)[number]) => number[]): string[] =>
  contenders.slice(1).map((contender, index) => {
    const sample = samples[index + 1] as (typeof samples)[number];
    const base = measure(rawSamples) === rawSamples.latency ? rawLatency : rawTtft;
    const mine = summarise(measure(sample));
    return `| ${name}, ${contender.name} | ${us(base.p50)} / ${us(base.p99)} | ${us(mine.p50)} / ${us(mine.p99)} | ${us(mine.p50 - base.p50)} / ${us(mine.p99 - base.p99)} |`;
  });

/** One row per contender: median rate, the median and range of its per-round ratio to raw undici, median CPU. */
function throughputRows(rate: (sample: (typeof samples)[number]) => number[], cpu: (sample: (typeof samples)[number]) => number[]): string[] {
  const rawRates = rate(rawSamples as (typeof samples)[number]);
  return contenders.map((contender, index) => {
    const sample = samples[index] as (typeof samples)[number];
    // The ratio is taken within each round (the rounds drift; raw and router of one round do not
    // drift apart), then the median over rounds.
    const ratios = rate(sample).map((perSecond, round) => perSecond / (rawRates[round] ?? perSecond));
    const range = `${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}`;
    return `| ${contender.name} | ${median(rate(sample)).toFixed(0)} | ${median(ratios).toFixed(2)} (${range}) | ${median(cpu(sample)).toFixed(0)} µs |`;
  });
}

const report = [
  '<!-- overhead:start -->',
  `Machine: ${machineLine()}. Command: \`npm run bench -- --calls ${calls} --rounds ${rounds} --concurrency ${concurrency}${values.dist ? ' --dist' : ''}\`, ${new Date().toISOString().slice(0, 10)}; ${values.dist ? 'the built package (dist/)' : 'the sources through tsx'}; ${loadLine()} before the run.`,
  '',
  '| measure | raw undici p50 / p99 | Switchyard p50 / p99 | added p50 / p99 |',
  '| --- | --- | --- | --- |',
  ...latencyRow('chat latency, concurrency 1', (sample) => sample.latency),
  ...latencyRow('stream time to first token, concurrency 1', (sample) => sample.ttft),
  '',
  `| non-streaming calls at concurrency ${concurrency} (medians of ${rounds} rounds) | calls per second | ratio to raw undici (each round's, lowest–highest) | client CPU per call |`,
  '| --- | --- | --- | --- |',
  ...throughputRows((sample) => sample.throughput, (sample) => sample.cpu),
  '',
  `| whole streams at concurrency ${concurrency} (medians of ${rounds} rounds) | streams per second | ratio to raw undici (each round's, lowest–highest) | client CPU per stream |`,
  '| --- | --- | --- | --- |',
  ...throughputRows((sample) => sample.streamThroughput, (sample) => sample.streamCpu),
  '<!-- overhead:end -->',
].join('\n');
console.log(report);

if (values.write) {
  const path = new URL('../docs/benchmarks.md', import.meta.url).pathname;
  const current = readFileSync(path, 'utf8');
  const updated = current.replace(/<!-- overhead:start -->[\s\S]*<!-- overhead:end -->/, report);
  writeFileSync(path, updated === current && !current.includes('<!-- overhead:start -->') ? `${current}\n${report}\n` : updated);
}
