/**
 * The numbers behind a canary decision: shared by the decision engine, the rollout state, the
 * decision record, the audit record and the status report, so it lives apart from all of them.
 */
import type { GuardResult } from './guard-result.js';
import type { SampleRatioCheck } from './sequential-sample-ratio.js';

/** The numbers behind a decision. */
export interface CanaryEvidence {
  /** Settled calls of each arm in the step (the reference's, when one is used). */
  readonly candidateCalls: number;
  readonly baselineCalls: number;
  /** Set when the baseline of an earlier step was the reference. */
  readonly referenceEpoch?: number;
  /** Every guard's comparison, with its always-valid bounds. */
  readonly guards?: readonly GuardResult[];
  readonly sampleRatio?: SampleRatioCheck;
  /** The candidate's unsettled calls in this process when the broken check ran. */
  readonly unsettledCandidateCalls?: number;
}
