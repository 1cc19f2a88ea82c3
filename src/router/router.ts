/**
 * `createRouter`: the library's entry point. It owns the connection pools, the adapters, the shared
 * pipeline state (breakers, limits, cache, retry budget) and the call chain:
 *
 *   validate → resolve route → [call stages: cache → rate limit] → dispatch (breaker → timeouts → adapter, retries, fallbacks)
 */
import type { Registry } from 'prom-client';
import type { CanaryController } from '../canary/canary-controller.js';
import { performance } from 'node:perf_hooks';
import { ensureRedactedDumps } from '../config/redacted-dump.js';
import type { Policies, RouteConfig, SwitchyardConfig, TargetConfig } from '../config/types.js';
import { invalidRequest, SwitchyardError } from '../errors.js';
import { RouterEventHub, type RouterEvents } from '../events.js';
import { randomUuid } from '../random-uuid.js';
import { createPooledTransport, DEFAULT_POOL_SETTINGS, type HttpTransport, type PoolSettings } from '../http/transport.js';
import { mapTransportError } from '../http/transport-errors.js';
import type { CallContext, CallOutcome } from '../pipeline/context.js';
import { createRetryBudget } from '../pipeline/retry/retry-budget.js';
import { composeStages, type Stage } from '../pipeline/stage.js';
import type { ProviderAdapter } from '../provider-spec.js';
import type { CallOptions, ChatRequest, ChatResponse } from '../types.js';
import { ADAPTER_FACTORIES } from './adapters.js';
import { runBatch } from './batch.js';
import { createDispatcher, routeChain, type BreakerGate } from './dispatcher.js';
import { chooseTarget, rendezvousScore, stickyKeyFor } from './target-selection.js';
import type { RouterInternals, RouterPlugin } from './plugin.js';
import type { Router } from './router-api.js';
import { policiesForCall } from './call-policies.js';
import { RouterStream, type StreamCalls } from './router-stream.js';
import { createDeadlines, type CallSignal } from './deadlines.js';
import { validateRequest } from './validate-request.js';
import type { Mutable } from '../mutable.js';

/** Options for `createRouter` beyond the config. */
export interface RouterOptions {
  /** Send upstream requests through this transport instead of Switchyard's pooled undici one. */
  readonly transport?: HttpTransport;
  /** Circuit breakers; in-memory ones by default. */
  readonly breakers?: BreakerGate;
  /** Call-level stages run before dispatch, outermost first (cache, rate limit...). */
  readonly stages?: readonly Stage<CallContext, CallOutcome>[];
  /** Random source for weighted choice and jitter (tests pass a seeded one). */
  readonly random?: () => number;
  /** Chooses a route's first target for a call instead of the weighted choice (canary arms). */
  readonly assignTarget?: (route: RouteConfig, context: CallContext) => TargetConfig | undefined;
  /** The event hub to emit on (lets the caller wire events before the router exists). */
  readonly events?: RouterEventHub;
  /** Resolves when shared state (the Redis connection) has settled; part of `router.ready()`. */
  readonly ready?: () => Promise<void>;
  /** Runs on `close()` after the connections are closed (shared state, Redis clients...). */
  readonly onClose?: () => Promise<void>;
  /** Extensions: outer stages, target assignment, event subscribers (see `RouterPlugin`). */
  readonly plugins?: readonly RouterPlugin[];
  /** The metrics registry to expose as `router.metrics`. */
  readonly metrics?: Registry;
  /** Backs `router.canary(route)`. */
  readonly canaryController?: (route: string) => CanaryController;
}

export type { RouteExplanation, Router } from './router-api.js';

