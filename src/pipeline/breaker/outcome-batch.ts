/**
 * Collects recorded outcomes per target and bucket, and hands them to a sender a moment later, one
 * send in flight at a time: under load every send carries everything recorded since the last one,
 * and the caller's path never waits for Redis.
 */
import type { BreakerPolicy } from '../../config/types.js';
import { bucketIndex, bucketSizeMs } from './sliding-window.js';

/** The outcomes of one target waiting to be sent, per bucket number. */
export interface PendingOutcomes {
  /** The target's policy as of its last recorded outcome. */
  readonly policy: BreakerPolicy;
  readonly buckets: ReadonlyMap<number, { readonly calls: number; readonly failures: number }>;
}

/** A batcher of outcomes. */
export interface OutcomeBatch {
  /** Adds one outcome at time `at` and schedules a send. */
  add(key: string, policy: BreakerPolicy, outcome: 'success' | 'failure', at: number): void;
  /** Sends what is pending now (waiting for a send in flight first); resolves when sent. */
  flush(): Promise<void>;
  /** Drops what is pending (when it cannot be sent). */
  clear(): void;
  /** Stops scheduling sends; `flush` still sends what is pending. */
  stop(): void;
}

/**
 * A batcher calling `send` with every target's pending outcomes. `send` must not reject: it
 * handles its own errors.
 */
export function createOutcomeBatch(send: (batches: ReadonlyMap<string, PendingOutcomes>) => Promise<void>): OutcomeBatch {
  let pending = new Map<string, { policy: BreakerPolicy; buckets: Map<number, { calls: number; failures: number }> }>();
  let timer: NodeJS.Timeout | undefined;
  let sending: Promise<void> | undefined;
  let stopped = false;

  function schedule(): void {
    if (timer !== undefined || sending !== undefined || stopped || pending.size === 0) return;
    timer = setTimeout(() => {
      timer = undefined;
      void sendPending();
    }, 0);
    timer.unref();
  }

  function sendPending(): Promise<void> {
    if (sending !== undefined || pending.size === 0) return sending ?? Promise.resolve();
    const batches = pending;
    pending = new Map();
    sending = send(batches).finally(() => {
      sending = undefined;
      schedule();
    });
    return sending;
  }

  return {
    add(key, policy, outcome, at) {
      let entry = pending.get(key);
      if (entry === undefined) {
        entry = { policy, buckets: new Map() };
        pending.set(key, entry);
      }
      entry.policy = policy;
      const index = bucketIndex(at, bucketSizeMs(policy.windowMs));
      const counts = entry.buckets.get(index) ?? { calls: 0, failures: 0 };
      counts.calls += 1;
      if (outcome === 'failure') counts.failures += 1;
      entry.buckets.set(index, counts);
      schedule();
    },
    async flush() {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      await sending;
      await sendPending();
    },
    clear() {
      pending.clear();
    },
    stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    },
  };
}
