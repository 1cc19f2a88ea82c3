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
 *
 * Audit (issue 17): `--audit file-none,file-always` adds, per mode, the whole pipeline with a file
 * audit sink (`content: hash`, the given `fsync`, files in a temporary directory under `--dir`);
 * `--control <build>/index.js` adds the whole pipeline and the same audit contenders from another
 * build (e.g. `.build-base/index.js`), so before and after are measured in one run;
 * `--entry <build>/index.js` measures that build instead of `dist/` (build it apart with
 * `npx tsup --silent --out-dir .build-mine --no-dts`, since `dist/` is shared);
 * `--concurrency 32,64` measures throughput at each level; `--skip defaults,streams,ttft` leaves
 * contenders or measures out. The audit figures of docs/audit.md ("Cost of auditing"):
 * `npx tsx bench/overhead.ts --entry .build-mine/index.js --control .build-base/index.js
 * --audit file-none,file-always --concurrency 32,64 --skip defaults,streams,ttft --rounds 12 --calls 2000`.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import type { createRouter as CreateRouter } from '../src/create-router.js';
import { parseSse } from '../src/streaming/sse.js';
import { loadLine, machineLine, median, roundOrder, runLoad, sequential, startSimulatorProcess, summarise } from './support.js';

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '3000' },
    /** Rounds; a multiple of 6 runs the three contenders' loads in every order equally often (with more contenders, the order still changes every round). */
    rounds: { type: 'string', default: '6' },
    /** One level, or several separated by commas (`32,64`): throughput is measured at each. */
    concurrency: { type: 'string', default: '64' },
    write: { type: 'boolean', default: false },
    /** Measure the built package (`npm run build` first), as users import it, instead of the sources through tsx. */
    dist: { type: 'boolean', default: false },
    /** A build's `index.js` to measure instead of `dist/` (e.g. one built with `npx tsup --out-dir .build-mine`). */
    entry: { type: 'string' },
    /** File audit modes to add to the whole pipeline: `file-none`, `file-always`, `file-batch`, comma-separated. */
    audit: { type: 'string', default: '' },
    /** Another build's `index.js`, whose whole pipeline (and audit contenders) run beside this one's. */
    control: { type: 'string' },
    /** What to leave out: `defaults` (the built-in-defaults router), `streams`, `ttft`, comma-separated. */
    skip: { type: 'string', default: '' },
    /** Where the audit files go (their file system decides what fsync costs). */
    dir: { type: 'string', default: tmpdir() },
  },
});
const distEntry = new URL('../dist/index.js', import.meta.url).href;
const entry = values.entry !== undefined ? pathToFileURL(resolve(values.entry)).href : values.dist ? distEntry : undefined;
const { createRouter } = (entry !== undefined ? await import(entry) : await import('../src/create-router.js')) as { createRouter: typeof CreateRouter };
const calls = Number(values.calls);
const rounds = Number(values.rounds);
const concurrencies = values.concurrency.split(',').map(Number);
const warmUpConcurrency = Math.max(...concurrencies);
const list = (text: string): string[] => text.split(',').map((item) => item.trim()).filter((item) => item !== '');
const auditModes = list(values.audit).map((mode) => {
  const fsync = /^file-(none|always|batch)$/.exec(mode)?.[1];
  if (fsync === undefined) throw new Error(`--audit: unknown mode "${mode}" (file-none, file-always, file-batch)`);
  return fsync as 'none' | 'always' | 'batch';
});
const skipped = new Set(list(values.skip));
if (values.write && (auditModes.length > 0 || values.control !== undefined || skipped.size > 0 || values.entry !== undefined)) {
  throw new Error('--write records the headline table of docs/benchmarks.md: run it without --audit, --control, --skip and --entry');
}
const auditDirectory = auditModes.length > 0 ? mkdtempSync(join(values.dir, 'switchyard-bench-overhead-')) : undefined;

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
const pipelinePolicies = {
  timeout: { connect: '5s', firstByte: '30s', idle: '30s', total: '120s' },
  retry: { attempts: 3, minDelay: '2s', maxDelay: '10s' },
  breaker: { errorRate: 0.15, minRequests: 20, window: '60s', openFor: '30s' },
  rateLimit: { global: { rps: 1_000_000 }, perUser: { concurrency: 1_000 }, perTenant: { rpm: 100_000_000 } },
  cache: { ttl: '600s', keyPrefix: 'claude:', maxEntries: 10_000 },
};
/** The whole pipeline: the reference article's policies, limits with room to spare, a cache that misses every call. */
const pipelineRouter = createRouter({ providers: provider, routes, policies: pipelinePolicies });
let auditFiles = 0;
/** The whole pipeline with a file audit sink (`content: hash`) in the given fsync mode. */
function auditedPipeline(build: typeof CreateRouter, fsync: 'none' | 'always' | 'batch'): ReturnType<typeof CreateRouter> {
  auditFiles += 1;
  const path = join(auditDirectory ?? tmpdir(), `audit-${auditFiles}-${fsync}.jsonl`);
  return build({ providers: provider, routes, policies: pipelinePolicies, audit: { sink: { type: 'file', path, fsync }, content: 'hash' } });
}
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

