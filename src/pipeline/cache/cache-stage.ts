/**
 * The call-level cache stage: answers repeated identical calls from a `CacheStore`, and lets
 * identical chat calls that are in flight at the same time share one upstream call.
 *
 * For each call:
 * - bypass (`notes.cache = 'bypass'`) when the route has no cache policy, the caller passed
 *   `cache: false`, or the request is not cacheable (see `isCacheable`);
 * - hit (`'hit'`): the stored answer, with `cached: true`, no attempts, and this call's `requestId`
 *   and `latencyMs`; stream calls get it replayed (`replayStream`);
 * - chat miss (`'miss'`): the call goes on; identical chat calls arriving meanwhile wait for it
 *   (`'shared'`) and get their own copy of its answer (`cached: true`, no attempts: they spent no
 *   tokens of their own, so usage accounting never counts the answer twice);
 * - stream miss (`'miss'`): the call goes on and its answer is stored once the stream completes.
 *   Streams are not single-flighted: a joiner would need the first caller's stream tee'd, with
 *   its own buffering and back-pressure, which is out of scope.
 *
 * An answer is stored only when it is complete — finish reason `stop` or `tool_calls`, with text or
 * tool calls — so truncated (`length`), filtered (`content_filter`), odd (`other`) and empty
 * answers are never replayed. Writes are not awaited: they never delay the answer, and the store
 * owns them (its `close()` waits for them). A failing store never fails the call.
 */
import { parseDuration } from '../../config/duration.js';
import type { CachePolicy } from '../../config/types.js';
import { invalidRequest, SwitchyardError } from '../../errors.js';
import type { CallOptions, ChatResponse } from '../../types.js';
import type { CallContext, CallOutcome } from '../context.js';
import type { Stage } from '../stage.js';
import { cacheKey, isCacheable } from './cache-key.js';
import { answerFields } from './copy-entry.js';
import { assistantMessage, noReasoning } from '../../router/assistant-message.js';
import { replayStream } from './replay-stream.js';
import { withStructuredOutput } from '../../router/structured-output.js';
import { createSingleFlight, type Flight } from './single-flight.js';
import type { CachedEntry, CachedResponse, CacheStore } from './store.js';

/** Options of `createCacheStage`. */
export interface CacheStageOptions {
  /**
   * The clock stamped into `CachedEntry.storedAt`, in epoch milliseconds.
   * @default Date.now
   */
  readonly now?: () => number;
}

/** How often a joiner whose shared call was canceled by its first caller starts over. */
const MAX_REJOINS = 2;

/**
 * Creates the cache stage over `store`.
 *
 * @example
 * const stage = createCacheStage(createMemoryCacheStore({ maxEntries: 1_000 }));
 */
