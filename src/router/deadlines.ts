/**
 * Total-timeout signals without a timer per call. Calls that share a timeout length expire in the
 * order they started, so each length keeps a FIFO of deadlines served by one timer; ending a call
 * only marks its entry. A `setTimeout` per call cost more than the rest of the router's
 * bookkeeping together.
 */
import { performance } from 'node:perf_hooks';
import { TimeoutReason } from '../http/transport-errors.js';

interface Deadline {
  readonly at: number;
  readonly controller: AbortController;
  done: boolean;
}

interface DeadlineQueue {
  readonly entries: Deadline[];
  head: number;
  timer: NodeJS.Timeout | undefined;
}

/** A call's signal and the function that releases it when the call ends. */
export interface CallSignal {
  readonly signal: AbortSignal;
  dispose(): void;
}

/** Issues call signals that abort with a `TimeoutReason('total')` after their timeout. */
export interface Deadlines {
  /** A signal aborted by `callerSignal` or when `totalMs` have passed (0 = never). */
  signalFor(callerSignal: AbortSignal | undefined, totalMs: number): CallSignal;
  /** Stops every timer (calls in flight are not aborted). */
  close(): void;
}

const NEVER: AbortSignal = new AbortController().signal;

/** Creates a deadline keeper; one per router. */
export function createDeadlines(now: () => number = () => performance.now()): Deadlines {
  const queues = new Map<number, DeadlineQueue>();

  function schedule(totalMs: number, queue: DeadlineQueue): void {
    while (queue.head < queue.entries.length && (queue.entries[queue.head] as Deadline).done) queue.head += 1;
    if (queue.head > 1_024 && queue.head * 2 > queue.entries.length) {
      queue.entries.splice(0, queue.head);
      queue.head = 0;
    }
    const first = queue.entries[queue.head];
    if (first === undefined) {
      queue.entries.length = 0;
      queue.head = 0;
      queue.timer = undefined;
      return;
    }
    queue.timer = setTimeout(() => expire(totalMs, queue), Math.max(0, first.at - now()));
    queue.timer.unref();
  }

  function expire(totalMs: number, queue: DeadlineQueue): void {
    const current = now();
    while (queue.head < queue.entries.length) {
      const entry = queue.entries[queue.head] as Deadline;
      if (!entry.done && entry.at > current) break;
      queue.head += 1;
      if (!entry.done) {
        entry.done = true;
        entry.controller.abort(new TimeoutReason('total', totalMs));
      }
    }
    schedule(totalMs, queue);
  }

  return {
    signalFor(callerSignal, totalMs) {
      if (totalMs <= 0) return { signal: callerSignal ?? NEVER, dispose: () => undefined };
      const controller = new AbortController();
      const entry: Deadline = { at: now() + totalMs, controller, done: false };
      let queue = queues.get(totalMs);
      if (queue === undefined) {
        queue = { entries: [], head: 0, timer: undefined };
        queues.set(totalMs, queue);
      }
      queue.entries.push(entry);
      if (queue.timer === undefined) schedule(totalMs, queue);
      let onCallerAbort: (() => void) | undefined;
      if (callerSignal !== undefined) {
        if (callerSignal.aborted) controller.abort(callerSignal.reason);
        else {
          onCallerAbort = () => controller.abort(callerSignal.reason);
          callerSignal.addEventListener('abort', onCallerAbort, { once: true });
        }
      }
      return {
        signal: controller.signal,
        dispose: () => {
          entry.done = true;
          if (onCallerAbort !== undefined) callerSignal?.removeEventListener('abort', onCallerAbort);
        },
      };
    },
    close() {
      for (const queue of queues.values()) if (queue.timer !== undefined) clearTimeout(queue.timer);
      queues.clear();
    },
  };
}
