/**
 * Users' own stages, through createRouter and the simulator: where call stages and attempt stages
 * run among the built-in ones (seen through what each stage can observe: cache hits, masked
 * requests, every try of a retried and fallen-back call, breaker skips), and the config errors of
 * stages that cannot be placed.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SwitchyardConfigInput } from '../../src/config/index.js';
import { createRouter } from '../../src/create-router.js';
import { invalidRequest, SwitchyardError } from '../../src/errors.js';
import type { AttemptContext, CallContext, CallOutcome } from '../../src/pipeline/context.js';
import type { Stage } from '../../src/pipeline/stage.js';
import { startSimulator, type Simulator } from '../../src/testing/simulator.js';
import type { ChatRequest } from '../../src/types.js';
import { failure } from '../support/failure.js';
import { FAST_POLICIES, simConfig } from '../support/sim-config.js';

let simulator: Simulator;
beforeAll(async () => {
  simulator = await startSimulator({ seed: 17 });
});
afterAll(async () => {
  await simulator.close();
});
afterEach(() => simulator.reset());

const ask = (model: string, text = 'hello'): ChatRequest => ({ model, messages: [{ role: 'user', content: text }], temperature: 0 });

/** What a stage saw of each call it ran for. */
interface Sighting {
  readonly stage: string;
  readonly text: string;
  readonly cache: string | undefined;
}

/** A call stage that notes what it sees and passes the call on. */
function watching(name: string, seen: Sighting[]): Stage<CallContext, CallOutcome> {
  return {
    name,
    execute(context, next) {
      const content = context.request.messages.at(-1)?.content;
      seen.push({ stage: name, text: typeof content === 'string' ? content : '', cache: context.notes.cache });
      return next(context);
    },
  };
}

function config(extra: Partial<SwitchyardConfigInput> = {}): SwitchyardConfigInput {
  const base = simConfig(simulator);
  return {
    ...base,
    policies: { ...FAST_POLICIES, cache: { ttl: '60s' } },
    filters: { sensitiveWords: { words: ['secretword'], action: 'mask' } },
    ...extra,
  };
}

describe('call stages', () => {
  it('run where they are placed: before or after a named stage, and by default just outside retry', async () => {
    const seen: Sighting[] = [];
    const router = createRouter(config(), {
      tracing: false,
      stages: [
        watching('inner-default', seen),
        { stage: watching('before-cache', seen), before: 'cache' },
        { stage: watching('after-cache', seen), after: 'cache' },
        { stage: watching('before-filter', seen), before: 'content-filter' },
        { stage: watching('after-filter', seen), after: 'content-filter' },
      ],
    });
    await router.chat(ask('gpt4', 'say secretword twice'));
    // Outermost first; the filter masked the request between the two filter stages.
    expect(seen.map((sighting) => sighting.stage)).toEqual(['before-filter', 'after-filter', 'before-cache', 'after-cache', 'inner-default']);
    expect(seen[0]?.text).toBe('say secretword twice');
    expect(seen[1]?.text).not.toContain('secretword');

    // A cache hit never reaches the stages inside the cache.
    seen.length = 0;
    const hit = await router.chat(ask('gpt4', 'say secretword twice'));
    expect(hit.cached).toBe(true);
    expect(seen.map((sighting) => sighting.stage)).toEqual(['before-filter', 'after-filter', 'before-cache']);
    expect(simulator.count()).toBe(1);
    await router.close();
  });

  it('keep the order they were given when several share a place, also next to a stage the config leaves out', async () => {
    const seen: Sighting[] = [];
    const router = createRouter(config(), {
      tracing: false,
      stages: [
        { stage: watching('after-audit-1', seen), after: 'audit' }, // no audit configured: between tracing and the canary's place
        { stage: watching('after-audit-2', seen), after: 'audit' },
        { stage: watching('before-rate-limit', seen), before: 'rate-limit' }, // no rate limit: just outside retry
        { stage: watching('before-retry', seen), before: 'retry' },
      ],
    });
    await router.chat(ask('gpt4'));
    expect(seen.map((sighting) => sighting.stage)).toEqual(['after-audit-1', 'after-audit-2', 'before-rate-limit', 'before-retry']);
    // The stage placed by the absent rate limit is inside the cache: a hit does not reach it.
    seen.length = 0;
    expect((await router.chat(ask('gpt4'))).cached).toBe(true);
    expect(seen.map((sighting) => sighting.stage)).toEqual(['after-audit-1', 'after-audit-2']);
    await router.close();
  });

  it('can refuse a call before any provider sees it (a PII check)', async () => {
    const piiCheck: Stage<CallContext, CallOutcome> = {
      name: 'pii-check',
      async execute(context, next) {
        const text = context.request.messages.map((message) => (typeof message.content === 'string' ? message.content : '')).join('\n');
        if (/\b\d{3}-\d{2}-\d{4}\b/.test(text)) throw invalidRequest('messages', 'looks like a social security number');
        return next(context);
      },
    };
    const router = createRouter(config(), { tracing: false, stages: [{ stage: piiCheck, before: 'cache' }] });
    const error = await failure(router.chat(ask('gpt4', 'my number is 123-45-6789')));
    expect(error.category).toBe('invalid_request');
    expect(error.field).toBe('messages');
    expect(simulator.count()).toBe(0);
    expect((await router.chat(ask('gpt4', 'no number here'))).text).toBe('Echo: no number here');
    await router.close();
  });
});

