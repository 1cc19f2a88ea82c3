/**
 * The public shape of a router (`Router`, `RouteExplanation`), apart from the code that builds it,
 * so that plugins can name the router without importing its implementation (no import cycle).
 */
import type { Registry } from 'prom-client';
import type { CanaryController } from '../canary/canary-controller.js';
import type { SwitchyardConfigInput } from '../config/config-input.js';
import type { SwitchyardConfig } from '../config/types.js';
import type { RouterEventName, RouterListener } from '../events.js';
import type { EmbedRequest, EmbedResponse } from '../embedding-types.js';
import type { CallOptions, ChatRequest, ChatResponse, StreamEvent } from '../types.js';
import type { BatchItem, BatchOptions, BatchResult } from './batch.js';
import type { ConfigReloaded } from './reload-changes.js';

/** Why a caller would get a target: the answer of `router.explain()`. */
export interface RouteExplanation {
  readonly route: string;
  /** The target the caller would get now, or undefined when none is available. */
  readonly target?: { readonly provider: string; readonly model: string };
  /** How it was chosen (`sticky:user`, `weighted-random`, `only-target`, `direct`). */
  readonly reason: string;
  readonly stickyKey?: string;
  /** Every target with its weight, its share of traffic and, for sticky callers, its score. */
  readonly candidates: readonly { readonly provider: string; readonly model: string; readonly weight: number; readonly share: number; readonly score?: number }[];
  /** Routes tried, in order, if this one cannot answer. */
  readonly fallbacks: readonly string[];
}

/** A Switchyard router. */
export interface Router {
  /** Sends a chat request and returns the complete answer. */
  chat(request: ChatRequest, options?: CallOptions): Promise<ChatResponse>;
  /** Sends a chat request and streams the answer; the last event is `finish` with the full response. */
  stream(request: ChatRequest, options?: CallOptions): AsyncIterable<StreamEvent>;
  /**
   * Embeds one text or several on an embedding route (`kind: embedding`): one vector per input, in
   * input order, through the same retries, breakers, limits, cache and audit as chat. Inputs beyond
   * a provider's per-request limit are split and reassembled.
   *
   * @example
   * const { embeddings } = await router.embed({ model: 'embed', input: ['first text', 'second text'], dimensions: 256 });
   */
  embed(request: EmbedRequest, options?: CallOptions): Promise<EmbedResponse>;
  /**
   * Runs many independent calls with bounded concurrency and pacing; one settled result per input,
   * in input order.
   */
  batch(items: readonly BatchItem[], options?: BatchOptions): Promise<BatchResult[]>;
  /** Tells which target a caller would get and why, without calling anything. */
  explain(model: string, options?: Pick<CallOptions, 'user' | 'tenant'>): RouteExplanation;
  /**
   * Steers a route's canary rollout: `status()`, `promote()`, `pause()`, `resume()`, `abort()`.
   * Throws `CanaryControlError` for a route without a canary.
   */
  canary(route: string): CanaryController;
  /** Subscribes to an event; returns the unsubscribe function. */
  on<E extends RouterEventName>(event: E, listener: RouterListener<E>): () => void;
  /** The resolved configuration the router runs on (the latest one `reload()` swapped in). */
  readonly config: SwitchyardConfig;
  /**
   * Swaps in a new configuration: a YAML file's path, a resolved config (`loadConfig`) or a typed
   * config object (`defineConfig`). The new config is validated first; a bad one is refused with a
   * `ConfigError` listing its problems by path (and YAML line), and the config in use keeps
   * serving. So is one that changes `state`, `audit` or `metrics`, which need a restart. Calls in
   * flight finish on the config they started with; new calls use the new one. Breakers, pools and
   * adapters of unchanged providers, and canary runs of unchanged routes, carry over; rate limits
   * and the cache are kept. Emits `config-reloaded` and resolves with the same summary.
   *
   * @example
   * process.on('SIGHUP', () => router.reload('switchyard.yaml').catch((error) => console.error(error.message)));
   */
  reload(config: string | SwitchyardConfig | SwitchyardConfigInput): Promise<ConfigReloaded>;
  /** The Prometheus registry with the router's metrics (absent when `metrics.enabled` is false). */
  readonly metrics: Registry | undefined;
  /**
   * Resolves when the router has loaded its shared state: the Redis connection has settled
   * (breakers, limits) and every canary rollout's state was read (or its first read failed). Calls
   * made before wait for it on their own; awaiting it at start keeps the first calls from waiting.
   */
  ready(): Promise<void>;
  /** Closes connections and shared state. Calls in flight are not awaited. */
  close(): Promise<void>;
}
