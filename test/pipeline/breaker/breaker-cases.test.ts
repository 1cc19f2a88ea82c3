/**
 * One table of breaker cases, run against both registries: the in-memory one (rules in
 * TypeScript) and the Redis one (rules in the Lua scripts), so that each copy of a rule is held to
 * the same answers — the error-rate boundary above all.
 */
import type { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import type { BreakerPolicy } from '../../../src/config/types.js';
import { createMemoryBreakerRegistry } from '../../../src/pipeline/breaker/memory-registry.js';
import { ADMIT_PROBE_SCRIPT, RECORD_PROBE_SCRIPT, RECORD_SCRIPT, SYNC_SCRIPT } from '../../../src/pipeline/breaker/redis-scripts.js';
import { createRedisBreakerRegistry } from '../../../src/pipeline/breaker/redis-registry.js';
import type { BreakerRegistry, BreakerState } from '../../../src/pipeline/breaker/types.js';
import { connectTestRedis, hasRedis, uniquePrefix } from '../../support/redis.js';
import { breakerPolicy, manualClock, type ManualClock } from './policy.js';

const KEY = 'openai/gpt-4.1';

/** One step of a case; the clock starts on a bucket boundary (see `manualClock`). */
type Step =
  /** Records `count` outcomes (default 1), each as its own call; `probe` for calls admitted as probes. */
  | { readonly record: 'success' | 'failure'; readonly count?: number; readonly probe?: boolean }
  /** Moves the clock forward. */
  | { readonly advance: number }
  /** The state the registry reports now. */
  | { readonly state: BreakerState }
  /** What `admit` answers now: an ordinary admission, a probe slot, or a refusal. */
  | { readonly admit: 'admitted' | 'probe' | 'refused' };

interface BreakerCase {
  readonly name: string;
  /** Overrides of the test policy: 50 % over at least 10 calls in 10 s; open 5 s; 2 probes. */
  readonly policy?: Partial<BreakerPolicy>;
  readonly steps: readonly Step[];
  /** Every state change announced to listeners, in order, as `from→to`. */
  readonly transitions: readonly string[];
}

const OPEN = ['closed→open'];
const OPEN_THEN_HALF_OPEN = ['closed→open', 'open→half_open'];

/** Ten failures open the breaker; then the open period passes. */
const TO_HALF_OPEN: readonly Step[] = [{ record: 'failure', count: 10 }, { state: 'open' }, { advance: 5_000 }, { state: 'half_open' }];

const CASES: readonly BreakerCase[] = [
  {
    name: 'minRequests: 9 failures stay closed, the 10th opens',
    steps: [{ record: 'failure', count: 9 }, { state: 'closed' }, { admit: 'admitted' }, { record: 'failure' }, { state: 'open' }, { admit: 'refused' }],
    transitions: OPEN,
  },
  {
    name: 'minRequests 0 counts as 1: one failure opens',
    policy: { minRequests: 0 },
    steps: [{ record: 'failure' }, { state: 'open' }],
    transitions: OPEN,
  },
  {
    name: 'rate exactly at errorRate opens (5 of 10 at 0.5)',
    steps: [{ record: 'success', count: 5 }, { record: 'failure', count: 4 }, { state: 'closed' }, { record: 'failure' }, { state: 'open' }],
    transitions: OPEN,
  },
  {
    name: 'rate just below errorRate stays closed (4 of 10, then 9 of 19), reaching it opens (10 of 20)',
    steps: [
      { record: 'success', count: 6 },
      { record: 'failure', count: 4 },
      { state: 'closed' },
      { record: 'success', count: 4 },
      { record: 'failure', count: 5 },
      { state: 'closed' },
      { record: 'failure' },
      { state: 'open' },
    ],
    transitions: OPEN,
  },
  {
    name: 'rate just above errorRate opens (6 of 10)',
    steps: [{ record: 'success', count: 4 }, { record: 'failure', count: 6 }, { state: 'open' }],
    transitions: OPEN,
  },
  {
    name: 'a decimal threshold is met exactly (3 of 10 at 0.3), not by 2 of 10',
    policy: { errorRate: 0.3 },
    steps: [
      { record: 'success', count: 8 },
      { record: 'failure', count: 2 },
      { state: 'closed' },
      { advance: 10_000 },
      { record: 'success', count: 7 },
      { record: 'failure', count: 2 },
      { state: 'closed' },
      { record: 'failure' },
      { state: 'open' },
    ],
    transitions: OPEN,
  },
  {
    name: 'errorRate 0 still needs a failure',
    policy: { errorRate: 0 },
    steps: [{ record: 'success', count: 20 }, { state: 'closed' }, { record: 'failure' }, { state: 'open' }],
    transitions: OPEN,
  },
  {
    name: 'errorRate 1 opens only at 100 % failures',
    policy: { errorRate: 1 },
    steps: [{ record: 'success' }, { record: 'failure', count: 9 }, { state: 'closed' }, { advance: 10_000 }, { record: 'failure', count: 10 }, { state: 'open' }],
    transitions: OPEN,
  },
  {
    name: 'window: failures 9.999 s old still count',
    steps: [{ record: 'failure', count: 9 }, { advance: 9_999 }, { record: 'failure' }, { state: 'open' }],
    transitions: OPEN,
  },
  {
    name: 'window: failures 10 s old have slid out',
    steps: [{ record: 'failure', count: 9 }, { advance: 10_000 }, { record: 'failure' }, { state: 'closed' }, { record: 'failure', count: 8 }, { state: 'closed' }, { record: 'failure' }, { state: 'open' }],
    transitions: OPEN,
  },
  {
    name: 'open refuses until openForMs has passed, then is half-open',
    steps: [{ record: 'failure', count: 10 }, { advance: 4_999 }, { state: 'open' }, { admit: 'refused' }, { advance: 1 }, { state: 'half_open' }],
    transitions: OPEN_THEN_HALF_OPEN,
  },
  {
    name: 'outcomes of calls admitted before the breaker opened do not close it',
    steps: [{ record: 'failure', count: 10 }, { record: 'success', count: 20 }, { state: 'open' }, { advance: 5_000 }, { state: 'half_open' }],
    transitions: OPEN_THEN_HALF_OPEN,
  },
  {
    name: 'half-open: halfOpenProbes slots, then refusals; two successes close it with an empty window',
    steps: [
      ...TO_HALF_OPEN,
      { admit: 'probe' },
      { admit: 'probe' },
      { admit: 'refused' },
      { record: 'success', probe: true },
      { state: 'half_open' },
      { record: 'success', probe: true },
      { state: 'closed' },
      { admit: 'admitted' },
      { record: 'failure', count: 9 },
      { state: 'closed' },
      { record: 'failure' },
      { state: 'open' },
    ],
    transitions: [...OPEN_THEN_HALF_OPEN, 'half_open→closed', 'closed→open'],
  },
  {
    name: 'half-open: a failed probe reopens for another openForMs',
    steps: [
      ...TO_HALF_OPEN,
      { admit: 'probe' },
      { record: 'failure', probe: true },
      { state: 'open' },
      { admit: 'refused' },
      { advance: 4_999 },
      { state: 'open' },
      { advance: 1 },
      { state: 'half_open' },
      { admit: 'probe' },
      { admit: 'probe' },
      { record: 'success', probe: true },
      { record: 'success', probe: true },
      { state: 'closed' },
    ],
    transitions: [...OPEN_THEN_HALF_OPEN, 'half_open→open', 'open→half_open', 'half_open→closed'],
  },
  {
    name: 'half-open with one probe slot: one success closes',
    policy: { halfOpenProbes: 1 },
    steps: [...TO_HALF_OPEN, { admit: 'probe' }, { admit: 'refused' }, { record: 'success', probe: true }, { state: 'closed' }],
    transitions: [...OPEN_THEN_HALF_OPEN, 'half_open→closed'],
  },
];

/** A registry under test, with a way to wait until what was recorded has taken effect. */
interface Subject {
  readonly registry: BreakerRegistry;
  /** Resolves once every recorded outcome has been applied (for Redis: its script has answered). */
  settle(): Promise<void>;
}

function memorySubject(clock: ManualClock): Subject {
  return { registry: createMemoryBreakerRegistry({ now: clock.now }), settle: () => Promise.resolve() };
}

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const nextMacrotask = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function redisSubject(clock: ManualClock): Promise<Subject> {
  const redis: Redis = await connectTestRedis();
  // Loaded up front, so that every script runs on its first EVALSHA (no NOSCRIPT round trip).
  for (const script of [RECORD_SCRIPT, SYNC_SCRIPT, ADMIT_PROBE_SCRIPT, RECORD_PROBE_SCRIPT]) await redis.script('LOAD', script.source);
  const registry = createRedisBreakerRegistry({
    redis,
    keyPrefix: uniquePrefix('breaker-cases'),
    failMode: 'open',
    now: clock.now,
    // The registry's own replies are what the cases check; the periodic read-back stays out of the way.
    syncIntervalMs: 3_600_000,
    logger: (message) => {
      throw new Error(`unexpected breaker log: ${message}`);
    },
  });
  cleanups.push(async () => {
    await registry.close();
    redis.disconnect();
  });
  return {
    registry,
    async settle() {
      // The batch is sent from a zero-delay timer; replies on one connection come in order, so a
      // PING sent after the script answers after it; the macrotask lets the reply's handlers run.
      for (let round = 0; round < 2; round += 1) {
        await new Promise((resolve) => setTimeout(resolve, 0));
        await redis.ping();
        await nextMacrotask();
      }
      expect(registry.degraded).toBe(false);
    },
  };
}

async function run(subject: Subject, clock: ManualClock, testCase: BreakerCase): Promise<void> {
  const { registry } = subject;
  const policy = breakerPolicy(testCase.policy);
  const transitions: string[] = [];
  registry.onStateChange((change) => transitions.push(`${change.from}→${change.to}`));
  for (const [index, step] of testCase.steps.entries()) {
    const where = `step ${index + 1}: ${JSON.stringify(step)}`;
    if ('record' in step) {
      for (let call = 0; call < (step.count ?? 1); call += 1) {
        registry.record(KEY, policy, step.record, step.probe ?? false);
        await subject.settle();
      }
    } else if ('advance' in step) {
      clock.advance(step.advance);
    } else if ('state' in step) {
      expect(registry.state(KEY), where).toBe(step.state);
    } else {
      const admission = await registry.admit(KEY, policy);
      await subject.settle();
      const answer = !admission.allowed ? 'refused' : admission.probe ? 'probe' : 'admitted';
      expect(answer, where).toBe(step.admit);
    }
  }
  expect(transitions).toEqual(testCase.transitions);
}

describe('breaker cases: in-memory registry', () => {
  it.each(CASES)('$name', async (testCase) => {
    const clock = manualClock();
    await run(memorySubject(clock), clock, testCase);
  });
});

describe.skipIf(!hasRedis)('breaker cases: Redis registry (real Redis)', () => {
  it.each(CASES)('$name', async (testCase) => {
    const clock = manualClock();
    await run(await redisSubject(clock), clock, testCase);
  });
});
