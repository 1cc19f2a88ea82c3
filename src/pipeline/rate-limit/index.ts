/**
 * Rate limiting for the resilience pipeline: global, per-user and per-tenant limits on requests
 * per second and per minute, concurrency and tokens per minute, held in process or shared
 * across processes through Redis.
 */
export type { RateLimitKeys, RateLimitLease, RateLimiter } from './rate-limiter.js';
export { CONCURRENCY_LEASE_TTL_MS, CONCURRENCY_RETRY_HINT_MS } from './rate-limiter.js';
export { createMemoryRateLimiter } from './memory-rate-limiter.js';
export { createRedisRateLimiter } from './redis-rate-limiter.js';
