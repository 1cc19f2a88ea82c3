/**
 * `router.batch()`: many independent calls with bounded concurrency and even pacing, instead of
 * fixed-size batches with sleeps in between (which idle the pipe at every boundary). One settled
 * result per input, in input order.
 */
import { SwitchyardError } from '../errors.js';
import { addRelay, FanOutController, linkController } from '../http/shared-signal.js';
import type { CallOptions, ChatRequest, ChatResponse } from '../types.js';

/** One input of a batch: a request, or a request with its own call options. */
export type BatchItem = ChatRequest | { readonly request: ChatRequest; readonly options?: CallOptions };

/** The settled result of one batch item. */
export type BatchResult = { readonly status: 'fulfilled'; readonly value: ChatResponse } | { readonly status: 'rejected'; readonly reason: SwitchyardError };

/** Options of `router.batch()`. */
export interface BatchOptions {
  /** Calls in flight at once. @default 50 */
  readonly concurrency?: number;
  /** Calls started per second at most (evenly spaced); unlimited when absent. */
  readonly ratePerSecond?: number;
  /** Called after each call settles. */
  readonly onProgress?: (progress: { readonly done: number; readonly total: number; readonly failed: number }) => void;
  /** Stops starting new calls and cancels those in flight; unstarted items reject with `canceled`. */
  readonly signal?: AbortSignal;
  /** Options applied to every item that has none of its own. */
  readonly callOptions?: CallOptions;
}

function split(item: BatchItem): { request: ChatRequest; options: CallOptions | undefined } {
  return 'request' in item ? { request: item.request, options: item.options } : { request: item, options: undefined };
}

/** Resolves after `ms`, or at once when `signal` (a fan-out signal) aborts; leaves no relay behind either way. */
function wait(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal === undefined) {
      setTimeout(resolve, ms);
      return;
    }
    if (signal.aborted) {
      resolve();
      return;
    }
    const timer = setTimeout(() => {
      stopListening();
      resolve();
    }, ms);
    const stopListening = addRelay(signal, {
      fire: () => {
        clearTimeout(timer);
        resolve();
      },
    });
  });
}

/**
 * The signal an item's call gets: the batch's, or, when the item brings its own, one that aborts
 * with either (a fan-out controller linked to both, released when the call ends, where
 * `AbortSignal.any` would cost ~30 µs and keep its sources' listeners until they are collected).
 */
function itemSignal(batchSignal: AbortSignal, ownSignal: AbortSignal | undefined): { signal: AbortSignal; release: () => void } {
  if (ownSignal === undefined) return { signal: batchSignal, release: doNothing };
  const controller = new FanOutController();
  const unlinkOwn = linkController(ownSignal, controller);
  const unlinkBatch = linkController(batchSignal, controller);
  return {
    signal: controller.signal,
    release: () => {
      unlinkOwn();
      unlinkBatch();
    },
  };
}

function doNothing(): void {}

/** Runs a batch with `chat` as the call. */
export async function runBatch(chat: (request: ChatRequest, options?: CallOptions) => Promise<ChatResponse>, items: readonly BatchItem[], options: BatchOptions = {}): Promise<BatchResult[]> {
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 50));
  const interval = options.ratePerSecond !== undefined && options.ratePerSecond > 0 ? 1000 / options.ratePerSecond : 0;
  const results = new Array<BatchResult>(items.length);
  let nextIndex = 0;
  let done = 0;
  let failed = 0;
  let nextStartAt = Date.now();
  // The caller's signal is listened to once; waits and calls listen to a fan-out signal linked to
  // it (no EventTarget listener per call, however many run at once).
  let batchSignal: AbortSignal | undefined;
  let unlinkBatch = doNothing;
  if (options.signal !== undefined) {
    const controller = new FanOutController();
    unlinkBatch = linkController(options.signal, controller);
    batchSignal = controller.signal;
  }

  async function worker(): Promise<void> {
    for (;;) {
      if (batchSignal?.aborted) return;
      const index = nextIndex;
      if (index >= items.length) return;
      nextIndex += 1;
      if (interval > 0) {
        const startAt = nextStartAt;
        nextStartAt = Math.max(nextStartAt, Date.now()) + interval;
        const delay = startAt - Date.now();
        if (delay > 0) await wait(delay, batchSignal);
        if (batchSignal?.aborted) {
          nextIndex = Math.min(nextIndex, index);
          return;
        }
      }
      const { request, options: itemOptions } = split(items[index] as BatchItem);
      const base = itemOptions ?? options.callOptions ?? {};
      const linked = batchSignal === undefined ? undefined : itemSignal(batchSignal, base.signal);
      const callOptions: CallOptions = linked === undefined ? base : { ...base, signal: linked.signal };
      try {
        results[index] = { status: 'fulfilled', value: await chat(request, callOptions) };
      } catch (error) {
        failed += 1;
        results[index] = { status: 'rejected', reason: SwitchyardError.isInstance(error) ? error : new SwitchyardError({ category: 'unknown', message: String(error), cause: error }) };
      } finally {
        linked?.release();
      }
      done += 1;
      options.onProgress?.({ done, total: items.length, failed });
    }
  }

  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, () => worker()));
  } finally {
    unlinkBatch();
  }
  for (let index = 0; index < items.length; index += 1) {
    if (results[index] === undefined) {
      results[index] = { status: 'rejected', reason: new SwitchyardError({ category: 'canceled', message: 'the batch was canceled before this call started' }) };
    }
  }
  return results;
}
