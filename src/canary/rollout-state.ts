/**
 * The rollout state machine of one canary route: the current step, the state, when the step
 * started, and the history of steps. It is plain data with a version, so a store can share it
 * between processes with compare-and-set; these functions compute the next state and never mutate.
 *
 *   running ──promote──▶ running (next step) … ──promote at the last step──▶ completed
 *   running ──pause──▶ paused ──resume──▶ running        (paused still rolls back when broken)
 *   running | paused ──rollback──▶ rolled_back            (automatic, weight 0)
 *   running | paused ──abort──▶ aborted                   (by an operator, weight 0)
 *   rolled_back | aborted ──resume──▶ running             (from the first step, or a step the operator names; fresh statistics)
 *
 * Every start of a step gets a new `epoch`; statistics are kept per epoch, so a resumed step does
 * not mix the calls from before its rollback with the new ones.
 */
import { SwitchyardError, type ErrorCode } from '../errors.js';
import type { CanaryConfig } from '../config/types.js';
import type { RouterEvents } from '../events.js';
import type { CanaryEvidence } from './canary-evidence.js';
import { randomUUID } from 'node:crypto';
import { AUTO_ACTOR, type CanaryDecisionAction, type CanaryDecisionRecord, type CanaryDecisionRule, type RolloutPosition, type RolloutStateName } from './decision-record.js';

/** What changed a rollout (the `decision` of `canary-change` events). */
export type CanaryChangeDecision = RouterEvents['canary-change']['decision'];

/**
 * A control action, by an operator or by the decision engine. `hold` and `request-approval` change
 * nothing but the decision trail: they record a gate (a sample-ratio mismatch, a step waiting for
 * an operator's approval).
 */
export type RolloutAction = 'promote' | 'rollback' | 'pause' | 'resume' | 'abort' | 'hold' | 'request-approval';

/** One step as it ran. */
export interface StepRecord {
  readonly epoch: number;
  readonly step: number;
  readonly weight: number;
  readonly startedAt: number;
  readonly endedAt?: number;
  /** How the step ended. */
  readonly outcome?: CanaryChangeDecision;
}

/** The last change of a rollout and why. */
export interface RolloutChange {
  readonly decision: CanaryChangeDecision;
  readonly reason: string;
  /** Epoch milliseconds. */
  readonly at: number;
  /** `auto` (the decision engine) or `operator`. */
  readonly by: 'auto' | 'operator';
  /** The operator's name, when one was given. */
  readonly actor?: string;
  /** The numbers behind an automatic decision. */
  readonly evidence?: CanaryEvidence;
}

/** The shared state of one rollout. */
export interface RolloutState {
  /** Increases with every change; 0 for a state never stored. */
  readonly version: number;
  readonly state: RolloutStateName;
  /** Index into the configured steps. */
  readonly step: number;
  readonly epoch: number;
  /** Epoch milliseconds. */
  readonly stepStartedAt: number;
  readonly updatedAt: number;
  readonly lastChange?: RolloutChange;
  readonly history: readonly StepRecord[];
  /** Every decision, oldest first (absent in states stored by older versions). */
  readonly decisions?: readonly CanaryDecisionRecord[];
}

/** Why a rollout control action failed. */
export type CanaryControlReason = 'invalid-transition' | 'conflict' | 'unavailable' | 'unknown-route';

/** The error code of each reason (docs/errors.md). */
const CONTROL_CODES = {
  'invalid-transition': 'invalid_request.canary_transition',
  conflict: 'invalid_request.canary_conflict',
  unavailable: 'server.state_store',
  'unknown-route': 'invalid_request.no_canary',
} as const satisfies Readonly<Record<CanaryControlReason, ErrorCode>>;

/** The codes a `CanaryControlError` carries. */
export type CanaryControlCode = (typeof CONTROL_CODES)[CanaryControlReason];

/**
 * A control action that is not possible in the rollout's state, or a store that could not be used.
 * `reason` says which (`invalid-transition`, `conflict`, `unavailable`, `unknown-route`); `code` is
 * the same as an error code (`invalid_request.canary_transition`...), like every `SwitchyardError`'s.
 */
