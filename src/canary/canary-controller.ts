/**
 * What steers one canary rollout, as `router.canary(route)` returns it. Its own module, importing
 * nothing from src/router/, so the router can name it without an import cycle.
 */
import type { CanaryStatus } from './canary-status.js';
import type { OperatorNote } from './decision-record.js';

/** An operator's action with its note; `step` (0-based) for `resume` after a rollback. */
export interface ControlRequest extends OperatorNote {
  readonly step?: number;
}

/** Control of one canary rollout. */
export interface CanaryController {
  /** Where the rollout stands, from this process's view (synchronised every interval). */
  status(): CanaryStatus;
  /** The status with every step's statistics read afresh from the store (all processes). */
  report(): Promise<CanaryStatus>;
  /** Moves to the next step now (or completes after the last); also approves a step with `approval: manual`. */
  promote(note?: OperatorNote): Promise<void>;
  /** Stops automatic promotion; rollback checks still run. */
  pause(note?: OperatorNote): Promise<void>;
  /**
   * Resumes a paused rollout, or restarts a rolled-back or aborted one with fresh statistics, from
   * the first step or from `step` (0-based).
   */
  resume(request?: ControlRequest): Promise<void>;
  /** Sends all traffic to the baseline (state `aborted`). */
  abort(note?: OperatorNote): Promise<void>;
  /** Waits for shadow copies in flight, then flushes this process's statistics and reads the shared state now (instead of at the next interval). */
  sync(): Promise<void>;
}
