/**
 * What flows through the pipeline. Two levels of stages share one contract (`Stage`, `stage.ts`):
 *
 * - call stages see one `CallContext` per call, outermost first (tracing, audit, canary, content
 *   filter, shared-state-ready, cache, rate limit, the user's, then retry);
 * - attempt stages see one `AttemptContext` per try, which the retry stage runs once for every
 *   target it tries (breaker, timeout, the user's, then the adapter call).
 *
 * Both levels produce a `CallOutcome`: a whole response, or a stream that has started.
 */
import type { Policies, RouteConfig, TargetConfig } from '../config/types.js';
import type { EmbeddingTaskType, EmbedResponse } from '../embedding-types.js';
import type { Attempt, CallOptions, ChatRequest, ChatResponse, StreamEvent, Target } from '../types.js';

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

/**
 * Chooses a route's first target for one call instead of the weighted choice (the canary puts a
 * call in its arm this way); `undefined` leaves the choice to the weights.
 */
export type TargetAssigner = (route: RouteConfig, context: CallContext) => TargetConfig | undefined;

/**
 * One call, from entry to answer. A stage that changes what inner stages see (a masked request,
 * a reshaped route) passes a copy on; `attempts` and `notes` stay shared by every copy. Only the
 * retry stage appends to `attempts`.
 */
export interface CallContext {
  readonly requestId: string;
  readonly request: ChatRequest;
  readonly options: CallOptions;
  /** The requested route. */
  readonly route: RouteConfig;
  /** The policies in force for this call (route's, with per-call overrides). */
  readonly policies: Policies;
  /**
   * `embed`: a `router.embed()` call. Its inputs are `request.messages`, one user message with a
   * string content per input, so the content filter (masking included), audit content and tracing
   * treat inputs like prompts; what else it needs is in `embedding`.
   */
  readonly mode: 'chat' | 'stream' | 'embed';
  /** Embedding calls only: the options besides the inputs. */
  readonly embedding?: EmbeddingOptions;
  /** `performance.now()` when the call entered the router. */
  readonly startedAt: number;
  /**
   * Aborted by the caller or by the total timeout, which runs from the call's start: waits for
   * the cache, rate limits and backoff count against it.
   */
  readonly signal: AbortSignal;
  readonly attempts: Attempt[];
  readonly notes: CallNotes;
  /**
   * Read by target choice before its weighted choice, for each route's first try. The router sets
   * it from the plugins' `assignTarget` hooks (canary arms); a call stage may pass its own on.
   */
  readonly assignTarget?: TargetAssigner;
}

/** What an embedding call asks for besides its inputs. */
export interface EmbeddingOptions {
  /** The vector length asked for, when the caller gave one. */
  readonly dimensions?: number;
  /** What the vectors are for, when the caller said (`EmbedRequest.taskType`). */
  readonly taskType?: EmbeddingTaskType;
  /** The documents' title, with `taskType: 'document'` only. */
  readonly title?: string;
}

/** An embedding call's inputs: the text of each of its request's messages, in order (see `CallContext.mode`). */
export function embeddingInputsOf(context: CallContext): string[] {
  return context.request.messages.map((message) =>
    typeof message.content === 'string' ? message.content : message.content.map((part) => (part.type === 'text' ? part.text : '')).join(''),
  );
}

/** A configured target's names, made once per target and shared by every try of it. */
export interface TargetNames {
  /** `provider/model`: the breaker's key, and how failure messages name the target. */
  readonly key: string;
  /** The target as responses and attempts name it; frozen, so every response can share it. */
  readonly resolved: Target;
}

/**
 * One try at one target, made by the retry stage and seen by every attempt stage. Attempt state
 * lives here and nowhere shared: a stage that changes it passes a copy on.
 */
export interface AttemptContext {
  /** The call this try belongs to. */
  readonly call: CallContext;
  /** The route being tried: the requested one, or a fallback. */
  readonly route: RouteConfig;
  /** The policies in force for this try (the call's on the requested route, a fallback's own on a fallback). */
  readonly policies: Policies;
  readonly target: TargetConfig;
  readonly names: TargetNames;
  /** Set by the breaker stage: the breaker is half-open and this try is one of its probes. */
  readonly probe: boolean;
  /** Time allowed until response headers, in ms (0 = no limit); set by the timeout stage. */
  readonly firstByteTimeoutMs: number;
  /** Longest gap between two body chunks, in ms (0 = no limit); set by the timeout stage. */
  readonly idleTimeoutMs: number;
  /** Extra request headers for this try, passed to the adapter as `AdapterCall.headers`. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** A stream that has started: its events, and a promise of the final response. */
export interface StartedStream {
  readonly events: AsyncIterable<StreamEvent>;
  /** Resolves with the final response when the stream ends cleanly; rejects when it fails. */
  readonly completion: Promise<ChatResponse>;
  /** `performance.now()` when the first output part arrived (undefined for replayed streams). */
  readonly firstOutputAt?: number;
}

/** What every stage produces: a whole response, a started stream, or an embedding call's vectors. */
export type CallOutcome =
  | { readonly kind: 'response'; readonly response: ChatResponse }
  | { readonly kind: 'stream'; readonly stream: StartedStream }
  | { readonly kind: 'embedding'; readonly response: EmbedResponse };
