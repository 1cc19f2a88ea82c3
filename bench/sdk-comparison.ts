/**
 * `npm run bench:sdks`: what each client costs on the same simulator child process, same run.
 *
 * Clients, all non-streaming, all asking for the same short answer:
 * - raw undici: a `Pool` posting Anthropic Messages requests (the floor every ratio is taken against);
 * - Switchyard: `createRouter` with the whole pipeline on, as in `bench/overhead.ts` (cache missing
 *   on every call, rate limits with room to spare, breaker, retry, timeouts);
 * - `@anthropic-ai/sdk`: `messages.create` with `maxRetries: 0`;
 * - `openai`: `chat.completions.create` against the simulator's Chat Completions endpoint;
 * - AI SDK: `generateText` with `@ai-sdk/anthropic`, `maxRetries: 0`.
 *
 * Measured per client: p50/p99 latency at concurrency 1, and throughput at saturation (concurrency
 * 64). Each round runs every client once, in an order rotated by one each round, so that drift on a
 * shared machine is spread over all of them; throughput is the median over rounds.
 *
 * Usage: `npm run bench:sdks [-- --calls 1000 --rounds 3 --concurrency 64 --write]`; `--write`
 * replaces the sdks section of docs/benchmarks.md.
 */
import { createAnthropic } from '@ai-sdk/anthropic';
import Anthropic from '@anthropic-ai/sdk';
import { VERSION as ANTHROPIC_SDK_VERSION } from '@anthropic-ai/sdk/version';
import { generateText } from 'ai';
import OpenAI from 'openai';
import { VERSION as OPENAI_SDK_VERSION } from 'openai/version';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { createRouter } from '../src/create-router.js';
import { loadLine, machineLine, median, runLoad, sequential, startSimulatorProcess, summarise, writeDocSection, type LatencySummary } from './support.js';

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '1000' },
    rounds: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '64' },
    write: { type: 'boolean', default: false },
  },
});
const calls = Number(values.calls);
const rounds = Number(values.rounds);
const concurrency = Number(values.concurrency);
const loadBefore = loadLine();

const simulator = await startSimulatorProcess();
// If this process dies early, take the simulator child down with it (the kill is sent synchronously).
process.on('exit', () => void simulator.stop());
const apiKey = 'sim-key';
const system = 'Be terse.';
const maxTokens = 256;
let sequence = 0;
/** A fresh question per call, so nothing along the way can answer from a cache. */
function question(): string {
  sequence += 1;
  return `question ${sequence}`;
}

/** One client under test: a name, what its version is, and one call that throws unless answered. */
interface Client {
  readonly name: string;
  readonly call: () => Promise<void>;
  readonly close: () => Promise<void>;
}

function expectText(text: unknown, client: string): void {
  if (typeof text !== 'string' || !text.startsWith('Echo: ')) throw new Error(`${client}: unexpected answer ${JSON.stringify(text)}`);
}

const rawPool = new Pool(simulator.url, { connections: 100, keepAliveTimeout: 300_000 });
const rawHeaders = { 'content-type': 'application/json', 'x-api-key': apiKey, 'anthropic-version': '2023-06-01' };
const raw: Client = {
  name: 'raw undici (Pool)',
  async call() {
    const response = await rawPool.request({
      path: '/v1/messages',
      method: 'POST',
      headers: rawHeaders,
      body: JSON.stringify({ model: 'claude-2.0', max_tokens: maxTokens, temperature: 0, system, messages: [{ role: 'user', content: question() }] }),
    });
    const json = (await response.body.json()) as { content: { text: string }[] };
    if (response.statusCode !== 200) throw new Error(`raw: status ${response.statusCode}`);
    expectText(json.content[0]?.text, 'raw');
  },
  close: () => rawPool.close(),
};

const router = createRouter({
  providers: { anthropic: { type: 'anthropic', apiKey, baseUrl: simulator.url, pool: { connections: 100, keepAliveTimeout: '300s' } } },
  routes: { claude: { targets: [{ provider: 'anthropic', model: 'claude-2.0' }] } },
  policies: {
    timeout: { connect: '5s', firstByte: '30s', idle: '30s', total: '120s' },
    retry: { attempts: 3, minDelay: '2s', maxDelay: '10s' },
    breaker: { errorRate: 0.15, minRequests: 20, window: '60s', openFor: '30s' },
    rateLimit: { global: { rps: 1_000_000 }, perUser: { concurrency: 1_000 }, perTenant: { rpm: 100_000_000 } },
    cache: { ttl: '600s', keyPrefix: 'claude:', maxEntries: 10_000 },
  },
});
const who = { user: 'bench-user', tenant: 'bench-tenant' };
const switchyard: Client = {
  name: 'Switchyard (full pipeline)',
  async call() {
    const response = await router.chat({ model: 'claude', system, messages: [{ role: 'user', content: question() }], maxTokens, temperature: 0 }, who);
    expectText(response.text, 'switchyard');
  },
  close: () => router.close(),
};

