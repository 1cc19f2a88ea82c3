/**
 * A router generation: one resolved config with everything built from it — route resolution,
 * adapters, the composed pipeline, the plugins in it — swapped as a whole by `router.reload()`.
 * Calls take the current generation when they start and keep it to their end, so a call in
 * flight finishes on the config it started with.
 *
 * Generations share what did not change (see `reload-shares.ts`): an adapter by its provider's
 * settings, a connection pool by origin and pool settings, plugins by identity (the same plugin
 * object is attached once and closed once no generation uses it).
 */
import type { CanaryController } from '../canary/canary-controller.js';
import type { RouteConfig, SwitchyardConfig } from '../config/types.js';
import { canonicalJson } from '../canonical-json.js';
import { RouterEventHub, type RouterEventName, type RouterEvents, type RouterListener } from '../events.js';
import type { KeyLimitStore } from '../http/key-limit-store.js';
import { createPooledTransport, DEFAULT_POOL_SETTINGS, type HttpTransport, type PoolSettings } from '../http/transport.js';
import type { BreakerGate } from '../pipeline/breaker/breaker-stage.js';
import type { AttemptContext, CallContext, CallOutcome, TargetAssigner } from '../pipeline/context.js';
import type { Stage } from '../pipeline/stage.js';
import type { PlacedStage } from '../pipeline/stage-placement.js';
import type { ProviderAdapter } from '../provider-spec.js';
import { createAdapters, type AdapterFactories } from './adapters.js';
import { createCallPipeline } from './call-pipeline.js';
import type { RouterPlugin } from './plugin.js';
import { Holdings, KeyedShares } from './reload-shares.js';
import { settingsHash } from './reload-identity.js';
import { createRouteResolver } from './route-resolution.js';

/** The parts of a generation chosen from its config by whoever builds the router (`createRouter`). */
export interface GenerationParts {
  /** Plugins in pipeline order; one also in an earlier generation is the same object (attached once). */
  readonly plugins: readonly RouterPlugin[];
  /**
   * The plugins' call stages, outermost first, when they are not simply each plugin's `outerStages`
   * in plugin order (`createRouter` runs the canary plugins of several routes as one stage).
   */
  readonly outerStages?: readonly Stage<CallContext, CallOutcome>[];
  /** The policy stages the config turned on, outermost first (shared-state-ready, cache, rate limit). */
  readonly policyStages: readonly Stage<CallContext, CallOutcome>[];
  /** Circuit breakers; no breaker stage without them. */
  readonly breakers: BreakerGate | undefined;
  /** Backs `router.canary(route)`. */
  readonly canaryController?: (route: string) => CanaryController;
  /** Runs when the generation starts serving new calls (the one before it no longer does). */
  readonly activate?: () => void;
  /** Lets go of what only this generation held, once no call runs on it. */
  readonly retire?: () => Promise<void>;
}

/**
 * Builds a generation's parts for a resolved config; called for the first config and for every
 * reload. Throwing refuses the reload (the generation serving keeps serving).
 */
export type GenerationPartsFactory = (config: SwitchyardConfig) => GenerationParts;

/** One generation of a router. */
export interface Generation {
  readonly config: SwitchyardConfig;
  readonly resolveRoute: (model: string) => RouteConfig;
  readonly run: (context: CallContext) => Promise<CallOutcome>;
  readonly adapters: ReadonlyMap<string, ProviderAdapter>;
  readonly parts: GenerationParts;
  readonly assignTarget: TargetAssigner | undefined;
  /** The shared adapters and pools it holds. */
  readonly holdings: Holdings;
  /** Calls started on it and not yet ended. */
  inFlight: number;
  /** A newer generation serves new calls; this one is retired when its last call ends. */
  superseded: boolean;
}

/** What every generation of one router is built with. */
export interface GenerationShop {
  /** The user's transport (never closed by a reload), or undefined for pooled connections. */
  readonly fixedTransport: HttpTransport | undefined;
  /** Pools by origin and pool settings, when no transport was given. */
  readonly pools: KeyedShares<HttpTransport>;
  /** Adapters by provider settings and the pool they use. */
  readonly adapters: KeyedShares<ProviderAdapter>;
  readonly customAdapters: AdapterFactories | undefined;
  readonly partsFor: GenerationPartsFactory;
  readonly random: () => number;
  readonly assignTarget: TargetAssigner | undefined;
  readonly stages: readonly PlacedStage<CallContext>[];
  readonly attemptStages: readonly PlacedStage<AttemptContext>[];
  readonly events: RouterEventHub;
  /** Where key pools keep their keys' limits (shared through Redis when configured); absent: each pool its own. */
  readonly keyLimits?: KeyLimitStore;
}

