/**
 * One guard's comparison of the candidate with the baseline, in one shape for every guard, so the
 * status, the reports, the audit trail and webhooks can show any guard without knowing its method.
 */
import type { CanaryGuards } from '../config/types.js';
import type { Interval } from './proportion-tests.js';

/** A guard's name: a key of `CanaryGuards`. */
export type GuardName = keyof CanaryGuards;

/** `worse`: shown past the limit; `within`: shown inside it; `inconclusive`: not shown either way yet. */
export type GuardVerdictName = 'worse' | 'within' | 'inconclusive';

/** One guard's comparison. */
export interface GuardResult {
  readonly guard: GuardName;
  /** `rate`: candidate − baseline, absolute; `ratio`: candidate / baseline. */
  readonly kind: 'rate' | 'ratio';
  /** The configured limit (`maxIncrease` or `maxRatio`). */
  readonly limit: number;
  /** Each arm's value (a rate 0–1, milliseconds, or US dollars). */
  readonly candidate: number;
  readonly baseline: number;
  /** The estimate compared with the limit: the difference (rate) or the ratio. */
  readonly estimate: number;
  /**
   * The always-valid confidence interval of the estimate at the rollout's confidence (a
   * confidence sequence: valid however often it is looked at); undefined while an arm has too few
   * calls to bound it.
   */
  readonly interval?: Interval;
  readonly verdict: GuardVerdictName;
  /** Calls each arm contributed. */
  readonly candidateCalls: number;
  readonly baselineCalls: number;
  /** A fixed-sample p-value reported beside it (two-proportion z-test, rank test), for reading only. */
  readonly pValue?: number;
  /** One line in words, e.g. "error rate 4.1% vs 2.0% (+2.1 points, bounds −0.5…+4.8, allowed +2.0)". */
  readonly description: string;
}
