/**
 * `npx tsx bench/canary-simulation.ts`: many synthetic canary rollouts, seeded, in memory and
 * without sockets, through the real canary plugin (bucketing, arm of record, statistics, decision
 * engine, state machine). Each call is simulated: the plugin assigns an arm, the outcome is drawn
 * from the arm's error rate and latency distribution, a failed call is rescued by a retry on the
 * other arm, and a `call-end` event goes to the plugin as the router would send it.
 *
 * Reported per scenario: how often the rollout completed, was rolled back, or was still undecided
 * at the cap of calls; for rollbacks, at which step and how many candidate calls the candidate had
 * taken by then; for completions, how many calls the whole rollout took.
 *
 * The rollout is the issue's example (steps 5% / 200, 25% / 500, 50% / 1000, 100%; guards error
 * rate +2 points, p95 ×1.25, cost ×1.5; confidence 0.95; broken at ≥ 50% errors over 20 calls),
 * without the minimum durations: time changes nothing in a simulation where traffic never varies.
 *
 * Usage: `npx tsx bench/canary-simulation.ts [--rollouts 200] [--seed 1] [--write] [--verbose]`
 * (`--verbose` prints every rollback's reason, `--scenario <text>` runs the scenarios whose name has it);
 * `--write` replaces the results section of docs/canary.md.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createCanaryPlugin } from '../src/canary/canary-plugin.js';
import { resolveConfig } from '../src/config/index.js';
import { RouterEventHub, type RouterEvents } from '../src/events.js';
import type { CallContext } from '../src/pipeline/context.js';
import type { Router } from '../src/router/router.js';
import type { Attempt, ChatRequest, ChatResponse, Target } from '../src/types.js';
import { createSeededRandom as seeded } from '../src/testing/seeded-random.js';

const { values } = parseArgs({
  options: {
    rollouts: { type: 'string', default: '200' },
    seed: { type: 'string', default: '1' },
    write: { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
    scenario: { type: 'string' },
  },
});
const ROLLOUTS = Number(values.rollouts);
const SEED = Number(values.seed);
/** A rollout still undecided after this many calls counts as stuck. */
const MAX_CALLS = 40_000;

/** How an arm behaves. */
interface ArmBehaviour {
  readonly errorRate: number;
  /** Multiplies the log-normal latency (median 800 ms, σ 0.5). */
  readonly latencyFactor: number;
}

/** One scenario: the candidate's behaviour and how callers are keyed. */
interface Scenario {
  readonly name: string;
  readonly candidate: ArmBehaviour;
  /** `request`: independent calls; `user`: sticky users, heavy users, per-user error propensity. */
  readonly traffic: 'request' | 'user';
  /** Whether the candidate should be promoted (for reading the table). */
  readonly healthy: boolean;
}

const BASELINE: ArmBehaviour = { errorRate: 0.02, latencyFactor: 1 };
const SCENARIOS: readonly Scenario[] = [
  { name: 'identical (A/A), independent calls', candidate: BASELINE, traffic: 'request', healthy: true },
  { name: 'identical (A/A), sticky users, clustered errors', candidate: BASELINE, traffic: 'user', healthy: true },
  { name: 'error rate +1 point (within the +2 guard)', candidate: { errorRate: 0.03, latencyFactor: 1 }, traffic: 'request', healthy: true },
  { name: 'p95 ×1.1 (within the ×1.25 guard)', candidate: { errorRate: 0.02, latencyFactor: 1.1 }, traffic: 'request', healthy: true },
  { name: 'error rate +3 points', candidate: { errorRate: 0.05, latencyFactor: 1 }, traffic: 'request', healthy: false },
  { name: 'error rate +5 points', candidate: { errorRate: 0.07, latencyFactor: 1 }, traffic: 'request', healthy: false },
  { name: 'error rate +10 points', candidate: { errorRate: 0.12, latencyFactor: 1 }, traffic: 'request', healthy: false },
  { name: 'broken: 60% errors', candidate: { errorRate: 0.6, latencyFactor: 1 }, traffic: 'request', healthy: false },
  { name: 'p95 ×1.5', candidate: { errorRate: 0.02, latencyFactor: 1.5 }, traffic: 'request', healthy: false },
];


