/**
 * The router object: what `createRouter` returns. It owns the call deadlines and its generations
 * (`reload.ts`: a config with its adapters, pools and pipeline, swapped by `reload()`), and runs
 * each call on the generation current when it starts:
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
import { RouterEventHub } from '../events.js';
import type { KeyLimitStore } from '../http/key-limit-store.js';
import { createDispatcherTransport, type HttpTransport } from '../http/transport.js';
import { mapThrownError } from '../http/transport-errors.js';
import type { BreakerGate } from '../pipeline/breaker/breaker-stage.js';
import type { AttemptContext, CallContext, CallOutcome, TargetAssigner } from '../pipeline/context.js';
import type { Stage } from '../pipeline/stage.js';
import type { PlacedStage } from '../pipeline/stage-placement.js';
import type { CallOptions, ChatRequest, ChatResponse } from '../types.js';
import { noAdapterFor, type AdapterFactories } from './adapters.js';
import { runBatch } from './batch.js';
import { policiesForCall } from './call-policies.js';
import { createDeadlines } from './deadlines.js';
import { chatCompletionOf, chatOnEmbeddingRoute, createEmbedCall } from './embed-call.js';
import type { RouterInternals, RouterPlugin } from './plugin.js';
import type { Router } from './router-api.js';
import { RouterStream, type StreamCalls } from './router-stream.js';
import { RouterGenerations } from './reload.js';
import { createShares, type Generation, type GenerationPartsFactory } from './reload-generation.js';
import { explainRoute } from './route-resolution.js';
import { validateRequest, withContentFilled } from './validate-request.js';
import { callEndOf, callFailure } from './call-end.js';

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
  /** Where key pools keep per-key limits (`apiKeys[i].limits`); `createRouter` shares them through Redis with `state.redis`. @default each pool its own, in process */
  readonly keyLimits?: KeyLimitStore;
  /** Backs `router.canary(route)`. */
  readonly canaryController?: (route: string) => CanaryController;
  /**
   * Builds the plugins, policy stages and breakers of each generation from its config (the first
   * and every `reload()`); `createRouter` gives it. Without it, every generation uses `plugins`,
   * `policyStages`, `breakers` and `canaryController` as given.
   */
  readonly generationParts?: GenerationPartsFactory;
}

export type { RouteExplanation, Router } from './router-api.js';

/** The transport `options.transport` asks for; undefined for the default, one pool per origin (sized by its `pool` settings) shared by generations. */
function givenTransport(given: RouterOptions['transport']): HttpTransport | undefined {
  if (given === undefined) return undefined;
  return 'dispatcher' in given ? createDispatcherTransport(given.dispatcher) : given;
}