interface Contender {
  readonly name: string;
  readonly chat: () => Promise<void>;
  readonly firstToken: () => Promise<number>;
  readonly wholeStream: () => Promise<void>;
}
const routerContender = (name: string, router: BenchRouter): Contender => ({ name, chat: chatVia(router), firstToken: firstTokenVia(router), wholeStream: wholeStreamVia(router) });
const extraRouters: BenchRouter[] = [];
const contenders: Contender[] = [{ name: 'raw undici', chat: rawChat, firstToken: rawFirstToken, wholeStream: rawWholeStream }];
if (!skipped.has('defaults')) contenders.push(routerContender('Switchyard, built-in defaults', coreRouter));
contenders.push(routerContender('Switchyard, whole pipeline', pipelineRouter));
for (const fsync of auditModes) {
  const router = auditedPipeline(createRouter, fsync);
  extraRouters.push(router);
  contenders.push(routerContender(`Switchyard, whole pipeline + file audit (fsync: ${fsync})`, router));
}
if (values.control !== undefined) {
  const control = (await import(pathToFileURL(resolve(values.control)).href)) as { createRouter: typeof CreateRouter };
  const controlPipeline = control.createRouter({ providers: provider, routes, policies: pipelinePolicies });
  extraRouters.push(controlPipeline);
  contenders.push(routerContender(`control build, whole pipeline`, controlPipeline));
  for (const fsync of auditModes) {
    const router = auditedPipeline(control.createRouter, fsync);
    extraRouters.push(router);
    contenders.push(routerContender(`control build, whole pipeline + file audit (fsync: ${fsync})`, router));
  }
}

// Warm up every path (JIT, connections).
for (const contender of contenders) {
  await sequential(300, contender.chat);
  await runLoad(2_000, warmUpConcurrency, contender.chat);
}

interface Samples {
  latency: number[];
  ttft: number[];
  /** Per concurrency level: calls per second and client CPU per call, one entry per round. */
  throughput: number[][];
  cpu: number[][];
  streamThroughput: number[];
  streamCpu: number[];
}
const samples: Samples[] = contenders.map(() => ({
  latency: [],
  ttft: [],
  throughput: concurrencies.map(() => []),
  cpu: concurrencies.map(() => []),
  streamThroughput: [],
  streamCpu: [],
}));
const concurrency = warmUpConcurrency;
for (let round = 0; round < rounds; round += 1) {
  // Contenders take turns call by call (latency) and load by load within each round (throughput),
  // so drift on the machine affects all alike; the loads' order changes from round to round.
  const latencies = await interleavedLatencies(calls, contenders.map((contender) => contender.chat));
  for (const [index, list] of latencies.entries()) samples[index]?.latency.push(...list);
  const order = roundOrder(round, contenders.length);
  for (const [level, inFlight] of concurrencies.entries()) {
    for (const index of order) {
      const contender = contenders[index] as Contender;
      const cpuBefore = process.cpuUsage();
      const load = await runLoad(calls * 3, inFlight, contender.chat);
      const cpu = process.cpuUsage(cpuBefore);
      samples[index]?.throughput[level]?.push(load.perSecond);
      samples[index]?.cpu[level]?.push((cpu.user + cpu.system) / (calls * 3));
    }
  }
  const streams = Math.floor(calls / 2);
  if (!skipped.has('streams')) {
    for (const index of order) {
      const contender = contenders[index] as Contender;
      const cpuBefore = process.cpuUsage();
      const load = await runLoad(streams, concurrency, contender.wholeStream);
      const cpu = process.cpuUsage(cpuBefore);
      samples[index]?.streamThroughput.push(load.perSecond);
      samples[index]?.streamCpu.push((cpu.user + cpu.system) / streams);
    }
  }
  if (!skipped.has('ttft')) {
    const firstTokens = await interleavedValues(Math.floor(calls / 3), contenders.map((contender) => contender.firstToken));
    for (const [index, list] of firstTokens.entries()) samples[index]?.ttft.push(...list);
  }
}

