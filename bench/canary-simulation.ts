/**
 * `npx tsx bench/canary-simulation.ts`: many synthetic canary rollouts, seeded, in memory and
 * without sockets, through the real canary plugin (bucketing, arm of record, statistics, decision
 * engine, state machine), as a discrete-event simulation on a fake clock.
 *
 * Time. Calls arrive continuously (a Poisson process) or in bursts (many at once, periodically).
 * At its start a call is given its arm by the plugin (`assignTarget`) and its outcome is drawn from
 * that arm: errors (429 / 529) come back fast, successes slowly (log-normal with a tail); a failed
 * call is rescued by a retry on the other arm after a backoff (so its `call-end` comes late, with
 * the retry's answer), except in the "not retried" scenarios, where it ends with its fast error; a
 * caller cancels a call still running at its timeout (a `canceled` error). The call's `call-end`
 * event reaches the plugin at its end time, so calls end out of order, as they do in production.
 * Events (arrivals, call ends, one sync per simulated second) come out of a priority queue; the
 * clock (`now` of the plugin) jumps from one event to the next, and the event loop turns before
 * the clock moves on, so the work the plugin defers runs in between.
 *
 * Reported per scenario: how often the rollout completed, was rolled back, or was still undecided
 * at the cap of calls; for rollbacks, at which step and how many calls the candidate had been
 * given by then; for completions, the simulated time (and calls) the rollout took.
 *
 * The rollout is the issue's example (steps 5% / 200, 25% / 500, 50% / 1000, 100%; guards error
 * rate +2 points, p95 ×1.25, cost ×1.5, and the default guards; confidence 0.95; broken at ≥ 50%
 * errors over 20 calls), without minimum durations: at a steady rate the call counts already take
 * minutes, and time itself is what is being tested.
 *
 * Usage: `npx tsx bench/canary-simulation.ts [--rollouts 200] [--seed 1] [--scenario <text>] [--max-calls 40000] [--write] [--verbose]`
 * (`--scenario` runs the scenarios whose name has the text; `--max-calls` is the cap of calls per
 * rollout; `--verbose` prints the reason of every rollback); `--write` replaces the results
 * section of docs/canary.md.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createCanaryPlugin } from '../src/canary/canary-plugin.js';
import { resolveConfig } from '../src/config/index.js';
import { SwitchyardError } from '../src/errors.js';
import { RouterEventHub, type RouterEvents } from '../src/events.js';
import type { CallContext } from '../src/pipeline/context.js';
import type { Router } from '../src/router/router.js';
import type { Attempt, ChatRequest, ChatResponse, ErrorCategoryName, Target } from '../src/types.js';
import { createDraws, EventQueue, type Draws } from './canary-simulation-clock.js';

const { values } = parseArgs({
  options: {
    rollouts: { type: 'string', default: '200' },
    seed: { type: 'string', default: '1' },
    write: { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
    scenario: { type: 'string' },
    'max-calls': { type: 'string', default: '40000' },
  },
});
const ROLLOUTS = Number(values.rollouts);
const SEED = Number(values.seed);
/** A rollout still undecided after this many calls (13 simulated minutes at 50 calls/s) counts as undecided. */
const MAX_CALLS = Number(values['max-calls']);

/** The traffic every scenario shares. */
const TRAFFIC = {
  /** Continuous arrivals: a Poisson process, calls per second. */
  ratePerSecond: 50,
  /** Bursts: this many calls at the same instant, every `burstEveryMs` (the same mean rate). */
  burstSize: 200,
  burstEveryMs: 4_000,
  /** Errors come back after a uniform time in this range, ms. */
  errorMs: [20, 80],
  /** A failed call is retried on the other arm after a uniform backoff up to this, ms (the default retry policy: 500 ms, full jitter). */
  retryBackoffMs: 500,
  /** Successes: log-normal around the scenario's median, with this σ... */
  sigma: 0.6,
  /** ...and with this probability a tail: the latency times a log-uniform factor in `tailFactor`. */
  tailChance: 0.02,
  tailFactor: [2, 10],
  /** The caller cancels a call still running after this many times the median. */
  callerTimeoutFactor: 6,
  /** Sticky users: a skewed population (user `⌊n·u³⌋`: a few heavy users); a tenth of them fail 5.5× as often. */
  users: 20_000,
  /** Sync (statistics flushed, full evaluation) every simulated second. */
  syncEveryMs: 1_000,
  /**
   * The event loop turns (deferred work runs) before the clock passes this many ms since the last
   * turn, once the plugin was told something; a turn costs a few microseconds, so not at every event.
   */
  turnEveryMs: 20,
} as const;

