/**
 * `npm run bench:audit`: what audit costs per call, for each `fsync` mode, against a fake `next`
 * that answers at once — so the numbers are the audit's own work, not HTTP: the stage on the call's
 * path (which only hands over references) and the log's work for the call's group, which the call
 * waits for (building the record, hashing prompt and answer, sealing it into the chain, the group's
 * write). The whole pipeline over HTTP, against raw undici: `bench/overhead.ts --audit`.
 *
 * What this cannot show: with an instant `next`, the calls of a turn all end together, so even a
 * writer that builds, hashes and writes each record on its call's path gets batches here, and its
 * code runs hot on one small working set. Behind real HTTP, calls end one by one between socket
 * reads; the audit's cost there (issue 17: ~65 µs per call before records were written in groups)
 * was several times what this bench showed (~25 µs). Judge the design by `bench/overhead.ts`.
 *
 * Measured for: no audit stage, a no-op callback sink, and a file sink with `fsync: none`,
 * `batch` and `always` (content mode `hash`, the default):
 * - at concurrency 1: per-call latency (p50, p99) — with `always` this is one write and one
 *   fdatasync per call;
 * - at concurrency 64: calls per second and process CPU per call (the thread pool's writes and
 *   syncs included); records of one turn of the event loop share one write, and with `always` the
 *   records that arrive during a sync share the next write and sync (group commit).
 * Files go to a temporary directory on the file system of `--dir` (default the OS temp dir); the
 * table names that file system, since fsync costs depend on it entirely.
 *
 * Rounds alternate the modes so drift on the machine affects all alike; the table shows medians.
 *
 * Usage: `npm run bench:audit [-- --calls 2000 --rounds 3 --concurrency 64 --dir /var/tmp --write]`; `--write`
 * replaces the audit section of docs/benchmarks.md (between `<!-- audit:start -->` and
 * `<!-- audit:end -->`), creating the file when missing.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createAuditPlugin } from '../src/audit/audit-plugin.js';
import { resolveConfig, type SwitchyardConfigInput } from '../src/config/index.js';
import type { SwitchyardConfig } from '../src/config/types.js';
import type { CallContext, CallOutcome } from '../src/pipeline/context.js';
import type { Stage } from '../src/pipeline/stage.js';
import type { ChatResponse } from '../src/types.js';
import { machineLine, median, runLoad, summarise, type LatencySummary } from './support.js';

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '2000' },
    rounds: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '64' },
    dir: { type: 'string', default: tmpdir() },
    write: { type: 'boolean', default: false },
  },
});
const calls = Number(values.calls);
const rounds = Number(values.rounds);
const concurrency = Number(values.concurrency);
const directory = mkdtempSync(join(values.dir, 'switchyard-bench-audit-'));

function config(audit: SwitchyardConfigInput['audit']): SwitchyardConfig {
  return resolveConfig({
    providers: { openai: { type: 'openai', apiKey: 'bench-key', baseUrl: 'http://127.0.0.1:9/v1' } },
    routes: { main: { targets: [{ provider: 'openai', model: 'gpt-4o' }] } },
    pricing: { 'gpt-4o': { input: 2.5, output: 10 } },
    ...(audit === undefined ? {} : { audit }),
  });
}

const base = config(undefined);
const mainRoute = base.routes.main;
if (mainRoute === undefined) throw new Error('no route');
const route = mainRoute;

let sequence = 0;
function context(): CallContext {
  sequence += 1;
  return {
    requestId: `req-${sequence}`,
    request: { model: 'main', system: 'Be terse.', messages: [{ role: 'user', content: `What is the capital of France? (${sequence})` }], temperature: 0, maxTokens: 256 },
    options: { user: 'user-42', tenant: 'acme', auditFields: { purpose: 'benchmark' } },
    route,
    policies: route.policies,
    mode: 'chat',
    startedAt: performance.now(),
    signal: new AbortController().signal,
    attempts: [{ target: { provider: 'openai', model: 'gpt-4o' }, route: 'main', outcome: 'ok', status: 200, ms: 0.1 }],
    notes: {},
  };
}

function answer(call: CallContext): CallOutcome {
  const response: ChatResponse = {
    id: `resp-${call.requestId}`,
    text: 'Paris.',
    toolCalls: [],
    reasoning: [],
    message: { role: 'assistant', content: 'Paris.' },
    finishReason: 'stop',
    usage: { inputTokens: 18, outputTokens: 2, totalTokens: 20 },
    route: 'main',
    target: { provider: 'openai', model: 'gpt-4o' },
    servedModel: 'gpt-4o-2024-08-06',
    attempts: call.attempts,
    latencyMs: 0.1,
    requestId: call.requestId,
    cached: false,
  };
  return { kind: 'response', response };
}

const next = async (call: CallContext): Promise<CallOutcome> => answer(call);

interface Mode {
  readonly name: string;
  /** Builds the stage (or none) and what closes it. */
  setUp(): { stage?: Stage<CallContext, CallOutcome>; close: () => Promise<void> };
}

function fileMode(fsync: 'always' | 'batch' | 'none'): Mode {
  return {
    name: `file, fsync: ${fsync}`,
    setUp() {
      const path = join(directory, `${fsync}-${sequence}.jsonl`);
      const plugin = createAuditPlugin({ config: config({ sink: { type: 'file', path, fsync, flushInterval: '100ms', queueSize: 10_000 }, content: 'hash' }) });
      return { stage: plugin.outerStages?.[0], close: async () => plugin.close?.() };
    },
  };
}