await Promise.all([coreRouter.close(), pipelineRouter.close(), ...extraRouters.map((router) => router.close())]);
await raw.close();
await simulator.stop();
if (auditDirectory !== undefined) rmSync(auditDirectory, { recursive: true, force: true });

const us = (value: number): string => `${value.toFixed(0)} µs`;
const [rawSamples] = samples;
if (rawSamples === undefined) throw new Error('no raw samples');
const rawLatency = summarise(rawSamples.latency);
const rawTtft = summarise(rawSamples.ttft);
const latencyRow = (name: string, measure: (sample: Samples) => number[]): string[] =>
  contenders.slice(1).map((contender, index) => {
    const sample = samples[index + 1] as Samples;
    const base = measure(rawSamples) === rawSamples.latency ? rawLatency : rawTtft;
    const mine = summarise(measure(sample));
    return `| ${name}, ${contender.name} | ${us(base.p50)} / ${us(base.p99)} | ${us(mine.p50)} / ${us(mine.p99)} | ${us(mine.p50 - base.p50)} / ${us(mine.p99 - base.p99)} |`;
  });

/** One row per contender: median rate, the median and range of its per-round ratio to raw undici, median CPU. */
function throughputRows(rate: (sample: Samples) => number[], cpu: (sample: Samples) => number[]): string[] {
  const rawRates = rate(rawSamples as Samples);
  return contenders.map((contender, index) => {
    const sample = samples[index] as Samples;
    // The ratio is taken within each round (the rounds drift; raw and router of one round do not
    // drift apart), then the median over rounds.
    const ratios = rate(sample).map((perSecond, round) => perSecond / (rawRates[round] ?? perSecond));
    const range = `${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}`;
    return `| ${contender.name} | ${median(rate(sample)).toFixed(0)} | ${median(ratios).toFixed(2)} (${range}) | ${median(cpu(sample)).toFixed(0)} µs |`;
  });
}

const extraOptions = [
  auditModes.length > 0 ? ` --audit ${values.audit}` : '',
  values.control !== undefined ? ` --control ${values.control}` : '',
  skipped.size > 0 ? ` --skip ${[...skipped].join(',')}` : '',
].join('');
const report = [
  '<!-- overhead:start -->',
  `Machine: ${machineLine()}. Command: \`npm run bench -- --calls ${calls} --rounds ${rounds} --concurrency ${values.concurrency}${values.dist ? ' --dist' : ''}${values.entry !== undefined ? ` --entry ${values.entry}` : ''}${extraOptions}\`, ${new Date().toISOString().slice(0, 10)}; ${values.entry !== undefined ? `the build ${values.entry}` : values.dist ? 'the built package (dist/)' : 'the sources through tsx'}; ${loadLine()} before the run.`,
  '',
  '| measure | raw undici p50 / p99 | Switchyard p50 / p99 | added p50 / p99 |',
  '| --- | --- | --- | --- |',
  ...latencyRow('chat latency, concurrency 1', (sample) => sample.latency),
  ...(skipped.has('ttft') ? [] : latencyRow('stream time to first token, concurrency 1', (sample) => sample.ttft)),
  ...concurrencies.flatMap((inFlight, level) => [
    '',
    `| non-streaming calls at concurrency ${inFlight} (medians of ${rounds} rounds) | calls per second | ratio to raw undici (each round's, lowest–highest) | client CPU per call |`,
    '| --- | --- | --- | --- |',
    ...throughputRows((sample) => sample.throughput[level] ?? [], (sample) => sample.cpu[level] ?? []),
  ]),
  ...(skipped.has('streams')
    ? []
    : [
        '',
        `| whole streams at concurrency ${concurrency} (medians of ${rounds} rounds) | streams per second | ratio to raw undici (each round's, lowest–highest) | client CPU per stream |`,
        '| --- | --- | --- | --- |',
        ...throughputRows((sample) => sample.streamThroughput, (sample) => sample.streamCpu),
      ]),
  '<!-- overhead:end -->',
].join('\n');
console.log(report);

if (values.write) {
  const path = new URL('../docs/benchmarks.md', import.meta.url).pathname;
  const current = readFileSync(path, 'utf8');
  const updated = current.replace(/<!-- overhead:start -->[\s\S]*<!-- overhead:end -->/, report);
  writeFileSync(path, updated === current && !current.includes('<!-- overhead:start -->') ? `${current}\n${report}\n` : updated);
}