function configFor(sticky: 'request' | 'user') {
  return resolveConfig({
    providers: { anthropic: { type: 'anthropic', apiKey: 'unused', baseUrl: 'http://127.0.0.1:9' } },
    routes: {
      claude: {
        canary: {
          baseline: { provider: 'anthropic', model: 'claude-2.0' },
          candidate: { provider: 'anthropic', model: 'claude-2.1' },
          sticky,
          salt: 'simulation',
          steps: [{ weight: 5, minRequests: 200 }, { weight: 25, minRequests: 500 }, { weight: 50, minRequests: 1000 }, { weight: 100 }],
          guards: { errorRate: { maxIncrease: 0.02 }, latencyP95: { maxRatio: 1.25 }, costPerCall: { maxRatio: 1.5 } },
          confidence: 0.95,
        },
      },
    },
    pricing: { 'anthropic/claude-2.0': { input: 3, output: 15 }, 'anthropic/claude-2.1': { input: 3, output: 15 } },
  } as never);
}

const CONFIGS = { request: configFor('request'), user: configFor('user') };
const BASELINE_TARGET: Target = { provider: 'anthropic', model: 'claude-2.0' };
const CANDIDATE_TARGET: Target = { provider: 'anthropic', model: 'claude-2.1' };
const REQUEST: ChatRequest = { model: 'claude', messages: [{ role: 'user', content: 'hello' }] };
const SIGNAL = new AbortController().signal;

/** What one rollout came to. */
interface RolloutResult {
  readonly outcome: 'completed' | 'rolled_back' | 'stuck';
  readonly calls: number;
  /** For rollbacks: the step (1-based) and the candidate's calls up to the decision. */
  readonly step?: number;
  readonly candidateCalls?: number;
  readonly broken?: boolean;
}

async function runRollout(scenario: Scenario, seed: number): Promise<RolloutResult> {
  const random = seeded(seed);
  const gaussian = (): number => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const config = CONFIGS[scenario.traffic];
  const route = config.routes.claude as NonNullable<(typeof config.routes)['claude']>;
  let clock = Date.UTC(2025, 0, 1);
  const plugin = createCanaryPlugin({ config, now: () => clock, logger: () => undefined, syncIntervalMs: 2 ** 30, processId: 'simulation' });
  const events = new RouterEventHub();
  plugin.attach?.({} as Router, { events, mirror: () => Promise.reject(new Error('no shadow in the simulation')) });
  await plugin.ready();
  const controller = plugin.controller('claude');
  let finished: RouterEvents['canary-change'] | undefined;
  events.on('canary-change', (change) => {
    if (change.decision === 'rollback' || change.decision === 'complete') finished = change;
  });
  // Sticky users: a skewed population (a few heavy users), a tenth of them error-prone.
  const userCount = 20_000;
  const propensity = (user: number): number => ((user * 2_654_435_761) >>> 0) % 10 === 0 ? 5.5 : 0.5;

  let calls = 0;
  for (; calls < MAX_CALLS && finished === undefined; calls += 1) {
    const requestId = `r-${seed}-${calls}`;
    const user = Math.floor(userCount * random() ** 3);
    const options = scenario.traffic === 'user' ? { user: `u-${user}` } : {};
    const context: CallContext = { requestId, request: REQUEST, options, route, policies: route.policies, mode: 'chat', startedAt: 0, signal: SIGNAL, attempts: [], notes: {} };
    const assigned = plugin.assignTarget?.(route, context) ?? BASELINE_TARGET;
    const onCandidate = assigned.model === CANDIDATE_TARGET.model;
    const behaviour = onCandidate ? scenario.candidate : BASELINE;
    const errorRate = scenario.traffic === 'user' ? Math.min(1, behaviour.errorRate * propensity(user)) : behaviour.errorRate;
    const latency = 800 * behaviour.latencyFactor * Math.exp(0.5 * gaussian());
    const attempts: Attempt[] = [];
    const target = onCandidate ? CANDIDATE_TARGET : BASELINE_TARGET;
    let answeredBy = target;
    if (random() < errorRate) {
      attempts.push({ target, route: 'claude', outcome: 'server', status: 500, ms: latency / 4 });
      answeredBy = onCandidate ? BASELINE_TARGET : CANDIDATE_TARGET;
    }
    attempts.push({ target: answeredBy, route: 'claude', outcome: 'ok', status: 200, ms: latency });
    const outputTokens = Math.round(200 * Math.exp(0.4 * gaussian()));
    const response: ChatResponse = {
      id: requestId,
      text: '',
      toolCalls: [],
      finishReason: 'stop',
      usage: { inputTokens: 500, outputTokens, totalTokens: 500 + outputTokens },
      route: 'claude',
      target: answeredBy,
      attempts,
      latencyMs: latency,
      requestId,
      cached: false,
    };
    events.emit('call-end', { requestId, route: 'claude', mode: 'chat', request: REQUEST, options, latencyMs: latency, attempts, notes: context.notes, response });
    clock += 100;
    if (calls % 25 === 24) await controller.sync();
  }
  await controller.sync();
  const status = controller.status();
  await plugin.close?.();
  if (status.state === 'completed') return { outcome: 'completed', calls };
  if (status.state !== 'rolled_back') return { outcome: 'stuck', calls };
  if (values.verbose) console.error(`  ${scenario.name}, seed ${seed}: rolled back at step ${status.step + 1}: ${status.lastChange?.reason ?? ''}`);
  const previous = status.history.slice(0, -1).reduce((sum, step) => sum + step.candidate.calls, 0);
  return {
    outcome: 'rolled_back',
    calls,
    step: status.step + 1,
    candidateCalls: previous + (status.lastChange?.evidence?.candidateCalls ?? 0),
    broken: status.lastChange?.reason.startsWith('candidate is broken') === true,
  };
}

