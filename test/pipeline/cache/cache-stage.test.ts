import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '../../../src/errors.js';
import { createCacheStage } from '../../../src/pipeline/cache/cache-stage.js';
import { createMemoryCacheStore } from '../../../src/pipeline/cache/memory-cache-store.js';
import type { CachedEntry, CacheStore } from '../../../src/pipeline/cache/store.js';
import type { CallContext, CallOutcome, StartedStream } from '../../../src/pipeline/context.js';
import type { ChatResponse, StreamEvent } from '../../../src/types.js';
import { callContext, policy, request, upstreamResponse } from './call-context.js';
import { deferred } from '../../support/deferred.js';

/** A fake `next`: counts calls and answers with `answer` (or what `respond` decides). */
function fakeUpstream(respond: (context: CallContext, call: number) => Promise<ChatResponse> = async () => upstreamResponse()) {
  const seen: CallContext[] = [];
  const next = async (context: CallContext): Promise<CallOutcome> => {
    seen.push(context);
    const response = await respond(context, seen.length);
    if (context.mode === 'chat') return { kind: 'response', response: { ...response, requestId: context.requestId } };
    return { kind: 'stream', stream: liveStream({ ...response, requestId: context.requestId }) };
  };
  return { next, seen, get calls() { return seen.length; } };
}

function liveStream(response: ChatResponse): StartedStream {
  return {
    events: (async function* () {
      yield { type: 'text-delta', text: response.text } as const;
      yield { type: 'finish', response } as const;
    })(),
    completion: Promise.resolve(response),
  };
}

function manualClock(): { now: () => number; advance: (ms: number) => void } {
  let time = 1_000_000;
  return { now: () => time, advance: (ms) => (time += ms) };
}

async function chat(stage: ReturnType<typeof createCacheStage>, context: CallContext, next: (context: CallContext) => Promise<CallOutcome>): Promise<ChatResponse> {
  const outcome = await stage.execute(context, next);
  if (outcome.kind !== 'response') throw new Error('expected a response');
  return outcome.response;
}

async function collect(stream: StartedStream): Promise<StreamEvent[]> {
  const events: StreamEvent[] = [];
  for await (const event of stream.events) events.push(event);
  return events;
}

const newStage = (now?: () => number) => {
  const store = createMemoryCacheStore({ maxEntries: 100, now });
  return { store, stage: createCacheStage(store, { now }) };
};