/** How an arm behaves. */
interface ArmBehaviour {
  readonly errorRate: number;
  /** Multiplies every success's latency. */
  readonly latencyFactor: number;
  /** Added to every success's latency, ms. */
  readonly extraLatencyMs: number;
  /** Share of answers cut by the token limit (`finishReason: length`). */
  readonly lengthRate: number;
  /** Share of calls that never answer, until the caller cancels them at its timeout. */
  readonly hangRate: number;
}

/** One scenario: the candidate's behaviour, the timing, and how callers are keyed. */
interface Scenario {
  readonly name: string;
  readonly candidate: ArmBehaviour;
  /** Median latency of a success, ms. */
  readonly medianMs: number;
  readonly arrivals: 'continuous' | 'bursts';
  /** `request`: independent calls; `user`: sticky users, heavy users, per-user error propensity. */
  readonly traffic: 'request' | 'user';
  /** Whether the candidate should be promoted (for reading the table). */
  readonly healthy: boolean;
  /** `false`: a failed call is not retried and ends with its error (default: retried on the other arm). */
  readonly retry?: false;
}

const BASELINE: ArmBehaviour = { errorRate: 0.02, latencyFactor: 1, extraLatencyMs: 0, lengthRate: 0.02, hangRate: 0 };
const worse = (change: Partial<ArmBehaviour>): ArmBehaviour => ({ ...BASELINE, ...change });
const SCENARIOS: readonly Scenario[] = [
  { name: 'A/A, 300 ms, continuous, independent calls', candidate: BASELINE, medianMs: 300, arrivals: 'continuous', traffic: 'request', healthy: true },
  { name: 'A/A, 300 ms, bursts, independent calls', candidate: BASELINE, medianMs: 300, arrivals: 'bursts', traffic: 'request', healthy: true },
  { name: 'A/A, 300 ms, continuous, sticky users, clustered errors', candidate: BASELINE, medianMs: 300, arrivals: 'continuous', traffic: 'user', healthy: true },
  { name: 'A/A, 5 s, continuous, independent calls', candidate: BASELINE, medianMs: 5_000, arrivals: 'continuous', traffic: 'request', healthy: true },
  { name: 'A/A, 5 s, bursts, independent calls', candidate: BASELINE, medianMs: 5_000, arrivals: 'bursts', traffic: 'request', healthy: true },
  { name: 'A/A, 5 s, continuous, sticky users, clustered errors', candidate: BASELINE, medianMs: 5_000, arrivals: 'continuous', traffic: 'user', healthy: true },
  { name: 'A/A, 300 ms, bursts, errors not retried', candidate: BASELINE, medianMs: 300, arrivals: 'bursts', traffic: 'request', healthy: true, retry: false },
  { name: 'A/A, 5 s, continuous, errors not retried', candidate: BASELINE, medianMs: 5_000, arrivals: 'continuous', traffic: 'request', healthy: true, retry: false },
  { name: 'error rate +10 points, 300 ms', candidate: worse({ errorRate: 0.12 }), medianMs: 300, arrivals: 'continuous', traffic: 'request', healthy: false },
  { name: 'error rate +10 points, 5 s', candidate: worse({ errorRate: 0.12 }), medianMs: 5_000, arrivals: 'continuous', traffic: 'request', healthy: false },
  { name: 'latency +300 ms, 300 ms', candidate: worse({ extraLatencyMs: 300 }), medianMs: 300, arrivals: 'continuous', traffic: 'request', healthy: false },
  { name: 'length finishes +30 points, 5 s', candidate: worse({ lengthRate: 0.32 }), medianMs: 5_000, arrivals: 'continuous', traffic: 'request', healthy: false },
  { name: 'half the calls time out, 5 s', candidate: worse({ hangRate: 0.5 }), medianMs: 5_000, arrivals: 'continuous', traffic: 'request', healthy: false },
  { name: 'p95 ×1.5, 5 s', candidate: worse({ latencyFactor: 1.5 }), medianMs: 5_000, arrivals: 'continuous', traffic: 'request', healthy: false },
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
  });
}