export class CanaryControlError extends SwitchyardError {
  override readonly name: string = 'CanaryControlError';
  override readonly code: CanaryControlCode;
  readonly reason: CanaryControlReason;

  constructor(reason: CanaryControlReason, message: string) {
    const code = CONTROL_CODES[reason];
    // A shared store that cannot be reached is the server's problem; the rest are the caller's.
    super({ category: reason === 'unavailable' ? 'server' : 'invalid_request', code, message });
    this.code = code;
    this.reason = reason;
  }
}

/** The state of a rollout that has not started anywhere yet. */
export function initialRolloutState(canary: CanaryConfig, now: number): RolloutState {
  return {
    version: 0,
    state: 'running',
    step: 0,
    epoch: 1,
    stepStartedAt: now,
    updatedAt: now,
    history: [{ epoch: 1, step: 0, weight: canary.steps[0]?.weight ?? 0, startedAt: now }],
  };
}

/** The candidate's weight (0–100) in a state. */
export function rolloutWeight(state: RolloutState, canary: CanaryConfig): number {
  if (state.state === 'rolled_back' || state.state === 'aborted') return 0;
  if (state.state === 'completed') return 100;
  return canary.steps[Math.min(state.step, canary.steps.length - 1)]?.weight ?? 0;
}

/** Whether the last step is a plain "everyone on the candidate" step, reached means done. */
function isFinalFullStep(canary: CanaryConfig, index: number): boolean {
  const step = canary.steps[index];
  return index === canary.steps.length - 1 && step !== undefined && step.weight >= 100 && step.minRequests === 0 && step.minDurationMs === 0;
}

function endHistory(state: RolloutState, outcome: CanaryChangeDecision, now: number): StepRecord[] {
  return state.history.map((record) => (record.epoch === state.epoch && record.endedAt === undefined ? { ...record, endedAt: now, outcome } : record));
}

/** What an action carries besides its kind: why, by whom, on which evidence. */
export interface ChangeOptions {
  readonly reason: string;
  readonly by: RolloutChange['by'];
  /** The operator's name (`--actor`); `switchyard` for automatic changes. */
  readonly actor?: string;
  /** The rule that fired (automatic changes). */
  readonly rule?: CanaryDecisionRule;
  readonly evidence?: CanaryEvidence;
  /** `resume` after a rollback or abort: the step to restart at, 0-based (default 0, the first). */
  readonly step?: number;
}

/** The decisions a state keeps, at most (the oldest are dropped first; the audit trail keeps all). */
export const MAX_KEPT_DECISIONS = 500;

function positionOf(state: RolloutState, canary: CanaryConfig): RolloutPosition {
  return { state: state.state, step: state.step, weight: rolloutWeight(state, canary), epoch: state.epoch };
}

/** The route of a rollout id (`<route>:<hash>`). */
export function routeOfRollout(rollout: string): string {
  const colon = rollout.lastIndexOf(':');
  return colon < 0 ? rollout : rollout.slice(0, colon);
}

/**
 * The state after an action, with the action's decision record appended to `decisions`. Throws
 * `CanaryControlError` (`invalid-transition`) when the action is not possible (promoting a
 * completed rollout, pausing a paused one...).
 */
export function applyRolloutAction(state: RolloutState, action: RolloutAction, canary: CanaryConfig, now: number, options: ChangeOptions & { readonly rollout: string }): RolloutState {
  const next = transitionState(state, action, canary, now, options);
  const decision: CanaryDecisionAction =
    action === 'request-approval' ? 'approval-requested' : action === 'promote' && next.state === 'completed' ? 'complete' : action;
  const record: CanaryDecisionRecord = {
    id: randomUUID(),
    route: routeOfRollout(options.rollout),
    rollout: options.rollout,
    baseline: `${canary.baseline.provider}/${canary.baseline.model}`,
    candidate: `${canary.candidate.provider}/${canary.candidate.model}`,
    at: now,
    decision,
    rule: options.rule ?? (options.by === 'operator' ? 'operator' : 'passed'),
    by: options.by,
    actor: options.actor ?? (options.by === 'auto' ? AUTO_ACTOR : 'operator'),
    reason: options.reason,
    from: positionOf(state, canary),
    to: positionOf(next, canary),
    ...(options.evidence === undefined ? {} : { evidence: options.evidence }),
  };
  return { ...next, decisions: [...(state.decisions ?? []), record].slice(-MAX_KEPT_DECISIONS) };
}

