/**
 * The waiting half of `acquire`, shared by both limiters: try, and when refused, sleep until the
 * room is due (the exact time a rate or token limit reported) or until a concurrency slot may
 * have freed; give up at once when the room is due after `waitMs` has run out.
 */
import type { LimitCheck, RoomAttempt } from './limit-checks.js';
import { canceledWhileWaiting, rateLimitError } from './limit-checks.js';
import type { RateLimitLease } from './rate-limiter.js';

/** What the loop needs from a limiter. */
export interface WaitForRoomOptions {
  readonly checks: readonly LimitCheck[];
  readonly waitMs: number;
  readonly signal: AbortSignal | undefined;
  /** Monotonic clock, ms. */
  readonly now: () => number;
  /** One non-waiting try at taking room under every check. */
  readonly tryAcquire: (checks: readonly LimitCheck[]) => RoomAttempt | Promise<RoomAttempt>;
  /** Resolves when a concurrency slot may have freed, or after at most `ms`. Never rejects. */
  readonly waitForSlot: (ms: number, signal: AbortSignal | undefined) => Promise<void>;
}

/** The lease of a call that no limit applies to. */
export const NO_WAIT_LEASE: RateLimitLease = Object.freeze({ release: () => undefined, waitedMs: 0 });
const NO_WAIT = Promise.resolve(NO_WAIT_LEASE);

/** An already-resolved lease that holds nothing: what a call under no limit gets. */
export function noLimitLease(): Promise<RateLimitLease> {
  return NO_WAIT;
}

/** Wraps a release function into an idempotent lease. */
export function createLease(release: (tokensUsed: number) => void, waitedMs: number): RateLimitLease {
  let released = false;
  return {
    waitedMs,
    release(tokensUsed?: number) {
      if (released) return;
      released = true;
      release(tokensUsed !== undefined && Number.isFinite(tokensUsed) && tokensUsed > 0 ? tokensUsed : 0);
    },
  };
}

/** Sleeps `ms`, rejecting with `canceled` when the signal fires first. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal === undefined) {
      setTimeout(resolve, Math.max(1, Math.ceil(ms)));
      return;
    }
    if (signal.aborted) {
      reject(canceledWhileWaiting(signal));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(canceledWhileWaiting(signal));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, Math.max(1, Math.ceil(ms)));
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Whether the signal has fired (a function, so the check is not narrowed away across awaits). */
function isAborted(signal: AbortSignal | undefined): signal is AbortSignal {
  return signal?.aborted === true;
}

/** Takes room under every check, waiting up to `waitMs` for it; see `RateLimiter.acquire`. */
export async function waitForRoom(options: WaitForRoomOptions): Promise<RateLimitLease> {
  const { checks, signal, now } = options;
  if (isAborted(signal)) throw canceledWhileWaiting(signal);
  const startedAt = now();
  let attempt = await options.tryAcquire(checks);
  let waited = false;
  while (!attempt.admitted) {
    const remainingMs = options.waitMs - (now() - startedAt);
    let timedRetryMs = 0;
    for (const refusal of attempt.refusals) timedRetryMs = Math.max(timedRetryMs, refusal.retryAfterMs ?? 0);
    if (timedRetryMs > remainingMs || remainingMs <= 0) throw rateLimitError(attempt.refusals, options.waitMs);
    waited = true;
    if (timedRetryMs > 0) {
      await sleep(timedRetryMs, signal);
    } else {
      await options.waitForSlot(remainingMs, signal);
      if (isAborted(signal)) throw canceledWhileWaiting(signal);
    }
    attempt = await options.tryAcquire(checks);
  }
  return createLease(attempt.release, waited ? now() - startedAt : 0);
}