// This SDK version sends the key as `Authorization: Bearer`; the simulator's Messages endpoint checks
// `x-api-key` (as the public API reference documents), so the key is also sent that way.
const anthropic = new Anthropic({ baseURL: simulator.url, apiKey, maxRetries: 0, defaultHeaders: { 'x-api-key': apiKey } });
const anthropicSdk: Client = {
  name: `@anthropic-ai/sdk ${ANTHROPIC_SDK_VERSION}`,
  async call() {
    const message = await anthropic.messages.create({ model: 'claude-2.0', max_tokens: maxTokens, system, messages: [{ role: 'user', content: question() }] });
    const first = message.content[0];
    expectText(first?.type === 'text' ? first.text : undefined, 'anthropic-sdk');
  },
  close: () => Promise.resolve(),
};

const openai = new OpenAI({ baseURL: `${simulator.url}/v1`, apiKey, maxRetries: 0 });
const openaiSdk: Client = {
  name: `openai ${OPENAI_SDK_VERSION} (Chat Completions endpoint)`,
  async call() {
    const completion = await openai.chat.completions.create({
      model: 'gpt-4',
      max_completion_tokens: maxTokens,
      temperature: 0,
      messages: [
        { role: 'system', content: system },
        { role: 'user', content: question() },
      ],
    });
    expectText(completion.choices[0]?.message.content, 'openai-sdk');
  },
  close: () => Promise.resolve(),
};

const aiAnthropic = createAnthropic({ baseURL: `${simulator.url}/v1`, apiKey });
const aiSdk: Client = {
  name: 'AI SDK generateText + @ai-sdk/anthropic',
  async call() {
    const result = await generateText({ model: aiAnthropic('claude-2.0'), system, prompt: question(), maxOutputTokens: maxTokens, temperature: 0, maxRetries: 0 });
    expectText(result.text, 'ai-sdk');
  },
  close: () => Promise.resolve(),
};

const clients: readonly Client[] = [raw, switchyard, anthropicSdk, openaiSdk, aiSdk];

// Warm up every client (JIT, connections).
for (const client of clients) {
  await sequential(200, client.call);
  await runLoad(1_000, concurrency, client.call);
}

const latencies = new Map<string, number[]>(clients.map((client) => [client.name, []]));
const throughputs = new Map<string, number[]>(clients.map((client) => [client.name, []]));
const started = performance.now();
for (let round = 0; round < rounds; round += 1) {
  const order = clients.map((_, index) => clients[(index + round) % clients.length] as Client);
  for (const client of order) {
    latencies.get(client.name)?.push(...(await sequential(calls, client.call)));
    throughputs.get(client.name)?.push((await runLoad(calls * 3, concurrency, client.call)).perSecond);
  }
  console.error(`round ${round + 1}/${rounds} done`);
}
const seconds = (performance.now() - started) / 1000;

for (const client of clients) await client.close();
await simulator.stop();

const rawLatency = summarise(latencies.get(raw.name) ?? []);
const us = (value: number): string => `${value.toFixed(0)} µs`;
const rawRounds = throughputs.get(raw.name) ?? [];
const row = (client: Client): string => {
  const latency: LatencySummary = summarise(latencies.get(client.name) ?? []);
  const rounds = throughputs.get(client.name) ?? [];
  const rps = median(rounds);
  // Each round's ratio to raw undici in the same round, then the median: steadier than a ratio of medians when the machine's load drifts.
  const ratio = median(rounds.map((value, index) => value / (rawRounds[index] ?? value)));
  const spread = rounds.map((value) => value.toFixed(0)).join(', ');
  return `| ${client.name} | ${rps.toFixed(0)} (${spread}) | ${ratio.toFixed(2)} | ${us(latency.p50)} / ${us(latency.p99)} | ${(latency.p50 / rawLatency.p50).toFixed(2)} | +${us(latency.p50 - rawLatency.p50)} |`;
};

const command = `npm run bench:sdks -- --calls ${calls} --rounds ${rounds} --concurrency ${concurrency}`;
const report = [
  '<!-- sdks:start -->',
  '## Switchyard next to the official SDKs',
  '',
  `Machine: ${machineLine()}. Command: \`${command}\`, ${new Date().toISOString().slice(0, 10)}; ${rounds} rounds in ${seconds.toFixed(0)} s.`,
  `Load before the run: ${loadBefore} (other work shared the machine; the simulator child process and the client share its cores).`,
  '',
  'Every client calls the same simulator child process (no added latency, so the numbers are the',
  "clients' own cost plus the loopback round trip), non-streaming, a new question per call.",
  `Throughput: calls per second at concurrency ${concurrency}, median of ${rounds} rounds (each round's value in brackets); the ratio is the median over rounds of the client's throughput divided by raw undici's in the same round.`,
  `Latency: concurrency 1, ${calls * rounds} calls per client. Ratios are to raw undici.`,
  '',
  `| client | calls/s at concurrency ${concurrency} (rounds) | throughput ratio | p50 / p99 latency, concurrency 1 | p50 ratio | added p50 |`,
  '| --- | --- | --- | --- | --- | --- |',
  ...clients.map(row),
  '',
  'Switchyard runs with its whole pipeline on (cache missing on every call, rate limits with room to',
  'spare, breaker, retry, timeouts), as in `npm run bench`. The SDKs run with retries off',
  '(`maxRetries: 0`), which changes nothing here since no call fails. The `openai` SDK talks to the',
  "simulator's Chat Completions endpoint, whose bodies differ slightly from the Messages endpoint the",
  'other clients use; its ratio is still taken against raw undici on Messages.',
  '<!-- sdks:end -->',
].join('\n');
console.log(report);
if (values.write) writeDocSection('sdks', report);
