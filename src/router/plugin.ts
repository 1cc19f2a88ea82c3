/**
 * Router plugins: how canary rollouts, audit records, metrics, tracing and content filters join the
 * call path without the router knowing them. A plugin may add call stages (run outermost, in plugin
 * order), choose a route's first target, and subscribe to events once the router exists. To add a
 * stage alone, `createRouter(config, { stages })` is simpler (see docs/extending.md).
 */
import type { RouteConfig } from '../config/types.js';
import type { RouterEventHub } from '../events.js';
import type { CallContext, CallOutcome, TargetAssigner } from '../pipeline/context.js';
import type { Stage } from '../pipeline/stage.js';
import type { AdapterResult } from '../provider-spec.js';
import type { CallOptions, ChatRequest, Target } from '../types.js';
import type { Router } from './router-api.js';

/** What a plugin gets besides the public router. */
export interface RouterInternals {
  readonly events: RouterEventHub;
  /**
   * Sends one request straight to a target: its adapter, with the global timeouts, no retries,
   * no fallbacks, no limits, no cache and no breaker accounting (canary shadow traffic).
   */
  mirror(request: ChatRequest, target: Target, signal?: AbortSignal): Promise<{ readonly result: AdapterResult; readonly latencyMs: number }>;
}

/** An extension of the router. */
export interface RouterPlugin {
  readonly name: string;
  /**
   * Call stages run outside shared-state-ready, the cache and rate limits, outermost first, in
   * plugin order (tracing, audit, canary, content filter, then plugins given to `createRouter`).
   */
  readonly outerStages?: readonly Stage<CallContext, CallOutcome>[];
  /**
   * Chooses a route's first target for a call (canary arms); the first plugin that answers wins.
   * Asked by target choice, through `CallContext.assignTarget`, when the call reaches the route's
   * first try: a call answered earlier (a cache hit, a refusal) is assigned nothing.
   */
  readonly assignTarget?: TargetAssigner;
  /**
   * Tells which target `assignTarget` would give a caller, without side effects, for
   * `router.explain()`; undefined when this plugin does not steer the route.
   */
  readonly explainTarget?: (route: RouteConfig, who: Pick<CallOptions, 'user' | 'tenant'>) => { readonly target?: Target; readonly reason: string } | undefined;
  /** Called once the router exists. */
  readonly attach?: (router: Router, internals: RouterInternals) => void;
  /** Resolves when the plugin has loaded its shared state (canary rollouts); part of `router.ready()`. */
  readonly ready?: () => Promise<void>;
  /** Called by `router.close()`, after the connections are closed (drain writers, stop timers). */
  readonly close?: () => Promise<void>;
}
