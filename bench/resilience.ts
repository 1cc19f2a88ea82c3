/**
 * `npm run bench:resilience`: the reference article's situation, replayed against the simulator.
 *
 * The article reports P99 1.2 s → 0.8 s and errors −60 % after adding its policies (retries with
 * exponential backoff, a 15 % error-rate breaker open for 30 s, timeouts, a unified routing layer).
 * Here a primary target fails about 15 % of calls (random 500/503/529 plus scheduled 429/529 bursts
 * with `retry-after`) and has a slow tail; a secondary on another provider is healthy. Every client
 * gets the same open-loop load (a fixed arrival rate), against a fresh simulator with the same seed:
 *
 * - plain: `@anthropic-ai/sdk` with `maxRetries: 0`, primary only — a client with no policies;
 * - SDK retries: `@anthropic-ai/sdk` with its defaults (2 retries, 0.5–8 s backoff honouring
 *   `retry-after`), primary only;
 * - Switchyard: the article's policies — the primary route falls back to a route on the secondary,
 *   3 attempts with exponential backoff and full jitter, breaker at 15 % over 20+ calls in 60 s,
 *   open 30 s, the article's timeouts and global/per-user limits;
 * - Switchyard without breaker: the same with the breaker off, to show what retries and the fallback
 *   do on their own;
 * - Switchyard with the secondary as a weight-0 target of the primary's route instead of a fallback
 *   route (the other way to configure a spare).
 * All clients run side by side, each against its own simulator child process (see
 * `bench/resilience-scenario.ts` for the situation), so the whole run takes about 70 s.
 *
 * Switchyard's retry delays are scaled by `--delay-scale` (default 0.25: the article's 2 s–10 s
 * become 500 ms–2.5 s, next to the SDK's own first backoff of 0.5 s); the report says so.
 *
 * Usage: `npm run bench:resilience [-- --calls 2400 --rate 40 --delay-scale 0.25 --seed 42 --write --verbose]`;
 * `--verbose` prints the slowest calls of each client with every try (to stderr).
 */
import Anthropic from '@anthropic-ai/sdk';
import { VERSION as ANTHROPIC_SDK_VERSION } from '@anthropic-ai/sdk/version';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createRouter } from '../src/create-router.js';
import type { SwitchyardConfigInput } from '../src/config/index.js';
import { SwitchyardError } from '../src/errors.js';
import { PRIMARY, resilienceScenario, SECONDARY, seededRandom } from './resilience-scenario.js';
import type { ModelStats } from './resilience-simulator-process.js';
import { loadLine, machineLine, startBenchProcess, writeDocSection, type BenchProcess } from './support.js';

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '2400' },
    rate: { type: 'string', default: '40' },
    'delay-scale': { type: 'string', default: '0.25' },
    seed: { type: 'string', default: '42' },
    write: { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
  },
});
const calls = Number(values.calls);
const rate = Number(values.rate);
const delayScale = Number(values['delay-scale']);
const seed = Number(values.seed);
const loadBefore = loadLine();
const apiKey = 'sim-key';
const scenario = resilienceScenario(seed);

/** One call's outcome as the caller saw it. */
interface Outcome {
  readonly ok: boolean;
  readonly ms: number;
  /** Error kind when it failed (status or category). */
  readonly error?: string;
  /** Served by the secondary. */
  readonly secondary?: boolean;
  /** When it was sent, in ms from the start of the load. */
  readonly sentAt?: number;
  /** Switchyard: each try's target and outcome, for `--verbose`. */
  readonly path?: string;
}

/** A client under test, built against a fresh simulator. */
interface Variant {
  readonly name: string;
  readonly build: (url: string) => Client;
}

/** A built client. */
interface Client {
  /** Warms connections and code paths with calls to models outside the scenario (never failing). */
  warmUp(): Promise<void>;
  /** Marks the start of the load, for times in notes. */
  start(at: number): void;
  call(index: number): Promise<Outcome>;
  close(): Promise<void>;
  notes(): string;
}

/** Models the scenario leaves alone: the simulator answers them at once and never fails. */
const WARM_UP_PRIMARY = 'claude-warm-up';
const WARM_UP_SECONDARY = 'gpt-warm-up';

/** Runs `total` calls of `call`, `concurrency` at a time. */
async function warmUpWith(call: (index: number) => Promise<unknown>, total = 200, concurrency = 10): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        next += 1;
        await call(next);
      }
    }),
  );
}

