import { describe, expect, it } from 'vitest';
import type { CachePolicy } from '../../../src/config/types.js';
import { cacheKey } from '../../../src/pipeline/cache/cache-key.js';
import type { ChatRequest } from '../../../src/types.js';

const policy: CachePolicy = { ttlMs: 60_000, keyPrefix: 'k:', maxEntries: 10, cacheSampled: true, perUser: false };
const base: ChatRequest = { model: 'r', messages: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello' }, { role: 'user', content: 'Again' }] };
const key = (request: ChatRequest): string => cacheKey({ route: 'r', request }, policy);

describe('cache key: reasoning', () => {
  it('covers the reasoning option', () => {
    const keys = new Set([key(base), key({ ...base, reasoning: { effort: 'low' } }), key({ ...base, reasoning: { effort: 'high' } }), key({ ...base, reasoning: { budgetTokens: 1024 } })]);
    expect(keys.size).toBe(4);
    expect(key({ ...base, reasoning: { effort: 'low' } })).toBe(key({ ...base, reasoning: { effort: 'low' } }));
  });

  it('covers the reasoning parts of assistant messages, signature included', () => {
    const withReasoning = (signature: string): ChatRequest => ({
      ...base,
      messages: [base.messages[0]!, { role: 'assistant', content: 'Hello', reasoning: [{ type: 'reasoning', text: 't', signature, provider: 'anthropic' }] }, base.messages[2]!],
    });
    expect(new Set([key(base), key(withReasoning('a')), key(withReasoning('b'))]).size).toBe(3);
  });
});