const CONFIGS = { request: configFor('request'), user: configFor('user') };
const BASELINE_TARGET: Target = { provider: 'anthropic', model: 'claude-2.0' };
const CANDIDATE_TARGET: Target = { provider: 'anthropic', model: 'claude-2.1' };
const REQUEST: ChatRequest = { model: 'claude', messages: [{ role: 'user', content: 'hello' }] };
const SIGNAL = new AbortController().signal;

type SimulationEvent = { readonly kind: 'arrival' | 'burst' | 'sync' } | { readonly kind: 'end'; readonly payload: RouterEvents['call-end'] };

/** What one rollout came to. */
interface RolloutResult {
  readonly outcome: 'completed' | 'rolled_back' | 'undecided';
  /** Calls started up to the decision (or the cap). */
  readonly calls: number;
  /** Simulated time from the start to the decision (or the cap), ms. */
  readonly elapsedMs: number;
  /** For rollbacks: the step (1-based) and the calls the candidate had been given up to the decision. */
  readonly step?: number;
  /** For rollbacks: simulated time from the step's start to the decision, ms. */
  readonly intoStepMs?: number;
  readonly candidateCalls?: number;
  readonly reason?: string;
}

/** Draws the latency of a success on an arm, ms. */
function successMs(draw: Draws, scenario: Scenario, behaviour: ArmBehaviour): number {
  const tail = draw.chance(TRAFFIC.tailChance) ? Math.exp(draw.between(Math.log(TRAFFIC.tailFactor[0]), Math.log(TRAFFIC.tailFactor[1]))) : 1;
  return scenario.medianMs * behaviour.latencyFactor * Math.exp(TRAFFIC.sigma * draw.gaussian()) * tail + behaviour.extraLatencyMs;
}

/** One try on an arm: a fast 429 / 529, or an answer after `ms` (Infinity: it never answers). */
type Try = { readonly ok: false; readonly ms: number; readonly category: 'rate_limit' | 'overloaded'; readonly status: number } | { readonly ok: true; readonly ms: number };

function drawTry(draw: Draws, scenario: Scenario, behaviour: ArmBehaviour, propensity: number): Try {
  if (draw.chance(Math.min(1, behaviour.errorRate * propensity))) {
    const overloaded = draw.chance(0.5);
    return { ok: false, ms: draw.between(TRAFFIC.errorMs[0], TRAFFIC.errorMs[1]), category: overloaded ? 'overloaded' : 'rate_limit', status: overloaded ? 529 : 429 };
  }
  return { ok: true, ms: draw.chance(behaviour.hangRate) ? Infinity : successMs(draw, scenario, behaviour) };
}

/**
 * Draws a whole call on its arm: when it ends and the `call-end` event the router would send then.
 * A failed first try is retried on the other arm after a backoff (when the scenario retries); the
 * caller cancels whatever is still running at its timeout.
 */
