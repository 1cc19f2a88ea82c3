/**
 * The router object: what `createRouter` returns. It owns the transport, the adapters, the call
 * deadlines and the pipeline (`call-pipeline.ts`), and runs each call:
 *
 *   validate → resolve route → call context (request id, total-timeout signal) → pipeline → call-end
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Registry } from 'prom-client';
import type { Dispatcher } from 'undici';
import type { CanaryController } from '../canary/canary-controller.js';
import { ensureRedactedDumps } from '../config/redacted-dump.js';
import type { Policies, SwitchyardConfig } from '../config/types.js';
import { SwitchyardError } from '../errors.js';
import { RouterEventHub, type RouterEvents } from '../events.js';
import { createDispatcherTransport, createPooledTransport, DEFAULT_POOL_SETTINGS, type HttpTransport, type PoolSettings } from '../http/transport.js';
import { mapTransportError } from '../http/transport-errors.js';
import type { Mutable } from '../mutable.js';
import type { BreakerGate } from '../pipeline/breaker/breaker-stage.js';
import type { AttemptContext, CallContext, CallOutcome, TargetAssigner } from '../pipeline/context.js';
import type { Stage } from '../pipeline/stage.js';
import type { PlacedStage } from '../pipeline/stage-placement.js';
import type { CallOptions, ChatRequest, ChatResponse } from '../types.js';
import { createAdapters, noAdapterFor, type AdapterFactories } from './adapters.js';
import { runBatch } from './batch.js';
import { policiesForCall } from './call-policies.js';
import { createCallPipeline } from './call-pipeline.js';
import { createDeadlines } from './deadlines.js';
import type { RouterInternals, RouterPlugin } from './plugin.js';
import type { Router } from './router-api.js';
import { RouterStream, type StreamCalls } from './router-stream.js';
import { createRouteResolver, explainRoute } from './route-resolution.js';
import { validateRequest } from './validate-request.js';

/** Send upstream requests through this undici dispatcher (a `ProxyAgent`, an mTLS `Agent`) instead of the pooled one. */
export interface DispatcherOption {
  readonly dispatcher: Dispatcher;
}

