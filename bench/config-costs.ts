/**
 * `npx tsx bench/config-costs.ts [--configs raw,defaults,control,limits,cache,full] [--builds dist/index.js]
 * [--rounds 15] [--calls 6000]`: client CPU per call at concurrency 64 against the simulator, for raw
 * undici and router configurations side by side in one process, to see what each part of the
 * pipeline costs under load (where everything costs 2–3× what it does one call at a time).
 *
 * Each router is created from its own instance of the built package (the module is imported under
 * its own URL), so no two routers share JIT feedback; the order of the contenders alternates from
 * round to round. `control` is a second router with the built-in defaults: its difference from
 * `defaults` is the noise floor of the run. With several `--builds`, every configuration runs on
 * every build (`full@.build-a/index.js`), to compare a change with the code before it: build the
 * old commit into a folder inside the repository (so its dependencies resolve), e.g.
 * `git stash && npx tsup --silent && cp -r dist .build-a && git stash pop && npx tsup --silent`.
 *
 * Prints, per contender, the median client CPU per call and the median per-round difference from the
 * first router contender.
 */
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { Pool } from 'undici';
import type { createRouter as CreateRouter } from '../src/create-router.js';
import type { SwitchyardConfigInput } from '../src/config/index.js';
import { median, runLoad, startSimulatorProcess } from './support.js';

const { values } = parseArgs({
  options: {
    configs: { type: 'string', default: 'raw,defaults,control,limits,cache,full' },
    builds: { type: 'string', default: 'dist/index.js' },
    rounds: { type: 'string', default: '15' },
    calls: { type: 'string', default: '6000' },
  },
});
const rounds = Number(values.rounds);
const calls = Number(values.calls);
const concurrency = 64;

const simulator = await startSimulatorProcess();
const provider = { anthropic: { type: 'anthropic' as const, apiKey: 'sim-key', baseUrl: simulator.url, pool: { connections: 100, keepAliveTimeout: '300s' } } };
const routes = { claude: { targets: [{ provider: 'anthropic', model: 'claude-2.0' }] } };
/** The limits and cache of `npm run bench`'s whole pipeline: room to spare, a miss on every call. */
const rateLimit = { global: { rps: 1_000_000 }, perUser: { concurrency: 1_000 }, perTenant: { rpm: 100_000_000 } };
const cache = { ttl: '600s', keyPrefix: 'claude:', maxEntries: 10_000 };
const policiesOf: Record<string, SwitchyardConfigInput['policies']> = {
  defaults: {},
  control: {},
  limits: { rateLimit },
  cache: { cache },
  full: { rateLimit, cache },
};

interface Contender {
  readonly name: string;
  readonly call: () => Promise<void>;
  readonly close: () => Promise<void>;
  readonly cpu: number[];
}

let sequence = 0;
const who = { user: 'bench-user', tenant: 'bench-tenant' };
let instance = 0;

async function routerContender(config: string, build: string, label: string): Promise<Contender> {
  const policies = policiesOf[config];
  if (policies === undefined) throw new Error(`unknown configuration "${config}"; known: raw, ${Object.keys(policiesOf).join(', ')}`);
  instance += 1;
  // A query string makes a separate module instance: its own functions, its own JIT feedback.
  const url = `${pathToFileURL(resolve(build)).href}?instance=${instance}`;
  const { createRouter } = (await import(url)) as { createRouter: typeof CreateRouter };
  const router = createRouter({ providers: provider, routes, policies });
  return {
    name: label,
    cpu: [],
    call: async () => {
      sequence += 1;
      const response = await router.chat({ model: 'claude', system: 'Be terse.', messages: [{ role: 'user', content: `question ${sequence}` }], maxTokens: 256, temperature: 0 }, who);
      if (typeof response.text !== 'string') throw new Error('router call failed');
    },
    close: () => router.close(),
  };
}

function rawContender(): Contender {
  const pool = new Pool(simulator.url, { connections: 100, keepAliveTimeout: 300_000 });
  const headers = { 'content-type': 'application/json', 'x-api-key': 'sim-key', 'anthropic-version': '2023-06-01' };
  return {
    name: 'raw undici',
    cpu: [],
    call: async () => {
      sequence += 1;
      const body = JSON.stringify({ model: 'claude-2.0', max_tokens: 256, temperature: 0, system: 'Be terse.', messages: [{ role: 'user', content: `question ${sequence}` }] });
      const response = await pool.request({ path: '/v1/messages', method: 'POST', headers, body });
      const json = (await response.body.json()) as { content: { text: string }[] };
      if (response.statusCode !== 200 || typeof json.content[0]?.text !== 'string') throw new Error('raw call failed');
    },
    close: () => pool.close(),
  };
}

const builds = values.builds.split(',');
const contenders: Contender[] = [];
for (const config of values.configs.split(',')) {
  if (config === 'raw') contenders.push(rawContender());
  else for (const build of builds) contenders.push(await routerContender(config, build, builds.length > 1 ? `${config}@${build}` : config));
}
const reference = contenders.find((contender) => contender.name !== 'raw undici') ?? contenders[0];
if (reference === undefined) throw new Error('no contenders');

for (const contender of contenders) await runLoad(4_000, concurrency, contender.call); // warm-up
for (let round = 0; round < rounds; round += 1) {
  for (const contender of round % 2 === 0 ? contenders : [...contenders].reverse()) {
    const before = process.cpuUsage();
    await runLoad(calls, concurrency, contender.call);
    const used = process.cpuUsage(before);
    contender.cpu.push((used.user + used.system) / calls);
  }
}

console.log(`client CPU per call at concurrency ${concurrency}, medians of ${rounds} rounds of ${calls} calls; difference per round from "${reference.name}"`);
for (const contender of contenders) {
  const differences = contender.cpu.map((cpu, index) => cpu - (reference.cpu[index] ?? cpu));
  console.log(`${contender.name.padEnd(32)} ${median(contender.cpu).toFixed(1).padStart(6)} µs  ${median(differences) >= 0 ? '+' : ''}${median(differences).toFixed(1)} µs`);
}
for (const contender of contenders) await contender.close();
await simulator.stop();
