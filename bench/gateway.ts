/**
 * `npm run bench:gateway`: Switchyard's gateway (`switchyard serve`) against a direct call, the
 * floor any Node gateway stands on, and the Portkey gateway, side by side in one run against the
 * simulator.
 *
 * Processes: the simulator, each server under test, and this load generator, each its own process
 * (the servers' CPU and memory are read from /proc apart from the load generator's). All share the
 * machine's cores. Servers:
 * - Switchyard's gateway: `switchyard serve` bundled from this tree's `src/cli/main.ts` (esbuild,
 *   packages external), a route to the simulator's OpenAI endpoint with the whole pipeline of
 *   `bench/overhead.ts` (cache missing every call, three rate limits with room, breaker, retry,
 *   timeouts), metrics on, a JSON access log to a file, the embedded SQLite store, and two keys:
 *   one with a finite token quota (every call reserves and settles in the store) and one
 *   unlimited (reserve answered from memory, settle writes the ledger);
 * - the floor: a bare `node:http` server forwarding each body unread with an undici `Pool`
 *   (`bench/gateway-forwarder-process.ts`), and the same on Fastify (`--fastify <dir>`, an install
 *   outside the repository);
 * - the Portkey gateway (`--portkey <dir>`, an install outside the repository), told the
 *   simulator's address per request (`x-portkey-custom-host`); it checks no key of its own.
 * Clients: raw undici (a `Pool`, answer parsed) and the official OpenAI SDK (`maxRetries: 0`), each
 * direct to the simulator and through the servers.
 *
 * Measured per contender: throughput at `--concurrency` (64) in flight, non-streaming, with CPU
 * per call of the load generator, the server and the simulator; latency at concurrency 1 (p50,
 * p99) and a stream's time to first text at concurrency 1, as added to the same client's direct
 * call; and each server's resident memory with `--streams` (1,000) slow streams open through it.
 * Latency samples are taken call by call in turn, throughput loads run in a rotating order (each
 * contender in each position equally often over as many rounds as there are contenders), and
 * ratios are taken within each round, then the median over rounds.
 *
 * Usage: `npm run bench:gateway -- [--portkey /tmp/portkey] [--fastify /tmp/fastify-bench]
 *   [--rounds 6 --calls 300 --load 3000 --concurrency 64 --streams 1000] [--write]`
 * `--control <tree>` adds a second Switchyard gateway bundled from another source tree (a copy
 * with a change) to the same run; `--root <tree>` measures another tree instead of this one;
 * `--skip sdk,fastify,portkey,ttft,latency,rss,unlimited` leaves parts out; `--sources` runs the
 * gateway through tsx instead of a bundle; `--log json|pretty|silent` sets its access log;
 * `--node-flags="--max-semi-space-size=4"` starts this tree's gateway with Node flags.
 * Install the peers outside the repository (never in package.json):
 *   mkdir -p /tmp/portkey && cd /tmp/portkey && npm init -y && npm pkg set overrides.@hono/node-server=1.13.5 && npm install @portkey-ai/gateway
 *   mkdir -p /tmp/fastify-bench && cd /tmp/fastify-bench && npm init -y && npm install fastify
 * (Portkey 1.15.2 with @hono/node-server ≥ 1.19 fails every stream on Node 20 with "TypeError:
 * immutable"; 1.13.5 is the version its own repository patches and runs.)
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { VERSION as OPENAI_SDK_VERSION } from 'openai/version';
import { openStreams, sdkClient, undiciClient, type BenchClient, type Endpoint } from './gateway-clients.js';
import {
  newVirtualKey,
  portkeyScript,
  portkeyVersion,
  processCpuMicros,
  processMemory,
  startForwarder,
  startGatewaySimulator,
  startPortkey,
  startSwitchyardGateway,
  type ServerProcess,
} from './gateway-servers.js';
import { loadLine, machineLine, median, runLoad, sequential, summarise, writeDocSection } from './support.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '6' },
    /** Calls per contender per round at concurrency 1 (streams for the time to first text: half). */
    calls: { type: 'string', default: '300' },
    /** Calls per throughput load. */
    load: { type: 'string', default: '3000' },
    concurrency: { type: 'string', default: '64' },
    streams: { type: 'string', default: '1000' },
    portkey: { type: 'string' },
    fastify: { type: 'string' },
    root: { type: 'string' },
    control: { type: 'string' },
    sources: { type: 'boolean', default: false },
    log: { type: 'string', default: 'json' },
    /** Node flags for this tree's gateway process (e.g. `--max-semi-space-size=4`), space-separated. */
    'node-flags': { type: 'string', default: '' },
    skip: { type: 'string', default: '' },
    dir: { type: 'string', default: tmpdir() },
    write: { type: 'boolean', default: false },
  },
});
const rounds = Number(values.rounds);
const calls = Number(values.calls);
const loadCalls = Number(values.load);
const concurrency = Number(values.concurrency);
const streamCount = Number(values.streams);
const skipped = new Set(values.skip.split(',').map((item) => item.trim()).filter((item) => item !== ''));
const logFormat = values.log as 'json' | 'pretty' | 'silent';
if (!['json', 'pretty', 'silent'].includes(logFormat)) throw new Error('--log must be json, pretty or silent');
const repository = fileURLToPath(new URL('..', import.meta.url));
const root = resolve(values.root ?? repository);
const loadBefore = loadLine();
const directory = mkdtempSync(join(values.dir, 'switchyard-gateway-bench-'));
const SLOW_MODEL = 'slow-model';
const gatewayFlags = values['node-flags'].split(' ').filter((flag) => flag !== '');