function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

function percent(count: number, total: number): string {
  return `${((count / total) * 100).toFixed(1)}%`;
}

const rows: string[] = [];
const started = performance.now();
for (const scenario of SCENARIOS.filter((item) => values.scenario === undefined || item.name.includes(values.scenario))) {
  const results: RolloutResult[] = [];
  for (let index = 0; index < ROLLOUTS; index += 1) results.push(await runRollout(scenario, SEED * 1_000_003 + index * 7_919 + scenario.name.length));
  const completed = results.filter((result) => result.outcome === 'completed');
  const rolledBack = results.filter((result) => result.outcome === 'rolled_back');
  const stuck = results.filter((result) => result.outcome === 'stuck');
  const byStep = [1, 2, 3].map((step) => rolledBack.filter((result) => result.step === step).length);
  const candidateCalls = rolledBack.map((result) => result.candidateCalls ?? 0);
  rows.push(
    `| ${scenario.name} | ${scenario.healthy ? 'promote' : 'roll back'} | ${percent(completed.length, results.length)} | ${percent(rolledBack.length, results.length)} | ${percent(stuck.length, results.length)} | ` +
      `${rolledBack.length === 0 ? '–' : byStep.join(' / ')} | ${rolledBack.length === 0 ? '–' : `${percentile(candidateCalls, 0.5)} / ${percentile(candidateCalls, 0.9)} / ${Math.max(...candidateCalls)}`} | ` +
      `${completed.length === 0 ? '–' : percentile(completed.map((result) => result.calls), 0.5).toLocaleString('en-US')} |`,
  );
  console.error(`${scenario.name}: done (${((performance.now() - started) / 1_000).toFixed(0)} s)`);
}

const table = [
  `${ROLLOUTS} rollouts per scenario, seed ${SEED}; baseline: 2% errors, log-normal latency (median 800 ms, σ 0.5); a rollout undecided after ${MAX_CALLS.toLocaleString('en-US')} calls counts as undecided.`,
  '',
  '| scenario | should | completed | rolled back | undecided | rollbacks at step 1 / 2 / 3 | candidate calls before rollback (median / p90 / max) | calls to complete (median) |',
  '|---|---|---|---|---|---|---|---|',
  ...rows,
].join('\n');
console.log(table);

if (values.write) {
  const file = new URL('../docs/canary.md', import.meta.url);
  const text = readFileSync(file, 'utf8');
  const start = '<!-- canary-simulation:start -->';
  const end = '<!-- canary-simulation:end -->';
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error('docs/canary.md has no canary-simulation markers');
  writeFileSync(file, `${text.slice(0, from + start.length)}\n${table}\n${text.slice(to)}`);
  console.error('docs/canary.md updated');
}
