import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { cacheKey, isCacheable, stableStringify } from '../../../src/pipeline/cache/cache-key.js';
import type { ChatRequest, ContentPart, Message } from '../../../src/types.js';
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

/**
 * Key format 3, written the plain way: SHA-256 of `JSON.stringify` of the canonical array (format 3
 * added `reasoning`, messages' reasoning parts, `responseFormat` and `system` as parts). Keys
 * must not change without a format version bump (a shared Redis holds entries written by other
 * processes and versions), so `cacheKey` is pinned to this on awkward input.
 */
function referenceKey(route: string, request: ChatRequest, prefix: string, identity?: { user?: string; tenant?: string }): string {
  const part = (p: ContentPart): unknown[] => (p.type === 'text' ? ['text', p.text] : [p.type, p.url ?? null, p.data ?? null, p.mediaType ?? null]);
  const message = (m: Message): unknown[] => [
    m.role,
    typeof m.content === 'string' ? m.content : m.content === undefined ? null : m.content.map(part),
    m.toolCalls === undefined ? null : m.toolCalls.map((call) => [call.id, call.name, stableStringify(call.arguments)]),
    m.toolCallId ?? null,
    m.name ?? null,
    m.reasoning === undefined || m.reasoning.length === 0 ? null : m.reasoning.map((r) => [r.provider, r.text, r.signature ?? null, r.redactedData ?? null]),
  ];
  const system = request.system === undefined ? null : typeof request.system === 'string' ? request.system : ['parts', request.system.map((p) => p.text)];
  const format = request.responseFormat;
  const canonical = JSON.stringify([
    3,
    route,
    system,
    request.messages.map(message),
    request.tools === undefined ? null : request.tools.map((tool) => [tool.name, tool.description ?? null, stableStringify(tool.parameters)]),
    request.toolChoice === undefined ? null : typeof request.toolChoice === 'string' ? request.toolChoice : ['name', request.toolChoice.name],
    request.maxTokens ?? null,
    request.temperature ?? null,
    request.topP ?? null,
    request.stop ?? null,
    request.reasoning === undefined ? null : 'effort' in request.reasoning ? ['effort', request.reasoning.effort] : ['budget', request.reasoning.budgetTokens],
    format === undefined ? null : format.type === 'json' ? ['json'] : ['json_schema', stableStringify(format.schema), format.name ?? null, format.strict ?? null, format.method ?? null],
    identity === undefined ? null : [identity.user ?? null, identity.tenant ?? null],
  ]);
  return prefix + createHash('sha256').update(canonical).digest('hex');
}