const simulator = await startGatewaySimulator({ slowModel: SLOW_MODEL, slowInterTokenMs: 1_000 });
const keys = { finite: newVirtualKey(), unlimited: newVirtualKey() };
const servers: ServerProcess[] = [];
const started = async <T extends ServerProcess>(server: Promise<T>): Promise<T> => {
  const running = await server;
  servers.push(running);
  return running;
};

const gateway = await started(
  startSwitchyardGateway({ name: 'Switchyard gateway', root, sources: values.sources, simulatorUrl: simulator.url, directory, keys, slowModel: SLOW_MODEL, log: logFormat, nodeFlags: gatewayFlags }),
);
/** Other source trees' gateways in the same run (`--control a,b`), each named by its folder. */
const controlRoots = (values.control ?? '').split(',').filter((item) => item !== '').map((item) => resolve(item));
const controlName = (tree: string): string => `gateway of ${basename(tree)}`;
const controls: ServerProcess[] = [];
for (const tree of controlRoots) {
  controls.push(await started(startSwitchyardGateway({ name: controlName(tree), root: tree, sources: values.sources, simulatorUrl: simulator.url, directory, keys, slowModel: SLOW_MODEL, log: logFormat })));
}
const floor = await started(startForwarder({ name: 'node:http + undici forwarder', simulatorUrl: simulator.url, kind: 'node' }));
const fastifyDir = skipped.has('fastify') ? undefined : values.fastify;
const fastify = fastifyDir === undefined ? undefined : await started(startForwarder({ name: 'Fastify + undici forwarder', simulatorUrl: simulator.url, kind: 'fastify', fastifyDir }));
const portkeyDir = skipped.has('portkey') ? undefined : values.portkey;
const portkeyMissing = portkeyDir !== undefined && portkeyScript(portkeyDir) === undefined;
const portkey = portkeyDir === undefined || portkeyMissing ? undefined : await started(startPortkey({ name: 'Portkey gateway', directory: portkeyDir }));

/** A server's endpoint for a model it knows by its upstream name (the simulator's models) or by a route. */
const simulatorEndpoint = (model: string): Endpoint => ({ origin: simulator.url, model, apiKey: 'sim-key' });
const forwarderEndpoint = (server: ServerProcess, model: string): Endpoint => ({ origin: server.url, model, apiKey: 'sim-key' });
const switchyardEndpoint = (server: ServerProcess, route: string, key: string): Endpoint => ({ origin: server.url, model: route, apiKey: key });
const portkeyEndpoint = (server: ServerProcess, model: string): Endpoint => ({
  origin: server.url,
  model,
  apiKey: 'sim-key',
  headers: { 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `${simulator.url}/v1` },
});

/** One client through one server (or direct), and what its figures are compared with. */
interface Contender {
  readonly name: string;
  readonly client: BenchClient;
  /** The server between client and simulator; none for a direct call. */
  readonly server?: ServerProcess;
  /** The contender this one's added latency is taken against (the same client, direct). */
  readonly baseline: 'raw' | 'sdk';
}