const modes: readonly Mode[] = [
  { name: 'no audit', setUp: () => ({ close: async () => undefined }) },
  {
    name: 'callback (no-op)',
    setUp() {
      const plugin = createAuditPlugin({ config: config({ sink: { type: 'callback' }, content: 'hash' }), sink: () => undefined });
      return { stage: plugin.outerStages?.[0], close: async () => plugin.close?.() };
    },
  },
  fileMode('none'),
  fileMode('batch'),
  fileMode('always'),
];

async function measure(mode: Mode): Promise<{ latency: LatencySummary; perSecond: number; cpuPerCall: number }> {
  const call = (stage: Stage<CallContext, CallOutcome> | undefined) => async (): Promise<void> => {
    const call = context();
    await (stage === undefined ? next(call) : stage.execute(call, next));
  };
  // Warm-up, then sequential latency.
  const warm = mode.setUp();
  for (let index = 0; index < 200; index += 1) await call(warm.stage)();
  await warm.close();
  const sequential = mode.setUp();
  const samples: number[] = [];
  const run = call(sequential.stage);
  for (let index = 0; index < calls; index += 1) {
    const started = performance.now();
    await run();
    samples.push(performance.now() - started);
  }
  await sequential.close();
  // Throughput at concurrency, close (the final flush) included.
  const loaded = mode.setUp();
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  await runLoad(calls * 5, concurrency, call(loaded.stage));
  await loaded.close();
  const cpu = process.cpuUsage(cpuBefore);
  const perSecond = (calls * 5) / ((performance.now() - started) / 1000);
  return { latency: summarise(samples), perSecond, cpuPerCall: (cpu.user + cpu.system) / (calls * 5) };
}

function fileSystemOf(path: string): string {
  try {
    return execFileSync('df', ['-T', path], { encoding: 'utf8' }).trim().split('\n').at(-1)?.split(/\s+/)[1] ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

const [loadOne, loadFive] = loadavg();
interface ModeSamples {
  p50: number[];
  p99: number[];
  perSecond: number[];
  cpu: number[];
}
const samples = new Map<Mode, ModeSamples>(modes.map((mode) => [mode, { p50: [], p99: [], perSecond: [], cpu: [] }]));
for (let round = 1; round <= rounds; round += 1) {
  for (const mode of modes) {
    const { latency, perSecond, cpuPerCall } = await measure(mode);
    const entry = samples.get(mode) as ModeSamples;
    entry.p50.push(latency.p50);
    entry.p99.push(latency.p99);
    entry.perSecond.push(perSecond);
    entry.cpu.push(cpuPerCall);
    console.error(`round ${round}: ${mode.name}`);
  }
}
const results = modes.map((mode) => {
  const entry = samples.get(mode) as ModeSamples;
  return { mode, p50: median(entry.p50), p99: median(entry.p99), perSecond: median(entry.perSecond), cpu: median(entry.cpu) };
});
const fileSystem = fileSystemOf(directory);
rmSync(directory, { recursive: true, force: true });

const baseline = results[0] as (typeof results)[number];
const us = (value: number): string => `${value.toFixed(1)} µs`;
const report = [
  '<!-- audit:start -->',
  '## Audit stage cost per call',
  '',
  `Machine: ${machineLine()}; audit files on ${fileSystem}. Command: \`npm run bench:audit -- --calls ${calls} --rounds ${rounds} --concurrency ${concurrency}\`, ${new Date().toISOString().slice(0, 10)}; medians of ${rounds} rounds.`,
  `Load before the run: load average ${loadOne?.toFixed(2)} (1 min) / ${loadFive?.toFixed(2)} (5 min) on ${cpus().length} cores.`,
  `The stage runs around a fake \`next\` that answers at once, so the numbers are the audit work alone (the stage, and the group's records, prompt/answer hashes, chain and write); content mode \`hash\`. Sequential: ${calls} calls; concurrent: ${calls * 5} calls, \`close()\` included.`,
  '',
  `| mode | p50 / p99 per call, concurrency 1 | added p50 vs no audit | calls/s at concurrency ${concurrency} | CPU per call at concurrency ${concurrency} (added) |`,
  '| --- | --- | --- | --- | --- |',
  ...results.map(
    ({ mode, p50, p99, perSecond, cpu }) =>
      `| ${mode.name} | ${us(p50)} / ${us(p99)} | ${mode === baseline.mode ? '—' : us(p50 - baseline.p50)} | ${perSecond.toFixed(0)} | ${us(cpu)}${mode === baseline.mode ? '' : ` (${us(cpu - baseline.cpu)})`} |`,
  ),
  '',
  '`always` pays one fdatasync per call when calls come one at a time; under concurrency the records of one turn of the event loop share one write, and those that arrive during a sync share the next one, so throughput stays high while every call still returns only after its record is on disk.',
  '<!-- audit:end -->',
].join('\n');
console.log(report);

if (values.write) {
  const path = new URL('../docs/benchmarks.md', import.meta.url).pathname;
  const current = existsSync(path) ? readFileSync(path, 'utf8') : '# Benchmarks\n';
  const pattern = /<!-- audit:start -->[\s\S]*<!-- audit:end -->/;
  writeFileSync(path, pattern.test(current) ? current.replace(pattern, report) : `${current.trimEnd()}\n\n${report}\n`);
}
