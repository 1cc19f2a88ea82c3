/**
 * The circuit breaker: one per target key, in process memory or shared through Redis.
 */
export type { Admission, BreakerRegistry, BreakerState, BreakerStateChange } from './types.js';
export type { MemoryBreakerRegistryOptions } from './memory-registry.js';
export type { RedisBreakerRegistry, RedisBreakerRegistryOptions } from './redis-registry.js';
export { createMemoryBreakerRegistry } from './memory-registry.js';
export { createRedisBreakerRegistry } from './redis-registry.js';
export { countsAgainstBreaker } from './counts-against-breaker.js';
export { circuitOpenError } from './circuit-open-error.js';