const question = (index: number): { role: 'user'; content: string }[] => [{ role: 'user', content: `question ${index}` }];

function sdkVariant(name: string, maxRetries: number | undefined): Variant {
  return {
    name,
    build(url) {
      // This SDK version sends the key as a bearer token; the simulator checks `x-api-key`.
      const client = new Anthropic({ baseURL: url, apiKey, defaultHeaders: { 'x-api-key': apiKey }, ...(maxRetries === undefined ? {} : { maxRetries }) });
      return {
        async warmUp() {
          await warmUpWith((index) => client.messages.create({ model: WARM_UP_PRIMARY, max_tokens: 256, messages: question(index) }));
        },
        start: () => undefined,
        async call(index) {
          const started = performance.now();
          try {
            await client.messages.create({ model: PRIMARY, max_tokens: 256, messages: question(index) });
            return { ok: true, ms: performance.now() - started };
          } catch (error) {
            const status = error instanceof Anthropic.APIError ? String(error.status) : 'network';
            return { ok: false, ms: performance.now() - started, error: status };
          }
        },
        close: () => Promise.resolve(),
        notes: () => '',
      };
    },
  };
}

/** How the secondary is reached: a fallback route (tried after the primary route's attempts) or a weight-0 target of the same route (tried at once on the first retry). */
type SecondaryPlacement = 'fallback-route' | 'same-route';

function switchyardVariant(name: string, breaker: boolean, placement: SecondaryPlacement): Variant {
  return {
    name,
    build(url) {
      const scaled = (ms: number): string => `${Math.round(ms * delayScale)}ms`;
      const config: SwitchyardConfigInput = {
        providers: {
          anthropic: { type: 'anthropic', apiKey, baseUrl: url, pool: { connections: 100, keepAliveTimeout: '300s' } },
          openai: { type: 'openai', apiKey, baseUrl: `${url}/v1`, pool: { connections: 100, keepAliveTimeout: '300s' } },
        },
        routes:
          placement === 'fallback-route'
            ? {
                claude: { targets: [{ provider: 'anthropic', model: PRIMARY }], fallbacks: ['backup'] },
                backup: { targets: [{ provider: 'openai', model: SECONDARY }] },
                'warm-up': { targets: [{ provider: 'anthropic', model: WARM_UP_PRIMARY }], fallbacks: ['warm-up-secondary'] },
                'warm-up-secondary': { targets: [{ provider: 'openai', model: WARM_UP_SECONDARY }] },
              }
            : {
                claude: {
                  targets: [
                    { provider: 'anthropic', model: PRIMARY, weight: 100 },
                    { provider: 'openai', model: SECONDARY, weight: 0 },
                  ],
                },
                'warm-up': { targets: [{ provider: 'anthropic', model: WARM_UP_PRIMARY }], fallbacks: ['warm-up-secondary'] },
                'warm-up-secondary': { targets: [{ provider: 'openai', model: WARM_UP_SECONDARY }] },
              },
        policies: {
          timeout: { connect: '5s', firstByte: '30s', idle: '30s', total: '120s' },
          retry: { attempts: 3, minDelay: scaled(2_000), maxDelay: scaled(10_000), factor: 2, jitter: 'full', on: ['rate_limit', 'overloaded', 'server', 'timeout', 'network'], budget: 0.2 },
          breaker: { enabled: breaker, errorRate: 0.15, minRequests: 20, window: '60s', openFor: '30s', halfOpenProbes: 1 },
          rateLimit: { global: { rps: 50 }, perUser: { concurrency: 5 }, wait: '0s' },
        },
      };
      const router = createRouter(config, { random: seededRandom(seed) });
      const changes: string[] = [];
      let startedAt = performance.now();
      router.on('breaker-change', (change) => changes.push(`${((performance.now() - startedAt) / 1000).toFixed(1)} s ${change.target} ${change.from}→${change.to}`));
      return {
        async warmUp() {
          // A throwaway router: the code paths get warm, while the measured router's retry budget and
          // breakers start from nothing.
          const warm = createRouter({ ...config, policies: { ...config.policies, rateLimit: undefined } });
          await warmUpWith((index) => warm.chat({ model: 'warm-up', messages: question(index), maxTokens: 256 }, { user: `user-${index % 200}` }));
          await warmUpWith((index) => warm.chat({ model: 'warm-up-secondary', messages: question(index), maxTokens: 256 }, { user: `user-${index % 200}` }));
          await warm.close();
        },
        start(at) {
          startedAt = at;
        },
        async call(index) {
          const started = performance.now();
          try {
            const response = await router.chat({ model: 'claude', messages: question(index), maxTokens: 256 }, { user: `user-${index % 200}`, tenant: 'prod-claude-app' });
            const path = response.attempts.map((attempt) => `${attempt.target.model}:${attempt.outcome}:${attempt.ms.toFixed(0)}`).join(' ');
            return { ok: true, ms: performance.now() - started, secondary: response.target.model === SECONDARY, sentAt: started - startedAt, path };
          } catch (error) {
            // The category, marked when it was the retry budget (not the upstream) that ended the call.
            const category = SwitchyardError.isInstance(error) ? `${error.category}${error.message.includes('retry budget exhausted') ? ' (retry budget exhausted)' : ''}` : 'unknown';
            const path = SwitchyardError.isInstance(error) ? error.attempts.map((attempt) => `${attempt.target.model}:${attempt.outcome}:${attempt.ms.toFixed(0)}`).join(' ') : '';
            return { ok: false, ms: performance.now() - started, error: category, sentAt: started - startedAt, path };
          }
        },
        close: () => router.close(),
        notes: () => (changes.length === 0 ? 'breaker never changed state' : `breaker: ${changes.join('; ')}`),
      };
    },
  };
}

