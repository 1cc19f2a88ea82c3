/**
 * Where rollouts keep their state and statistics: in memory (one process) or in Redis (every
 * process that shares the Redis). A rollout is identified by its route and a hash of its baseline,
 * candidate and salt, so a config that rolls out something else starts afresh, while changing a
 * step's thresholds or a guard continues the rollout where it stood.
 */
import type { CanaryConfig } from '../config/types.js';
import { hash32 } from '../router/target-selection.js';
import type { StepStatsData } from './arm-stats.js';
import type { RolloutState } from './rollout-state.js';

/** The answer of a compare-and-set. */
export interface CompareAndSetResult {
  /** True when the new state was written. */
  readonly ok: boolean;
  /** The stored state after the call (the new one when `ok`). */
  readonly current: RolloutState | undefined;
}

/** A store of rollout states and per-process step statistics. */
export interface CanaryStateStore {
  /** Whether other processes see this store (Redis) or not (memory). */
  readonly shared: boolean;
  /** The stored state of a rollout, or undefined when it never started. */
  read(rollout: string): Promise<RolloutState | undefined>;
  /** Writes `next` if the stored version is `expectedVersion` (0 = nothing stored yet). */
  compareAndSet(rollout: string, expectedVersion: number, next: RolloutState): Promise<CompareAndSetResult>;
  /** Replaces one process's statistics of one step. */
  writeStats(rollout: string, epoch: number, processId: string, stats: StepStatsData): Promise<void>;
  /** Every process's statistics of one step, by process id. */
  readStats(rollout: string, epoch: number): Promise<ReadonlyMap<string, StepStatsData>>;
  /**
   * Claims the announcement of a decision: true for exactly one caller per decision id (the
   * process that then emits its `canary-decision` event, so the audit trail and webhooks get each
   * decision once however many processes follow the rollout).
   */
  claimDecision(rollout: string, decisionId: string): Promise<boolean>;
  /** Releases what the store owns (never the Redis client it was given). */
  close(): Promise<void>;
}

/** The id of a rollout: `<route>:<hash of baseline, candidate and salt>`. */
export function rolloutId(route: string, canary: Pick<CanaryConfig, 'baseline' | 'candidate' | 'salt'>): string {
  const identity = JSON.stringify([canary.baseline.provider, canary.baseline.model, canary.candidate.provider, canary.candidate.model, canary.salt]);
  return `${route}:${hash32(identity).toString(16).padStart(8, '0')}`;
}