describe('cacheKey format', () => {
  const awkward = ['plain', 'say "hi"', 'back\\slash', 'line\nbreak\ttab\r', '\u0000\u0001\u001f', 'emoji 🙂', 'lone \ud800 surrogate', 'lone \udfff low', '\u2028\u2029', 'ünïcödé', ''];
  for (const text of awkward) {
    it(`is SHA-256 of the canonical array's JSON, for ${JSON.stringify(text)}`, () => {
      const request: ChatRequest = { model: 'chat', system: text, messages: [{ role: 'user', content: text }, { role: 'assistant', content: 'ok' }], temperature: 0, maxTokens: 16, topP: 0.5, stop: [text] };
      expect(cacheKey({ route: text === '' ? 'chat' : text, request }, policy)).toBe(referenceKey(text === '' ? 'chat' : text, request, policy.keyPrefix));
    });
  }

  it('is the same for messages with parts, tool calls, tool results and names, tools and identities', () => {
    const request: ChatRequest = {
      model: 'chat',
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'look "here"' }, { type: 'image', url: 'https://example.com/a.png' }], name: 'ann' },
        { role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 'lookup', arguments: { b: 1, a: [true, null] } }] },
        { role: 'tool', content: '{"temp":3}', toolCallId: 'c1' },
      ],
      tools: [{ name: 'lookup', description: 'Finds', parameters: { type: 'object', properties: { b: {}, a: {} } } }],
      toolChoice: { name: 'lookup' },
      temperature: 0.7,
    };
    expect(cacheKey({ route: 'chat', request }, policy)).toBe(referenceKey('chat', request, policy.keyPrefix));
    const perUser = { ...policy, perUser: true };
    const identity = { user: 'u "1"', tenant: 't1' };
    expect(cacheKey({ route: 'chat', request: { ...request, toolChoice: 'auto' }, identity }, perUser)).toBe(referenceKey('chat', { ...request, toolChoice: 'auto' }, policy.keyPrefix, identity));
  });

  it('writes every awkward string as JSON does, in every string position of the key', () => {
    for (const text of awkward) {
      const request: ChatRequest = {
        model: 'chat',
        messages: [
          { role: 'user', content: [{ type: 'text', text }, { type: 'image', data: text, mediaType: text }], name: text },
          { role: 'assistant', content: text, toolCalls: [{ id: text, name: text, arguments: { [text]: text } }] },
          { role: 'tool', content: text, toolCallId: text },
        ],
        tools: [{ name: text, description: text, parameters: { [text]: [text] } }, { name: 'second', parameters: {} }],
        toolChoice: { name: text },
        stop: [text, 'and', text],
        temperature: 0,
      };
      const identity = { user: text };
      const perUser = { ...policy, perUser: true };
      expect(cacheKey({ route: 'chat', request, identity }, perUser)).toBe(referenceKey('chat', request, policy.keyPrefix, identity));
    }
  });

  it('writes numbers as JSON does: -0 as 0, non-finite as null', () => {
    const base: ChatRequest = { model: 'chat', messages: [{ role: 'user', content: 'n' }] };
    for (const temperature of [-0, Number.NaN, Number.POSITIVE_INFINITY, 1e21, 0.1 + 0.2]) {
      expect(cacheKey({ route: 'chat', request: { ...base, temperature } }, policy)).toBe(referenceKey('chat', { ...base, temperature }, policy.keyPrefix));
    }
  });
});

describe('keys written before the one canonical JSON function', () => {
  it('are unchanged: a request with tool schemas, tool-call arguments, images and a per-user policy keeps its key', () => {
    // The key below was computed by the cache module's own stringifier before it gave way to
    // src/canonical-json.ts; entries already in a shared Redis must still be found.
    const rich = {
      model: 'chat',
      system: 'Be brief.',
      temperature: 0,
      maxTokens: 64,
      topP: 0.5,
      stop: ['\n'],
      tools: [
        {
          name: 'lookup',
          description: 'Find',
          parameters: { type: 'object', required: ['city'], properties: { units: { enum: ['metric', 'imperial'], type: 'string' }, city: { type: 'string', description: 'Ünïcödé "city" \u2028' } } },
        },
      ],
      toolChoice: { name: 'lookup' },
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'hi' }, { type: 'image', url: 'https://example.com/a.png', mediaType: 'image/png' }] },
        {
          role: 'assistant',
          content: '',
          toolCalls: [{ id: 'c1', name: 'lookup', arguments: { units: 'metric', city: 'Oslo', nested: { z: [1, 2.5, -0, null, true], a: { y: 'x', b: {} } }, '10': 1, '2': 2 } }],
        },
        { role: 'tool', content: '{"temp": 3}', toolCallId: 'c1', name: 'lookup' },
      ],
    } as ChatRequest;
    const perUser = { ...policy, perUser: true };
    // Pinned at key format 3 (format 2 gave test:9df9d9a3…): a change here needs a format version bump.
    expect(cacheKey({ route: 'chat', request: rich, identity: { user: 'u1', tenant: 't1' } }, perUser)).toBe('test:aef9e858fc4d7c600197760b0e480019e15f5c0325b92b9506202153d8d93c81');
    expect(cacheKey({ route: 'chat', request: rich, identity: { user: 'u1', tenant: 't1' } }, perUser)).toBe(referenceKey('chat', rich, policy.keyPrefix, { user: 'u1', tenant: 't1' }));
  });
});

describe('stableStringify (the canonical JSON function, src/canonical-json.ts)', () => {
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
