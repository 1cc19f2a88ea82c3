/**
 * Typed events the router emits, so users can plug in their own logging, metrics and audit.
 * Subscribing returns a function that unsubscribes (cockatiel's disposable events). A listener
 * that throws never breaks a call: its error is reported to `listener-error` subscribers.
 */
import type { CanaryDecisionRecord } from './canary/decision-record.js';
import type { SwitchyardError } from './errors.js';
import type { KeyPoolChange } from './http/key-pool.js';
import type { EmbedResponse } from './embedding-types.js';
import type { CallNotes } from './pipeline/context.js';
import type { ConfigReloaded } from './router/reload-changes.js';
import type { Attempt, CallOptions, ChatRequest, ChatResponse, Target } from './types.js';

/** Every event and its payload. */
export interface RouterEvents {
  /** A call entered the router (after validation). */
  'call-start': { readonly requestId: string; readonly route: string; readonly mode: 'chat' | 'stream' | 'embed'; readonly request: ChatRequest; readonly options: CallOptions };
  /** A call ended, with its response or error. For streams, when the stream ended. */
  'call-end': {
    readonly requestId: string;
    readonly route: string;
    /** `embed` for `router.embed()` calls: `request` holds the inputs as user messages, the answer is in `embedding`. */
    readonly mode: 'chat' | 'stream' | 'embed';
    readonly request: ChatRequest;
    readonly options: CallOptions;
    readonly latencyMs: number;
    readonly response?: ChatResponse;
    /** An embedding call's answer. */
    readonly embedding?: EmbedResponse;
    readonly error?: SwitchyardError;
    /** Every try, in order (also on the response or error; here for convenience). */
    readonly attempts: readonly Attempt[];
    /** What the pipeline's stages noted (cache hit, rate-limit wait, breaker skips...). */
    readonly notes: CallNotes;
    /** Time to first output (streams only), ms. */
    readonly timeToFirstTokenMs?: number;
  };
  /** One try ended (successfully or not). */
  attempt: { readonly requestId: string; readonly attempt: Attempt; readonly error?: SwitchyardError };
  /** The router is about to retry after `delayMs`, on `target`. */
  retry: { readonly requestId: string; readonly target: Target; readonly route: string; readonly delayMs: number; readonly after: SwitchyardError };
  /** A target's circuit breaker changed state. */
  'breaker-change': { readonly target: string; readonly from: string; readonly to: string };
  /** A canary rollout changed step or state, or decided to hold. */
  'canary-change': {
    readonly route: string;
    readonly state: string;
    readonly step: number;
    readonly weight: number;
    readonly decision: 'promote' | 'hold' | 'rollback' | 'pause' | 'resume' | 'abort' | 'complete';
    readonly reason: string;
  };
  /**
   * A canary decision, with its evidence, actor and reason; emitted once, by the process that made
   * it (the audit plugin records it, webhooks deliver it).
   */
  'canary-decision': CanaryDecisionRecord;
  /** An audit record was written (or failed to be). */
  'audit-write': { readonly requestId: string; readonly ok: boolean; readonly error?: unknown };
  /**
   * A key of a provider's key pool (`apiKeys`) was removed (answered 401/403; also a `warning`) or
   * started cooling down (answered 429). Names the key by position, never by value.
   */
  'provider-key': KeyPoolChange;
  /** Something worth a log line (degraded shared state, a sink failure...). */
  warning: { readonly code: string; readonly message: string };
  /** A listener threw; the call went on. */
  'listener-error': { readonly event: string; readonly error: unknown };
  /**
   * `router.reload()` swapped in a new config: the version hashes before and after, and which
   * providers, routes and sections changed. Calls in flight finish on the config they started with.
   */
  'config-reloaded': ConfigReloaded;
}

/** A router event name. */
export type RouterEventName = keyof RouterEvents;

/** A listener for one event. */
export type RouterListener<E extends RouterEventName> = (payload: RouterEvents[E]) => void;

/** A small synchronous, typed event hub. */
export class RouterEventHub {
  private readonly listeners = new Map<RouterEventName, Set<(payload: never) => void>>();

  /** Subscribes; returns the unsubscribe function. */
  on<E extends RouterEventName>(event: E, listener: RouterListener<E>): () => void {
    let set = this.listeners.get(event);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  }

  /** Whether anyone listens (lets the hot path skip building payloads). */
  has(event: RouterEventName): boolean {
    const set = this.listeners.get(event);
    return set !== undefined && set.size > 0;
  }

  /** Delivers an event to its listeners, isolating their failures. */
  emit<E extends RouterEventName>(event: E, payload: RouterEvents[E]): void {
    const set = this.listeners.get(event);
    if (set === undefined || set.size === 0) return;
    for (const listener of set) {
      try {
        (listener as RouterListener<E>)(payload);
      } catch (error) {
        if (event !== 'listener-error') this.emit('listener-error', { event, error });
      }
    }
  }
}
