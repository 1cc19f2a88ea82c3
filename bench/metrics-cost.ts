/**
 * `npx tsx bench/metrics-cost.ts`: CPU cost per call of the metrics plugin alone, old and new.
 *
 * No router and no network: each implementation's plugin is attached to its own `RouterEventHub`,
 * and one "call" emits what the router emits for a successful chat call through the pipeline-cost
 * benchmark's configuration: `call-start`, one `attempt`, `call-end` (tokens, cost, latency in a
 * rotating bucket). Payloads are built once, so only the plugin's handling (and the hub's dispatch)
 * is timed. "old" is the prom-client implementation kept in `test/metrics/fixtures/`; "events only"
 * is the same emits to listeners that do nothing, the floor neither plugin can go under.
 * Rounds alternate the implementations; the table shows medians. At the end the two expositions are
 * compared byte for byte.
 *
 * Usage: `npx tsx bench/metrics-cost.ts [--calls 200000 --rounds 5]`.
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Registry } from 'prom-client';
import { resolveConfig } from '../src/config/index.js';
import { RouterEventHub, type RouterEvents } from '../src/events.js';
import { createMetricsPlugin } from '../src/metrics/metrics-plugin.js';
import type { RouterPlugin } from '../src/router/plugin.js';
import type { Router } from '../src/router/router.js';
import { createLegacyMetricsPlugin } from '../test/metrics/fixtures/legacy-metrics-plugin.js';
import { loadLine, machineLine, median } from './support.js';

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '200000' },
    rounds: { type: 'string', default: '5' },
  },
});
const loadBefore = loadLine();
const calls = Number(values.calls);
const rounds = Number(values.rounds);

const config = resolveConfig({
  providers: { anthropic: { type: 'anthropic', apiKey: 'sim-key', baseUrl: 'http://sim' } },
  routes: { claude: { targets: [{ provider: 'anthropic', model: 'claude-2.0' }] } },
  pricing: { 'claude-2.0': { input: 8, output: 24 } },
});

const target = { provider: 'anthropic', model: 'claude-2.0' };
const attempt = { target, route: 'claude', outcome: 'ok' as const, status: 200, ms: 3 };
const request = { model: 'claude', system: 'Be terse.', messages: [{ role: 'user' as const, content: 'question' }], maxTokens: 256, temperature: 0 };
const options = { user: 'bench-user', tenant: 'bench-tenant' };
const usage = { inputTokens: 12, outputTokens: 4, totalTokens: 16 };
const start: RouterEvents['call-start'] = { requestId: 'r1', route: 'claude', mode: 'chat', request, options };
const attemptEvent: RouterEvents['attempt'] = { requestId: 'r1', attempt };
/** Latencies spread over the duration buckets, so the bucket search is not always the first. */
const ends: RouterEvents['call-end'][] = [12, 80, 300, 900, 2_000, 7_000, 45_000, 400_000].map((latencyMs) => ({
  requestId: 'r1',
  route: 'claude',
  mode: 'chat',
  request,
  options,
  latencyMs,
  attempts: [attempt],
  notes: {},
  response: {
    id: 'msg_1',
    text: 'Echo: question',
    toolCalls: [],
    reasoning: [],
    message: { role: 'assistant', content: 'Echo: question' },
    finishReason: 'stop',
    usage,
    route: 'claude',
    target,
    attempts: [attempt],
    latencyMs,
    requestId: 'r1',
    cached: false,
  },
}));

/** A hub with `plugin` attached (its registry is returned for the comparison). */
function hubWith(plugin: RouterPlugin): RouterEventHub {
  const events = new RouterEventHub();
  plugin.attach?.({} as Router, { events, mirror: () => Promise.reject(new Error('unused')) });
  return events;
}

function emitCalls(events: RouterEventHub, count: number): void {
  for (let index = 0; index < count; index += 1) {
    events.emit('call-start', start);
    events.emit('attempt', attemptEvent);
    events.emit('call-end', ends[index % ends.length] as RouterEvents['call-end']);
  }
}

/** CPU and wall microseconds per call over `calls` calls. */
function measure(events: RouterEventHub): { cpuUs: number; wallUs: number } {
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  emitCalls(events, calls);
  const wallUs = ((performance.now() - started) * 1000) / calls;
  const cpu = process.cpuUsage(cpuBefore);
  return { cpuUs: (cpu.user + cpu.system) / calls, wallUs };
}

const noop = (): void => undefined;
const floor = new RouterEventHub();
for (const event of ['call-start', 'attempt', 'call-end'] as const) floor.on(event, noop);

const oldRegistry = new Registry();
const newRegistry = new Registry();
const runners = [
  { name: 'events only (no-op listeners)', events: floor },
  { name: 'old: prom-client labelled children', events: hubWith(createLegacyMetricsPlugin({ config, registry: oldRegistry })) },
  { name: 'new: series resolved once', events: hubWith(createMetricsPlugin({ config, registry: newRegistry })) },
];

for (const runner of runners) emitCalls(runner.events, Math.min(calls, 50_000)); // warm-up
const results = new Map(runners.map((runner) => [runner.name, { cpu: [] as number[], wall: [] as number[] }]));
for (let round = 0; round < rounds; round += 1) {
  for (const runner of runners) {
    const { cpuUs, wallUs } = measure(runner.events);
    results.get(runner.name)?.cpu.push(cpuUs);
    results.get(runner.name)?.wall.push(wallUs);
  }
}

const floorCpu = median(results.get(runners[0]?.name ?? '')?.cpu ?? []);
const [oldText, newText] = await Promise.all([oldRegistry.metrics(), newRegistry.metrics()]);
console.log(
  [
    '## Metrics plugin cost per call',
    '',
    `Machine: ${machineLine()}. Command: \`npx tsx bench/metrics-cost.ts --calls ${calls} --rounds ${rounds}\`, ${new Date().toISOString().slice(0, 10)}.`,
    `Load before the run: ${loadBefore}.`,
    '',
    `One call = call-start + attempt + call-end events (8 series updated). ${calls} calls per implementation and round, median of ${rounds} rounds.`,
    '',
    '| implementation | CPU µs per call | wall µs per call | CPU µs above events only |',
    '| --- | --- | --- | --- |',
    ...runners.map((runner) => {
      const result = results.get(runner.name) ?? { cpu: [], wall: [] };
      const cpu = median(result.cpu);
      return `| ${runner.name} | ${cpu.toFixed(3)} | ${median(result.wall).toFixed(3)} | ${(cpu - floorCpu).toFixed(3)} |`;
    }),
    '',
    `Expositions of old and new after the run: ${oldText === newText ? 'byte-identical' : 'DIFFERENT'} (${oldText.length} bytes).`,
  ].join('\n'),
);
if (oldText !== newText) process.exitCode = 1;
