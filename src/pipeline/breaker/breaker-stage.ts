/**
 * The breaker stage: the outermost attempt stage. It asks the target's circuit breaker before the
 * try and tells it how the try went:
 *
 * - open: the try is refused with a `circuit_open` error carrying the breaker's retry-after, and
 *   the target is noted in `notes.breakerSkips`; the retry stage skips the target without counting
 *   a try and moves on to the next one;
 * - half-open: the try goes ahead as one of the breaker's probes (`AttemptContext.probe`);
 * - after the try: a success (for a stream, its clean end) is recorded as one; a failure is
 *   recorded only when it says something about the target (`countsAgainstBreaker`: not the
 *   caller's faults). A canceled probe proves nothing either way: its slot frees itself after
 *   `openFor`.
 *
 * It sits inside retry because a breaker judges one target, and retry is what chooses targets.
 */
import type { BreakerPolicy } from '../../config/types.js';
import type { SwitchyardError } from '../../errors.js';
import { attemptFailure } from '../attempt-failure.js';
import type { AttemptContext, CallOutcome } from '../context.js';
import type { Stage } from '../stage.js';
import { ADMITTED_NOW } from './breaker-rules.js';
import { circuitOpenError } from './circuit-open-error.js';
import { countsAgainstBreaker, isLocalFailure } from './counts-against-breaker.js';
import type { Admission } from './types.js';

/** The stage's name, for placing user stages (`{ after: 'breaker' }`). */
export const BREAKER_STAGE = 'breaker';

/** What the breaker stage needs of the circuit breakers (a `BreakerRegistry` is one). */
export interface BreakerGate {
  admit(key: string, policy: BreakerPolicy): Promise<Admission>;
  record(key: string, policy: BreakerPolicy, outcome: 'success' | 'failure', probe: boolean): void;
}

/** Creates the breaker stage over the router's breakers. */
export function createBreakerStage(breakers: BreakerGate): Stage<AttemptContext, CallOutcome> {
  /** Tells the breaker how an admitted try ended. */
  function recordFailure(attempt: AttemptContext, failure: SwitchyardError): void {
    const { names, policies, probe } = attempt;
    if (countsAgainstBreaker(failure.category, failure.code)) breakers.record(names.key, policies.breaker, 'failure', probe);
    // A probe that ended for a reason of its own (canceled, a bug, a local refusal) proves nothing either way.
    else if (probe && failure.category !== 'canceled' && !isLocalFailure(failure.code)) breakers.record(names.key, policies.breaker, 'success', probe);
  }

  return {
    name: BREAKER_STAGE,
    async execute(admitted, next) {
      const policy = admitted.policies.breaker;
      if (!policy.enabled) return next(admitted);
      const key = admitted.names.key;
      const pending = breakers.admit(key, policy);
      // A closed breaker answers with the one pre-resolved admission: no need to wait a turn for it.
      const admission = pending === ADMITTED_NOW ? undefined : await pending;
      if (admission?.allowed === false) {
        (admitted.call.notes.breakerSkips ??= []).push(key);
        throw circuitOpenError(key, admission.retryAfterMs).with({ route: admitted.route.name });
      }
      const attempt = admission?.probe === true ? { ...admitted, probe: true } : admitted;
      let outcome: CallOutcome;
      try {
        outcome = await next(attempt);
      } catch (error) {
        const failure = attemptFailure(error, attempt);
        recordFailure(attempt, failure);
        throw failure;
      }
      if (outcome.kind !== 'stream') {
        breakers.record(key, policy, 'success', attempt.probe);
      } else {
        outcome.stream.completion.then(
          () => breakers.record(key, policy, 'success', attempt.probe),
          (error: unknown) => recordFailure(attempt, attemptFailure(error, attempt)),
        );
      }
      return outcome;
    },
  };
}