describe('cache stage: hit, miss and bypass', () => {
  it('misses once, then answers identical calls from the cache with their own request id', async () => {
    const { stage } = newStage();
    const upstream = fakeUpstream();
    const first = callContext();
    const firstResponse = await chat(stage, first, upstream.next);
    expect(first.notes.cache).toBe('miss');
    expect(firstResponse.cached).toBe(false);
    expect(firstResponse.attempts).toHaveLength(1);

    const second = callContext({ startedAt: performance.now() - 5_000 });
    const secondResponse = await chat(stage, second, upstream.next);
    expect(second.notes.cache).toBe('hit');
    expect(upstream.calls).toBe(1);
    expect(secondResponse).toMatchObject({ text: '4', cached: true, attempts: [], requestId: second.requestId, usage: firstResponse.usage, target: firstResponse.target });
    expect(secondResponse.latencyMs).toBeGreaterThanOrEqual(5_000); // measured from this call's start, not the stored 42 ms
  });

  it('stores the answer without the first call’s own fields, and serves it with the caller’s', async () => {
    const written: CachedEntry[] = [];
    const memory = createMemoryCacheStore({ maxEntries: 10 });
    const store: CacheStore = { get: (key) => memory.get(key), set: (key, entry, ttlMs) => (written.push(entry), memory.set(key, entry, ttlMs)), close: () => memory.close() };
    const stage = createCacheStage(store);
    const upstream = fakeUpstream();
    const firstResponse = await chat(stage, callContext(), upstream.next);
    expect(written).toHaveLength(1);
    expect(Object.keys(written[0]?.response ?? {}).sort()).toEqual(
      Object.keys(firstResponse)
        // `message` is rebuilt when served; `reasoning` is stored only when there is some.
        .filter((key) => !['attempts', 'latencyMs', 'requestId', 'cached', 'message', 'reasoning'].includes(key))
        .sort(),
    );
    const second = callContext();
    const secondResponse = await chat(stage, second, upstream.next);
    expect(Object.keys(secondResponse).sort()).toEqual(Object.keys(firstResponse).sort());
    expect(secondResponse).toMatchObject({ cached: true, attempts: [], requestId: second.requestId });
  });

  it('ignores metadata when matching', async () => {
    const { stage } = newStage();
    const upstream = fakeUpstream();
    await chat(stage, callContext({ request: { ...request, metadata: { intent: 'a' } } }), upstream.next);
    const context = callContext({ request: { ...request, metadata: { intent: 'b' } } });
    await chat(stage, context, upstream.next);
    expect(context.notes.cache).toBe('hit');
    expect(upstream.calls).toBe(1);
  });

  it.each<[string, Parameters<typeof callContext>[0]]>([
    ['the route has no cache policy', { cache: null }],
    ['the caller passes cache: false', { options: { cache: false } }],
    ['the request is sampled', { request: { ...request, temperature: 0.7 } }],
    ['the temperature is left to the provider', { request: { ...request, temperature: undefined } }],
  ])('bypasses when %s', async (_case, overrides) => {
    const { stage, store } = newStage();
    const upstream = fakeUpstream();
    for (let call = 0; call < 3; call += 1) {
      const context = callContext(overrides);
      const response = await chat(stage, context, upstream.next);
      expect(context.notes.cache).toBe('bypass');
      expect(response.cached).toBe(false);
    }
    expect(upstream.calls).toBe(3);
    expect(store.size).toBe(0);
  });

  it('still reads a cached answer for others after one caller bypassed it', async () => {
    const { stage } = newStage();
    const upstream = fakeUpstream();
    await chat(stage, callContext(), upstream.next);
    const bypassing = callContext({ options: { cache: false } });
    expect((await chat(stage, bypassing, upstream.next)).cached).toBe(false);
    expect(upstream.calls).toBe(2);
    const reading = callContext();
    expect((await chat(stage, reading, upstream.next)).cached).toBe(true);
  });

  it('caches sampled requests when the policy says cacheSampled', async () => {
    const { stage } = newStage();
    const upstream = fakeUpstream();
    const sampled = { ...policy, cacheSampled: true };
    await chat(stage, callContext({ cache: sampled, request: { ...request, temperature: 0.7 } }), upstream.next);
    const context = callContext({ cache: sampled, request: { ...request, temperature: 0.7 } });
    await chat(stage, context, upstream.next);
    expect(context.notes.cache).toBe('hit');
  });

  it('keeps users apart with perUser and shares across users without it', async () => {
    const perUser = { ...policy, perUser: true };
    const { stage } = newStage();
    const upstream = fakeUpstream();
    await chat(stage, callContext({ cache: perUser, options: { user: 'alice' } }), upstream.next);
    const bob = callContext({ cache: perUser, options: { user: 'bob' } });
    await chat(stage, bob, upstream.next);
    expect(bob.notes.cache).toBe('miss');
    const alice = callContext({ cache: perUser, options: { user: 'alice' } });
    await chat(stage, alice, upstream.next);
    expect(alice.notes.cache).toBe('hit');
    expect(upstream.calls).toBe(2);

    const shared = newStage();
    await chat(shared.stage, callContext({ options: { user: 'alice' } }), upstream.next);
    const carol = callContext({ options: { user: 'carol' } });
    await chat(shared.stage, carol, upstream.next);
    expect(carol.notes.cache).toBe('hit');
  });

  it.each<[string, Partial<ChatResponse>]>([
    ['filtered', { finishReason: 'content_filter', text: '' }],
    ['truncated', { finishReason: 'length' }],
    ['oddly ended', { finishReason: 'other' }],
    ['empty', { text: '' }],
  ])('does not store a %s answer', async (_case, changes) => {
    const { stage, store } = newStage();
    const upstream = fakeUpstream(async () => upstreamResponse(changes));
    await chat(stage, callContext(), upstream.next);
    const again = callContext();
    await chat(stage, again, upstream.next);
    expect(again.notes.cache).toBe('miss');
    expect(upstream.calls).toBe(2);
    expect(store.size).toBe(0);
  });

  it('stores an answer that only calls tools', async () => {
    const { stage } = newStage();
    const toolCalls = [{ id: 'call-1', name: 'lookup', arguments: { city: 'Oslo' } }];
    const upstream = fakeUpstream(async () => upstreamResponse({ text: '', finishReason: 'tool_calls', toolCalls }));
    await chat(stage, callContext(), upstream.next);
    const again = callContext();
    expect((await chat(stage, again, upstream.next)).toolCalls).toEqual(toolCalls);
    expect(again.notes.cache).toBe('hit');
  });

  it('answers even when the store throws and rejects', async () => {
    const broken: CacheStore = {
      get: () => Promise.reject(new Error('store down')),
      set: () => {
        throw new Error('store down');
      },
      close: async () => undefined,
    };
    const stage = createCacheStage(broken);
    const upstream = fakeUpstream();
    const context = callContext();
    expect((await chat(stage, context, upstream.next)).text).toBe('4');
    expect(context.notes.cache).toBe('miss');
  });

  it('reads a store that answers at once through getNow (called on the store), not get', async () => {
    const memory = createMemoryCacheStore({ maxEntries: 10 });
    class ImmediateStore implements CacheStore {
      readonly reads: string[] = [];
      get(): Promise<CachedEntry | undefined> {
        throw new Error('get must not be used when getNow exists');
      }
      getNow(key: string): CachedEntry | undefined {
        this.reads.push(key);
        return memory.getNow?.(key);
      }
      set(key: string, entry: CachedEntry, ttlMs: number): Promise<void> {
        return memory.set(key, entry, ttlMs);
      }
      close(): Promise<void> {
        return memory.close();
      }
    }
    const store = new ImmediateStore();
    const stage = createCacheStage(store);
    const upstream = fakeUpstream();
    await chat(stage, callContext(), upstream.next);
    const again = callContext();
    expect((await chat(stage, again, upstream.next)).cached).toBe(true);
    expect(again.notes.cache).toBe('hit');
    expect(upstream.calls).toBe(1);
    expect(store.reads).toHaveLength(2);
  });

  it('writes to a store that stores at once through setNow, not set, and survives one that throws', async () => {
    const memory = createMemoryCacheStore({ maxEntries: 10 });
    const writes: string[] = [];
    const immediate: CacheStore = {
      get: (key) => memory.get(key),
      getNow: (key) => memory.getNow?.(key),
      set: () => Promise.reject(new Error('set must not be used when setNow exists')),
      setNow: (key, entry, ttlMs) => {
        writes.push(key);
        memory.setNow?.(key, entry, ttlMs);
      },
      close: () => memory.close(),
    };
    const upstream = fakeUpstream();
    const stage = createCacheStage(immediate);
    await chat(stage, callContext(), upstream.next);
    expect(writes).toHaveLength(1);
    expect((await chat(stage, callContext(), upstream.next)).cached).toBe(true);
    expect(upstream.calls).toBe(1);

    const throwing: CacheStore = {
      get: () => Promise.resolve(undefined),
      getNow: () => undefined,
      set: () => Promise.reject(new Error('set must not be used when setNow exists')),
      setNow: () => {
        throw new Error('store down');
      },
      close: () => Promise.resolve(),
    };
    const context = callContext();
    expect((await chat(createCacheStage(throwing), context, fakeUpstream().next)).text).toBe('4');
    expect(context.notes.cache).toBe('miss');
  });

  it('treats a getNow that throws as a miss', async () => {
    const broken: CacheStore = {
      get: () => Promise.reject(new Error('not used')),
      getNow: () => {
        throw new Error('store down');
      },
      set: async () => undefined,
      close: async () => undefined,
    };
    const context = callContext();
    expect((await chat(createCacheStage(broken), context, fakeUpstream().next)).text).toBe('4');
    expect(context.notes.cache).toBe('miss');
  });
});

