import { describe, expect, it } from 'vitest';
import { cacheKey } from '../../../src/pipeline/cache/cache-key.js';
import type { ChatRequest } from '../../../src/types.js';
import { policy, request } from './call-context.js';

const key = (changes: Partial<ChatRequest> = {}): string => cacheKey({ route: 'chat', request: { ...request, ...changes } }, policy);

describe('cache key: providerOptions and parallelToolCalls', () => {
  it('differs when providerOptions differ, and when they are given at all', () => {
    const seven = key({ providerOptions: { openai: { seed: 7 } } });
    expect(seven).not.toBe(key());
    expect(seven).not.toBe(key({ providerOptions: { openai: { seed: 8 } } }));
    expect(seven).not.toBe(key({ providerOptions: { gemini: { seed: 7 } } }));
  });

  it('ignores the order of option keys', () => {
    const a = key({ providerOptions: { openai: { seed: 7, user: 'u' }, anthropic: { metadata: { user_id: 'x' } } } });
    const b = key({ providerOptions: { anthropic: { metadata: { user_id: 'x' } }, openai: { user: 'u', seed: 7 } } });
    expect(a).toBe(b);
  });

  it('differs by parallelToolCalls', () => {
    expect(key({ parallelToolCalls: false })).not.toBe(key());
    expect(key({ parallelToolCalls: false })).not.toBe(key({ parallelToolCalls: true }));
  });
});
