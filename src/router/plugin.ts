/**
 * Router plugins: how canary rollouts, audit records, metrics and content filters join the call
 * path without the router knowing them. A plugin may add outer call stages, choose a route's first
 * target, and subscribe to events once the router exists.
 */
import type { RouteConfig, TargetConfig } from '../config/types.js';
import type { RouterEventHub } from '../events.js';
import type { CallContext, CallOutcome } from '../pipeline/context.js';
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
  /** Call stages run outside the cache and rate limits, outermost first (audit, content filters). */
  readonly outerStages?: readonly Stage<CallContext, CallOutcome>[];
  /** Chooses a route's first target for a call (canary arms); the first plugin that answers wins. */
  readonly assignTarget?: (route: RouteConfig, context: CallContext) => TargetConfig | undefined;
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
