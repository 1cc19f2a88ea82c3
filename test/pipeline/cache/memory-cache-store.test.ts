import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '../../../src/errors.js';
import { createMemoryCacheStore } from '../../../src/pipeline/cache/memory-cache-store.js';
import type { CachedEntry } from '../../../src/pipeline/cache/store.js';
import type { ChatResponse } from '../../../src/types.js';
import { upstreamResponse } from './call-context.js';

const entry = (text: string): CachedEntry => ({ response: upstreamResponse({ text }), storedAt: 0 });

function manualClock(): { now: () => number; advance: (ms: number) => void } {
  let time = 1_000;
  return { now: () => time, advance: (ms) => (time += ms) };
}

describe('createMemoryCacheStore', () => {
  it('returns what was stored, and undefined for unknown keys', async () => {
    const store = createMemoryCacheStore({ maxEntries: 10 });
    await store.set('a', entry('alpha'), 1_000);
    expect((await store.get('a'))?.response.text).toBe('alpha');
    expect(await store.get('b')).toBeUndefined();
  });

  it('evicts the least recently used entry beyond maxEntries', async () => {
    const store = createMemoryCacheStore({ maxEntries: 3 });
    await store.set('a', entry('a'), 1_000);
    await store.set('b', entry('b'), 1_000);
    await store.set('c', entry('c'), 1_000);
    await store.get('a'); // a is now the most recently used; b the least.
    await store.set('d', entry('d'), 1_000);
    expect(store.size).toBe(3);
    expect(await store.get('b')).toBeUndefined();
    expect((await store.get('a'))?.response.text).toBe('a');
    expect((await store.get('c'))?.response.text).toBe('c');
    expect((await store.get('d'))?.response.text).toBe('d');
  });

  it('counts an overwrite as a use and never holds a key twice', async () => {
    const store = createMemoryCacheStore({ maxEntries: 2 });
    await store.set('a', entry('a1'), 1_000);
    await store.set('b', entry('b'), 1_000);
    await store.set('a', entry('a2'), 1_000);
    await store.set('c', entry('c'), 1_000);
    expect(store.size).toBe(2);
    expect(await store.get('b')).toBeUndefined();
    expect((await store.get('a'))?.response.text).toBe('a2');
  });

  it('expires entries after their ttl on the injected clock', async () => {
    const clock = manualClock();
    const store = createMemoryCacheStore({ maxEntries: 10, now: clock.now });
    await store.set('short', entry('short'), 100);
    await store.set('long', entry('long'), 10_000);
    clock.advance(99);
    expect(await store.get('short')).toBeDefined();
    clock.advance(1);
    expect(await store.get('short')).toBeUndefined();
    expect(store.size).toBe(1);
    expect((await store.get('long'))?.response.text).toBe('long');
  });

  it('stores nothing for a ttl of zero or less', async () => {
    const store = createMemoryCacheStore({ maxEntries: 10 });
    await store.set('zero', entry('zero'), 0);
    await store.set('negative', entry('negative'), -5);
    expect(store.size).toBe(0);
  });

  it('gives every reader its own copy', async () => {
    const store = createMemoryCacheStore({ maxEntries: 10 });
    const original = { response: upstreamResponse({ toolCalls: [{ id: 'c', name: 'f', arguments: { x: 1 } }] }), storedAt: 0 };
    await store.set('k', original, 1_000);
    (original.response.toolCalls[0]?.arguments as Record<string, unknown>).x = 'changed by the first caller';
    const first = await store.get('k');
    (first?.response.toolCalls[0]?.arguments as Record<string, unknown>).x = 'changed by a reader';
    expect((await store.get('k'))?.response.toolCalls[0]?.arguments).toEqual({ x: 1 });
  });

  it('answers getNow at once as get does: own copies, recency, expiry', async () => {
    let time = 0;
    const store = createMemoryCacheStore({ maxEntries: 2, now: () => time });
    await store.set('a', entry('a'), 1_000);
    await store.set('b', entry('b'), 1_000);
    const first = store.getNow?.('a');
    expect(first).toEqual(await store.get('a'));
    expect(first).not.toBe(store.getNow?.('a'));
    expect(store.getNow?.('unknown')).toBeUndefined();
    // The read made 'a' the most recent: a third entry evicts 'b'.
    await store.set('c', entry('c'), 1_000);
    expect(store.getNow?.('b')).toBeUndefined();
    time = 1_000;
    expect(store.getNow?.('a')).toBeUndefined();
  });

  it('stores at once with setNow, keeping a copy of the entry\'s own fields only', () => {
    const store = createMemoryCacheStore({ maxEntries: 10 });
    const whole: ChatResponse = { ...upstreamResponse({ toolCalls: [{ id: 'c', name: 'f', arguments: { x: 1 } }] }), attempts: [], latencyMs: 12.5, requestId: 'first-call', cached: false };
    store.setNow?.('k', { response: whole, storedAt: 7 }, 1_000);
    (whole.toolCalls[0]?.arguments as Record<string, unknown>).x = 'changed by the first caller';
    const held = store.getNow?.('k');
    expect(held?.storedAt).toBe(7);
    expect(held?.response.toolCalls[0]?.arguments).toEqual({ x: 1 });
    for (const perCall of ['attempts', 'latencyMs', 'requestId', 'cached']) expect(held?.response).not.toHaveProperty(perCall);
    store.setNow?.('zero', { response: whole, storedAt: 7 }, 0);
    expect(store.size).toBe(1);
  });

  it('refuses a maxEntries that is not a positive integer, naming it', () => {
    for (const maxEntries of [0, -1, 1.5, Number.NaN]) {
      let thrown: unknown;
      try {
        createMemoryCacheStore({ maxEntries });
      } catch (error) {
        thrown = error;
      }
      expect(SwitchyardError.isInstance(thrown) && thrown.category === 'config' && thrown.message.includes('maxEntries')).toBe(true);
    }
  });

  it('forgets everything on close', async () => {
    const store = createMemoryCacheStore({ maxEntries: 10 });
    await store.set('a', entry('a'), 1_000);
    await store.close();
    expect(await store.get('a')).toBeUndefined();
  });
});

describe('eviction in batches', () => {
  it('never holds more than maxEntries, and evicts the least recently used first', async () => {
    const store = createMemoryCacheStore({ maxEntries: 640 }); // a batch is 640 / 64 = 10 entries
    for (let index = 0; index < 640; index += 1) await store.set(`k${index}`, entry('x'), 60_000);
    expect(store.size).toBe(640);
    await store.get('k0'); // used: now the most recent
    await store.set('k640', entry('x'), 60_000);
    expect(store.size).toBe(631);
    expect(await store.get('k0')).toBeDefined();
    expect(await store.get('k1')).toBeUndefined();
    expect(await store.get('k10')).toBeUndefined();
    expect(await store.get('k11')).toBeDefined();
    expect(await store.get('k640')).toBeDefined();
  });
});
