/**
 * One process's view of one breaker shared through Redis: what the scripts and the sync last
 * reported, and the probe slots this process holds.
 */
import type { BreakerPolicy } from '../../config/types.js';
import type { BreakerKeys } from './redis-scripts.js';
import type { BreakerState } from './types.js';

/** A probe slot held by this process: taken from Redis, or from the local fallback breaker. */
export type ProbeToken =
  | { readonly source: 'local' }
  | { readonly source: 'redis'; readonly id: string; readonly generation: string };

/** The view of one shared breaker. */
export interface SharedView {
  readonly keys: BreakerKeys;
  /** The target's policy as last passed to `admit` or `record` (undefined when only `state` asked). */
  policy: BreakerPolicy | undefined;
  /** The shared open-until value as stored (it identifies one open period); undefined = closed. */
  generation: string | undefined;
  openUntil: number;
  calls: number;
  failures: number;
  /** Until when a half-open breaker with every probe slot taken is refused without asking Redis. */
  busyUntil: number;
  /** When the earliest probe slot in use frees up at the latest (what a busy refusal tells callers). */
  busyRetryAt: number;
  /** The state last announced to listeners. */
  reported: BreakerState;
  /** Probe slots this process holds, oldest first. */
  readonly probes: ProbeToken[];
}

/** A view of a breaker not known to be open. */
export function createSharedView(keys: BreakerKeys, policy: BreakerPolicy | undefined): SharedView {
  return { keys, policy, generation: undefined, openUntil: 0, calls: 0, failures: 0, busyUntil: 0, busyRetryAt: 0, reported: 'closed', probes: [] };
}

/** The shared state at time `at`: open until open-until, half-open after it, closed once the key is gone. */
export function sharedState(view: SharedView, at: number): BreakerState {
  if (view.generation === undefined) return 'closed';
  return at < view.openUntil ? 'open' : 'half_open';
}

/** Applies an open-until value read from Redis (`''` = the open key is gone, so closed). */
export function applyOpenUntil(view: SharedView, generation: string): void {
  if (view.generation === (generation === '' ? undefined : generation)) return;
  view.generation = generation === '' ? undefined : generation;
  view.openUntil = generation === '' ? 0 : Number(generation);
  view.busyUntil = 0;
}
