/**
 * Profiling aid: drives the router with the full pipeline at saturation against the simulator in a
 * child process. Run with `node --cpu-prof --import tsx bench/profile-router.ts [calls]` and open
 * the .cpuprofile in Chrome DevTools (or summarise it with bench/summarise-profile.ts).
 */
import { createRouter } from '../src/create-router.js';
import { runLoad, startSimulatorProcess } from './support.js';

const calls = Number(process.argv[2] ?? '30000');
const simulator = await startSimulatorProcess();
const router = createRouter({
  providers: { anthropic: { type: 'anthropic', apiKey: 'sim-key', baseUrl: simulator.url, pool: { connections: 100, keepAliveTimeout: '300s' } } },
  routes: { claude: { targets: [{ provider: 'anthropic', model: 'claude-2.0' }] } },
  policies: {
    rateLimit: { global: { rps: 1_000_000 }, perUser: { concurrency: 1_000 }, perTenant: { rpm: 100_000_000 } },
    cache: { ttl: '600s', keyPrefix: 'claude:', maxEntries: 10_000 },
  },
});
let sequence = 0;
const result = await runLoad(calls, 64, () => {
  sequence += 1;
  return router.chat({ model: 'claude', system: 'Be terse.', messages: [{ role: 'user', content: `question ${sequence}` }], maxTokens: 256, temperature: 0 }, { user: 'bench-user', tenant: 'bench-tenant' });
});
console.log(`${result.perSecond.toFixed(0)} calls/s`);
await router.close();
await simulator.stop();
