/**
 * `router.reload(config)`: the router's generations. One generation serves new calls (`current`);
 * a reload validates the new config, builds the next generation beside it (sharing what did not
 * change), lets its new plugins read their shared state, and swaps it in at once. A superseded
 * generation keeps serving the calls that started on it and is retired when the last one ends:
 * its plugins, pools and breakers that no live generation uses are closed then, never under a
 * call in flight.
 */
import { readFileSync } from 'node:fs';
import { ensureRedactedDumps } from '../config/redacted-dump.js';
import { loadConfig, resolveConfig } from '../config/load.js';
import type { SwitchyardConfigInput } from '../config/config-input.js';
import type { SwitchyardConfig } from '../config/types.js';
import { SwitchyardError } from '../errors.js';
import type { RouterEventHub } from '../events.js';
import type { RouterInternals, RouterPlugin } from './plugin.js';
import type { Router } from './router-api.js';
import { diffConfigs, locateProblems, reloadRefused, routerRestartProblems, type ConfigReloaded } from './reload-changes.js';
import { buildGeneration, ScopedEvents, type Generation, type GenerationShop } from './reload-generation.js';

/** What `reload()` accepts: a YAML file's path, a resolved config, or a typed config object. */
export type ReloadInput = string | SwitchyardConfig | SwitchyardConfigInput;

function isResolved(config: SwitchyardConfig | SwitchyardConfigInput): config is SwitchyardConfig {
  return typeof (config as Partial<SwitchyardConfig>).versionHash === 'string';
}

/** The config a reload asks for, validated, with the YAML text its problems are located in. */
function readReloadInput(input: ReloadInput): { readonly config: SwitchyardConfig; readonly yamlText?: string; readonly sourceName?: string } {
  if (typeof input !== 'string') return { config: ensureRedactedDumps(isResolved(input) ? input : resolveConfig(input)) };
  const config = loadConfig(input);
  let yamlText: string | undefined;
  try {
    yamlText = readFileSync(input, 'utf8');
  } catch {
    // Only the lines of restart-only changes are lost.
  }
  return { config, sourceName: input, ...(yamlText === undefined ? {} : { yamlText }) };
}

function closePlugin(plugin: RouterPlugin): Promise<void> {
  return plugin.close?.() ?? Promise.resolve();
}

function routerClosed(): SwitchyardError {
  return new SwitchyardError({ category: 'config', message: 'the router is closed; a closed router cannot reload its config' });
}

/** The generations of one router. */
export class RouterGenerations {
  /** The generation new calls start on. */
  current: Generation;
  /** Generations with a call in flight or serving new calls. */
  private readonly live = new Set<Generation>();
  /** Every plugin attached, with its view of the events (disposed when it is retired). */
  private readonly attached = new Map<RouterPlugin, ScopedEvents>();
  /** Reloads run one after another. */
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  private router: Router | undefined;
  private mirror: RouterInternals['mirror'] | undefined;

  constructor(
    config: SwitchyardConfig,
    private readonly shop: GenerationShop,
    private readonly events: RouterEventHub,
  ) {
    this.current = buildGeneration(config, shop);
    this.live.add(this.current);
  }

  /** Attaches the first generation's plugins, once the router exists. */
  start(router: Router, mirror: RouterInternals['mirror']): void {
    this.router = router;
    this.mirror = mirror;
    this.current.parts.activate?.();
    this.attach(this.current);
  }

  /** The generation a new call runs on; the call must `leave` it when it ends. */
  enter(): Generation {
    const generation = this.current;
    generation.inFlight += 1;
    return generation;
  }

  /** A call on `generation` ended. */
  leave(generation: Generation): void {
    generation.inFlight -= 1;
    if (generation.inFlight === 0 && generation.superseded) void this.retire(generation);
  }

  /** Swaps in a new config (see `Router.reload`). Reloads are applied in the order they were asked for. */
  reload(input: ReloadInput): Promise<ConfigReloaded> {
    const task = this.queue.then(() => this.swapIn(input));
    this.queue = task.catch(() => undefined);
    return task;
  }

  /** Resolves when the current generation's plugins have read their shared state. */
  async ready(): Promise<void> {
    await Promise.all(this.current.parts.plugins.map((plugin) => plugin.ready?.() ?? Promise.resolve()));
  }

  /** Closes every plugin of every live generation (the router is closing). */
  async closePlugins(): Promise<void> {
    this.closed = true;
    const plugins = new Set<RouterPlugin>(this.attached.keys());
    for (const generation of this.live) for (const plugin of generation.parts.plugins) plugins.add(plugin);
    this.attached.clear();
    await Promise.allSettled([...plugins].map(closePlugin));
  }

  private async swapIn(input: ReloadInput): Promise<ConfigReloaded> {
    if (this.closed) throw routerClosed();
    const { config, yamlText, sourceName } = readReloadInput(input);
    const previous = this.current;
    const problems = routerRestartProblems(previous.config, config);
    if (problems.length > 0) throw reloadRefused(locateProblems(problems, yamlText), sourceName);
    const next = buildGeneration(config, this.shop);
    // New plugins (a changed canary route's run) read their shared state before they serve.
    await Promise.all(next.parts.plugins.filter((plugin) => !this.attached.has(plugin)).map((plugin) => plugin.ready?.().catch(() => undefined) ?? Promise.resolve()));
    if (this.isClosed()) {
      await this.discard(next);
      throw routerClosed();
    }
    this.current = next;
    this.live.add(next);
    previous.superseded = true;
    next.parts.activate?.();
    this.attach(next);
    const reloaded: ConfigReloaded = { from: previous.config.versionHash, to: config.versionHash, changes: diffConfigs(previous.config, config) };
    this.events.emit('config-reloaded', reloaded);
    if (previous.inFlight === 0) await this.retire(previous);
    return reloaded;
  }

  /** Whether `closePlugins()` ran (read again after an await). */
  private isClosed(): boolean {
    return this.closed;
  }

  private attach(generation: Generation): void {
    const router = this.router;
    const mirror = this.mirror;
    if (router === undefined || mirror === undefined) return;
    for (const plugin of generation.parts.plugins) {
      if (this.attached.has(plugin)) continue;
      const events = new ScopedEvents(this.events);
      this.attached.set(plugin, events);
      plugin.attach?.(router, { events, mirror });
    }
  }

  /** Whether a live generation other than `except` runs `plugin`. */
  private inUse(plugin: RouterPlugin, except: Generation): boolean {
    for (const generation of this.live) if (generation !== except && generation.parts.plugins.includes(plugin)) return true;
    return false;
  }

  /** Closes what only `generation` used; called once its last call ended and a newer one serves. */
  private async retire(generation: Generation): Promise<void> {
    if (!this.live.delete(generation) || this.closed) return;
    const retired = generation.parts.plugins.filter((plugin) => !this.inUse(plugin, generation));
    for (const plugin of retired) {
      this.attached.get(plugin)?.dispose();
      this.attached.delete(plugin);
    }
    await Promise.allSettled(retired.map(closePlugin));
    await generation.parts.retire?.();
    await generation.holdings.dropAll();
  }

  /** Lets go of a generation that was built but never served. */
  private async discard(generation: Generation): Promise<void> {
    const unused = generation.parts.plugins.filter((plugin) => !this.attached.has(plugin) && !this.inUse(plugin, generation));
    await Promise.allSettled(unused.map(closePlugin));
    await generation.parts.retire?.();
    await generation.holdings.dropAll();
  }
}