describe('cache stage: lifetimes', () => {
  it('keeps entries for the policy ttl by default', async () => {
    const clock = manualClock();
    const { stage } = newStage(clock.now);
    const upstream = fakeUpstream();
    const shortPolicy = { ...policy, ttlMs: 1_000 };
    await chat(stage, callContext({ cache: shortPolicy }), upstream.next);
    clock.advance(999);
    await chat(stage, callContext({ cache: shortPolicy }), upstream.next);
    expect(upstream.calls).toBe(1);
    clock.advance(1);
    const expired = callContext({ cache: shortPolicy });
    await chat(stage, expired, upstream.next);
    expect(expired.notes.cache).toBe('miss');
    expect(upstream.calls).toBe(2);
  });

  it.each<[number | string, number]>([
    [100, 100],
    ['2s', 2_000],
    ['1m30s', 90_000],
  ])('uses the per-call ttl %s (%i ms) for the entry it stores', async (ttl, expectedMs) => {
    const clock = manualClock();
    const { stage } = newStage(clock.now);
    const upstream = fakeUpstream();
    await chat(stage, callContext({ options: { cache: { ttl } } }), upstream.next);
    clock.advance(expectedMs - 1);
    const fresh = callContext();
    await chat(stage, fresh, upstream.next);
    expect(fresh.notes.cache).toBe('hit');
    clock.advance(1);
    const stale = callContext();
    await chat(stage, stale, upstream.next);
    expect(stale.notes.cache).toBe('miss');
  });

  it('reads but does not store with a per-call ttl of 0', async () => {
    const { stage, store } = newStage();
    const upstream = fakeUpstream();
    await chat(stage, callContext({ options: { cache: { ttl: 0 } } }), upstream.next);
    expect(store.size).toBe(0);
  });

  it.each<[string, number | string]>([
    ['a unit-less string', '30'],
    ['an unknown unit', '5 parsecs'],
    ['a negative number', -1],
  ])('refuses %s as ttl before calling upstream', async (_case, ttl) => {
    const { stage } = newStage();
    const upstream = fakeUpstream();
    let thrown: unknown;
    try {
      await stage.execute(callContext({ options: { cache: { ttl } } }), upstream.next);
    } catch (error) {
      thrown = error;
    }
    expect(SwitchyardError.isInstance(thrown) && thrown.category === 'invalid_request' && thrown.field === 'options.cache.ttl').toBe(true);
    expect(upstream.calls).toBe(0);
  });
});

