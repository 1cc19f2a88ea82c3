/**
 * Which target a call tries next, and which routes it may move on to: what is left of the
 * dispatcher once retries, breakers, timeouts and the adapter call became stages. The retry stage
 * asks `nextTarget` before every try and `hasUntriedTargetAfter` before waiting out a backoff.
 *
 * A route's first try goes to the call's assigned target when it has one (`CallContext.assignTarget`:
 * canary arms), else to the sticky rendezvous choice, else to a weighted draw (`target-selection.ts`).
 * Later tries prefer targets of the route not tried yet, then tried ones again; targets ruled out
 * for the call (their breaker is open, they failed in a way a retry will not fix, or they cannot
 * read the request's uploaded files) are skipped.
 */
import type { RouteConfig, TargetConfig } from '../config/types.js';
import type { SwitchyardError } from '../errors.js';
import type { CallContext, TargetNames } from '../pipeline/context.js';
import type { ChatRequest } from '../types.js';
import { canReadFiles, fileIssuers, unreadableFilesError } from './file-references.js';
import { chooseTarget } from './target-selection.js';

/** The routes a call may use, in order: the requested one, then fallbacks depth-first, each once. */
export function routeChain(route: RouteConfig, routes: Readonly<Record<string, RouteConfig>>): RouteConfig[] {
  const chain: RouteConfig[] = [];
  const seen = new Set<string>();
  const visit = (current: RouteConfig): void => {
    if (seen.has(current.name)) return;
    seen.add(current.name);
    chain.push(current);
    for (const name of current.fallbacks) {
      const next = routes[name];
      if (next !== undefined) visit(next);
    }
  };
  visit(route);
  return chain;
}

/** Each route's chain, computed once per route object (routes are immutable once resolved). */
export function createRouteChains(routes: Readonly<Record<string, RouteConfig>>): (route: RouteConfig) => readonly RouteConfig[] {
  const chains = new WeakMap<RouteConfig, RouteConfig[]>();
  return (route) => {
    let chain = chains.get(route);
    if (chain === undefined) {
      chain = routeChain(route, routes);
      chains.set(route, chain);
    }
    return chain;
  };
}

const namesByTarget = new WeakMap<TargetConfig, TargetNames>();

/** A configured target's names, computed once per target. */
export function targetNames(target: TargetConfig): TargetNames {
  let names = namesByTarget.get(target);
  if (names === undefined) {
    names = { key: `${target.provider}/${target.model}`, resolved: Object.freeze({ provider: target.provider, model: target.model }) };
    namesByTarget.set(target, names);
  }
  return names;
}

/** No keys: stands for a set a call has not needed yet. */
export const NO_KEYS: ReadonlySet<string> = new Set();

/** Every target is usable while none is ruled out. */
function anyTarget(): boolean {
  return true;
}

/** Whether a route after `index` in the chain has a target not ruled out for this call. */
export function hasUntriedTargetAfter(routes: readonly RouteConfig[], index: number, excluded: ReadonlySet<string>): boolean {
  for (let later = index + 1; later < routes.length; later += 1) {
    for (const target of (routes[later] as RouteConfig).targets) if (target.weight > 0 && !excluded.has(targetNames(target).key)) return true;
  }
  return false;
}

/**
 * What a request's uploaded files rule out of a route chain: `excluded`, the keys of the targets
 * whose provider did not issue them (passed over like targets ruled out), or `error` when no
 * target can read them. Undefined when the request references no file, without allocating.
 */
export function fileExclusions(request: ChatRequest, routes: readonly RouteConfig[]): { readonly excluded: Set<string> } | { readonly error: SwitchyardError } | undefined {
  const issuers = fileIssuers(request);
  if (issuers === undefined) return undefined;
  const excluded = new Set<string>();
  const providers = new Set<string>();
  let readable = false;
  for (const route of routes) {
    for (const target of route.targets) {
      providers.add(target.provider);
      if (canReadFiles(issuers, target.provider)) readable = true;
      else excluded.add(targetNames(target).key);
    }
  }
  return readable ? { excluded } : { error: unreadableFilesError(request, providers) };
}

/** What a call has ruled out so far, for `nextTarget`. */
export interface TriedTargets {
  /** Targets ruled out for the rest of the call. */
  readonly excluded: ReadonlySet<string>;
  /** Targets of this route tried already. */
  readonly tried: ReadonlySet<string>;
}

/** The first try's view: nothing excluded, nothing tried. */
export const NOTHING_TRIED: TriedTargets = Object.freeze({ excluded: NO_KEYS, tried: NO_KEYS });

/**
 * The next target of `route` for a call: on the route's first try the assigned target or the
 * weighted (sticky) choice; then untried targets (by weight), then tried ones again; undefined
 * when every target is ruled out.
 */
export function nextTarget(context: CallContext, route: RouteConfig, { excluded, tried }: TriedTargets, random: () => number): TargetConfig | undefined {
  const usable = excluded.size === 0 ? anyTarget : (target: TargetConfig): boolean => !excluded.has(targetNames(target).key);
  if (tried.size === 0) {
    const assigned = context.assignTarget?.(route, context);
    if (assigned !== undefined && usable(assigned)) return assigned;
    const choice = chooseTarget(route, context.options, usable, random);
    if (choice !== undefined) return choice.target;
  }
  const fresh = route.targets.filter((target) => usable(target) && !tried.has(targetNames(target).key));
  if (fresh.length > 0) {
    const chosen = tried.size === 0 ? undefined : chooseTarget({ ...route, targets: fresh }, context.options, anyTarget, random);
    return chosen?.target ?? [...fresh].sort((left, right) => right.weight - left.weight)[0];
  }
  const again = chooseTarget(route, context.options, usable, random);
  return again?.target ?? route.targets.find(usable);
}