const contenders: Contender[] = [
  { name: 'raw undici → simulator (direct)', client: undiciClient(simulatorEndpoint('gpt-4o')), baseline: 'raw' },
  { name: 'undici → node:http + undici forwarder (the floor)', client: undiciClient(forwarderEndpoint(floor, 'gpt-4o')), server: floor, baseline: 'raw' },
];
if (fastify !== undefined) {
  contenders.push({ name: 'undici → Fastify + undici forwarder', client: undiciClient(forwarderEndpoint(fastify, 'gpt-4o')), server: fastify, baseline: 'raw' });
}
contenders.push({
  name: 'undici → Switchyard gateway, finite-quota key',
  client: undiciClient(switchyardEndpoint(gateway, 'chat', keys.finite)),
  server: gateway,
  baseline: 'raw',
});
if (!skipped.has('unlimited')) contenders.push({ name: 'undici → Switchyard gateway, unlimited key', client: undiciClient(switchyardEndpoint(gateway, 'chat', keys.unlimited)), server: gateway, baseline: 'raw' });
for (const control of controls) {
  contenders.push({ name: `undici → ${control.name}, finite-quota key`, client: undiciClient(switchyardEndpoint(control, 'chat', keys.finite)), server: control, baseline: 'raw' });
  if (!skipped.has('unlimited')) contenders.push({ name: `undici → ${control.name}, unlimited key`, client: undiciClient(switchyardEndpoint(control, 'chat', keys.unlimited)), server: control, baseline: 'raw' });
}
if (portkey !== undefined) {
  contenders.push({ name: 'undici → Portkey gateway', client: undiciClient(portkeyEndpoint(portkey, 'gpt-4o')), server: portkey, baseline: 'raw' });
}
if (!skipped.has('sdk')) {
  contenders.push(
    { name: `OpenAI SDK → simulator (direct)`, client: sdkClient(simulatorEndpoint('gpt-4o')), baseline: 'sdk' },
    { name: 'OpenAI SDK → Switchyard gateway, finite-quota key', client: sdkClient(switchyardEndpoint(gateway, 'chat', keys.finite)), server: gateway, baseline: 'sdk' },
  );
  if (portkey !== undefined) contenders.push({ name: 'OpenAI SDK → Portkey gateway', client: sdkClient(portkeyEndpoint(portkey, 'gpt-4o')), server: portkey, baseline: 'sdk' });
}
const rawIndex = 0;
const sdkIndex = contenders.findIndex((contender) => contender.baseline === 'sdk' && contender.server === undefined);

const benchStarted = performance.now();
// Warm-up: JIT, connections, the store's statements, every path once.
for (const contender of contenders) {
  await sequential(200, () => contender.client.chat());
  await runLoad(Math.min(2_000, loadCalls), concurrency, () => contender.client.chat());
  if (!skipped.has('ttft')) await sequential(50, () => contender.client.firstToken());
}

interface Samples {
  latency: number[];
  ttft: number[];
  perSecond: number[];
  clientCpu: number[];
  serverCpu: number[];
  simulatorCpu: number[];
}
const samples: Samples[] = contenders.map(() => ({ latency: [], ttft: [], perSecond: [], clientCpu: [], serverCpu: [], simulatorCpu: [] }));
const at = (index: number): Samples => samples[index] as Samples;

