/**
 * `npx tsx bench/gateway-profile.ts`: where Switchyard's gateway spends its CPU per call. Starts
 * the simulator and `switchyard serve` (the config of `bench/gateway.ts`) from the sources through
 * tsx with `--cpu-prof`, so that every sample names its source file; drives `--calls` non-streaming
 * calls (or whole streams with `--stream`) at `--concurrency` in flight with raw undici, reads the
 * gateway process's CPU time over that window from /proc, stops the gateway (the profile is written
 * when it exits) and prints, for the samples taken during the load only, the self time by file and
 * by function, in % of the gateway's busy samples and in µs per call.
 *
 * Usage: `npx tsx bench/gateway-profile.ts [--calls 20000 --concurrency 64 --key finite|unlimited
 *   --stream --root <tree> --top 40 --out /tmp/gateway-profile --bundle --log json|silent]`
 * (`--bundle` runs the esbuild bundle instead: truer timings, but every sample then names the bundle.)
 * `--server floor` (or `fastify --fastify <dir>`) profiles the forwarder floor of `bench/gateway.ts`
 * instead, for comparison.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { undiciClient } from './gateway-clients.js';
import { mainThreadCpuMicros, newVirtualKey, processCpuMicros, startForwarder, startGatewaySimulator, startSwitchyardGateway } from './gateway-servers.js';
import { loadLine, machineLine, runLoad } from './support.js';

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '20000' },
    concurrency: { type: 'string', default: '64' },
    key: { type: 'string', default: 'finite' },
    stream: { type: 'boolean', default: false },
    root: { type: 'string' },
    top: { type: 'string', default: '40' },
    out: { type: 'string', default: join(tmpdir(), 'gateway-profile') },
    bundle: { type: 'boolean', default: false },
    log: { type: 'string', default: 'json' },
    server: { type: 'string', default: 'gateway' },
    fastify: { type: 'string' },
  },
});
const calls = Number(values.calls);
const concurrency = Number(values.concurrency);
const root = resolve(values.root ?? fileURLToPath(new URL('..', import.meta.url)));
const out = resolve(values.out);
mkdirSync(out, { recursive: true });
const before = new Set(readdirSync(out));
const directory = mkdtempSync(join(tmpdir(), 'switchyard-gateway-profile-'));
console.log(`${machineLine()}; ${loadLine()}`);

const simulator = await startGatewaySimulator({ slowModel: 'slow-model', slowInterTokenMs: 1_000 });
const keys = { finite: newVirtualKey(), unlimited: newVirtualKey() };
const profiling = ['--cpu-prof', `--cpu-prof-dir=${out}`];
const gateway = values.server === 'gateway' ? await startSwitchyardGateway({
  name: 'profiled gateway',
  root,
  sources: !values.bundle,
  simulatorUrl: simulator.url,
  directory,
  keys,
  slowModel: 'slow-model',
  nodeFlags: profiling,
  log: values.log as 'json' | 'silent',
}) : await startForwarder({ name: `profiled ${values.server}`, simulatorUrl: simulator.url, kind: values.server === 'fastify' ? 'fastify' : 'node', ...(values.fastify === undefined ? {} : { fastifyDir: values.fastify }), nodeFlags: profiling });
const client = values.server === 'gateway' ? undiciClient({ origin: gateway.url, model: 'chat', apiKey: values.key === 'unlimited' ? keys.unlimited : keys.finite }) : undiciClient({ origin: gateway.url, model: 'gpt-4o', apiKey: 'sim-key' });
const call = values.stream ? () => client.firstToken() : () => client.chat();
await runLoad(Math.min(4_000, calls), concurrency, call);

const cpuBefore = processCpuMicros(gateway.pid);
const mainBefore = mainThreadCpuMicros(gateway.pid);
const windowStart = process.hrtime.bigint() / 1_000n;
const load = await runLoad(calls, concurrency, call);
const windowEnd = process.hrtime.bigint() / 1_000n;
const cpuPerCall = (processCpuMicros(gateway.pid) - cpuBefore) / calls;
const mainPerCall = (mainThreadCpuMicros(gateway.pid) - mainBefore) / calls;
await client.close();
await gateway.stop();
await simulator.stop();
rmSync(directory, { recursive: true, force: true });

const written = readdirSync(out)
  .filter((name) => name.endsWith('.cpuprofile') && !before.has(name))
  .map((name) => join(out, name))
  .sort((left, right) => statSync(right).mtimeMs - statSync(left).mtimeMs);
const file = written[0];
if (file === undefined) throw new Error(`no profile written to ${out}`);

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number };
const byId = new Map(profile.nodes.map((node) => [node.id, node]));

/** A sample's place, by file: the source file under the tree, a package, a Node internal module, or V8's own. */
function fileOf(node: ProfileNode): string {
  const { url, functionName } = node.callFrame;
  if (url === '') return functionName.startsWith('(') ? functionName : '(V8 builtins and native code)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (pkg?.[1] !== undefined) return `node_modules/${pkg[1]}`;
  if (url.startsWith('node:')) return url.split('/').slice(0, 3).join('/');
  const local = /\/(src|providers|bench|\.build-gateway-bench)\/(.*)$/.exec(url);
  return local === null ? url : `${local[1]}/${local[2]}`;
}

// Samples within the load's window only (V8's timestamps and hrtime share the monotonic clock, in µs).
const selfByFile = new Map<string, number>();
const selfByFunction = new Map<string, number>();
let time = profile.startTime;
let inWindow = 0;
let busy = 0;
for (const [index, id] of profile.samples.entries()) {
  time += profile.timeDeltas[index] ?? 0;
  if (time < Number(windowStart) || time > Number(windowEnd)) continue;
  inWindow += 1;
  const node = byId.get(id);
  if (node === undefined || node.callFrame.functionName === '(idle)') continue;
  busy += 1;
  const where = fileOf(node);
  selfByFile.set(where, (selfByFile.get(where) ?? 0) + 1);
  const name = `${node.callFrame.functionName || '(anonymous)'}  ${where}:${node.callFrame.lineNumber + 1}`;
  selfByFunction.set(name, (selfByFunction.get(name) ?? 0) + 1);
}
if (inWindow === 0) throw new Error('no sample fell in the load window (clocks differ?)');

const unit = values.stream ? 'stream' : 'call';
console.log(`\nprofile: ${file}`);
console.log(
  `${values.server}: ${calls} ${unit}s at ${concurrency} in flight${values.server === 'gateway' ? `, key ${values.key}, ${values.bundle ? 'bundle' : 'sources through tsx'}` : ''}: ${load.perSecond.toFixed(0)} ${unit}s/s; gateway CPU ${cpuPerCall.toFixed(0)} µs per ${unit} (all threads, /proc), of which the main thread ${mainPerCall.toFixed(0)} µs; the profile: ${busy} busy of ${inWindow} samples in the window`,
);
// Samples are taken on a wall-clock interval, so on a shared machine a thread that waits for a core
// still collects them: shares are read from the profile, µs from the main thread's CPU time.
const top = Number(values.top);
const print = (title: string, table: Map<string, number>): void => {
  console.log(`\n${title}\n| self time | µs per ${unit} | where |\n| --- | --- | --- |`);
  for (const [name, hits] of [...table.entries()].sort((left, right) => right[1] - left[1]).slice(0, top)) {
    console.log(`| ${((hits / busy) * 100).toFixed(1)} % | ${((hits / busy) * mainPerCall).toFixed(1)} | ${name} |`);
  }
};
print('By file (self time)', selfByFile);
print('By function (self time)', selfByFunction);
