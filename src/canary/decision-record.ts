/**
 * A canary decision as a lasting record: what was decided, by whom, why, on which evidence, and
 * where the rollout stood before and after. The process that makes a decision emits it once as a
 * `canary-decision` event; the rollout's state keeps every one (`history` of decisions), the audit
 * plugin writes each as a hash-chained record of its own kind, and webhooks deliver it.
 */
import type { CanaryEvidence } from './canary-evidence.js';

/** What a decision did. `hold` records a gate that stops promotion (sample-ratio mismatch, approval wait); ordinary "not enough data yet" holds are not recorded. */
export type CanaryDecisionAction = 'promote' | 'complete' | 'hold' | 'rollback' | 'pause' | 'resume' | 'abort' | 'approval-requested';

/** The rule that fired, as a stable code. */
export type CanaryDecisionRule =
  | 'broken'
  | 'guard-failed'
  | 'passed'
  | 'sample-ratio'
  | 'sample-ratio-sustained'
  | 'approval'
  | 'starved'
  | 'operator';

/** Where a rollout stands (src/canary/rollout-state.ts has the state machine). */
export type RolloutStateName = 'running' | 'paused' | 'rolled_back' | 'completed' | 'aborted';

/** Where a rollout stood, before or after a decision. */
export interface RolloutPosition {
  readonly state: RolloutStateName;
  /** 0-based index into the configured steps. */
  readonly step: number;
  /** The candidate's weight, 0–100. */
  readonly weight: number;
  readonly epoch: number;
}

/** One decision of a rollout. */
export interface CanaryDecisionRecord {
  /** Unique id (UUID): webhooks' idempotency key, the audit record's reference. */
  readonly id: string;
  readonly route: string;
  /** The rollout's id (route and a hash of baseline, candidate and salt). */
  readonly rollout: string;
  /** `provider/model` of each arm. */
  readonly baseline: string;
  readonly candidate: string;
  /** Epoch milliseconds. */
  readonly at: number;
  readonly decision: CanaryDecisionAction;
  readonly rule: CanaryDecisionRule;
  /** `auto`: the decision engine; `operator`: an API or CLI call. */
  readonly by: 'auto' | 'operator';
  /** Who: the operator's name as given (`--actor`), or `switchyard` for automatic decisions. */
  readonly actor: string;
  readonly reason: string;
  readonly from: RolloutPosition;
  readonly to: RolloutPosition;
  /** The numbers behind it (counts, rates, bounds, p-values). */
  readonly evidence?: CanaryEvidence;
}

/** Who is behind an operator's action, and why. */
export interface OperatorNote {
  /** Why (kept in the decision record, the audit record and webhooks). */
  readonly reason?: string;
  /** Who (a name or an id; not verified by Switchyard). */
  readonly actor?: string;
}

/** The actor of automatic decisions. */
export const AUTO_ACTOR = 'switchyard';
