import { describe, expect, it } from 'vitest';
import { cacheKey, isCacheable, stableStringify } from '../../../src/pipeline/cache/cache-key.js';
import type { ChatRequest } from '../../../src/types.js';
import { policy, request } from './call-context.js';

const key = (changes: Partial<ChatRequest> = {}, route = 'chat'): string => cacheKey({ route, request: { ...request, ...changes } }, policy);

describe('cacheKey', () => {
  it('is the prefix followed by a sha256 hex digest', () => {
    expect(key()).toMatch(/^test:[0-9a-f]{64}$/);
  });

  it('gives equal requests the same key whatever their object key order', () => {
    const reordered: ChatRequest = {
      temperature: 0,
      messages: [{ content: 'What is 2 + 2?', role: 'user' }],
      system: 'Be brief.',
      model: 'chat',
    };
    expect(cacheKey({ route: 'chat', request: reordered }, policy)).toBe(key());
  });

  it('sorts keys inside tool schemas and tool-call arguments too', () => {
    const a = key({
      tools: [{ name: 'lookup', parameters: { type: 'object', properties: { city: { type: 'string' }, units: { type: 'string' } } } }],
      messages: [{ role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 'lookup', arguments: { city: 'Oslo', units: 'metric' } }] }],
    });
    const b = key({
      tools: [{ parameters: { properties: { units: { type: 'string' }, city: { type: 'string' } }, type: 'object' }, name: 'lookup' }],
      messages: [{ content: '', role: 'assistant', toolCalls: [{ arguments: { units: 'metric', city: 'Oslo' }, name: 'lookup', id: 'c1' }] }],
    });
    expect(a).toBe(b);
  });

  it('treats an absent field and an undefined one alike', () => {
    expect(key({ topP: undefined, stop: undefined })).toBe(key());
  });

  it.each<[string, Partial<ChatRequest>]>([
    ['messages', { messages: [{ role: 'user', content: 'What is 2 + 3?' }] }],
    ['message role', { messages: [{ role: 'assistant', content: 'What is 2 + 2?' }] }],
    ['system', { system: 'Be verbose.' }],
    ['temperature', { temperature: 0.7 }],
    ['tools', { tools: [{ name: 'calc', parameters: { type: 'object' } }] }],
    ['toolChoice', { toolChoice: 'none' }],
    ['maxTokens', { maxTokens: 10 }],
    ['topP', { topP: 0.5 }],
    ['stop', { stop: ['\n'] }],
  ])('changes when %s changes', (_field, changes) => {
    expect(key(changes)).not.toBe(key());
  });

  it('changes with the route', () => {
    expect(key({}, 'other')).not.toBe(key());
  });

  it('ignores metadata and the model name', () => {
    expect(key({ metadata: { intent: 'math' } })).toBe(key());
    expect(key({ model: 'something-else' })).toBe(key());
  });

  it('includes the identity only when the policy is per user', () => {
    const alice = { route: 'chat', request, identity: { user: 'alice', tenant: 'acme' } };
    const bob = { route: 'chat', request, identity: { user: 'bob', tenant: 'acme' } };
    expect(cacheKey(alice, policy)).toBe(cacheKey(bob, policy));
    expect(cacheKey(alice, policy)).toBe(key());

    const perUser = { ...policy, perUser: true };
    expect(cacheKey(alice, perUser)).not.toBe(cacheKey(bob, perUser));
    expect(cacheKey(alice, perUser)).not.toBe(cacheKey({ ...alice, identity: { user: 'alice', tenant: 'globex' } }, perUser));
    expect(cacheKey(alice, perUser)).toBe(cacheKey({ ...alice, identity: { tenant: 'acme', user: 'alice' } }, perUser));
  });

  it('uses the policy prefix', () => {
    expect(cacheKey({ route: 'chat', request }, { ...policy, keyPrefix: 'other:' }).slice(6)).toBe(key().slice(5));
  });
});

describe('stableStringify', () => {
  it('matches JSON.stringify on values without objects to reorder', () => {
    const value = { a: [1, 'two', null, undefined, true, Number.NaN, -0, 1e21], b: 'quote " and \\ and \n and \u2028', c: undefined };
    expect(stableStringify(value)).toBe(JSON.stringify(value));
  });

  it('sorts object keys at every depth', () => {
    expect(stableStringify({ b: { d: 1, c: 2 }, a: [{ z: 1, y: 2 }] })).toBe('{"a":[{"y":2,"z":1}],"b":{"c":2,"d":1}}');
  });

  it('honours toJSON', () => {
    expect(stableStringify({ at: new Date(0) })).toBe('{"at":"1970-01-01T00:00:00.000Z"}');
  });

  it('refuses cycles and BigInts instead of looping', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => stableStringify(cyclic)).toThrow(TypeError);
    expect(() => stableStringify({ n: 1n })).toThrow(TypeError);
  });

  it('allows the same object twice when it is not its own ancestor', () => {
    const shared = { x: 1 };
    expect(stableStringify([shared, shared])).toBe('[{"x":1},{"x":1}]');
  });
});

describe('isCacheable', () => {
  it.each<[number | undefined, boolean, boolean]>([
    [0, false, true],
    [0, true, true],
    [0.2, false, false],
    [0.2, true, true],
    [1, false, false],
    [undefined, false, false],
    [undefined, true, true],
  ])('temperature %s with cacheSampled %s → %s', (temperature, cacheSampled, expected) => {
    expect(isCacheable({ ...request, temperature }, { ...policy, cacheSampled })).toBe(expected);
  });
});