/** Creates a router from a resolved configuration (see `loadConfig`, `resolveConfig`). */
export function createRouterFromResolved(resolvedConfig: SwitchyardConfig, options: RouterOptions = {}): Router {
  // `router.config` prints with its secrets redacted (JSON.stringify, util.inspect), even when the
  // config was built by hand rather than by `resolveConfig`.
  const events = options.events ?? new RouterEventHub();
  const deadlines = createDeadlines();
  const fixedTransport = givenTransport(options.transport);
  const shares = createShares();
  const staticParts = { plugins: options.plugins ?? [], policyStages: options.policyStages ?? [], breakers: options.breakers, ...(options.canaryController === undefined ? {} : { canaryController: options.canaryController }) };
  const generations = new RouterGenerations(
    ensureRedactedDumps(resolvedConfig),
    {
      fixedTransport,
      pools: shares.pools,
      adapters: shares.adapters,
      customAdapters: options.providers,
      partsFor: options.generationParts ?? (() => staticParts),
      random: options.random ?? Math.random,
      assignTarget: options.assignTarget,
      stages: options.stages ?? [],
      attemptStages: options.attemptStages ?? [],
      events,
      ...(options.keyLimits === undefined ? {} : { keyLimits: options.keyLimits }),
    },
    events,
  );
  /** The generation of each stream call between its start and its run (both in one synchronous step). */
  const streamGenerations = new WeakMap<CallContext, Generation>();

  /** Starts a call on the current generation; `dispose` releases its deadlines and its generation. */
  function startCall(given: ChatRequest, callOptions: CallOptions, mode: 'chat' | 'stream', generation: Generation): { context: CallContext; dispose: () => void } {
    validateRequest(given);
    const request = withContentFilled(given);
    const route = generation.resolveRoute(request.model);
    if (route.kind === 'embedding') throw chatOnEmbeddingRoute(route.name);
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
      assignTarget: generation.assignTarget,
    };
    if (events.has('call-start')) events.emit('call-start', { requestId: context.requestId, route: route.name, mode, request, options: callOptions });
    return { context, dispose };
  }

  function endCall(context: CallContext, response: ChatResponse | undefined, error: SwitchyardError | undefined, firstOutputAt?: number): void {
    if (!events.has('call-end')) return;
    const end = callEndOf(context);
    if (response !== undefined) end.response = response;
    if (error !== undefined) end.error = error;
    if (firstOutputAt !== undefined) end.timeToFirstTokenMs = firstOutputAt - context.startedAt;
    events.emit('call-end', end);
  }

  const streamCalls: StreamCalls = {
    start(request, callOptions) {
      const generation = generations.enter();
      let started: { context: CallContext; dispose: () => void };
      try {
        started = startCall(request, callOptions, 'stream', generation);
      } catch (error) {
        generations.leave(generation);
        throw error;
      }
      streamGenerations.set(started.context, generation);
      const disposeDeadlines = started.dispose;
      return {
        context: started.context,
        dispose: () => {
          disposeDeadlines();
          generations.leave(generation);
        },
      };
    },
    run(context) {
      const generation = streamGenerations.get(context) ?? generations.current;
      streamGenerations.delete(context);
      return generation.run(context);
    },
    end: endCall,
    asError: callFailure,
  };

  /** An embedding call's pipeline run, counted on the generation it runs on. */
  async function runEmbed(context: CallContext): Promise<CallOutcome> {
    const generation = generations.enter();
    try {
      return await generation.run(context);
    } finally {
      generations.leave(generation);
    }
  }

  const router: Router = {
    get config() {
      return generations.current.config;
    },
    metrics: options.metrics,

    async chat(request, callOptions = {}) {
      const generation = generations.enter();
      let started: { context: CallContext; dispose: () => void };
      try {
        started = startCall(request, callOptions, 'chat', generation);
      } catch (error) {
        generations.leave(generation);
        throw error;
      }
      const { context, dispose } = started;
      try {
        const outcome = await generation.run(context);
        const response = outcome.kind === 'response' ? outcome.response : await chatCompletionOf(outcome);
        endCall(context, response, undefined);
        return response;
      } catch (error) {
        const failure = callFailure(error, context);
        endCall(context, undefined, failure);
        throw failure;
      } finally {
        dispose();
        generations.leave(generation);
      }
    },

    stream(request, callOptions = {}) {
      return { [Symbol.asyncIterator]: () => new RouterStream(streamCalls, request, callOptions) };
    },

    embed: createEmbedCall({
      resolveRoute: (model) => generations.current.resolveRoute(model),
      isConfiguredRoute: (name) => Object.hasOwn(generations.current.config.routes, name),
      deadlines,
      events,
      run: runEmbed,
      get assignTarget() {
        return generations.current.assignTarget;
      },
    }),

    canary(route) {
      const controller = generations.current.parts.canaryController;
      if (controller === undefined) {
        throw new SwitchyardError({ category: 'invalid_request', field: 'route', message: `route ${JSON.stringify(route)} has no canary rollout` });
      }
      return controller(route);
    },

    batch(items, batchOptions) {
      return runBatch((request, callOptions) => router.chat(request, callOptions), items, batchOptions);
    },

    explain(model, who = {}) {
      const { config, resolveRoute, parts } = generations.current;
      return explainRoute(config, resolveRoute(model), who, parts.plugins);
    },

    reload(config) {
      return generations.reload(config);
    },

    on(event, listener) {
      return events.on(event, listener);
    },

    async ready() {
      await options.ready?.();
      await generations.ready();
    },

    async close() {
      await generations.closePlugins();
      deadlines.close();
      await Promise.allSettled([shares.pools.releaseAll(), fixedTransport?.close()]);
      await options.onClose?.();
    },
  };

  const mirror: RouterInternals['mirror'] = async (request, target, signal) => {
    validateRequest(request);
    const { adapters, config } = generations.current;
    const adapter = adapters.get(target.provider);
    if (adapter === undefined) throw noAdapterFor(target.provider);
    const { signal: callSignal, dispose } = deadlines.signalFor(signal, config.policies.timeout.totalMs);
    const started = performance.now();
    try {
      const result = await adapter.doChat({ request, model: target.model, signal: callSignal, firstByteTimeoutMs: config.policies.timeout.firstByteMs, idleTimeoutMs: config.policies.timeout.idleMs });
      return { result, latencyMs: performance.now() - started };
    } catch (error) {
      throw mapThrownError(error, callSignal).with({ provider: target.provider, model: target.model });
    } finally {
      dispose();
    }
  };
  generations.start(router, mirror);
  return router;
}
