/**
 * `npx tsx bench/instructions.ts [--modes raw,defaults,pipeline] [--calls 2000,6000] [--concurrency 1]`:
 * machine instructions the client process executes per call, counted by valgrind (callgrind).
 *
 * Wall-clock and CPU-time benchmarks on this VM drift by ±20% within seconds, which hides changes
 * of a few microseconds. Instruction counts do not depend on what else the machine does: two runs
 * of the same build and workload back to back gave totals within ~0.02%. They still move with V8's
 * JIT and GC timing, so per-call figures from runs on different days differed by up to ~7% (raw
 * undici: 174.7k to 187.8k); compare contenders within one run, and repeat before trusting a
 * difference under ~10k instructions. Each contender runs at two call counts and the difference,
 * divided by the difference in calls, is the cost of one call with start-up cancelled out. Kernel time (socket
 * writes and reads) is not counted, so the ratios here are worse than the CPU-time ratios of
 * `npm run bench`, which include it; they are for judging changes, not for quoting throughput.
 *
 * The workload (bench/instructions-workload.ts) is bundled by esbuild first, so no TypeScript
 * loader runs inside valgrind. Needs valgrind (on every machine of this workplace).
 *
 * Calls run one at a time by default. With many in flight, a slower client finds more responses
 * waiting on each turn of the event loop and pays less loop overhead per call, which flatters slow
 * code; one at a time, every call does the same work.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { bundleWorkload } from './support.js';

const run = promisify(execFile);
const { values } = parseArgs({
  options: {
    modes: { type: 'string', default: 'raw,defaults,pipeline' },
    calls: { type: 'string', default: '2000,6000' },
    concurrency: { type: 'string', default: '1' },
  },
});
const modes = values.modes.split(',');
const [fewer, more] = values.calls.split(',').map(Number) as [number, number];
if (!(more > fewer)) throw new Error('--calls takes two increasing counts, e.g. 2000,6000');

const root = fileURLToPath(new URL('..', import.meta.url));
const bundle = await bundleWorkload('.instructions-workload.mjs');

/** Instructions counted by callgrind for one run of the workload. */
async function count(mode: string, calls: number): Promise<number> {
  const { stderr } = await run('valgrind', ['--tool=callgrind', '--callgrind-out-file=/dev/null', process.execPath, bundle, mode, String(calls), values.concurrency], { cwd: root, maxBuffer: 1 << 24 });
  const match = /Collected : (\d+)/.exec(stderr);
  if (match?.[1] === undefined) throw new Error(`valgrind printed no total for ${mode}:\n${stderr.slice(-2000)}`);
  return Number(match[1]);
}

// Two runs at a time: the machine has two cores, and the counts do not depend on timing.
const jobs = modes.flatMap((mode) => [fewer, more].map((calls) => ({ mode, calls })));
const totals = new Map<string, number>();
for (let index = 0; index < jobs.length; index += 2) {
  await Promise.all(jobs.slice(index, index + 2).map(async (job) => totals.set(`${job.mode}:${job.calls}`, await count(job.mode, job.calls))));
}
const perCall = new Map(modes.map((mode) => [mode, ((totals.get(`${mode}:${more}`) ?? 0) - (totals.get(`${mode}:${fewer}`) ?? 0)) / (more - fewer)]));
const raw = perCall.get('raw');
for (const [mode, instructions] of perCall) {
  const versusRaw = raw === undefined || mode === 'raw' ? '' : `  ${(raw / instructions).toFixed(3)}× raw's rate, +${((instructions - raw) / 1000).toFixed(1)}k`;
  console.log(`${mode.padEnd(10)} ${(instructions / 1000).toFixed(1).padStart(8)}k instructions per call${versusRaw}`);
}
