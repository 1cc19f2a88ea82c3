/**
 * The shared-state-ready stage: with `state.redis`, a router's first calls wait (at most ~2 s, once)
 * for the Redis client to settle before the cache, rate limits and breakers use it. With the
 * offline queue off (so a Redis outage never queues calls), commands sent while the client is
 * still connecting fail at once, and the stores would start out on local state: the first calls of
 * a fresh router would then not share limits with other processes. Later calls pay one check.
 */
import type { Redis } from 'ioredis';
import type { CallContext, CallOutcome } from './context.js';
import type { Stage } from './stage.js';

/** The stage's name, for placing user stages (`{ after: 'shared-state-ready' }`). */
export const SHARED_STATE_READY_STAGE = 'shared-state-ready';

/** Whether the shared-state client has settled, and a promise of it. */
export interface SharedStateReadiness {
  readonly settled: boolean;
  readonly promise: Promise<void>;
}

/** Longer than the wait for the shared-state store to settle (2 s). */
const READY_HOLD_MS = 2_500;

/**
 * Resolves once the Redis client is ready, has failed once, or `timeoutMs` passed.
 */
export function waitUntilSettled(redis: Redis, timeoutMs: number): SharedStateReadiness {
  const state = { settled: redis.status === 'ready', promise: Promise.resolve() };
  if (state.settled) return state;
  state.promise = new Promise<void>((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      redis.off('ready', done);
      redis.off('error', done);
      redis.off('end', done);
      state.settled = true;
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    timer.unref();
    redis.once('ready', done);
    redis.once('error', done);
    redis.once('end', done);
  });
  return state;
}

/** Creates the stage that holds calls until `ready` has settled. */
export function createSharedStateReadyStage(ready: SharedStateReadiness): Stage<CallContext, CallOutcome> {
  return {
    name: SHARED_STATE_READY_STAGE,
    async execute(context, next) {
      if (!ready.settled) {
        // The client's socket and timers do not hold the process: this waiting call does.
        const hold = setTimeout(() => undefined, READY_HOLD_MS);
        try {
          await ready.promise;
        } finally {
          clearTimeout(hold);
        }
      }
      return next(context);
    },
  };
}