/** Options for `createRouter` beyond the config. */
export interface RouterOptions {
  /**
   * How upstream requests are sent: a transport of your own, or `{ dispatcher }`, any undici
   * `Dispatcher` (it decides connections, proxy and TLS; `pool` settings do not apply; `close()`
   * leaves it open). By default one undici `Pool` per provider origin.
   *
   * @example
   * createRouter(config, { transport: { dispatcher: new ProxyAgent('http://proxy.internal:3128') } })
   */
  readonly transport?: HttpTransport | DispatcherOption;
  /**
   * Adapter factories by provider `type`, for providers the built-in adapters do not speak (or to
   * replace one). See `provider-spec.ts` and docs/extending.md.
   *
   * @example
   * createRouter(config, { providers: { bedrock: createBedrockAdapter } })
   */
  readonly providers?: AdapterFactories;
  /** Circuit breakers; in-memory ones by default. */
  readonly breakers?: BreakerGate;
  /** The policy stages the config turned on, outermost first (shared-state-ready, cache, rate limit). */
  readonly policyStages?: readonly Stage<CallContext, CallOutcome>[];
  /**
   * Call stages of your own: a stage runs just outside `retry`, `{ stage, before: 'cache' }` or
   * `{ stage, after: 'audit' }` where you name it (built-in call stages: tracing, audit, canary,
   * content-filter, shared-state-ready, cache, rate-limit, retry). An unknown name is a `config`
   * error when the router is created.
   *
   * @example
   * createRouter(config, { stages: [piiCheck, { stage: allowList, before: 'cache' }] })
   */
  readonly stages?: readonly PlacedStage<CallContext>[];
  /**
   * Attempt stages of your own, run for every try: a stage runs just outside `adapter`, or where
   * you name it (built-in attempt stages: breaker, timeout, adapter).
   *
   * @example
   * createRouter(config, { attemptStages: [{ stage: requestIdHeader, after: 'timeout' }] })
   */
  readonly attemptStages?: readonly PlacedStage<AttemptContext>[];
  /** Random source for weighted choice and jitter (tests pass a seeded one). */
  readonly random?: () => number;
  /** Chooses a route's first target for a call instead of the weighted choice, before the plugins' `assignTarget`. */
  readonly assignTarget?: TargetAssigner;
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

/** The transport `options.transport` asks for; by default one pool per provider origin, sized by its `pool` settings. */
function transportFor(config: SwitchyardConfig, given: RouterOptions['transport']): HttpTransport {
  if (given !== undefined) return 'dispatcher' in given ? createDispatcherTransport(given.dispatcher) : given;
  const poolByOrigin = new Map<string, PoolSettings>();
  for (const provider of Object.values(config.providers)) {
    const origin = new URL(provider.baseUrl).origin;
    if (!poolByOrigin.has(origin)) poolByOrigin.set(origin, provider.pool);
  }
  return createPooledTransport((origin) => poolByOrigin.get(origin) ?? DEFAULT_POOL_SETTINGS);
}

/** The first answer of `assigners`, as one assigner; undefined when there are none. */
function firstAssigner(assigners: readonly TargetAssigner[]): TargetAssigner | undefined {
  if (assigners.length <= 1) return assigners[0];
  return (route, context) => {
    for (const assign of assigners) {
      const target = assign(route, context);
      if (target !== undefined) return target;
    }
    return undefined;
  };
}

/** Creates a router from a resolved configuration (see `loadConfig`, `resolveConfig`). */
export function createRouterFromResolved(resolvedConfig: SwitchyardConfig, options: RouterOptions = {}): Router {
  // `router.config` prints with its secrets redacted (JSON.stringify, util.inspect), even when the
  // config was built by hand rather than by `resolveConfig`.
  const config = ensureRedactedDumps(resolvedConfig);
  const transport = transportFor(config, options.transport);
  const adapters = createAdapters(config.providers, transport, options.providers);
  const events = options.events ?? new RouterEventHub();
  const deadlines = createDeadlines();
  const plugins = options.plugins ?? [];
  const assignTarget = firstAssigner([
    ...(options.assignTarget === undefined ? [] : [options.assignTarget]),
    ...plugins.flatMap((plugin) => (plugin.assignTarget === undefined ? [] : [plugin.assignTarget])),
  ]);
  const resolveRoute = createRouteResolver(config);
  const run = createCallPipeline({
    config,
    adapters,
    breakers: options.breakers,
    events,
    random: options.random ?? Math.random,
    plugins,
    policyStages: options.policyStages ?? [],
    stages: options.stages ?? [],
    attemptStages: options.attemptStages ?? [],
  });

  function startCall(request: ChatRequest, callOptions: CallOptions, mode: 'chat' | 'stream'): { context: CallContext; dispose: () => void } {
    validateRequest(request);
    const route = resolveRoute(request.model);
    const policies: Policies = policiesForCall(route.policies, callOptions.policies);
    const { signal, dispose } = deadlines.signalFor(callOptions.signal, policies.timeout.totalMs);
    const context: CallContext = {
      requestId: callOptions.requestId ?? randomUUID(),
      request,
      options: callOptions,
      route,
      policies,
      mode,
      startedAt: performance.now(),
      signal,
      attempts: [],
      notes: {},
      assignTarget,
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

  const streamCalls: StreamCalls = { start: (request, callOptions) => startCall(request, callOptions, 'stream'), run, end: endCall, asError };

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
      return explainRoute(config, resolveRoute(model), who, plugins);
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
      if (adapter === undefined) throw noAdapterFor(target.provider);
      const { signal: callSignal, dispose } = deadlines.signalFor(signal, config.policies.timeout.totalMs);
      const started = performance.now();
      try {
        const result = await adapter.doChat({ request, model: target.model, signal: callSignal, firstByteTimeoutMs: config.policies.timeout.firstByteMs, idleTimeoutMs: config.policies.timeout.idleMs });
        return { result, latencyMs: performance.now() - started };
      } catch (error) {
        throw mapTransportError(error, callSignal).with({ provider: target.provider, model: target.model });
      } finally {
        dispose();
      }
    },
  };
  for (const plugin of plugins) plugin.attach?.(router, internals);
  return router;
}