export function createCacheStage(store: CacheStore, options: CacheStageOptions = {}): Stage<CallContext, CallOutcome> {
  const now = options.now ?? Date.now;
  const flights = createSingleFlight<CallOutcome>();

  function remember(key: string, response: ChatResponse, ttlMs: number): void {
    if (!(ttlMs > 0) || !isCompleteAnswer(response)) return;
    try {
      // A store that copies at once keeps only the entry's own fields, so the whole response can go
      // as it is; one that writes later gets them alone (a Redis store prints what it is given).
      if (store.setNow !== undefined) store.setNow(key, { response, storedAt: now() }, ttlMs);
      else store.set(key, { response: answerFields(response), storedAt: now() }, ttlMs).then(undefined, ignore);
    } catch {
      // A store that throws is a broken store, not a failed call.
    }
  }

  /** The outcome of a call that went upstream, stored when it is a whole answer. */
  function storeOutcome(key: string, outcome: CallOutcome, ttlMs: number): CallOutcome {
    if (outcome.kind === 'response') remember(key, outcome.response, ttlMs);
    return outcome;
  }

  async function lookup(key: string): Promise<CachedEntry | undefined> {
    try {
      return await store.get(key);
    } catch {
      return undefined;
    }
  }

  /** The entry from a store that answers at once, without waiting a turn for a promise. */
  function lookupNow(key: string): CachedEntry | undefined {
    try {
      return store.getNow?.(key);
    } catch {
      return undefined;
    }
  }

  /**
   * Goes upstream for `key`, or joins the call already doing so. The answer is stored in the
   * reaction that ends the flight, so no caller falls between the two, and the first caller's
   * promise is the flight's own: one promise layer over the upstream call, not two.
   */
  function upstreamFlight(context: CallContext, key: string, ttlMs: number, next: (context: CallContext) => Promise<CallOutcome>): Flight<CallOutcome> {
    return flights.run(key, () => next(context), (outcome) => storeOutcome(key, outcome, ttlMs));
  }

  /**
   * A chat call that missed: the first caller of a key goes upstream, callers of the same key
   * arriving meanwhile share its answer. Not an async function: the first caller gets the flight's
   * promise itself, without another promise and two more turns of the microtask queue around it.
   */
  function chatMiss(context: CallContext, key: string, ttlMs: number, next: (context: CallContext) => Promise<CallOutcome>): Promise<CallOutcome> {
    const flight = upstreamFlight(context, key, ttlMs, next);
    if (!flight.shared) {
      context.notes.cache = 'miss';
      return flight.promise;
    }
    return joinFlight(context, key, ttlMs, next, flight.promise);
  }

  /** A caller of a key already in flight: waits for that call's answer and serves a copy of it. */
  async function joinFlight(context: CallContext, key: string, ttlMs: number, next: (context: CallContext) => Promise<CallOutcome>, shared: Promise<CallOutcome>): Promise<CallOutcome> {
    let flight: Promise<CallOutcome> = shared;
    for (let rejoins = 0; ; rejoins += 1) {
      context.notes.cache = 'shared';
      let outcome: CallOutcome;
      try {
        outcome = await untilAborted(flight, context.signal);
      } catch (error) {
        // The first caller went away and took the upstream call with it; this caller did not.
        if (isCancellation(error) && !context.signal.aborted && rejoins < MAX_REJOINS) {
          const again = upstreamFlight(context, key, ttlMs, next);
          if (!again.shared) {
            context.notes.cache = 'miss';
            return again.promise;
          }
          flight = again.promise;
          continue;
        }
        throw error;
      }
      if (outcome.kind !== 'response') return next(context);
      return { kind: 'response', response: servedCopy(context, outcome.response) };
    }
  }

  return {
    name: 'cache',
    execute(context, next) {
      try {
        return cached(context, next);
      } catch (error) {
        return Promise.reject(error);
      }
    },
  };

  /** The stage's work; may throw before its first promise (a bad `cache.ttl`), which `execute` turns into a rejection. */
  function cached(context: CallContext, next: (context: CallContext) => Promise<CallOutcome>): Promise<CallOutcome> {
    const policy = context.policies.cache;
    const callOption = context.options.cache;
    if (policy === undefined || callOption === false || !isCacheable(context.request, policy)) {
      context.notes.cache = 'bypass';
      return next(context);
    }
    const ttlMs = resolveTtlMs(callOption, policy);
    let key: string;
    try {
      key = cacheKey({ route: context.route.name, request: context.request, identity: { user: context.options.user, tenant: context.options.tenant } }, policy);
    } catch {
      context.notes.cache = 'bypass'; // Not serialisable as JSON; the adapter will say what is wrong.
      return next(context);
    }
    if (store.getNow === undefined) return lookup(key).then((entry) => afterLookup(context, next, key, ttlMs, entry));
    return afterLookup(context, next, key, ttlMs, lookupNow(key));
  }

  function afterLookup(context: CallContext, next: (context: CallContext) => Promise<CallOutcome>, key: string, ttlMs: number, entry: CachedEntry | undefined): Promise<CallOutcome> {
    if (entry !== undefined) {
      context.notes.cache = 'hit';
      const response = servedCopy(context, entry.response);
      return Promise.resolve<CallOutcome>(context.mode === 'stream' ? { kind: 'stream', stream: replayStream(response) } : { kind: 'response', response });
    }
    if (context.mode === 'chat') return chatMiss(context, key, ttlMs, next);
    context.notes.cache = 'miss';
    return next(context).then((outcome) => {
      if (outcome.kind === 'stream') {
        outcome.stream.completion.then(
          (response) => remember(key, response, ttlMs),
          ignore, // A failed stream is the caller's to see, through its own events; nothing to store.
        );
      }
      return outcome;
    });
  }
}

/** Whether an answer is whole and worth replaying. */
function isCompleteAnswer(response: ChatResponse): boolean {
  if (response.finishReason !== 'stop' && response.finishReason !== 'tool_calls') return false;
  return response.text.length > 0 || response.toolCalls.length > 0;
}

/** The answer as this call serves it: its own request id and latency, marked cached, no attempts. */
function servedCopy(context: CallContext, response: CachedResponse): ChatResponse {
  const reasoning = response.reasoning ?? noReasoning();
  const served: ChatResponse = {
    ...response,
    reasoning,
    message: assistantMessage(response.text, response.toolCalls, reasoning, response.textParts),
    cached: true,
    attempts: [],
    requestId: context.requestId,
    latencyMs: Math.max(0, performance.now() - context.startedAt),
  };
  // Entries keep the text, not the parsed value: each caller gets its own `object` (it was valid when stored).
  return context.request.responseFormat === undefined ? served : withStructuredOutput(served, context.request.responseFormat);
}

/** The entry lifetime for this call: the caller's `cache.ttl` when given, else the policy's. */
function resolveTtlMs(callOption: CallOptions['cache'], policy: CachePolicy): number {
  if (callOption === undefined || callOption === false || callOption.ttl === undefined) return policy.ttlMs;
  try {
    return parseDuration(callOption.ttl);
  } catch (error) {
    const problem = error instanceof Error ? error.message : String(error);
    throw invalidRequest('options.cache.ttl', problem);
  }
}

/** Whether an error is a cancellation (Switchyard's `canceled`, or a bare `AbortError`). */
function isCancellation(error: unknown): boolean {
  if (SwitchyardError.isInstance(error)) return error.category === 'canceled';
  return error instanceof Error && error.name === 'AbortError';
}

/** `promise`, unless `signal` aborts first: then the abort's reason (a `SwitchyardError`) or `canceled`. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(abortError(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

function abortError(signal: AbortSignal): SwitchyardError {
  const reason: unknown = signal.reason;
  if (SwitchyardError.isInstance(reason)) return reason;
  return new SwitchyardError({ category: 'canceled', message: 'the call was canceled while waiting for an identical call in flight', cause: reason });
}

/** Swallows a rejection nobody waits for (a store write, a failed stream's completion). */
function ignore(): void {}
