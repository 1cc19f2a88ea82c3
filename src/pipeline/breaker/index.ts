/**
 * The circuit breaker: one per target key, in process memory or shared through Redis.
 */
export type { BreakerRegistry } from './types.js';
export { createMemoryBreakerRegistry } from './memory-registry.js';
export { createRedisBreakerRegistry } from './redis-registry.js';
