/**
 * The call-level rate-limit stage: takes room under every configured limit before dispatch and
 * gives it back when the call ends (for streams, when the stream ends), charging the tokens used
 * against per-minute token limits. A call over a limit waits up to `rateLimit.wait`, then fails
 * with `rate_limit` and the time after which room will be free.
 *
 * Not an async function: a call holds its room for as long as the upstream takes to answer, and a
 * suspended async function keeps its frame alive all that time (every young-generation collection
 * copies it, for every call in flight). Reactions on the call's promise hold only the lease.
 */
import type { RateLimiter, RateLimitLease } from '../rate-limit/index.js';
import type { CallContext, CallOutcome } from '../context.js';
import type { Stage } from '../stage.js';

type Next = (context: CallContext) => Promise<CallOutcome>;

/** Creates the rate-limit stage over a limiter (in memory or shared through Redis). */
export function createRateLimitStage(limiter: RateLimiter): Stage<CallContext, CallOutcome> {
  return {
    name: 'rate-limit',
    execute(context, next) {
      const policy = context.policies.rateLimit;
      if (policy === undefined) return next(context);
      try {
        const keys = { user: context.options.user, tenant: context.options.tenant };
        const admitted = context.signal.aborted ? undefined : limiter.tryAcquireNow?.(keys, policy);
        if (admitted !== undefined) return whileHolding(admitted, context, next);
        return limiter.acquire(keys, policy, context.signal).then((lease) => whileHolding(lease, context, next));
      } catch (error) {
        return Promise.reject(error);
      }
    },
  };
}

/** Runs the rest of the call with `lease` held, and gives the room back when the call (or its stream) ends. */
function whileHolding(lease: RateLimitLease, context: CallContext, next: Next): Promise<CallOutcome> {
  if (lease.waitedMs > 0) context.notes.rateLimitWaitMs = lease.waitedMs;
  let running: Promise<CallOutcome>;
  try {
    running = next(context);
  } catch (error) {
    lease.release(0);
    return Promise.reject(error);
  }
  return running.then(
    (outcome) => {
      if (outcome.kind === 'response') {
        lease.release(outcome.response.cached ? 0 : outcome.response.usage.totalTokens);
      } else {
        outcome.stream.completion.then(
          (response) => lease.release(response.usage.totalTokens),
          () => lease.release(0),
        );
      }
      return outcome;
    },
    (error: unknown) => {
      lease.release(0);
      throw error;
    },
  );
}
