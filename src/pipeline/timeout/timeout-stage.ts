/**
 * The timeout stage: what each try may take. It gives the try the policies' first-byte and idle
 * timeouts (the transport turns them into undici's `headersTimeout` and `bodyTimeout`, whose
 * expiry `transport-errors.ts` maps to `timeout` errors by code), and refuses to start a try once
 * the call's signal has aborted: after the total timeout (`timeout`) or the caller's cancellation
 * (`canceled`), no request goes upstream.
 *
 * The total timeout itself is not set here: it is the call's signal, made when the call starts
 * (`router/deadlines.ts`), because waits outside the tries (cache, rate limits, backoff) count
 * against it too. The connect timeout belongs to each provider's connection pool.
 */
import type { SwitchyardError } from '../../errors.js';
import { mapTransportError } from '../../http/transport-errors.js';
import type { AttemptContext, CallOutcome } from '../context.js';
import type { Stage } from '../stage.js';

/** The stage's name, for placing user stages (`{ after: 'timeout' }`). */
export const TIMEOUT_STAGE = 'timeout';

/** Why a try was not started: the call's deadline passed (`timeout`) or its caller canceled (`canceled`). */
function notStarted(signal: AbortSignal): SwitchyardError {
  return mapTransportError(signal.reason, signal);
}

/** Creates the timeout stage. */
export function createTimeoutStage(): Stage<AttemptContext, CallOutcome> {
  return {
    name: TIMEOUT_STAGE,
    execute(attempt, next) {
      const signal = attempt.call.signal;
      if (signal.aborted) return Promise.reject(notStarted(signal));
      const { firstByteMs, idleMs } = attempt.policies.timeout;
      return next({ ...attempt, firstByteTimeoutMs: firstByteMs, idleTimeoutMs: idleMs });
    },
  };
}
