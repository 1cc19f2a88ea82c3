/**
 * `npx tsx bench/compare-builds.ts <a/index.js> <b/index.js> [--mode default|full]`: two builds of
 * the package side by side in one process, against one simulator, in interleaved rounds, so that
 * drift on the machine (large on a shared VM) affects both alike. Reports each build's client CPU
 * per call and calls per second at concurrency 64 (medians), and the per-round CPU difference.
 *
 * To compare a change with the commit before it: build the old commit into a folder inside the
 * repository (so its dependencies resolve), e.g. `git stash && npx tsup --silent && cp -r dist
 * .build-a && git stash pop && npx tsup --silent`, then `npx tsx bench/compare-builds.ts
 * .build-a/index.js dist/index.js`.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { createRouter as CreateRouter } from '../src/create-router.js';
import { median, runLoad, startSimulatorProcess } from './support.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    mode: { type: 'string', default: 'default' },
    calls: { type: 'string', default: '8000' },
    rounds: { type: 'string', default: '9' },
  },
});
const [first, second] = positionals;
if (first === undefined || second === undefined) throw new Error('usage: compare-builds <a/index.js> <b/index.js> [--mode default|full]');
const calls = Number(values.calls);
const simulator = await startSimulatorProcess();
let sequence = 0;

async function routerFrom(entry: string): Promise<ReturnType<typeof CreateRouter>> {
  const { createRouter } = (await import(pathToFileURL(resolve(entry)).href)) as { createRouter: typeof CreateRouter };
  return createRouter({
    providers: { anthropic: { type: 'anthropic', apiKey: 'sim-key', baseUrl: simulator.url, pool: { connections: 100, keepAliveTimeout: '300s' } } },
    routes: { claude: { targets: [{ provider: 'anthropic', model: 'claude-2.0' }] } },
    policies:
      values.mode === 'full'
        ? { rateLimit: { global: { rps: 1_000_000 }, perUser: { concurrency: 1_000 }, perTenant: { rpm: 100_000_000 } }, cache: { ttl: '600s', keyPrefix: 'claude:', maxEntries: 10_000 } }
        : {},
  });
}

const builds = [
  { name: first, router: await routerFrom(first), cpu: [] as number[], rps: [] as number[] },
  { name: second, router: await routerFrom(second), cpu: [] as number[], rps: [] as number[] },
];
const callVia = (router: ReturnType<typeof CreateRouter>) => async (): Promise<void> => {
  sequence += 1;
  await router.chat({ model: 'claude', system: 'Be terse.', messages: [{ role: 'user', content: `question ${sequence}` }], maxTokens: 256, temperature: 0 }, { user: 'bench-user', tenant: 'bench-tenant' });
};
for (const build of builds) await runLoad(4_000, 64, callVia(build.router));
for (let round = 0; round < Number(values.rounds); round += 1) {
  // Alternate which build goes first, so neither always runs on a warmer machine.
  for (const build of round % 2 === 0 ? builds : [...builds].reverse()) {
    const before = process.cpuUsage();
    const load = await runLoad(calls, 64, callVia(build.router));
    const used = process.cpuUsage(before);
    build.cpu.push((used.user + used.system) / calls);
    build.rps.push(load.perSecond);
  }
}
for (const build of builds) console.log(`${build.name.padEnd(24)} ${median(build.cpu).toFixed(1)} µs CPU per call, ${median(build.rps).toFixed(0)} calls/s`);
const differences = builds[0]!.cpu.map((cpu, index) => (builds[1]!.cpu[index] ?? 0) - cpu);
console.log(`second − first, per round: ${differences.map((value) => value.toFixed(1)).join(', ')} µs; median ${median(differences).toFixed(1)} µs`);
await Promise.all(builds.map((build) => build.router.close()));
await simulator.stop();