function transitionState(state: RolloutState, action: RolloutAction, canary: CanaryConfig, now: number, options: ChangeOptions): RolloutState {
  const { reason, by, evidence } = options;
  const refuse = (why: string): never => {
    throw new CanaryControlError('invalid-transition', `cannot ${action}: ${why}`);
  };
  const active = state.state === 'running' || state.state === 'paused';
  const change = (decision: CanaryChangeDecision): RolloutChange => ({
    decision,
    reason,
    at: now,
    by,
    ...(options.actor === undefined ? {} : { actor: options.actor }),
    ...(evidence === undefined ? {} : { evidence }),
  });
  const base = { ...state, version: state.version + 1, updatedAt: now };
  switch (action) {
    case 'promote': {
      if (!active) return refuse(`the rollout is ${state.state}`);
      const next = state.step + 1;
      if (next >= canary.steps.length || isFinalFullStep(canary, next)) {
        return { ...base, state: 'completed', step: Math.min(next, canary.steps.length - 1), lastChange: change('complete'), history: endHistory(state, 'complete', now) };
      }
      const epoch = state.epoch + 1;
      return {
        ...base,
        state: 'running',
        step: next,
        epoch,
        stepStartedAt: now,
        lastChange: change('promote'),
        history: [...endHistory(state, 'promote', now), { epoch, step: next, weight: canary.steps[next]?.weight ?? 0, startedAt: now }],
      };
    }
    case 'rollback':
      if (!active) return refuse(`the rollout is ${state.state}`);
      return { ...base, state: 'rolled_back', lastChange: change('rollback'), history: endHistory(state, 'rollback', now) };
    case 'abort':
      if (!active) return refuse(`the rollout is ${state.state}`);
      return { ...base, state: 'aborted', lastChange: change('abort'), history: endHistory(state, 'abort', now) };
    case 'hold':
    case 'request-approval':
      if (!active) return refuse(`the rollout is ${state.state}`);
      return base;
    case 'pause':
      if (state.state !== 'running') return refuse(`the rollout is ${state.state}`);
      return { ...base, state: 'paused', lastChange: change('pause') };
    case 'resume': {
      if (state.state === 'paused') {
        if (options.step !== undefined && options.step !== state.step) return refuse('a paused rollout resumes at its own step; abort it first to restart at another');
        return { ...base, state: 'running', lastChange: change('resume') };
      }
      if (state.state !== 'rolled_back' && state.state !== 'aborted') return refuse(`the rollout is ${state.state}`);
      // After a rollback the failed step's weight is not a safe place to restart: start over from the first step unless the operator names one.
      const step = options.step ?? 0;
      if (!Number.isInteger(step) || step < 0 || step >= canary.steps.length) return refuse(`step ${step + 1} does not exist (the rollout has ${canary.steps.length} steps)`);
      const epoch = state.epoch + 1;
      return {
        ...base,
        state: 'running',
        step,
        epoch,
        stepStartedAt: now,
        lastChange: change('resume'),
        history: [...state.history, { epoch, step, weight: canary.steps[step]?.weight ?? 0, startedAt: now }],
      };
    }
  }
}

/** A stored state made to fit the current config (fewer steps than when it was stored). */
export function fitToConfig(state: RolloutState, canary: CanaryConfig): RolloutState {
  const last = canary.steps.length - 1;
  return state.step > last ? { ...state, step: last } : state;
}
