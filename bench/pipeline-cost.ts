/**
 * `npx tsx bench/pipeline-cost.ts`: Switchyard's own CPU cost per call, with no network at all.
 *
 * Every router here sends through an in-memory transport that answers at once with a canned
 * Anthropic Messages body, so what is measured is the library's code on the call path: validation,
 * routing, stages, the adapter's mapping and JSON work. The baseline does what a hand-written client
 * does with the same transport (stringify the body, parse the answer). Configurations add one
 * feature at a time, so the differences attribute the cost.
 *
 * Usage: `npx tsx bench/pipeline-cost.ts [--calls 5000 --rounds 11 --only full --dist --write]` (`--only`
 * keeps the baseline and the configurations whose name contains the text, handy under `--cpu-prof`;
 * `--write` replaces the pipeline-cost section of docs/benchmarks.md).
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { SwitchyardConfigInput } from '../src/config/index.js';
import type { createRouter as CreateRouter, CreateRouterOptions } from '../src/create-router.js';
import type { HttpBody, HttpExchange, HttpRequest, HttpResponse, HttpTransport } from '../src/http/transport.js';
import { loadLine, machineLine, median, runLoad, writeDocSection } from './support.js';

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '5000' },
    rounds: { type: 'string', default: '11' },
    only: { type: 'string' },
    write: { type: 'boolean', default: false },
    /** Measure the built package (`npm run build` first) instead of the sources through tsx. */
    dist: { type: 'boolean', default: false },
    /** Calls in flight at once (1 = sequential). With more, calls interleave as they do under load. */
    concurrency: { type: 'string', default: '1' },
    /** Let the transport answer on a later turn of the event loop (setImmediate), as a socket would. */
    deferred: { type: 'boolean', default: false },
  },
});
const { createRouter } = (values.dist ? await import(new URL('../dist/index.js', import.meta.url).href) : await import('../src/create-router.js')) as { createRouter: typeof CreateRouter };
const loadBefore = loadLine();
const calls = Number(values.calls);
const rounds = Number(values.rounds);
const concurrency = Number(values.concurrency);

/** An Anthropic Messages answer, as the simulator would send it. */
function answerText(question: string): string {
  return JSON.stringify({
    id: 'msg_1',
    type: 'message',
    role: 'assistant',
    model: 'claude-2.0',
    content: [{ type: 'text', text: `Echo: ${question}` }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: 12, output_tokens: 4 },
  });
}

function bodyOf(text: string): HttpBody {
  return {
    text: () => Promise.resolve(text),
    json: () => Promise.resolve(JSON.parse(text) as unknown),
    dump: () => Promise.resolve(),
    async *[Symbol.asyncIterator]() {
      yield Buffer.from(text);
    },
  };
}

/** The canned answer to a request: it echoes the last user message. */
function answerTo(request: HttpRequest): string {
  const parsed = JSON.parse(request.body ?? '{}') as { messages?: { content: unknown }[] };
  const last = parsed.messages?.at(-1)?.content;
  return answerText(typeof last === 'string' ? last : '');
}

/** Resolves with `value` at once, or on a later turn of the event loop with `--deferred`. */
function answerWith<T>(value: T): Promise<T> {
  if (!values.deferred) return Promise.resolve(value);
  return new Promise((resolve) => setImmediate(resolve, value));
}

const ANSWER_HEADERS = { 'content-type': 'application/json', 'request-id': 'req_1' };

/** A transport that answers every request at once, both ways the real one does (`send`, `exchange`). */
function createInstantTransport(): HttpTransport {
  return {
    send: (request: HttpRequest): Promise<HttpResponse> => answerWith({ status: 200, headers: ANSWER_HEADERS, body: bodyOf(answerTo(request)) }),
    exchange: (request: HttpRequest): Promise<HttpExchange> => answerWith({ status: 200, headers: ANSWER_HEADERS, text: answerTo(request) }),
    close: () => Promise.resolve(),
  };
}

let sequence = 0;
const question = (): string => {
  sequence += 1;
  return `question ${sequence}`;
};

/** A hand-written client cancels nothing: one signal that never aborts, not a controller per call. */
const NEVER_ABORTED = new AbortController().signal;

/** What a hand-written client does per call with the same transport. */
async function baselineCall(transport: HttpTransport): Promise<void> {
  const response = await transport.send({
    url: 'http://sim/v1/messages',
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': 'sim-key', 'anthropic-version': '2023-06-01' },
    body: JSON.stringify({ model: 'claude-2.0', max_tokens: 256, temperature: 0, system: 'Be terse.', messages: [{ role: 'user', content: question() }] }),
    signal: NEVER_ABORTED,
  });
  const json = (await response.body.json()) as { content: { text: string }[] };
  if (typeof json.content[0]?.text !== 'string') throw new Error('baseline call failed');
}

