/**
 * `npx tsx bench/compare-builds.ts <a/index.js> <b/index.js> [<c/index.js> …] [--mode chat|full|stream|stream-full]`:
 * builds of the package side by side in one process, against one simulator, in interleaved rounds,
 * so that drift on the machine (large on a shared VM) affects all alike. At concurrency 64 it
 * reports, per build, the median client CPU per call (or per whole stream) and calls (or streams)
 * per second, and for every build after the first the median of its per-round differences from the
 * first: CPU per call, and the ratio of throughputs.
 *
 * Modes: `chat` (the default; `default` is accepted for it) and `stream` use the built-in defaults,
 * `full` and `stream-full` the whole pipeline of `bench/overhead.ts` (a cache that misses every call,
 * three rate limits with room to spare). A stream is read whole (9 events), as `bench/overhead.ts`
 * reads it.
 *
 * Give the same build twice, from two folders, as a control: the difference between the two copies
 * is the noise of the run. The loads of a round run in a different order each round (every order in
 * turn, `roundOrder`), so use a multiple of 2 rounds for two builds and of 6 for three.
 *
 * To compare a change with the commit before it: build the old commit into a folder inside the
 * repository (so its dependencies resolve), e.g. `.build-base/`, copy it to `.build-control/`, build
 * the change with `npx tsup --silent`, then
 * `npx tsx bench/compare-builds.ts .build-base/index.js .build-control/index.js dist/index.js --mode stream`.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { createRouter as CreateRouter } from '../src/create-router.js';
import { median, roundOrder, runLoad, startSimulatorProcess } from './support.js';

const MODES = ['chat', 'full', 'stream', 'stream-full'] as const;
type Mode = (typeof MODES)[number];

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    mode: { type: 'string', default: 'chat' },
    /** Calls (or streams) per build per round; 8,000 calls or 4,000 streams when not given. */
    calls: { type: 'string' },
    rounds: { type: 'string', default: '12' },
  },
});
const mode = (values.mode === 'default' ? 'chat' : values.mode) as Mode;
if (positionals.length < 2 || !MODES.includes(mode)) throw new Error(`usage: compare-builds <a/index.js> <b/index.js> [<c/index.js> …] [--mode ${MODES.join('|')}] [--calls n] [--rounds n]`);
const streaming = mode === 'stream' || mode === 'stream-full';
const wholePipeline = mode === 'full' || mode === 'stream-full';
const calls = Number(values.calls ?? (streaming ? 4_000 : 8_000));
const rounds = Number(values.rounds);
const unit = streaming ? 'stream' : 'call';
const simulator = await startSimulatorProcess();
let sequence = 0;

type BenchRouter = ReturnType<typeof CreateRouter>;

async function routerFrom(entry: string): Promise<BenchRouter> {
  const { createRouter } = (await import(pathToFileURL(resolve(entry)).href)) as { createRouter: typeof CreateRouter };
  return createRouter({
    providers: { anthropic: { type: 'anthropic', apiKey: 'sim-key', baseUrl: simulator.url, pool: { connections: 100, keepAliveTimeout: '300s' } } },
    routes: { claude: { targets: [{ provider: 'anthropic', model: 'claude-2.0' }] } },
    // The whole pipeline as bench/overhead.ts configures it.
    policies: wholePipeline
      ? {
          timeout: { connect: '5s', firstByte: '30s', idle: '30s', total: '120s' },
          retry: { attempts: 3, minDelay: '2s', maxDelay: '10s' },
          breaker: { errorRate: 0.15, minRequests: 20, window: '60s', openFor: '30s' },
          rateLimit: { global: { rps: 1_000_000 }, perUser: { concurrency: 1_000 }, perTenant: { rpm: 100_000_000 } },
          cache: { ttl: '600s', keyPrefix: 'claude:', maxEntries: 10_000 },
        }
      : {},
  });
}

function request(): Parameters<BenchRouter['chat']>[0] {
  sequence += 1;
  return { model: 'claude', system: 'Be terse.', messages: [{ role: 'user', content: `question ${sequence}` }], maxTokens: 256, temperature: 0 };
}
const who = { user: 'bench-user', tenant: 'bench-tenant' };

const callVia = (router: BenchRouter) => async (): Promise<void> => {
  await router.chat(request(), who);
};
const streamVia = (router: BenchRouter) => async (): Promise<void> => {
  let text = '';
  for await (const event of router.stream(request(), who)) if (event.type === 'text-delta') text += event.text;
  if (text === '') throw new Error('the stream had no text');
};

const builds: { name: string; router: BenchRouter; run: () => Promise<void>; cpu: number[]; rate: number[] }[] = [];
for (const entry of positionals) {
  const router = await routerFrom(entry);
  builds.push({ name: entry, router, run: streaming ? streamVia(router) : callVia(router), cpu: [], rate: [] });
}
for (const build of builds) await runLoad(calls / 2, 64, build.run);
for (let round = 0; round < rounds; round += 1) {
  for (const index of roundOrder(round, builds.length)) {
    const build = builds[index] as (typeof builds)[number];
    const before = process.cpuUsage();
    const load = await runLoad(calls, 64, build.run);
    const used = process.cpuUsage(before);
    build.cpu.push((used.user + used.system) / calls);
    build.rate.push(load.perSecond);
  }
}
await Promise.all(builds.map((build) => build.router.close()));
await simulator.stop();

const width = Math.max(...builds.map((build) => build.name.length)) + 2;
console.log(`mode ${mode}, ${rounds} rounds of ${calls} ${unit}s at concurrency 64 per build (medians):`);
for (const build of builds) console.log(`${build.name.padEnd(width)} ${median(build.cpu).toFixed(1)} µs CPU per ${unit}, ${median(build.rate).toFixed(0)} ${unit}s/s`);
const [first] = builds;
for (const build of builds.slice(1)) {
  const cpuDifferences = build.cpu.map((cpu, index) => cpu - (first?.cpu[index] ?? 0));
  const rateRatios = build.rate.map((rate, index) => rate / (first?.rate[index] ?? 1));
  console.log(
    `${build.name} against ${first?.name}: CPU ${median(cpuDifferences) >= 0 ? '+' : ''}${median(cpuDifferences).toFixed(1)} µs per ${unit} ` +
      `(rounds ${Math.min(...cpuDifferences).toFixed(1)}…${Math.max(...cpuDifferences).toFixed(1)}), ` +
      `throughput ×${median(rateRatios).toFixed(3)} (rounds ${Math.min(...rateRatios).toFixed(2)}…${Math.max(...rateRatios).toFixed(2)})`,
  );
}