const variants: readonly Variant[] = [
  sdkVariant('plain client (Anthropic SDK, maxRetries 0)', 0),
  sdkVariant(`Anthropic SDK ${ANTHROPIC_SDK_VERSION}, built-in retries (default maxRetries 2)`, undefined),
  switchyardVariant("Switchyard, the article's policies (secondary as fallback route)", true, 'fallback-route'),
  switchyardVariant('Switchyard, same without the breaker', false, 'fallback-route'),
  switchyardVariant('Switchyard, same policies, secondary as weight-0 target of the route', true, 'same-route'),
];

/** The result of one variant's run. */
interface VariantResult {
  readonly name: string;
  readonly outcomes: readonly Outcome[];
  readonly upstream: Readonly<Record<string, ModelStats>>;
  readonly seconds: number;
  readonly notes: string;
}

function sleepUntil(at: number): Promise<void> {
  const wait = at - performance.now();
  return wait > 0 ? new Promise((resolve) => setTimeout(resolve, wait)) : Promise.resolve();
}

/** Runs one client's load against its simulator, starting at `startAt` (performance.now() time). */
async function runLoadFor(variant: Variant, client: Client, simulator: BenchProcess, startAt: number): Promise<VariantResult> {
  client.start(startAt);
  const outcomes: Outcome[] = [];
  const pending: Promise<void>[] = [];
  const intervalMs = 1000 / rate;
  for (let index = 0; index < calls; index += 1) {
    await sleepUntil(startAt + index * intervalMs);
    pending.push(client.call(index).then((outcome) => void outcomes.push(outcome)));
  }
  await Promise.all(pending);
  const seconds = (performance.now() - startAt) / 1000;
  const notes = client.notes();
  await client.close();
  const output = await simulator.stop();
  const statsLine = /STATS (.*)/.exec(output)?.[1];
  const upstream = statsLine === undefined ? {} : (JSON.parse(statsLine) as Record<string, ModelStats>);
  console.error(`${variant.name}: ${outcomes.filter((outcome) => !outcome.ok).length} errors of ${calls}, ${seconds.toFixed(1)} s`);
  return { name: variant.name, outcomes, upstream, seconds, notes };
}

// One simulator per client, all started first; then every client's load and every simulator's burst
// clock start at the same moment, so the clients run side by side through the same situation.
const runStarted = performance.now();
const simulators: BenchProcess[] = [];
process.on('exit', () => {
  for (const simulator of simulators) simulator.kill();
});
for (const _variant of variants) {
  simulators.push(await startBenchProcess(new URL('./resilience-simulator-process.ts', import.meta.url), { RESILIENCE_SCENARIO: JSON.stringify(scenario) }));
}
const clients = variants.map((variant, index) => variant.build((simulators[index] as BenchProcess).url));
for (const client of clients) await client.warmUp();
const leadMs = 500;
const goAt = Date.now() + leadMs;
const startAt = performance.now() + leadMs;
for (const simulator of simulators) simulator.send(`GO ${goAt}`);
const results = await Promise.all(variants.map((variant, index) => runLoadFor(variant, clients[index] as Client, simulators[index] as BenchProcess, startAt)));
const totalSeconds = (performance.now() - runStarted) / 1000;

