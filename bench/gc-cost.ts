/**
 * `npx tsx bench/gc-cost.ts [--modes raw,defaults,limits,cache,pipeline] [--calls 40000] [--concurrency 64]`:
 * what the garbage collector does per call, for each contender of `bench/instructions-workload.ts`
 * run in its own process under `node --trace-gc-nvp`.
 *
 * Per contender: bytes allocated per call, young-generation collections (scavenges) and their
 * main-thread pause per call, the median bytes a scavenge found alive (copied within the young
 * generation) and promoted to the old generation, and major collections' pause per call. At 64
 * calls in flight a scavenge finds every call's in-flight state alive and copies it, and an entry
 * a cache keeps for later is copied twice (once within the young generation, once into the old):
 * this is where the pipeline's costs grow with concurrency. Pauses are wall-clock and move with
 * the load on the machine; bytes do not. The first quarter of each run (start-up and JIT warm-up)
 * is left out of the medians but not of the totals.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { bundleWorkload, median } from './support.js';

const run = promisify(execFile);
const { values } = parseArgs({
  options: {
    modes: { type: 'string', default: 'raw,defaults,limits,cache,pipeline' },
    calls: { type: 'string', default: '40000' },
    concurrency: { type: 'string', default: '64' },
  },
});
const calls = Number(values.calls);

const root = fileURLToPath(new URL('..', import.meta.url));
const bundle = await bundleWorkload('.gc-workload.mjs');

/** One `--trace-gc-nvp` line: its numeric fields by name, and the kind of collection (`s`, `mc`, …). */
interface GcEvent {
  readonly kind: string;
  readonly fields: ReadonlyMap<string, number>;
}

function parseEvents(output: string): GcEvent[] {
  const events: GcEvent[] = [];
  for (const line of output.split('\n')) {
    const kind = /\bgc=(\w+)/.exec(line)?.[1];
    if (kind === undefined) continue;
    const fields = new Map<string, number>();
    for (const match of line.matchAll(/([\w.]+)=([\d.]+)/g)) fields.set(match[1] as string, Number(match[2]));
    events.push({ kind, fields });
  }
  return events;
}

const field = (event: GcEvent, name: string): number => event.fields.get(name) ?? 0;
const kib = (bytes: number): string => `${(bytes / 1024).toFixed(0)} KiB`;

console.log(`garbage collection per call, ${calls} calls at concurrency ${values.concurrency} (node --trace-gc-nvp, each contender in its own process)`);
console.log('contender   allocated/call  scavenges  scavenge pause/call  alive per scavenge  promoted per scavenge  major pause/call');
for (const mode of values.modes.split(',')) {
  const { stdout, stderr } = await run(process.execPath, ['--trace-gc-nvp', bundle, mode, String(calls), values.concurrency], { cwd: root, maxBuffer: 1 << 26 });
  const events = parseEvents(stdout + stderr);
  const scavenges = events.filter((event) => event.kind === 's');
  const majors = events.filter((event) => event.kind !== 's');
  const steady = scavenges.slice(Math.floor(scavenges.length / 4));
  // Every collection reports what was allocated since the one before it.
  const allocated = events.reduce((sum, event) => sum + field(event, 'allocated'), 0);
  const pause = (list: readonly GcEvent[]): number => list.reduce((sum, event) => sum + field(event, 'pause'), 0);
  console.log(
    [
      mode.padEnd(10),
      `${(allocated / calls / 1024).toFixed(1)} KiB`.padStart(15),
      String(scavenges.length).padStart(10),
      `${((pause(scavenges) / calls) * 1000).toFixed(2)} µs`.padStart(20),
      kib(median(steady.map((event) => field(event, 'new_space_survived')))).padStart(19),
      kib(median(steady.map((event) => field(event, 'promoted')))).padStart(22),
      `${((pause(majors) / calls) * 1000).toFixed(2)} µs`.padStart(17),
    ].join(' '),
  );
}
