/** Builders for cache tests: a call context, a response, and a policy. */
import type { CachePolicy, Policies, RouteConfig } from '../../../src/config/types.js';
import type { CallContext } from '../../../src/pipeline/context.js';
import type { CallOptions, ChatRequest, ChatResponse } from '../../../src/types.js';

export const policy: CachePolicy = { ttlMs: 60_000, keyPrefix: 'test:', maxEntries: 100, cacheSampled: false, perUser: false };

export const request: ChatRequest = {
  model: 'chat',
  system: 'Be brief.',
  messages: [{ role: 'user', content: 'What is 2 + 2?' }],
  temperature: 0,
};

const route: RouteConfig = {
  name: 'chat',
  targets: [{ provider: 'openai', model: 'gpt-4o-mini', weight: 1 }],
  sticky: 'none',
  fallbacks: [],
  policies: basePolicies(),
};

function basePolicies(): Policies {
  return {
    timeout: { connectMs: 0, firstByteMs: 0, idleMs: 0, totalMs: 0 },
    retry: { attempts: 1, minDelayMs: 0, maxDelayMs: 0, factor: 2, jitter: 'none', on: [], budget: 0 },
    breaker: { enabled: false, errorRate: 0.5, minRequests: 10, windowMs: 10_000, openForMs: 1_000, halfOpenProbes: 1 },
  };
}

let sequence = 0;

/** A fresh call context; `cache: null` removes the cache policy. */
export function callContext(overrides: {
  readonly request?: ChatRequest;
  readonly options?: CallOptions;
  readonly mode?: 'chat' | 'stream';
  readonly cache?: CachePolicy | null;
  readonly signal?: AbortSignal;
  readonly startedAt?: number;
} = {}): CallContext {
  sequence += 1;
  const cache = overrides.cache === null ? undefined : (overrides.cache ?? policy);
  return {
    requestId: `req-${sequence}`,
    request: overrides.request ?? request,
    options: overrides.options ?? {},
    route,
    policies: { ...basePolicies(), cache },
    mode: overrides.mode ?? 'chat',
    startedAt: overrides.startedAt ?? performance.now(),
    signal: overrides.signal ?? new AbortController().signal,
    attempts: [],
    notes: {},
  };
}

/** An upstream answer as the dispatcher would produce it. */
export function upstreamResponse(overrides: Partial<ChatResponse> = {}): ChatResponse {
  return {
    id: 'resp-1',
    text: '4',
    toolCalls: [],
    reasoning: [],
    message: { role: 'assistant', content: '4' },
    finishReason: 'stop',
    rawFinishReason: 'stop',
    usage: { inputTokens: 12, outputTokens: 1, totalTokens: 13 },
    route: 'chat',
    target: { provider: 'openai', model: 'gpt-4o-mini' },
    attempts: [{ target: { provider: 'openai', model: 'gpt-4o-mini' }, route: 'chat', outcome: 'ok', status: 200, ms: 42 }],
    latencyMs: 42,
    requestId: 'upstream-request',
    cached: false,
    ...overrides,
  };
}