describe('attempt stages', () => {
  it('see every try: retries on the route, then its fallback, with each try`s own timeouts', async () => {
    const tries: { readonly route: string; readonly key: string; readonly firstByteTimeoutMs: number }[] = [];
    const watch: Stage<AttemptContext, CallOutcome> = {
      name: 'watch',
      execute(attempt, next) {
        tries.push({ route: attempt.route.name, key: attempt.names.key, firstByteTimeoutMs: attempt.firstByteTimeoutMs });
        return next(attempt);
      },
    };
    const router = createRouter(simConfig(simulator), { tracing: false, attemptStages: [watch] });
    simulator.setBehavior('claude-2.0', { errorRate: 1, errorStatuses: [500] });
    simulator.setBehavior('claude-2.1', { errorRate: 1, errorStatuses: [500] });
    simulator.enqueueFault('gpt-4', { kind: 'status', status: 500 }, 1);
    const response = await router.chat(ask('claude'), { user: 'u-1' });
    expect(response.target).toEqual({ provider: 'openai', model: 'gpt-4' });
    // One entry per try, the same tries the response reports, in order: both targets of the route,
    // then its fallback, retried after a backoff.
    expect(tries.map((entry) => `${entry.route}:${entry.key}`)).toEqual(response.attempts.map((attempt) => `${attempt.route}:${attempt.target.provider}/${attempt.target.model}`));
    expect(tries.map((entry) => entry.key)).toEqual(['anthropic/claude-2.0', 'anthropic/claude-2.1', 'openai/gpt-4', 'openai/gpt-4']);
    expect(response.attempts.map((attempt) => attempt.outcome)).toEqual(['server', 'server', 'server', 'ok']);
    // Inside the timeout stage: the policy's first-byte timeout is already set.
    expect(tries.every((entry) => entry.firstByteTimeoutMs === 5_000)).toBe(true);
    await router.close();
  });

  it('placed before the breaker, also see the targets it skips; placed after it, only tries it let through', async () => {
    const outside: string[] = [];
    const inside: string[] = [];
    const watching = (into: string[], name: string): Stage<AttemptContext, CallOutcome> => ({
      name,
      execute(attempt, next) {
        into.push(attempt.names.key);
        return next(attempt);
      },
    });
    const breaker = { enabled: true, errorRate: 0.5, minRequests: 2, window: '10s', openFor: '10s', halfOpenProbes: 1 };
    const router = createRouter(
      {
        ...simConfig(simulator),
        policies: { ...FAST_POLICIES, breaker, retry: { ...FAST_POLICIES.retry, attempts: 1 } },
        routes: { solo: { targets: [{ provider: 'anthropic', model: 'bad-model' }], fallbacks: ['gpt4'] }, gpt4: { targets: [{ provider: 'openai', model: 'gpt-4' }] } },
      },
      { tracing: false, attemptStages: [{ stage: watching(outside, 'outside'), before: 'breaker' }, { stage: watching(inside, 'inside'), after: 'breaker' }] },
    );
    simulator.setBehavior('bad-model', { errorRate: 1, errorStatuses: [500] });
    for (let index = 0; index < 3; index += 1) await router.chat(ask('solo'));
    expect(simulator.count('bad-model')).toBe(2); // then the breaker opened
    expect(outside).toEqual(['anthropic/bad-model', 'openai/gpt-4', 'anthropic/bad-model', 'openai/gpt-4', 'anthropic/bad-model', 'openai/gpt-4']);
    expect(inside).toEqual(['anthropic/bad-model', 'openai/gpt-4', 'anthropic/bad-model', 'openai/gpt-4', 'openai/gpt-4']);
    await router.close();
  });

  it('can add request headers for the adapter', async () => {
    const seenHeaders: (Readonly<Record<string, string>> | undefined)[] = [];
    const addHeaders: Stage<AttemptContext, CallOutcome> = {
      name: 'add-headers',
      execute: (attempt, next) => next({ ...attempt, headers: { ...attempt.headers, 'x-request-id': attempt.call.requestId } }),
    };
    const spy: Stage<AttemptContext, CallOutcome> = {
      name: 'spy',
      execute(attempt, next) {
        seenHeaders.push(attempt.headers);
        return next(attempt);
      },
    };
    const router = createRouter(simConfig(simulator), { tracing: false, attemptStages: [addHeaders, spy] });
    await router.chat(ask('gpt4'), { requestId: 'req-headers' });
    expect(seenHeaders).toEqual([{ 'x-request-id': 'req-headers' }]);
    await router.close();
  });
});