function simulateCall(draw: Draws, scenario: Scenario, context: CallContext, onCandidate: boolean, user: number): { readonly durationMs: number; readonly payload: RouterEvents['call-end'] } {
  const arms = [
    { target: onCandidate ? CANDIDATE_TARGET : BASELINE_TARGET, behaviour: onCandidate ? scenario.candidate : BASELINE },
    { target: onCandidate ? BASELINE_TARGET : CANDIDATE_TARGET, behaviour: onCandidate ? BASELINE : scenario.candidate },
  ] as const;
  const timeoutMs = scenario.medianMs * TRAFFIC.callerTimeoutFactor;
  const propensity = scenario.traffic !== 'user' ? 1 : ((user * 2_654_435_761) >>> 0) % 10 === 0 ? 5.5 : 0.5;
  const attempts: Attempt[] = [];
  let elapsed = 0;
  let answeredBy: (typeof arms)[number] | undefined;
  let failure: { readonly category: ErrorCategoryName; readonly status?: number } | undefined;
  for (const [index, arm] of (scenario.retry === false ? arms.slice(0, 1) : arms).entries()) {
    if (index > 0) elapsed += draw.between(0, TRAFFIC.retryBackoffMs);
    if (elapsed >= timeoutMs) {
      elapsed = timeoutMs;
      failure = { category: 'canceled' };
      break;
    }
    const attempt = drawTry(draw, scenario, arm.behaviour, propensity);
    if (elapsed + attempt.ms > timeoutMs) {
      attempts.push({ target: arm.target, route: 'claude', outcome: 'canceled', ms: timeoutMs - elapsed });
      elapsed = timeoutMs;
      failure = { category: 'canceled' };
      break;
    }
    elapsed += attempt.ms;
    if (attempt.ok) {
      attempts.push({ target: arm.target, route: 'claude', outcome: 'ok', status: 200, ms: attempt.ms });
      answeredBy = arm;
      failure = undefined;
      break;
    }
    attempts.push({ target: arm.target, route: 'claude', outcome: attempt.category, status: attempt.status, ms: attempt.ms });
    failure = { category: attempt.category, status: attempt.status };
  }
  const durationMs = elapsed;
  const base = { requestId: context.requestId, route: 'claude', mode: 'chat' as const, request: REQUEST, options: context.options, latencyMs: durationMs, attempts, notes: context.notes };
  if (answeredBy === undefined) {
    const message = failure?.category === 'canceled' ? 'the caller cancelled the call (its timeout)' : `upstream answered ${failure?.status ?? 'an error'}`;
    const error = new SwitchyardError({ category: failure?.category ?? 'unknown', message, route: 'claude', attempts, ...(failure?.status === undefined ? {} : { status: failure.status }) });
    return { durationMs, payload: { ...base, error } };
  }
  const cut = draw.chance(answeredBy.behaviour.lengthRate);
  const outputTokens = Math.round(200 * Math.exp(0.4 * draw.gaussian()));
  const response: ChatResponse = {
    id: context.requestId,
    text: 'An answer.',
    toolCalls: [],
    reasoning: [],
    message: { role: 'assistant', content: 'An answer.' },
    finishReason: cut ? 'length' : 'stop',
    rawFinishReason: cut ? 'max_tokens' : 'end_turn',
    usage: { inputTokens: 500, outputTokens, totalTokens: 500 + outputTokens },
    route: 'claude',
    target: answeredBy.target,
    attempts,
    latencyMs: durationMs,
    requestId: context.requestId,
    cached: false,
  };
  return { durationMs, payload: { ...base, response } };
}

