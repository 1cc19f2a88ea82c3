/**
 * `npx tsx bench/cache-hit.ts [--calls 20000] [--write]`: how fast the router answers from its
 * in-memory cache (issue target: ≤ 50 µs p50), chat and streamed, with the whole pipeline on.
 * The first call of each request fills the cache from the simulator; every measured call is a hit.
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createRouter } from '../src/create-router.js';
import { startSimulator } from '../src/testing/simulator.js';
import { loadLine, machineLine, summarise, writeDocSection } from './support.js';

const { values } = parseArgs({ options: { calls: { type: 'string', default: '20000' }, write: { type: 'boolean', default: false } } });
const calls = Number(values.calls);
const load = loadLine();
const simulator = await startSimulator({ record: false });
const router = createRouter({
  providers: { anthropic: { type: 'anthropic', apiKey: simulator.apiKey, baseUrl: simulator.url } },
  routes: { claude: { targets: [{ provider: 'anthropic', model: 'claude-2.0' }] } },
  policies: {
    rateLimit: { global: { rps: 1_000_000 }, perUser: { concurrency: 1_000 }, perTenant: { rpm: 100_000_000 } },
    cache: { ttl: '600s', maxEntries: 10_000 },
  },
});
const requests = Array.from({ length: 100 }, (_, index) => ({ model: 'claude', messages: [{ role: 'user' as const, content: `popular question ${index}` }], temperature: 0 }));
const who = { user: 'bench-user', tenant: 'bench-tenant' };
for (const request of requests) await router.chat(request, who); // fill

async function measure(stream: boolean): Promise<number[]> {
  const latencies: number[] = [];
  for (let index = 0; index < calls; index += 1) {
    const request = requests[index % requests.length] as (typeof requests)[number];
    const started = performance.now();
    if (stream) {
      for await (const _event of router.stream(request, who)) {
        // Read to the end: the time covers the whole stream.
      }
    } else {
      const response = await router.chat(request, who);
      if (!response.cached) throw new Error('expected a cache hit');
    }
    latencies.push(performance.now() - started);
  }
  return latencies;
}
await measure(false); // warm up
const chat = summarise(await measure(false));
const stream = summarise(await measure(true));
await router.close();
await simulator.close();
const report = [
  `Machine: ${machineLine()}. Command: \`npx tsx bench/cache-hit.ts --calls ${calls}\`, ${new Date().toISOString().slice(0, 10)}.`,
  load,
  '',
  '| cache hit, whole pipeline on, concurrency 1 | p50 | p99 |',
  '| --- | --- | --- |',
  `| \`chat()\` | ${chat.p50.toFixed(1)} µs | ${chat.p99.toFixed(1)} µs |`,
  `| \`stream()\`, replayed to the last event | ${stream.p50.toFixed(1)} µs | ${stream.p99.toFixed(1)} µs |`,
].join('\n');
console.log(report);
if (values.write) writeDocSection('cache-hit', `<!-- cache-hit:start -->\n## Cache hits\n\n${report}\n<!-- cache-hit:end -->`);
