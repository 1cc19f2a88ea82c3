/** The response cache: key, stores, single-flight, stream replay and the pipeline stage. */
export { cacheKey, isCacheable, stableStringify } from './cache-key.js';
export type { CacheIdentity, CacheKeyInput } from './cache-key.js';
export { createCacheStage } from './cache-stage.js';
export type { CacheStageOptions } from './cache-stage.js';
export { replayStream } from './replay-stream.js';
export { createSingleFlight } from './single-flight.js';
export type { Flight, SingleFlight } from './single-flight.js';
export { createMemoryCacheStore } from './memory-cache-store.js';
export type { MemoryCacheStore, MemoryCacheStoreOptions } from './memory-cache-store.js';
export { createRedisCacheStore } from './redis-cache-store.js';
export type { RedisCacheStore, RedisCacheStoreOptions } from './redis-cache-store.js';
export type { CachedEntry, CachedResponse, CacheLogger, CacheStore } from './store.js';
