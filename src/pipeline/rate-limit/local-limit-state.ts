/**
 * Rate-limit state held in this process: GCRA times for rates and tokens, counters for
 * concurrency. A try at taking room is synchronous, so it is all or nothing by construction.
 * Idle state (a TAT in the past, a counter at zero) is the same as no state and is swept away,
 * amortised over calls, so per-user keys do not accumulate. No timers.
 */
import { chargeTokens, rateDecision, tokenRoomRetryAfterMs } from './gcra.js';
import type { LimitCheck, Refusal, RoomAttempt } from './limit-checks.js';

/** In-process limit state: a non-waiting try, and wake-ups for callers waiting on a concurrency slot. */
export interface LocalLimitState {
  /** Takes room under every check, or none and says which refused. */
  readonly tryAcquire: (checks: readonly LimitCheck[]) => RoomAttempt;
  /** Resolves when a concurrency slot is released, or after `ms`. Never rejects. */
  readonly waitForRelease: (ms: number, signal: AbortSignal | undefined) => Promise<void>;
  /** Wakes callers waiting for a concurrency slot (a slot was released elsewhere). */
  notifyRelease(): void;
  /** Drops all state. */
  clear(): void;
}

/** Creates empty in-process state on the given monotonic clock (ms). */
export function createLocalLimitState(now: () => number): LocalLimitState {
  const arrivalTimes = new Map<string, number>();
  const slots = new Map<string, number>();
  const sleepers = new Set<() => void>();
  let triesSinceSweep = 0;

  function sweep(at: number): void {
    triesSinceSweep = 0;
    for (const [id, tat] of arrivalTimes) if (tat <= at) arrivalTimes.delete(id);
  }

  function notifyRelease(): void {
    if (sleepers.size === 0) return;
    for (const wake of [...sleepers]) wake();
  }

  function release(checks: readonly LimitCheck[], tokensUsed: number): void {
    const at = now();
    let freedSlot = false;
    for (const check of checks) {
      if (check.algorithm === 'slot') {
        const held = (slots.get(check.id) ?? 1) - 1;
        if (held <= 0) slots.delete(check.id);
        else slots.set(check.id, held);
        freedSlot = true;
      } else if (check.algorithm === 'tokens' && tokensUsed > 0) {
        arrivalTimes.set(check.id, chargeTokens(arrivalTimes.get(check.id), at, check.periodMs, check.limit, tokensUsed));
      }
    }
    if (freedSlot) notifyRelease();
  }

  function tryAcquire(checks: readonly LimitCheck[]): RoomAttempt {
    const at = now();
    triesSinceSweep += 1;
    if (triesSinceSweep >= Math.max(1_024, arrivalTimes.size)) sweep(at);
    let refusals: Refusal[] | undefined;
    let nextTats: number[] | undefined;
    for (let index = 0; index < checks.length; index += 1) {
      const check = checks[index] as LimitCheck;
      let retryAfterMs: number | undefined = 0;
      if (check.algorithm === 'slot') {
        if ((slots.get(check.id) ?? 0) >= check.limit) retryAfterMs = undefined;
      } else if (check.algorithm === 'rate') {
        const decision = rateDecision(arrivalTimes.get(check.id), at, check.periodMs, check.limit);
        retryAfterMs = decision.retryAfterMs;
        (nextTats ??= [])[index] = decision.nextTat;
      } else {
        retryAfterMs = tokenRoomRetryAfterMs(arrivalTimes.get(check.id), at, check.periodMs, check.limit);
      }
      if (retryAfterMs !== 0) (refusals ??= []).push({ check, retryAfterMs });
    }
    if (refusals !== undefined) return { admitted: false, refusals };
    let holdsSomething = false;
    for (let index = 0; index < checks.length; index += 1) {
      const check = checks[index] as LimitCheck;
      if (check.algorithm === 'slot') slots.set(check.id, (slots.get(check.id) ?? 0) + 1);
      else if (check.algorithm === 'rate') arrivalTimes.set(check.id, (nextTats as number[])[index] as number);
      if (check.algorithm !== 'rate') holdsSomething = true;
    }
    return { admitted: true, release: holdsSomething ? (tokensUsed) => release(checks, tokensUsed) : doNothing };
  }

  function waitForRelease(ms: number, signal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted === true) {
        resolve();
        return;
      }
      const done = (): void => {
        clearTimeout(timer);
        sleepers.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, Math.ceil(ms)));
      sleepers.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  return {
    tryAcquire,
    waitForRelease,
    notifyRelease,
    clear() {
      arrivalTimes.clear();
      slots.clear();
    },
  };
}

function doNothing(): void {}