const provider = { anthropic: { type: 'anthropic' as const, apiKey: 'sim-key', baseUrl: 'http://sim' } };
const routes = { claude: { targets: [{ provider: 'anthropic', model: 'claude-2.0' }] } };
const fullPolicies = {
  timeout: { connect: '5s', firstByte: '30s', idle: '30s', total: '120s' },
  retry: { attempts: 3, minDelay: '2s', maxDelay: '10s' },
  breaker: { errorRate: 0.15, minRequests: 20, window: '60s', openFor: '30s' },
  rateLimit: { global: { rps: 1_000_000 }, perUser: { concurrency: 1_000 }, perTenant: { rpm: 100_000_000 } },
  cache: { ttl: '600s', keyPrefix: 'claude:', maxEntries: 10_000 },
};

/** One configuration: a config and router options. */
interface Setup {
  readonly name: string;
  readonly config: SwitchyardConfigInput;
  readonly options: CreateRouterOptions;
}

const setups: readonly Setup[] = [
  {
    name: 'router, breaker off, no metrics, no tracing',
    config: { providers: provider, routes, policies: { breaker: { enabled: false } }, metrics: { enabled: false } },
    options: { tracing: false },
  },
  { name: '+ breaker', config: { providers: provider, routes, metrics: { enabled: false } }, options: { tracing: false } },
  { name: '+ breaker + metrics', config: { providers: provider, routes }, options: { tracing: false } },
  { name: '+ breaker + metrics + tracing (no OTel SDK registered)', config: { providers: provider, routes }, options: {} },
  { name: 'defaults + rate limits', config: { providers: provider, routes, policies: { ...fullPolicies, cache: undefined } }, options: {} },
  { name: 'defaults + cache (miss every call)', config: { providers: provider, routes, policies: { ...fullPolicies, rateLimit: undefined } }, options: {} },
  { name: 'full pipeline, as `npm run bench`', config: { providers: provider, routes, policies: fullPolicies }, options: {} },
];

/** Wall and CPU time per call over `calls` calls (`concurrency` at a time), in µs. */
async function measure(call: () => Promise<void>): Promise<{ meanUs: number; cpuUs: number }> {
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  if (concurrency <= 1) {
    for (let index = 0; index < calls; index += 1) await call();
  } else {
    await runLoad(calls, concurrency, call);
  }
  const elapsed = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  return { meanUs: (elapsed * 1000) / calls, cpuUs: (cpu.user + cpu.system) / calls };
}

const transport = createInstantTransport();
const who = { user: 'bench-user', tenant: 'bench-tenant' };
const runners: { name: string; call: () => Promise<void>; close: () => Promise<void> }[] = [
  { name: 'baseline: stringify + instant transport + parse', call: () => baselineCall(transport), close: () => Promise.resolve() },
  ...setups.filter((setup) => values.only === undefined || setup.name.includes(values.only)).map((setup) => {
    const router = createRouter(setup.config, { ...setup.options, transport: createInstantTransport() });
    return {
      name: setup.name,
      call: async () => {
        const response = await router.chat({ model: 'claude', system: 'Be terse.', messages: [{ role: 'user', content: question() }], maxTokens: 256, temperature: 0 }, who);
        if (typeof response.text !== 'string') throw new Error('router call failed');
      },
      close: () => router.close(),
    };
  }),
];

for (const runner of runners) await measure(runner.call); // warm-up
const results = new Map<string, number[]>(runners.map((runner) => [runner.name, []]));
for (let round = 0; round < rounds; round += 1) {
  for (const runner of runners) results.get(runner.name)?.push((await measure(runner.call)).cpuUs);
}
for (const runner of runners) await runner.close();

const baseline = median(results.get(runners[0]?.name ?? '') ?? []);
const command = `npx tsx bench/pipeline-cost.ts --calls ${calls} --rounds ${rounds}${concurrency > 1 ? ` --concurrency ${concurrency}` : ''}${values.deferred ? ' --deferred' : ''}${values.dist ? ' --dist' : ''}${values.only === undefined ? '' : ` --only '${values.only}'`}`;
const report = [
  '<!-- pipeline-cost:start -->',
  '## Pipeline cost per feature',
  '',
  `Machine: ${machineLine()}. Command: \`${command}\`, ${new Date().toISOString().slice(0, 10)}.`,
  `Load before the run: ${loadBefore}.`,
  '',
  'No network: every router sends through an in-memory transport that answers at once with a canned',
  'Anthropic Messages body, so the time is the library\'s own code (validation, routing, stages, the',
  "adapter's mapping, JSON work). The baseline is what a hand-written client does with the same",
  `transport (stringify the body, parse the answer). ${concurrency <= 1 ? `${calls} sequential calls` : `${calls} calls, ${concurrency} at a time,`} per configuration and round${values.deferred ? ' (answers on a later turn of the event loop)' : ''},`,
  `median of ${rounds} rounds; every call asks a new question, so the cache misses every time. Time is the`,
  "process's CPU time (user + system) per call, which other work on the machine disturbs less than wall time.",
  '',
  '| configuration | CPU µs per call | added to baseline |',
  '| --- | --- | --- |',
  ...runners.map((runner) => {
    const value = median(results.get(runner.name) ?? []);
    return `| ${runner.name} | ${value.toFixed(1)} | ${(value - baseline).toFixed(1)} |`;
  }),
  '<!-- pipeline-cost:end -->',
].join('\n');
console.log(report);
if (values.write) writeDocSection('pipeline-cost', report);
