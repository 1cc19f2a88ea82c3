import { describe, expect, it } from 'vitest';
import type { RateLimitPolicy } from '../../../src/config/types.js';
import type { CallContext, CallOutcome } from '../../../src/pipeline/context.js';
import { createMemoryRateLimiter } from '../../../src/pipeline/rate-limit/memory-rate-limiter.js';
import type { RateLimiter, RateLimitLease } from '../../../src/pipeline/rate-limit/rate-limiter.js';
import { createRateLimitStage } from '../../../src/pipeline/rate-limit/rate-limit-stage.js';
import type { ChatResponse } from '../../../src/types.js';
import { callContext, upstreamResponse } from '../cache/call-context.js';
import { deferred } from '../../support/deferred.js';

const policy: RateLimitPolicy = { perUser: { concurrency: 1 }, waitMs: 0 };

function limitedContext(overrides: { readonly mode?: 'chat' | 'stream'; readonly signal?: AbortSignal } = {}): CallContext {
  const context = callContext({ cache: null, options: { user: 'u1' }, ...overrides });
  return { ...context, policies: { ...context.policies, rateLimit: policy } };
}

/** A limiter over the real in-memory one that records every release. */
function recordingLimiter(options: { readonly admitAtOnce?: boolean; readonly throwOnTry?: Error } = {}): { limiter: RateLimiter; releases: (number | undefined)[] } {
  const inner = createMemoryRateLimiter();
  const releases: (number | undefined)[] = [];
  const recorded = (lease: RateLimitLease): RateLimitLease => ({
    waitedMs: lease.waitedMs,
    release(tokens) {
      releases.push(tokens);
      lease.release(tokens);
    },
  });
  const limiter: RateLimiter = {
    acquire: async (keys, limits, signal) => recorded(await inner.acquire(keys, limits, signal)),
    tryAcquireNow(keys, limits) {
      if (options.throwOnTry !== undefined) throw options.throwOnTry;
      if (options.admitAtOnce === false) return undefined;
      const lease = inner.tryAcquireNow?.(keys, limits);
      return lease === undefined ? undefined : recorded(lease);
    },
    degraded: false,
    close: () => inner.close(),
  };
  return { limiter, releases };
}

describe('createRateLimitStage', () => {
  it('holds the room while the call runs and releases it with the tokens the answer used', async () => {
    const { limiter, releases } = recordingLimiter();
    const stage = createRateLimitStage(limiter);
    const upstream = deferred<CallOutcome>();
    const first = stage.execute(limitedContext(), () => upstream.promise);
    // perUser concurrency 1: a second call of the same user is refused while the first holds the slot.
    await expect(stage.execute(limitedContext(), () => upstream.promise)).rejects.toMatchObject({ category: 'rate_limit' });
    expect(releases).toEqual([]);
    upstream.resolve({ kind: 'response', response: upstreamResponse({ usage: { inputTokens: 30, outputTokens: 7, totalTokens: 37 } }) });
    expect(await first).toMatchObject({ kind: 'response' });
    expect(releases).toEqual([37]);
    // The slot is free again.
    await expect(stage.execute(limitedContext(), async () => ({ kind: 'response', response: upstreamResponse({ cached: true }) }))).resolves.toMatchObject({ kind: 'response' });
    expect(releases).toEqual([37, 0]); // a cached answer spent no tokens
  });

  it('releases the room when the rest of the call fails, whether it rejects or throws', async () => {
    const { limiter, releases } = recordingLimiter();
    const stage = createRateLimitStage(limiter);
    const failure = new Error('upstream down');
    await expect(stage.execute(limitedContext(), () => Promise.reject(failure))).rejects.toBe(failure);
    const thrown = stage.execute(limitedContext(), () => {
      throw failure;
    });
    expect(thrown).toBeInstanceOf(Promise);
    await expect(thrown).rejects.toBe(failure);
    expect(releases).toEqual([0, 0]);
  });

  it('holds a stream’s room until the stream ends, and charges its tokens', async () => {
    const { limiter, releases } = recordingLimiter();
    const stage = createRateLimitStage(limiter);
    const completion = deferred<ChatResponse>();
    const outcome = await stage.execute(limitedContext({ mode: 'stream' }), async () => ({ kind: 'stream', stream: { events: (async function* () {})(), completion: completion.promise } }));
    expect(outcome.kind).toBe('stream');
    expect(releases).toEqual([]);
    completion.resolve(upstreamResponse({ usage: { inputTokens: 5, outputTokens: 6, totalTokens: 11 } }));
    await completion.promise;
    await Promise.resolve();
    expect(releases).toEqual([11]);
  });

  it('waits through acquire when the limiter cannot admit at once', async () => {
    const { limiter, releases } = recordingLimiter({ admitAtOnce: false });
    const stage = createRateLimitStage(limiter);
    const outcome = await stage.execute(limitedContext(), async () => ({ kind: 'response', response: upstreamResponse() }));
    expect(outcome.kind).toBe('response');
    expect(releases).toEqual([13]);
  });

  it('turns a limiter that throws into a rejection, without running the call', async () => {
    const broken = new Error('limiter broke');
    const { limiter } = recordingLimiter({ throwOnTry: broken });
    const stage = createRateLimitStage(limiter);
    let ran = false;
    const result = stage.execute(limitedContext(), async () => {
      ran = true;
      return { kind: 'response', response: upstreamResponse() };
    });
    expect(result).toBeInstanceOf(Promise);
    await expect(result).rejects.toBe(broken);
    expect(ran).toBe(false);
  });
});