describe('stages that cannot be placed', () => {
  const stage: Stage<CallContext, CallOutcome> = { name: 'mine', execute: (context, next) => next(context) };

  it('an unknown name is a config error naming the built-in stages', () => {
    const error = (() => {
      try {
        createRouter(config(), { tracing: false, stages: [stage, { stage, before: 'cahce' }] });
      } catch (thrown) {
        return thrown;
      }
      return undefined;
    })();
    expect(SwitchyardError.isInstance(error)).toBe(true);
    expect((error as SwitchyardError).category).toBe('config');
    expect((error as SwitchyardError).message).toBe(
      'stages[1].before: unknown stage "cahce"; the built-in stages of `stages` are tracing, audit, canary, content-filter, shared-state-ready, cache, rate-limit, retry',
    );
  });

  it('says when a name belongs to the other level, and refuses places inside the innermost stage', () => {
    expect(() => createRouter(config(), { tracing: false, stages: [{ stage, after: 'breaker' }] })).toThrow(/stages\[0\]\.after: unknown stage "breaker" \("breaker" is a stage of `attemptStages`\)/);
    expect(() => createRouter(config(), { tracing: false, stages: [{ stage, after: 'retry' }] })).toThrow(/stages\[0\]\.after: nothing runs inside "retry"/);
    const attemptStage: Stage<AttemptContext, CallOutcome> = { name: 'mine', execute: (attempt, next) => next(attempt) };
    expect(() => createRouter(config(), { tracing: false, attemptStages: [{ stage: attemptStage, after: 'adapter' }] })).toThrow(/attemptStages\[0\]\.after: nothing runs inside "adapter"/);
    expect(() => createRouter(config(), { tracing: false, attemptStages: [{ stage: attemptStage, before: 'cache' }] })).toThrow(/"cache" is a stage of `stages`/);
    expect(() => createRouter(config(), { tracing: false, stages: [{ name: 'no-execute' } as unknown as Stage<CallContext, CallOutcome>] })).toThrow(/stages\[0\]: expected a stage/);
  });
});