async function runRollout(scenario: Scenario, seed: number): Promise<RolloutResult> {
  const draw = createDraws(seed);
  const config = CONFIGS[scenario.traffic];
  const route = config.routes.claude as NonNullable<(typeof config.routes)['claude']>;
  const startedAt = Date.UTC(2025, 0, 1);
  let clock = startedAt;
  const plugin = createCanaryPlugin({ config, now: () => clock, logger: () => undefined, syncIntervalMs: 2 ** 30, processId: 'simulation' });
  const events = new RouterEventHub();
  const listenerErrors: unknown[] = [];
  events.on('listener-error', ({ error }) => listenerErrors.push(error));
  plugin.attach?.({} as Router, { events, mirror: () => Promise.reject(new Error('no shadow in the simulation')) });
  await plugin.ready();
  const controller = plugin.controller('claude');

  let calls = 0;
  let candidateCalls = 0;
  let stepStartedAt = clock;
  let decided: { readonly change: RouterEvents['canary-change']; readonly at: number; readonly intoStepMs: number; readonly calls: number; readonly candidateCalls: number } | undefined;
  events.on('canary-change', (change) => {
    if (change.decision === 'promote') stepStartedAt = clock;
    if (decided === undefined && (change.decision === 'rollback' || change.decision === 'complete')) decided = { change, at: clock, intoStepMs: clock - stepStartedAt, calls, candidateCalls };
  });

  const queue = new EventQueue<SimulationEvent>();
  function startCall(): void {
    const requestId = `r-${seed}-${calls}`;
    calls += 1;
    const user = Math.floor(TRAFFIC.users * draw.uniform() ** 3);
    const options = scenario.traffic === 'user' ? { user: `u-${user}` } : {};
    const context: CallContext = { requestId, request: REQUEST, options, route, policies: route.policies, mode: 'chat', startedAt: clock, signal: SIGNAL, attempts: [], notes: {} };
    events.emit('call-start', { requestId, route: 'claude', mode: 'chat', request: REQUEST, options });
    const assigned = plugin.assignTarget?.(route, context) ?? BASELINE_TARGET;
    const onCandidate = assigned.model === CANDIDATE_TARGET.model;
    if (onCandidate) candidateCalls += 1;
    const call = simulateCall(draw, scenario, context, onCandidate, user);
    queue.push(clock + call.durationMs, { kind: 'end', payload: call.payload });
  }

  queue.push(startedAt, { kind: scenario.arrivals === 'bursts' ? 'burst' : 'arrival' });
  queue.push(startedAt + TRAFFIC.syncEveryMs, { kind: 'sync' });
  // Whether the plugin was told something (only `call-end` and sync defer work) since the event loop last turned, and when it last turned.
  let told = false;
  let turnedAt = clock;
  while (decided === undefined && calls < MAX_CALLS) {
    const nextTime = queue.peekTime();
    if (told && nextTime > clock && nextTime - turnedAt >= TRAFFIC.turnEveryMs) {
      // Let the plugin's deferred work (its full evaluation, a promotion or rollback being stored) run before time moves on.
      told = false;
      turnedAt = clock;
      await new Promise(setImmediate);
      // The listener may have decided meanwhile: the loop's condition reads `decided` again.
      continue;
    }
    const next = queue.pop();
    if (next === undefined) break;
    clock = next.time;
    const event = next.item;
    if (event.kind === 'end') {
      events.emit('call-end', event.payload);
      told = true;
    } else if (event.kind === 'arrival') {
      startCall();
      queue.push(clock + draw.exponential(1_000 / TRAFFIC.ratePerSecond), event);
    } else if (event.kind === 'burst') {
      for (let index = 0; index < TRAFFIC.burstSize; index += 1) startCall();
      queue.push(clock + TRAFFIC.burstEveryMs, event);
    } else {
      await controller.sync();
      told = true;
      queue.push(clock + TRAFFIC.syncEveryMs, event);
    }
  }
  await plugin.close?.();
  if (listenerErrors.length > 0) throw new Error(`the plugin threw in a listener: ${String(listenerErrors[0])}`, { cause: listenerErrors[0] });
  if (decided === undefined) return { outcome: 'undecided', calls, elapsedMs: clock - startedAt };
  const { change } = decided;
  const elapsedMs = decided.at - startedAt;
  if (change.decision === 'complete') return { outcome: 'completed', calls: decided.calls, elapsedMs };
  return { outcome: 'rolled_back', calls: decided.calls, elapsedMs, step: change.step + 1, intoStepMs: decided.intoStepMs, candidateCalls: decided.candidateCalls, reason: change.reason };
}

function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

function percent(count: number, total: number): string {
  return `${((count / total) * 100).toFixed(1)}%`;
}

function minutes(ms: number): string {
  return `${(ms / 60_000).toFixed(1)} min`;
}