describe('cache stage: identical calls in flight', () => {
  it('sends 10 concurrent identical chat calls upstream once', async () => {
    const { stage } = newStage();
    const gate = deferred<ChatResponse>();
    const upstream = fakeUpstream(() => gate.promise);
    const contexts = Array.from({ length: 10 }, () => callContext());
    const pending = contexts.map((context) => chat(stage, context, upstream.next));
    await new Promise((resolve) => setImmediate(resolve));
    gate.resolve(upstreamResponse());
    const responses = await Promise.all(pending);

    expect(upstream.calls).toBe(1);
    expect(contexts.map((context) => context.notes.cache)).toEqual(['miss', ...Array(9).fill('shared')]);
    expect(responses.map((response) => response.requestId)).toEqual(contexts.map((context) => context.requestId));
    expect(responses[0]).toMatchObject({ cached: false, attempts: [expect.anything()] });
    for (const joined of responses.slice(1)) expect(joined).toMatchObject({ text: '4', cached: true, attempts: [] });
  });

  it('shares a failure with the joiners and does not cache it', async () => {
    const { stage, store } = newStage();
    const gate = deferred<ChatResponse>();
    const upstream = fakeUpstream((_context, call) => (call === 1 ? gate.promise : Promise.resolve(upstreamResponse())));
    const pending = Array.from({ length: 3 }, () => chat(stage, callContext(), upstream.next));
    await new Promise((resolve) => setImmediate(resolve));
    const failure = new SwitchyardError({ category: 'server', message: 'upstream 500' });
    gate.reject(failure);
    const results = await Promise.allSettled(pending);
    expect(results.every((result) => result.status === 'rejected' && result.reason === failure)).toBe(true);
    expect(upstream.calls).toBe(1);
    expect(store.size).toBe(0);

    const retry = callContext();
    expect((await chat(stage, retry, upstream.next)).text).toBe('4');
    expect(retry.notes.cache).toBe('miss');
    expect(upstream.calls).toBe(2);
  });

  it('lets a joiner leave when its own signal aborts, without disturbing the first caller', async () => {
    const { stage } = newStage();
    const gate = deferred<ChatResponse>();
    const upstream = fakeUpstream(() => gate.promise);
    const leader = chat(stage, callContext(), upstream.next);
    const controller = new AbortController();
    const joiner = chat(stage, callContext({ signal: controller.signal }), upstream.next);
    controller.abort();
    await expect(joiner).rejects.toMatchObject({ category: 'canceled' });
    gate.resolve(upstreamResponse());
    expect((await leader).text).toBe('4');
  });

  it('starts over for a joiner whose first caller was canceled', async () => {
    const { stage } = newStage();
    const leaderGate = deferred<ChatResponse>();
    const upstream = fakeUpstream((_context, call) => (call === 1 ? leaderGate.promise : Promise.resolve(upstreamResponse({ text: 'from the rejoin' }))));
    const leader = chat(stage, callContext(), upstream.next);
    const joinerContext = callContext();
    const joiner = chat(stage, joinerContext, upstream.next);
    await new Promise((resolve) => setImmediate(resolve));
    leaderGate.reject(new SwitchyardError({ category: 'canceled', message: 'caller left' }));
    await expect(leader).rejects.toMatchObject({ category: 'canceled' });
    expect((await joiner).text).toBe('from the rejoin');
    expect(joinerContext.notes.cache).toBe('miss');
    expect(upstream.calls).toBe(2);
  });
});