function percentile(sorted: readonly number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? 0;
}

interface Summary {
  readonly errorRate: number;
  readonly p50: number;
  readonly p99: number;
  readonly errors: string;
  readonly secondaryShare: number;
  readonly upstreamCalls: number;
  readonly upstreamErrors: number;
}

function summariseVariant(result: VariantResult): Summary {
  const sorted = result.outcomes.map((outcome) => outcome.ms).sort((left, right) => left - right);
  const failures = result.outcomes.filter((outcome) => !outcome.ok);
  const byKind = new Map<string, number>();
  for (const failure of failures) byKind.set(failure.error ?? '?', (byKind.get(failure.error ?? '?') ?? 0) + 1);
  let upstreamCalls = 0;
  let upstreamErrors = 0;
  for (const model of [PRIMARY, SECONDARY]) {
    const stats = result.upstream[model];
    if (stats === undefined) continue;
    upstreamCalls += stats.requests;
    for (const [status, count] of Object.entries(stats.statuses)) if (status !== '200') upstreamErrors += count;
  }
  return {
    errorRate: failures.length / result.outcomes.length,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    errors: [...byKind].map(([kind, count]) => `${kind}: ${count}`).join(', ') || 'none',
    secondaryShare: result.outcomes.filter((outcome) => outcome.secondary === true).length / result.outcomes.length,
    upstreamCalls,
    upstreamErrors,
  };
}

if (values.verbose) {
  for (const result of results) {
    console.error(`\n${result.name}: slowest calls`);
    const slowest = [...result.outcomes].sort((left, right) => right.ms - left.ms).slice(0, Math.ceil(result.outcomes.length / 100) + 5);
    for (const outcome of slowest) console.error(`  ${outcome.ms.toFixed(0)} ms${outcome.sentAt === undefined ? '' : ` sent at ${(outcome.sentAt / 1000).toFixed(2)} s`} ${outcome.ok ? 'ok' : outcome.error} ${outcome.path ?? ''}`);
  }
}

const summaries = results.map(summariseVariant);
const plain = summaries[0] as Summary;
const percent = (value: number): string => `${(value * 100).toFixed(1)} %`;
const change = (value: number, base: number): string => (base === 0 ? '–' : `${value <= base ? '−' : '+'}${Math.abs((1 - value / base) * 100).toFixed(0)} %`);
const ms = (value: number): string => `${value.toFixed(0)} ms`;

const rows = results.map((result, index) => {
  const summary = summaries[index] as Summary;
  return `| ${result.name} | ${percent(summary.errorRate)} (${change(summary.errorRate, plain.errorRate)}) | ${ms(summary.p50)} | ${ms(summary.p99)} (${change(summary.p99, plain.p99)}) | ${percent(summary.secondaryShare)} | ${summary.upstreamCalls} (${summary.upstreamErrors} failed) |`;
});
/** The target's verdict for one row. */
function verdictFor(index: number): string {
  const summary = summaries[index] as Summary;
  const errorsDown = plain.errorRate === 0 ? 1 : 1 - summary.errorRate / plain.errorRate;
  const p99Down = 1 - summary.p99 / plain.p99;
  return `errors ${change(summary.errorRate, plain.errorRate)} (${errorsDown >= 0.95 ? 'met' : 'not met'}), p99 ${change(summary.p99, plain.p99)} (${p99Down >= 0.4 ? 'met' : 'not met'})`;
}
const verdict = [
  'Target: errors down ≥ 95 % and p99 down ≥ 40 % against the plain client.',
  `- Switchyard with the article's layout (secondary as a fallback route): ${verdictFor(2)}.`,
  `- Switchyard with the secondary as a weight-0 target of the route: ${verdictFor(4)}.`,
  `- For comparison, the SDK's built-in retries: ${verdictFor(1)}.`,
].join('\n');