for (let round = 0; round < rounds; round += 1) {
  if (!skipped.has('latency')) {
    for (let call = 0; call < calls; call += 1) {
      for (const [index, contender] of contenders.entries()) {
        const begin = performance.now();
        await contender.client.chat();
        at(index).latency.push(performance.now() - begin);
      }
    }
  }
  // A rotation: over as many rounds as there are contenders, each runs in each position once.
  const order = contenders.map((_, index) => (index + round) % contenders.length);
  for (const index of order) {
    const contender = contenders[index] as Contender;
    const clientBefore = process.cpuUsage();
    const serverBefore = contender.server === undefined ? 0 : processCpuMicros(contender.server.pid);
    const simulatorBefore = processCpuMicros(simulator.pid);
    const load = await runLoad(loadCalls, concurrency, () => contender.client.chat());
    const client = process.cpuUsage(clientBefore);
    at(index).perSecond.push(load.perSecond);
    at(index).clientCpu.push((client.user + client.system) / loadCalls);
    if (contender.server !== undefined) at(index).serverCpu.push((processCpuMicros(contender.server.pid) - serverBefore) / loadCalls);
    at(index).simulatorCpu.push((processCpuMicros(simulator.pid) - simulatorBefore) / loadCalls);
  }
  if (!skipped.has('ttft')) {
    for (let call = 0; call < Math.ceil(calls / 2); call += 1) {
      for (const [index, contender] of contenders.entries()) at(index).ttft.push(await contender.client.firstToken());
    }
  }
  console.error(`round ${round + 1}/${rounds} done (${((performance.now() - benchStarted) / 1000).toFixed(0)} s)`);
}

const accessLogLines = readFileSync(gateway.accessLog, 'utf8').split('\n').length - 1;
for (const contender of contenders) await contender.client.close();
for (const server of servers) await server.stop();

/** Resident memory of a fresh server process idle, and with `streamCount` slow streams open through it. */
interface MemoryRow {
  readonly name: string;
  readonly idle: number;
  readonly open: number;
  /** The JavaScript heap in use with the streams open, when the server reports it (Switchyard's /metrics). */
  readonly heapUsed?: number;
  readonly after: number;
  readonly secondsToOpen: number;
}

/**
 * A server kind for the memory test: started afresh, so earlier loads' heap growth is not counted
 * (Switchyard's with prom-client's process metrics on, to report its heap in use).
 */
interface MemorySubject {
  readonly name: string;
  start(): Promise<ServerProcess>;
  /** The endpoint through `server` of a model that answers at once, and of the slow model. */
  endpoint(server: ServerProcess, slow: boolean): Endpoint;
  readonly metrics: boolean;
}

const memorySubjects: MemorySubject[] = [
  { name: floor.name, start: () => startForwarder({ name: floor.name, simulatorUrl: simulator.url, kind: 'node' }), endpoint: (server, slow) => forwarderEndpoint(server, slow ? SLOW_MODEL : 'gpt-4o'), metrics: false },
];
if (fastifyDir !== undefined) {
  memorySubjects.push({ name: 'Fastify + undici forwarder', start: () => startForwarder({ name: 'Fastify + undici forwarder', simulatorUrl: simulator.url, kind: 'fastify', fastifyDir }), endpoint: (server, slow) => forwarderEndpoint(server, slow ? SLOW_MODEL : 'gpt-4o'), metrics: false });
}
memorySubjects.push({
  name: gateway.name,
  start: () =>
    startSwitchyardGateway({ name: `${gateway.name} (memory)`, root, sources: values.sources, simulatorUrl: simulator.url, directory, keys, slowModel: SLOW_MODEL, log: logFormat, processMetrics: true, nodeFlags: gatewayFlags }),
  endpoint: (server, slow) => switchyardEndpoint(server, slow ? 'slow' : 'chat', keys.finite),
  metrics: true,
});
for (const tree of controlRoots) {
  memorySubjects.push({
    name: controlName(tree),
    start: () => startSwitchyardGateway({ name: `${controlName(tree)} (memory)`, root: tree, sources: values.sources, simulatorUrl: simulator.url, directory, keys, slowModel: SLOW_MODEL, log: logFormat, processMetrics: true }),
    endpoint: (server, slow) => switchyardEndpoint(server, slow ? 'slow' : 'chat', keys.finite),
    metrics: true,
  });
}
if (portkeyDir !== undefined && !portkeyMissing) {
  memorySubjects.push({ name: 'Portkey gateway', start: () => startPortkey({ name: 'Portkey gateway', directory: portkeyDir }), endpoint: (server, slow) => portkeyEndpoint(server, slow ? SLOW_MODEL : 'gpt-4o'), metrics: false });
}