/** Creates a router from a resolved configuration (see `loadConfig`, `resolveConfig`). */
export function createRouterFromResolved(resolvedConfig: SwitchyardConfig, options: RouterOptions = {}): Router {
  // `router.config` prints with its secrets redacted (JSON.stringify, util.inspect), even when the
  // config was built by hand rather than by `resolveConfig`.
  const config = ensureRedactedDumps(resolvedConfig);
  const poolByOrigin = new Map<string, PoolSettings>();
  for (const provider of Object.values(config.providers)) {
    const origin = new URL(provider.baseUrl).origin;
    if (!poolByOrigin.has(origin)) poolByOrigin.set(origin, provider.pool);
  }
  const transport = options.transport ?? createPooledTransport((origin) => poolByOrigin.get(origin) ?? DEFAULT_POOL_SETTINGS);
  const adapters = new Map<string, ProviderAdapter>();
  for (const provider of Object.values(config.providers)) {
    adapters.set(provider.id, ADAPTER_FACTORIES[provider.type]({ settings: provider, transport }));
  }
  const events = options.events ?? new RouterEventHub();
  const deadlines = createDeadlines();
  const callSignal = (callerSignal: AbortSignal | undefined, totalMs: number): CallSignal => deadlines.signalFor(callerSignal, totalMs);
  const plugins = options.plugins ?? [];
  const assigners = [...(options.assignTarget === undefined ? [] : [options.assignTarget]), ...plugins.flatMap((plugin) => (plugin.assignTarget === undefined ? [] : [plugin.assignTarget]))];
  const assignTarget =
    assigners.length === 0
      ? undefined
      : (route: RouteConfig, context: CallContext): TargetConfig | undefined => {
          for (const assign of assigners) {
            const target = assign(route, context);
            if (target !== undefined) return target;
          }
          return undefined;
        };
  const directRoutes = new Map<string, RouteConfig>();
  const dispatch = createDispatcher({
    config,
    adapterFor: (provider) => {
      const adapter = adapters.get(provider);
      if (adapter === undefined) throw new SwitchyardError({ category: 'config', message: `no provider "${provider}" is configured`, provider });
      return adapter;
    },
    breakers: options.breakers,
    retryBudget: createRetryBudget(),
    events,
    ...(options.random === undefined ? {} : { random: options.random }),
    ...(assignTarget === undefined ? {} : { assignTarget }),
  });
  const outerStages = plugins.flatMap((plugin) => plugin.outerStages ?? []);
  const run = composeStages([...outerStages, ...(options.stages ?? [])], dispatch);

  function resolveRoute(model: string): RouteConfig {
    const route = config.routes[model];
    if (route !== undefined) return route;
    const slash = model.indexOf('/');
    if (config.allowDirect && slash > 0) {
      const cached = directRoutes.get(model);
      if (cached !== undefined) return cached;
      const provider = model.slice(0, slash);
      const upstreamModel = model.slice(slash + 1);
      if (config.providers[provider] !== undefined && upstreamModel !== '') {
        const direct: RouteConfig = { name: model, targets: [{ provider, model: upstreamModel, weight: 1 }], sticky: 'none', fallbacks: [], policies: config.policies };
        directRoutes.set(model, direct);
        return direct;
      }
    }
    const known = Object.keys(config.routes).join(', ');
    throw invalidRequest('model', `unknown route ${JSON.stringify(model)}; configured routes: ${known || '(none)'}${config.allowDirect ? ', or provider/model' : ''}`);
  }

  function startCall(request: ChatRequest, callOptions: CallOptions, mode: 'chat' | 'stream'): { context: CallContext; dispose: () => void } {
    validateRequest(request);
    const route = resolveRoute(request.model);
    const policies: Policies = policiesForCall(route.policies, callOptions.policies);
    const { signal, dispose } = callSignal(callOptions.signal, policies.timeout.totalMs);
    const context: CallContext = {
      requestId: callOptions.requestId ?? randomUuid(),
      request,
      options: callOptions,
      route,
      policies,
      mode,
      startedAt: performance.now(),
      signal,
      attempts: [],
      notes: {},
    };
    if (events.has('call-start')) events.emit('call-start', { requestId: context.requestId, route: route.name, mode, request, options: callOptions });
    return { context, dispose };
  }

  function endCall(context: CallContext, response: ChatResponse | undefined, error: SwitchyardError | undefined, firstOutputAt?: number): void {
    if (!events.has('call-end')) return;
    // Optional fields assigned, not spread: this runs on every call metrics or audit listen to.
    const end: Mutable<RouterEvents['call-end']> = {
      requestId: context.requestId,
      route: context.route.name,
      mode: context.mode,
      request: context.request,
      options: context.options,
      latencyMs: performance.now() - context.startedAt,
      attempts: context.attempts,
      notes: context.notes,
    };
    if (response !== undefined) end.response = response;
    if (error !== undefined) end.error = error;
    if (firstOutputAt !== undefined) end.timeToFirstTokenMs = firstOutputAt - context.startedAt;
    events.emit('call-end', end);
  }

  function asError(error: unknown, context: CallContext): SwitchyardError {
    const mapped = SwitchyardError.isInstance(error) ? error : new SwitchyardError({ category: 'unknown', message: error instanceof Error ? error.message : String(error), cause: error });
    return mapped.route === undefined ? mapped.with({ route: context.route.name, attempts: context.attempts }) : mapped;
  }

  const streamCalls: StreamCalls = {
    start: (request, callOptions) => startCall(request, callOptions, 'stream'),
    run,
    end: endCall,
    asError,
  };

  const router: Router = {
    config,
    metrics: options.metrics,

    async chat(request, callOptions = {}) {
      const { context, dispose } = startCall(request, callOptions, 'chat');
      try {
        const outcome = await run(context);
        const response = outcome.kind === 'response' ? outcome.response : await outcome.stream.completion;
        endCall(context, response, undefined);
        return response;
      } catch (error) {
        const failure = asError(error, context);
        endCall(context, undefined, failure);
        throw failure;
      } finally {
        dispose();
      }
    },

    stream(request, callOptions = {}) {
      return { [Symbol.asyncIterator]: () => new RouterStream(streamCalls, request, callOptions) };
    },

    canary(route) {
      if (options.canaryController === undefined) {
        throw new SwitchyardError({ category: 'invalid_request', field: 'route', message: `route ${JSON.stringify(route)} has no canary rollout` });
      }
      return options.canaryController(route);
    },

    batch(items, batchOptions) {
      return runBatch((request, callOptions) => router.chat(request, callOptions), items, batchOptions);
    },

    explain(model, who = {}) {
      const route = resolveRoute(model);
      const callOptions: CallOptions = who;
      const steered = plugins.reduce<ReturnType<NonNullable<RouterPlugin['explainTarget']>>>((found, plugin) => found ?? plugin.explainTarget?.(route, who), undefined);
      const choice = steered === undefined ? chooseTarget(route, callOptions) : undefined;
      const key = stickyKeyFor(route, callOptions);
      const totalWeight = route.targets.reduce((sum, target) => sum + Math.max(0, target.weight), 0);
      return {
        route: route.name,
        ...(steered?.target !== undefined
          ? { target: { provider: steered.target.provider, model: steered.target.model } }
          : choice === undefined
            ? {}
            : { target: { provider: choice.target.provider, model: choice.target.model } }),
        reason: steered?.reason ?? (config.routes[model] === undefined ? 'direct' : (choice?.reason ?? 'no target available')),
        ...(key === undefined ? {} : { stickyKey: key }),
        candidates: route.targets.map((target) => ({
          provider: target.provider,
          model: target.model,
          weight: target.weight,
          share: totalWeight > 0 ? Math.max(0, target.weight) / totalWeight : 0,
          ...(key === undefined ? {} : { score: rendezvousScore(key, target) }),
        })),
        fallbacks: routeChain(route, config.routes).slice(1).map((fallback) => fallback.name),
      };
    },

    on(event, listener) {
      return events.on(event, listener);
    },

    async ready() {
      await options.ready?.();
      await Promise.all(plugins.map((plugin) => plugin.ready?.()));
    },

    async close() {
      await Promise.allSettled(plugins.map((plugin) => plugin.close?.()));
      deadlines.close();
      await transport.close();
      await options.onClose?.();
    },
  };
  const internals: RouterInternals = {
    events,
    async mirror(request, target, signal) {
      validateRequest(request);
      const adapter = adapters.get(target.provider);
      if (adapter === undefined) throw new SwitchyardError({ category: 'config', message: `no provider "${target.provider}" is configured`, provider: target.provider });
      const { signal: callSignalValue, dispose } = callSignal(signal, config.policies.timeout.totalMs);
      const started = performance.now();
      try {
        const result = await adapter.doChat({ request, model: target.model, signal: callSignalValue, firstByteTimeoutMs: config.policies.timeout.firstByteMs, idleTimeoutMs: config.policies.timeout.idleMs });
        return { result, latencyMs: performance.now() - started };
      } catch (error) {
        throw mapTransportError(error, callSignalValue).with({ provider: target.provider, model: target.model });
      } finally {
        dispose();
      }
    },
  };
  for (const plugin of plugins) plugin.attach?.(router, internals);
  return router;
}
