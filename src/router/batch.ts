/**
 * `router.batch()`: many independent calls with bounded concurrency and even pacing, instead of
 * fixed-size batches with sleeps in between (which idle the pipe at every boundary). One settled
 * result per input, in input order.
 */
import { SwitchyardError } from '../errors.js';
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

function wait(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}

/** Runs a batch with `chat` as the call. */
export async function runBatch(chat: (request: ChatRequest, options?: CallOptions) => Promise<ChatResponse>, items: readonly BatchItem[], options: BatchOptions = {}): Promise<BatchResult[]> {
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 50));
  const interval = options.ratePerSecond !== undefined && options.ratePerSecond > 0 ? 1000 / options.ratePerSecond : 0;
  const results = new Array<BatchResult>(items.length);
  let nextIndex = 0;
  let done = 0;
  let failed = 0;
  let nextStartAt = Date.now();

  async function worker(): Promise<void> {
    for (;;) {
      if (options.signal?.aborted) return;
      const index = nextIndex;
      if (index >= items.length) return;
      nextIndex += 1;
      if (interval > 0) {
        const startAt = nextStartAt;
        nextStartAt = Math.max(nextStartAt, Date.now()) + interval;
        const delay = startAt - Date.now();
        if (delay > 0) await wait(delay, options.signal);
        if (options.signal?.aborted) {
          nextIndex = Math.min(nextIndex, index);
          return;
        }
      }
      const { request, options: itemOptions } = split(items[index] as BatchItem);
      const base = itemOptions ?? options.callOptions ?? {};
      const callOptions: CallOptions = options.signal === undefined ? base : { ...base, signal: base.signal === undefined ? options.signal : AbortSignal.any([base.signal, options.signal]) };
      try {
        results[index] = { status: 'fulfilled', value: await chat(request, callOptions) };
      } catch (error) {
        failed += 1;
        results[index] = { status: 'rejected', reason: SwitchyardError.isInstance(error) ? error : new SwitchyardError({ category: 'unknown', message: String(error), cause: error }) };
      }
      done += 1;
      options.onProgress?.({ done, total: items.length, failed });
    }
  }

  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, () => worker()));
  for (let index = 0; index < items.length; index += 1) {
    if (results[index] === undefined) {
      results[index] = { status: 'rejected', reason: new SwitchyardError({ category: 'canceled', message: 'the batch was canceled before this call started' }) };
    }
  }
  return results;
}
