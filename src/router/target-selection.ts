/**
 * Weighted target choice with stickiness. Sticky callers use weighted rendezvous hashing
 * (highest `weight / -ln(u)` wins, `u` a hash of the caller key and the target): the same caller
 * keeps the same target while weights are unchanged, and raising one target's weight only raises
 * that target's scores, so callers move towards it and never between the others.
 * Non-sticky calls draw by weight.
 */
import type { RouteConfig, TargetConfig } from '../config/types.js';
import type { CallOptions } from '../types.js';

/** Which caller key a route's stickiness uses, or undefined when the call has none. */
export function stickyKeyFor(route: RouteConfig, options: CallOptions): string | undefined {
  if (route.sticky === 'user') return options.user;
  if (route.sticky === 'tenant') return options.tenant;
  return undefined;
}

/** FNV-1a over a string, then a murmur3 finaliser: fast, well-mixed 32 bits. */
export function hash32(text: string, seed = 0x811c9dc5): number {
  let hash = seed >>> 0;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

/** A uniform number in (0, 1) from a key and a target, stable across processes and restarts. */
export function unitHash(key: string, target: TargetConfig): number {
  const high = hash32(`${key}\u0000${target.provider}/${target.model}`);
  const low = hash32(`${target.provider}/${target.model}\u0000${key}`, 0x9747b28c);
  return (high * 2 ** 21 + (low >>> 11) + 0.5) / 2 ** 53;
}

/** The rendezvous score of a target for a caller key; the highest wins. */
export function rendezvousScore(key: string, target: TargetConfig): number {
  if (target.weight <= 0) return -Infinity;
  return target.weight / -Math.log(unitHash(key, target));
}

/** The chosen target and why, for routing and `explain()`. */
export interface TargetChoice {
  readonly target: TargetConfig;
  /** Index of the target in the route's list. */
  readonly index: number;
  /** `sticky:user`, `sticky:tenant` or `weighted-random`. */
  readonly reason: string;
  /** The caller key used for stickiness, when there was one. */
  readonly stickyKey?: string;
}

/**
 * Chooses a route's target for one call. `isAvailable` lets the caller skip targets (open breakers);
 * when no target with weight > 0 is available, returns undefined.
 */
export function chooseTarget(
  route: RouteConfig,
  options: CallOptions,
  isAvailable: (target: TargetConfig) => boolean = () => true,
  random: () => number = Math.random,
): TargetChoice | undefined {
  const key = stickyKeyFor(route, options);
  const targets = route.targets;
  if (targets.length === 1) {
    const only = targets[0] as TargetConfig;
    if (!(only.weight > 0) || !isAvailable(only)) return undefined;
    // No conditional spread: this is every call of a one-target route.
    return key === undefined ? { target: only, index: 0, reason: 'only-target' } : { target: only, index: 0, reason: `sticky:${route.sticky}`, stickyKey: key };
  }
  if (key !== undefined) {
    let best = -1;
    let bestScore = -Infinity;
    for (let index = 0; index < targets.length; index += 1) {
      const target = targets[index] as TargetConfig;
      if (target.weight <= 0 || !isAvailable(target)) continue;
      const score = rendezvousScore(key, target);
      if (score > bestScore) {
        bestScore = score;
        best = index;
      }
    }
    return best === -1 ? undefined : { target: targets[best] as TargetConfig, index: best, reason: `sticky:${route.sticky}`, stickyKey: key };
  }
  let total = 0;
  for (const target of targets) if (target.weight > 0 && isAvailable(target)) total += target.weight;
  if (total <= 0) return undefined;
  let point = random() * total;
  let fallback = -1;
  for (let index = 0; index < targets.length; index += 1) {
    const target = targets[index] as TargetConfig;
    if (target.weight <= 0 || !isAvailable(target)) continue;
    fallback = index;
    point -= target.weight;
    if (point < 0) return { target, index, reason: 'weighted-random' };
  }
  return { target: targets[fallback] as TargetConfig, index: fallback, reason: 'weighted-random' };
}
