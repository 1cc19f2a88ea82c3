/**
 * What flows through the pipeline. A call-level chain of stages (cache → rate limit → dispatch)
 * wraps the dispatcher, which picks targets and, once per try, asks the target's breaker, applies
 * the timeouts and calls the adapter, moving to other targets and fallback routes between tries.
 */
import type { Policies, RouteConfig } from '../config/types.js';
import type { Attempt, CallOptions, ChatRequest, ChatResponse, StreamEvent } from '../types.js';

/** Facts stages record about a call, for audit records, metrics and `explain()`. */
export interface CallNotes {
  /** `hit`, `miss`, `bypass` (cache off or not cacheable), or `shared` (joined an identical call in flight). */
  cache?: 'hit' | 'miss' | 'bypass' | 'shared';
  /** Milliseconds spent waiting for rate-limit room. */
  rateLimitWaitMs?: number;
  /** Targets skipped because their breaker was open. */
  breakerSkips?: string[];
  /** Retries refused by the retry budget. */
  retryBudgetExhausted?: boolean;
  /** The canary arm this call was assigned to (set by the canary plugin). */
  canary?: { readonly route: string; readonly arm: 'baseline' | 'candidate'; readonly step: number; readonly weight: number };
  /** Sensitive words found in the request (set by the content filter). */
  sensitiveWordHits?: number;
}

/** One call, from entry to answer. Only the dispatcher appends to `attempts`. */
export interface CallContext {
  readonly requestId: string;
  readonly request: ChatRequest;
  readonly options: CallOptions;
  /** The requested route. */
  readonly route: RouteConfig;
  /** The policies in force for this call (route's, with per-call overrides). */
  readonly policies: Policies;
  readonly mode: 'chat' | 'stream';
  /** `performance.now()` when the call entered the router. */
  readonly startedAt: number;
  /** Aborted by the caller or by the total timeout. */
  readonly signal: AbortSignal;
  readonly attempts: Attempt[];
  readonly notes: CallNotes;
}

/** A stream that has started: its events, and a promise of the final response. */
export interface StartedStream {
  readonly events: AsyncIterable<StreamEvent>;
  /** Resolves with the final response when the stream ends cleanly; rejects when it fails. */
  readonly completion: Promise<ChatResponse>;
  /** `performance.now()` when the first output part arrived (undefined for replayed streams). */
  readonly firstOutputAt?: number;
}

/** What the call-level chain produces: a whole response, or a started stream. */
export type CallOutcome =
  | { readonly kind: 'response'; readonly response: ChatResponse }
  | { readonly kind: 'stream'; readonly stream: StartedStream };
