/**
 * Reading and changing a rollout through its store, shared by router processes and the CLI.
 * Changes are compare-and-set on the state's version, retried a few times when another process
 * changed the rollout in between.
 */
import type { CanaryConfig } from '../config/types.js';
import { applyRolloutAction, CanaryControlError, fitToConfig, initialRolloutState, type ChangeOptions, type RolloutAction, type RolloutState } from './rollout-state.js';
import type { CanaryStateStore } from './state-store.js';

const MAX_CONFLICTS = 5;

/** The stored state of a rollout, stored first when it never started. */
export async function loadRollout(store: CanaryStateStore, rollout: string, canary: CanaryConfig, now: number): Promise<RolloutState> {
  const stored = await store.read(rollout);
  if (stored !== undefined) return fitToConfig(stored, canary);
  const initial = { ...initialRolloutState(canary, now), version: 1 };
  const written = await store.compareAndSet(rollout, 0, initial);
  return fitToConfig(written.current ?? initial, canary);
}

/** The state after `changeRollout`, and whether it is the result of this action. */
export interface RolloutChangeResult {
  readonly state: RolloutState;
  /** False when an automatic action was void because another process changed the rollout first. */
  readonly applied: boolean;
}

/**
 * Applies an action to the stored rollout. An operator's action is retried on conflicts; an
 * automatic one (decided on a state that has since changed) is dropped and the newer state returned.
 * Throws `CanaryControlError` when the action is not possible or the rollout kept changing.
 */
export async function changeRollout(
  store: CanaryStateStore,
  rollout: string,
  canary: CanaryConfig,
  action: RolloutAction,
  options: ChangeOptions & { readonly now: number; readonly expected?: RolloutState },
): Promise<RolloutChangeResult> {
  let current = options.expected ?? (await loadRollout(store, rollout, canary, options.now));
  for (let attempt = 0; attempt < MAX_CONFLICTS; attempt += 1) {
    const next = applyRolloutAction(current, action, canary, options.now, { ...options, rollout });
    const result = await store.compareAndSet(rollout, current.version, next);
    if (result.ok) return { state: next, applied: true };
    if (result.current === undefined) {
      current = await loadRollout(store, rollout, canary, options.now);
      continue;
    }
    current = fitToConfig(result.current, canary);
    // Someone else changed the rollout meanwhile: an automatic decision made on the old state is void.
    if (options.by === 'auto') return { state: current, applied: false };
  }
  throw new CanaryControlError('conflict', `the rollout kept changing under ${MAX_CONFLICTS} attempts to ${action} it`);
}
