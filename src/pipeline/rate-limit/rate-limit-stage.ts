/**
 * The call-level rate-limit stage: takes room under every configured limit before the call goes
 * on and gives it back when the call ends (for streams, when the stream ends), charging the tokens
 * used against per-minute token limits. A call over a limit waits up to `rateLimit.wait`, then
 * fails with `rate_limit` and the time after which room will be free. The wait counts against the
 * call's total timeout.
 */
import type { CallContext, CallOutcome } from '../context.js';
import type { Stage } from '../stage.js';
import type { RateLimiter } from './rate-limiter.js';

/** The stage's name, for placing user stages (`{ after: 'rate-limit' }`). */
export const RATE_LIMIT_STAGE = 'rate-limit';

/** Creates the rate-limit stage over a limiter (in memory or shared through Redis). */
export function createRateLimitStage(limiter: RateLimiter): Stage<CallContext, CallOutcome> {
  return {
    name: RATE_LIMIT_STAGE,
    async execute(context, next) {
      const policy = context.policies.rateLimit;
      if (policy === undefined) return next(context);
      const keys = { user: context.options.user, tenant: context.options.tenant };
      // The in-memory limiter answers at once when there is room; otherwise wait for room.
      const lease = (context.signal.aborted ? undefined : limiter.tryAcquireNow?.(keys, policy)) ?? (await limiter.acquire(keys, policy, context.signal));
      if (lease.waitedMs > 0) context.notes.rateLimitWaitMs = lease.waitedMs;
      let outcome: CallOutcome;
      try {
        outcome = await next(context);
      } catch (error) {
        lease.release(0);
        throw error;
      }
      if (outcome.kind !== 'stream') {
        lease.release(outcome.response.cached ? 0 : outcome.response.usage.totalTokens);
      } else {
        outcome.stream.completion.then(
          (response) => lease.release(response.usage.totalTokens),
          () => lease.release(0),
        );
      }
      return outcome;
    },
  };
}
