/**
 * Built-in defaults: what a config gets for every key it leaves out. Each value is chosen to be
 * safe for any user; `docs/configuration.md` explains why each one is what it is.
 */
import type { ProviderType } from '../provider-spec.js';
import type { CachePolicy, Policies, RateLimitPolicy, StickyKey } from './types.js';

/**
 * The global policies when the config sets none. Rate limiting and caching are off (absent):
 * both change behaviour callers can see, so they are opt-in.
 */
export const DEFAULT_POLICIES: Policies = Object.freeze({
  timeout: Object.freeze({
    connectMs: 5_000,
    firstByteMs: 60_000,
    idleMs: 30_000,
    totalMs: 120_000,
  }),
  retry: Object.freeze({
    attempts: 3,
    minDelayMs: 500,
    maxDelayMs: 10_000,
    factor: 2,
    jitter: 'full' as const,
    on: Object.freeze(['rate_limit', 'overloaded', 'server', 'timeout', 'network'] as const),
    budget: 0.2,
  }),
  breaker: Object.freeze({
    enabled: true,
    errorRate: 0.5,
    minRequests: 20,
    windowMs: 60_000,
    openForMs: 30_000,
    halfOpenProbes: 1,
  }),
});

/** What an enabled cache uses for the keys it leaves out (`cache: {}` turns the cache on with these). */
export const DEFAULT_CACHE_POLICY: CachePolicy = Object.freeze({
  ttlMs: 600_000,
  keyPrefix: 'switchyard:',
  maxEntries: 10_000,
  cacheSampled: false,
  perUser: false,
});

/** What enabled rate limits use for the keys they leave out: no limits, and no waiting for room. */
export const DEFAULT_RATE_LIMIT_POLICY: RateLimitPolicy = Object.freeze({ waitMs: 0 });

/** The API endpoint of each provider type that has a public one; the others need `baseUrl`. */
export const DEFAULT_BASE_URLS: Readonly<Partial<Record<ProviderType, string>>> = Object.freeze({
  anthropic: 'https://api.anthropic.com',
  openai: 'https://api.openai.com/v1',
  gemini: 'https://generativelanguage.googleapis.com',
});

/** `max_tokens` sent when a caller gives none (Anthropic requires one). */
export const DEFAULT_MAX_TOKENS = 4096;

/** Default for a route's `sticky`. */
export const DEFAULT_STICKY: StickyKey = 'none';

/** Default weight of a route target. */
export const DEFAULT_WEIGHT = 1;

/** Default `state.redis.keyPrefix`. */
export const DEFAULT_REDIS_KEY_PREFIX = 'switchyard:';