/** Creates the shared-resource part of a shop: pools (closed when unused) and adapters. */
export function createShares(): { readonly pools: KeyedShares<HttpTransport>; readonly adapters: KeyedShares<ProviderAdapter> } {
  return { pools: new KeyedShares<HttpTransport>((transport) => transport.close()), adapters: new KeyedShares<ProviderAdapter>(() => undefined) };
}

/** The first answer of `assigners`, as one assigner; undefined when there are none. */
export function firstAssigner(assigners: readonly TargetAssigner[]): TargetAssigner | undefined {
  if (assigners.length <= 1) return assigners[0];
  return (route, context) => {
    for (const assign of assigners) {
      const target = assign(route, context);
      if (target !== undefined) return target;
    }
    return undefined;
  };
}

/** Each origin's pool settings: the first provider of the config at that origin decides them. */
function poolSettingsByOrigin(config: SwitchyardConfig): Map<string, PoolSettings> {
  const byOrigin = new Map<string, PoolSettings>();
  for (const provider of Object.values(config.providers)) {
    const origin = new URL(provider.baseUrl).origin;
    if (!byOrigin.has(origin)) byOrigin.set(origin, provider.pool);
  }
  return byOrigin;
}

/**
 * Builds a generation for `config`. Unchanged providers get the adapters (and pools) they already
 * have. On failure, what it took is let go and the error thrown.
 */
export function buildGeneration(config: SwitchyardConfig, shop: GenerationShop): Generation {
  const holdings = new Holdings();
  try {
    const poolSettings = poolSettingsByOrigin(config);
    const adapters = new Map<string, ProviderAdapter>();
    for (const provider of Object.values(config.providers)) {
      const origin = new URL(provider.baseUrl).origin;
      const settings = poolSettings.get(origin) ?? DEFAULT_POOL_SETTINGS;
      const poolKey = shop.fixedTransport === undefined ? `${origin} ${canonicalJson(settings)}` : '';
      const transport = shop.fixedTransport ?? holdings.take(shop.pools, poolKey, () => createPooledTransport(() => settings));
      const adapterKey = `${settingsHash(provider)} ${poolKey}`;
      const adapter = holdings.take(shop.adapters, adapterKey, () => createAdapters({ [provider.id]: provider }, transport, shop.customAdapters, shop.events, shop.keyLimits).get(provider.id) as ProviderAdapter);
      adapters.set(provider.id, adapter);
    }
    const parts = shop.partsFor(config);
    const assignTarget = firstAssigner([
      ...(shop.assignTarget === undefined ? [] : [shop.assignTarget]),
      ...parts.plugins.flatMap((plugin) => (plugin.assignTarget === undefined ? [] : [plugin.assignTarget])),
    ]);
    const run = createCallPipeline({
      config,
      adapters,
      breakers: parts.breakers,
      events: shop.events,
      random: shop.random,
      plugins: parts.outerStages === undefined ? parts.plugins : [{ name: 'plugin-stages', outerStages: parts.outerStages }],
      policyStages: parts.policyStages,
      stages: shop.stages,
      attemptStages: shop.attemptStages,
    });
    return { config, resolveRoute: createRouteResolver(config), run, adapters, parts, assignTarget, holdings, inFlight: 0, superseded: false };
  } catch (error) {
    void holdings.dropAll();
    throw error;
  }
}

/**
 * A plugin's view of the router's event hub: the same events, with every subscription remembered
 * so that a plugin retired by a reload stops hearing events (`dispose()`).
 */
export class ScopedEvents extends RouterEventHub {
  private readonly subscriptions: (() => void)[] = [];

  constructor(private readonly hub: RouterEventHub) {
    super();
  }

  override on<E extends RouterEventName>(event: E, listener: RouterListener<E>): () => void {
    const unsubscribe = this.hub.on(event, listener);
    this.subscriptions.push(unsubscribe);
    return unsubscribe;
  }

  override has(event: RouterEventName): boolean {
    return this.hub.has(event);
  }

  override emit<E extends RouterEventName>(event: E, payload: RouterEvents[E]): void {
    this.hub.emit(event, payload);
  }

  /** Ends every subscription made through this view. */
  dispose(): void {
    for (const unsubscribe of this.subscriptions.splice(0)) unsubscribe();
  }
}