/** `nodejs_heap_size_used_bytes` from a Switchyard gateway's /metrics. */
async function heapUsed(server: ServerProcess): Promise<number | undefined> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const match = /^\w*nodejs_heap_size_used_bytes(?:\{[^}]*\})? (\S+)$/m.exec(text);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const memory: MemoryRow[] = [];
if (!skipped.has('rss')) {
  for (const subject of memorySubjects) {
    const server = await subject.start();
    const warm = undiciClient(subject.endpoint(server, false));
    await sequential(200, () => warm.chat());
    await sequential(20, () => warm.firstToken());
    await warm.close();
    await pause(1_000);
    const idle = processMemory(server.pid).rss;
    const opening = performance.now();
    const streams = openStreams(subject.endpoint(server, true), streamCount);
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${subject.name}: only ${streams.started()} of ${streamCount} streams started within 60 s`)), 60_000).unref());
    await Promise.race([streams.allStarted, timeout]);
    const secondsToOpen = (performance.now() - opening) / 1000;
    // The streams stay open (one event a second each): read the memory a few times, keep the most.
    let open = 0;
    for (let sample = 0; sample < 5; sample += 1) {
      open = Math.max(open, processMemory(server.pid).rss);
      await pause(400);
    }
    const heap = subject.metrics ? await heapUsed(server) : undefined;
    await streams.close();
    await pause(2_000);
    memory.push({ name: subject.name, idle, open, ...(heap === undefined ? {} : { heapUsed: heap }), after: processMemory(server.pid).rss, secondsToOpen });
    await server.stop();
  }
}

await simulator.stop();
rmSync(directory, { recursive: true, force: true });

// ── report ──────────────────────────────────────────────────────────────────────────────────────
const us = (value: number): string => `${Math.round(value)} µs`;
const mb = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MB`;
const ratiosTo = (index: number, base: number): number[] => at(index).perSecond.map((perSecond, round) => perSecond / (at(base).perSecond[round] ?? perSecond));
const range = (list: readonly number[]): string => `${Math.min(...list).toFixed(2)}–${Math.max(...list).toFixed(2)}`;

const throughputRows = contenders.map((contender, index) => {
  const ratios = ratiosTo(index, rawIndex);
  const sdkRatio = contender.baseline === 'sdk' && sdkIndex >= 0 ? `; ${median(ratiosTo(index, sdkIndex)).toFixed(2)} of the SDK's direct` : '';
  const serverCpu = contender.server === undefined ? '—' : us(median(at(index).serverCpu));
  return `| ${contender.name} | ${median(at(index).perSecond).toFixed(0)} | ${median(ratios).toFixed(2)} (${range(ratios)})${sdkRatio} | ${us(median(at(index).clientCpu))} | ${serverCpu} | ${us(median(at(index).simulatorCpu))} |`;
});

const latencyRows = contenders.map((contender, index) => {
  const base = contender.baseline === 'sdk' && sdkIndex >= 0 ? sdkIndex : rawIndex;
  const mine = summarise(at(index).latency);
  const theirs = summarise(at(base).latency);
  const ttft = summarise(at(index).ttft);
  const baseTtft = summarise(at(base).ttft);
  const direct = index === base;
  const latency = skipped.has('latency') ? '— | —' : `${us(mine.p50)} / ${us(mine.p99)} | ${direct ? '—' : `+${us(mine.p50 - theirs.p50)} / +${us(mine.p99 - theirs.p99)}`}`;
  const firstText = skipped.has('ttft') ? '— | —' : `${us(ttft.p50)} / ${us(ttft.p99)} | ${direct ? '—' : `+${us(ttft.p50 - baseTtft.p50)} / +${us(ttft.p99 - baseTtft.p99)}`}`;
  return `| ${contender.name} | ${latency} | ${firstText} |`;
});

const memoryRows = memory.map(
  (row) => `| ${row.name} | ${mb(row.idle)} | ${mb(row.open)} | ${row.heapUsed === undefined ? '—' : mb(row.heapUsed)} | ${((row.open - row.idle) / streamCount / 1024).toFixed(1)} KB | ${mb(row.after)} | ${row.secondsToOpen.toFixed(1)} s |`,
);

const gatewayIndex = contenders.findIndex((contender) => contender.name === 'undici → Switchyard gateway, finite-quota key');
const gatewayRatio = median(ratiosTo(gatewayIndex, rawIndex));
const addedP50 = summarise(at(gatewayIndex).latency).p50 - summarise(at(rawIndex).latency).p50;
const addedTtft = summarise(at(gatewayIndex).ttft).p50 - summarise(at(rawIndex).ttft).p50;
const gatewayMemory = memory.find((row) => row.name === gateway.name);
const verdict = (met: boolean): string => (met ? 'met' : '**not met**');
const command = `npm run bench:gateway -- --rounds ${rounds} --calls ${calls} --load ${loadCalls} --concurrency ${concurrency} --streams ${streamCount}${values.portkey === undefined ? '' : ` --portkey ${values.portkey}`}${values.fastify === undefined ? '' : ` --fastify ${values.fastify}`}${values.control === undefined ? '' : ` --control ${values.control}`}${values.root === undefined ? '' : ` --root ${values.root}`}${values.sources ? ' --sources' : ''}${logFormat === 'json' ? '' : ` --log ${logFormat}`}${gatewayFlags.length === 0 ? '' : ` --node-flags="${gatewayFlags.join(' ')}"`}${skipped.size === 0 ? '' : ` --skip ${[...skipped].join(',')}`}`;
const peers = [`openai ${OPENAI_SDK_VERSION}`];
if (portkeyDir !== undefined && !portkeyMissing) peers.push(portkeyVersion(portkeyDir));
if (fastifyDir !== undefined) peers.push(`fastify ${(JSON.parse(readFileSync(join(fastifyDir, 'node_modules', 'fastify', 'package.json'), 'utf8')) as { version: string }).version}`);

const report = [
  '<!-- gateway:start -->',
  `Machine: ${machineLine()}. Command: \`${command}\`, ${new Date().toISOString().slice(0, 10)}; ${loadBefore} before the run; ${((performance.now() - benchStarted) / 1000).toFixed(0)} s. Peers: ${peers.join(', ')}.${portkeyMissing ? ` No Portkey gateway in ${values.portkey}: skipped.` : values.portkey === undefined && !skipped.has('portkey') ? ' Portkey skipped (no `--portkey <dir>`).' : ''}`,
  `Switchyard's gateway: ${values.sources ? 'the sources through tsx' : 'a bundle of `src/cli/main.ts` (esbuild)'}${values.root === undefined ? '' : ` of ${values.root}`}, \`switchyard serve\` with the whole pipeline, metrics, the ${logFormat} access log to a file (${accessLogLines.toLocaleString('en')} lines in this run) and the embedded SQLite store.`,
  '',
  `| non-streaming, ${concurrency} in flight (medians of ${rounds} rounds) | calls/s | ratio to raw undici direct (rounds' lowest–highest) | load generator CPU/call | server CPU/call | simulator CPU/call |`,
  '| --- | --- | --- | --- | --- | --- |',
  ...throughputRows,
  '',
  `| concurrency 1 (${(calls * rounds).toLocaleString('en')} calls, ${(Math.ceil(calls / 2) * rounds).toLocaleString('en')} streams each) | latency p50 / p99 | added p50 / p99 | stream's first text p50 / p99 | added p50 / p99 |`,
  '| --- | --- | --- | --- | --- |',
  ...latencyRows,
  ...(memory.length === 0
    ? []
    : [
        '',
        `| a fresh server process's resident memory (VmRSS) | idle, after 200 calls | ${streamCount.toLocaleString('en')} slow streams open | of which JS heap in use | added per open stream | after they closed | time to open them all |`,
        '| --- | --- | --- | --- | --- | --- | --- |',
        ...memoryRows,
      ]),
  '',
  `Targets (undici client; "added" is over the same client's direct call): throughput ≥ 0.40 of raw undici: ${gatewayRatio.toFixed(2)}, ${verdict(gatewayRatio >= 0.4)}; added p50 ≤ 150 µs: ${us(addedP50)}, ${verdict(addedP50 <= 150)}; first text added ≤ 200 µs: ${skipped.has('ttft') ? 'not measured' : `${us(addedTtft)}, ${verdict(addedTtft <= 200)}`}; RSS ≤ 150 MB with ${streamCount.toLocaleString('en')} streams open: ${gatewayMemory === undefined ? 'not measured' : `${mb(gatewayMemory.open)}, ${verdict(gatewayMemory.open <= 150 * 2 ** 20)}`}.`,
  '<!-- gateway:end -->',
].join('\n');
console.log(report);
if (values.write) writeDocSection('gateway', report);