const primaryBehavior = scenario.models[PRIMARY] ?? {};
const burst = scenario.bursts[0];
const command = `npm run bench:resilience -- --calls ${calls} --rate ${rate} --delay-scale ${delayScale} --seed ${seed}`;
const report = [
  '<!-- resilience:start -->',
  '## Resilience: the reference article\'s situation',
  '',
  `Machine: ${machineLine()}. Command: \`${command}\`, ${new Date().toISOString().slice(0, 10)}; ${totalSeconds.toFixed(0)} s in all.`,
  `Load before the run: ${loadBefore} (other work shared the machine; at ${rate} calls/s the clients are nowhere near CPU-bound).`,
  '',
  'The article reports P99 1.2 s → 0.8 s and errors −60 % after adding its policies. The situation,',
  'replayed with the simulator in a child process (a fresh one per client, same seed, same schedule):',
  '',
  `- primary \`anthropic/${PRIMARY}\`: ${primaryBehavior.latencyMs} ms per call; ${percent(primaryBehavior.errorRate ?? 0)} of calls fail at random with 500, 503 or 529 (503/529 with \`retry-after: 1\`); ` +
    `a slow tail of +${primaryBehavior.slowTail?.extraMs} ms on ${percent(primaryBehavior.slowTail?.probability ?? 0)} of calls;`,
  `- overload bursts on the primary: every ${(burst?.everyMs ?? 0) / 1000} s, for ${burst?.forMs} ms, every call fails with 429 or 529 and \`retry-after: 1\`` +
    ` (about 15 % failed calls in all, as the article's breaker threshold suggests);`,
  `- secondary \`openai/${SECONDARY}\` (another provider): ${scenario.models[SECONDARY]?.latencyMs} ms per call, no failures;`,
  `- load: ${calls} calls per client at a fixed ${rate} calls/s (open loop: arrivals do not wait for answers), distinct questions, 200 users.`,
  '',
  '| client | caller-visible errors (vs plain) | p50 | p99 (vs plain) | served by secondary | upstream calls (failed) |',
  '| --- | --- | --- | --- | --- | --- |',
  ...rows,
  '',
  verdict,
  '',
  'Latencies cover every call, failed ones included (a failure is seen when the client gives up).',
  'Errors by kind (HTTP status for the SDK, category for Switchyard):',
  '',
  ...results.map((result, index) => `- ${result.name}: ${(summaries[index] as Summary).errors}.${result.notes === '' ? '' : ` ${result.notes}.`}`),
  '',
  "Switchyard's policies, from the article: route `claude` → primary, falling back to route `backup` →",
  `secondary; retry 3 attempts, exponential backoff with full jitter, factor 2, budget 0.2; breaker`,
  'error rate 0.15 over ≥ 20 calls in a 60 s window, open 30 s, one half-open probe; timeouts connect',
  '5 s, first byte 30 s, idle 30 s, total 120 s (none fires here: the slow tail is 1.25 s); rate limits',
  'global 50 calls/s and 5 concurrent calls per user (never reached at this load); no cache (every',
  'question differs).',
  'The weight-0 variant has one route with both targets (primary weight 100, secondary weight 0) and',
  'the same policies.',
  `**Scaled:** Switchyard's retry delays are the article's × ${delayScale} (min ${Math.round(2_000 * delayScale)} ms, max ${Math.round(10_000 * delayScale)} ms instead of 2 s and 10 s),`,
  "to keep the run short and the backoff comparable to the SDK's own first one (0.5 s); `retry-after`",
  'from the simulator is honoured unscaled (1 s) by both the SDK and Switchyard; the breaker keeps the',
  "article's 60 s window and 30 s open period.",
  'The SDK uses its own built-in backoff (0.5 s doubling to 8 s, up to 25 % jitter; not seeded).',
  '',
  'What the rows show (see `--verbose` for the slowest calls of each client, with every try):',
  '',
  '- Retries alone (the SDK) remove nearly every error but make the tail worse: a call that fails and',
  '  is retried pays the failed try, the `retry-after` wait (1 s here) and the next try, so p99 is',
  "  about two failed tries' worth of waiting. They also send more calls to the failing provider (the",
  '  upstream column).',
  '- Switchyard moves a failed call to the secondary at once whenever one is configured (as a fallback',
  '  route or as a weight-0 target of the route), instead of waiting out backoff and `retry-after` on',
  '  the primary, so a failed call costs one failed try plus one call to the secondary. Without the',
  "  breaker the primary's own slow tail (3 % of calls) still reaches the caller and sets p99; any errors",
  '  that remain are calls the retry budget refused (marked in the list above).',
  '- With the 15 % breaker, a primary that fails about 15 % of calls is cut off almost as soon as 20',
  '  calls are in the window; it stays open 30 s, one probe decides whether it closes, and it opens',
  '  again within seconds. Most calls then go straight to the healthy secondary (the "served by',
  '  secondary" column): the p99 gain is largely the breaker moving traffic away, at the price of the',
  '  secondary serving nearly everything.',
  '<!-- resilience:end -->',
].join('\n');
console.log(report);
if (values.write) writeDocSection('resilience', report);
