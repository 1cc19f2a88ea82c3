/** The response cache: key, stores, single-flight, stream replay and the pipeline stage. */
export { createCacheStage } from './cache-stage.js';
export { createMemoryCacheStore } from './memory-cache-store.js';
export { createRedisCacheStore } from './redis-cache-store.js';
export type { CacheStore } from './store.js';