describe('cache stage: streams', () => {
  it('replays a cached answer as text, tool calls, usage, then finish with the chat answer', async () => {
    const { stage } = newStage();
    const toolCalls = [
      { id: 'call-1', name: 'lookup', arguments: { city: 'Oslo' } },
      { id: 'call-2', name: 'lookup', arguments: { city: 'Bergen' } },
    ];
    const upstream = fakeUpstream(async () => upstreamResponse({ text: 'Looking both up.', toolCalls, finishReason: 'tool_calls' }));
    const chatResponse = await chat(stage, callContext(), upstream.next);

    const context = callContext({ mode: 'stream' });
    const outcome = await stage.execute(context, upstream.next);
    expect(context.notes.cache).toBe('hit');
    expect(upstream.calls).toBe(1);
    if (outcome.kind !== 'stream') throw new Error('expected a stream');
    const events = await collect(outcome.stream);
    expect(events.map((event) => event.type)).toEqual(['text-delta', 'tool-call-delta', 'tool-call', 'tool-call-delta', 'tool-call', 'usage', 'finish']);
    expect(events[0]).toEqual({ type: 'text-delta', text: chatResponse.text });
    // Each call as one delta with its whole arguments, then the call, as a live stream would end up.
    expect(events.slice(1, 5)).toEqual(
      toolCalls.flatMap((toolCall) => [
        { type: 'tool-call-delta', toolCallId: toolCall.id, toolName: toolCall.name, argumentsDelta: JSON.stringify(toolCall.arguments) },
        { type: 'tool-call', toolCall },
      ]),
    );
    expect(events[5]).toEqual({ type: 'usage', usage: chatResponse.usage });
    const finish = events[6];
    if (finish?.type !== 'finish') throw new Error('expected finish last');
    expect(finish.response).toMatchObject({ text: chatResponse.text, toolCalls, cached: true, requestId: context.requestId, attempts: [] });
    expect(await outcome.stream.completion).toBe(finish.response);
  });

  it('stores a streamed answer once its stream completes', async () => {
    const { stage } = newStage();
    const upstream = fakeUpstream();
    const first = callContext({ mode: 'stream' });
    const outcome = await stage.execute(first, upstream.next);
    expect(first.notes.cache).toBe('miss');
    if (outcome.kind !== 'stream') throw new Error('expected a stream');
    await outcome.stream.completion;
    await new Promise((resolve) => setImmediate(resolve));

    const later = callContext();
    expect((await chat(stage, later, upstream.next)).cached).toBe(true);
    expect(later.notes.cache).toBe('hit');
  });

  it('stores nothing from a failed stream and leaves its failure to the caller', async () => {
    const { stage, store } = newStage();
    const failure = new SwitchyardError({ category: 'network', message: 'reset mid-stream' });
    const next = async (): Promise<CallOutcome> => ({ kind: 'stream', stream: { events: (async function* () {})(), completion: Promise.reject(failure) } });
    const outcome = await stage.execute(callContext({ mode: 'stream' }), next);
    if (outcome.kind !== 'stream') throw new Error('expected a stream');
    await expect(outcome.stream.completion).rejects.toBe(failure);
    expect(store.size).toBe(0);
  });

  it('does not single-flight streams', async () => {
    const { stage } = newStage();
    const gate = deferred<ChatResponse>();
    const upstream = fakeUpstream(() => gate.promise);
    const pending = [stage.execute(callContext({ mode: 'stream' }), upstream.next), stage.execute(callContext({ mode: 'stream' }), upstream.next)];
    await new Promise((resolve) => setImmediate(resolve));
    gate.resolve(upstreamResponse());
    await Promise.all(pending);
    expect(upstream.calls).toBe(2);
  });
});