function seedOf(scenario: Scenario, index: number): number {
  let hash = 0;
  for (const character of scenario.name) hash = (Math.imul(hash, 31) + character.charCodeAt(0)) >>> 0;
  return (SEED * 1_000_003 + index * 7_919 + hash) >>> 0;
}

const rows: string[] = [];
const started = performance.now();
for (const scenario of SCENARIOS.filter((item) => values.scenario === undefined || item.name.includes(values.scenario))) {
  const results: RolloutResult[] = [];
  for (let index = 0; index < ROLLOUTS; index += 1) {
    const seed = seedOf(scenario, index);
    const result = await runRollout(scenario, seed);
    results.push(result);
    if (values.verbose && result.outcome === 'rolled_back') {
      const where = `step ${result.step}, ${((result.intoStepMs ?? 0) / 1_000).toFixed(1)} s into it (${minutes(result.elapsedMs)} in all, ${result.candidateCalls} candidate calls)`;
      console.error(`  ${scenario.name}, seed ${seed}: rolled back at ${where}: ${result.reason}`);
    }
  }
  const completed = results.filter((result) => result.outcome === 'completed');
  const rolledBack = results.filter((result) => result.outcome === 'rolled_back');
  const undecided = results.filter((result) => result.outcome === 'undecided');
  const byStep = [1, 2, 3].map((step) => rolledBack.filter((result) => result.step === step).length);
  const candidateCalls = rolledBack.map((result) => result.candidateCalls ?? 0);
  const toComplete = completed.length === 0 ? '–' : `${minutes(percentile(completed.map((result) => result.elapsedMs), 0.5))} (${percentile(completed.map((result) => result.calls), 0.5).toLocaleString('en-US')} calls)`;
  rows.push(
    `| ${scenario.name} | ${scenario.healthy ? 'promote' : 'roll back'} | ${percent(completed.length, results.length)} | ${percent(rolledBack.length, results.length)} | ${percent(undecided.length, results.length)} | ` +
      `${rolledBack.length === 0 ? '–' : byStep.join(' / ')} | ${rolledBack.length === 0 ? '–' : `${percentile(candidateCalls, 0.5)} / ${percentile(candidateCalls, 0.9)} / ${Math.max(...candidateCalls)}`} | ${toComplete} |`,
  );
  console.error(`${scenario.name}: done (${((performance.now() - started) / 1_000).toFixed(0)} s)`);
}

const table = [
  `${ROLLOUTS} rollouts per scenario, seed ${SEED}. Both arms: 2% errors (429/529, answered in ${TRAFFIC.errorMs[0]}–${TRAFFIC.errorMs[1]} ms, then retried on the other arm after 0–${TRAFFIC.retryBackoffMs} ms unless "not retried"), ` +
    `2% length finishes, successes log-normal (median 300 ms or 5 s, σ ${TRAFFIC.sigma}; ${TRAFFIC.tailChance * 100}% of them ${TRAFFIC.tailFactor[0]}–${TRAFFIC.tailFactor[1]}× longer), ` +
    `the caller cancelling at ${TRAFFIC.callerTimeoutFactor}× the median (1.8 s or 30 s). Continuous: Poisson, ${TRAFFIC.ratePerSecond} calls/s; bursts: ${TRAFFIC.burstSize} calls every ${TRAFFIC.burstEveryMs / 1_000} s. ` +
    `Sync every simulated second. A rollout undecided after ${MAX_CALLS.toLocaleString('en-US')} calls counts as undecided. ` +
    `"Candidate calls" are the calls given to the candidate (started) until the rollback, over all steps.`,
  '',
  '| scenario | should | completed | rolled back | undecided | rollbacks at step 1 / 2 / 3 | candidate calls before rollback (median / p90 / max) | time to complete (median, simulated) |',
  '|---|---|---|---|---|---|---|---|',
  ...rows,
].join('\n');
console.log(table);
console.error(`${((performance.now() - started) / 1_000).toFixed(0)} s in all`);

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
