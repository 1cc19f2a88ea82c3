/**
 * Arm of record: a call belongs to the arm it was assigned, whatever answered it in the end.
 * Its first try is on the arm's target (the canary chose it), so the arm's outcome is that try's:
 * a candidate failure that a retry or a fallback rescued still counts against the candidate (and
 * is counted as `rescued`), and a call whose tries touched another target is `mixed`. A target
 * skipped by its open circuit breaker counts as a `circuit_open` failure of its arm. A call the
 * caller cancelled while the arm was working on it is a `cancelled` outcome of the arm: a slow
 * candidate loses calls to callers' timeouts, and leaving them out would hide exactly that.
 * Latency is the arm's own upstream time: the first try's duration for `chat`, the whole stream
 * (less any rate-limit wait) for `stream`; for cancelled and timed-out calls, the time they ran.
 * An answer that failed with `invalid_output` (not the JSON asked for) counts as an answer with invalid
 * structured output, not as an error. A successful answer of the arm also carries its quality signals (finish reason, empty answer,
 * tool-call arguments, structured output).
 */
import type { PriceTable } from '../config/types.js';
import { isCallerFault } from '../errors.js';
import type { RouterEvents } from '../events.js';
import type { ErrorCategoryName, Target } from '../types.js';
import type { ArmCallOutcome } from './arm-stats.js';
import { costOf } from '../pricing.js';
import { qualitySignals, type QualitySignals } from './quality-signals.js';

/** The parts of a `call-end` event the arm's outcome depends on. */
export type CallRecord = Pick<RouterEvents['call-end'], 'mode' | 'request' | 'latencyMs' | 'attempts' | 'response' | 'error' | 'notes' | 'timeToFirstTokenMs'>;

function same(left: Target, right: Target): boolean {
  return left.model === right.model && left.provider === right.provider;
}

/** The quality signals of an answer that failed with `invalid_output` (it did not parse or validate). */
const INVALID_OUTPUT: QualitySignals = {
  lengthFinish: false,
  contentFilterFinish: false,
  emptyAnswer: false,
  invalidToolCall: false,
  structuredOutput: true,
  invalidOutput: true,
};

/** What a finished call tells about its assigned arm, or undefined when it tells nothing. */
export function armOutcome(call: CallRecord, armTarget: Target, pricing: PriceTable): ArmCallOutcome | undefined {
  const first = call.attempts[0];
  const mixed = call.attempts.some((attempt) => !same(attempt.target, armTarget));
  let category: ErrorCategoryName | undefined;
  if (first !== undefined && same(first.target, armTarget)) {
    if (first.outcome !== 'ok') category = first.outcome;
    else if (call.error !== undefined) category = call.error.category; // a stream that failed after its first output
  } else if (call.notes.breakerSkips?.includes(`${armTarget.provider}/${armTarget.model}`) === true) {
    category = 'circuit_open';
  } else if (call.error !== undefined) {
    category = call.error.category;
  } else {
    return undefined; // the arm was never asked and something else answered (nothing to attribute)
  }
  const armAsked = first !== undefined && same(first.target, armTarget);
  const ranFor = (): number => (call.mode === 'chat' && first !== undefined ? first.ms : Math.max(0, call.latencyMs - (call.notes.rateLimitWaitMs ?? 0)));
  if (category === 'canceled') {
    // Cancelled before the arm was asked (a rate-limit wait): nothing to say about the arm.
    return armAsked ? { failed: false, callerFault: false, rescued: false, mixed, cancelled: true, latencyMs: ranFor() } : undefined;
  }
  if (category === 'invalid_output' && armAsked) {
    // The arm answered, but not with the JSON asked for: answer quality (`invalidOutputRate`), not availability.
    return { failed: false, callerFault: false, rescued: false, mixed, latencyMs: ranFor(), quality: INVALID_OUTPUT };
  }
  const failed = category !== undefined;
  const response = call.response;
  const answeredByArm = response !== undefined && same(response.target, armTarget);
  const usage = answeredByArm ? response.usage : undefined;
  const costUsd = usage === undefined ? undefined : costOf(pricing, armTarget, usage);
  let latencyMs: number | undefined;
  if (first !== undefined && (!failed || (armAsked && category === 'timeout'))) latencyMs = ranFor();
  const quality = !failed && answeredByArm ? qualitySignals(call.request, response) : undefined;
  return {
    failed,
    ...(category === undefined ? {} : { category }),
    callerFault: category !== undefined && isCallerFault(category),
    rescued: failed && call.response !== undefined,
    mixed,
    ...(latencyMs === undefined ? {} : { latencyMs }),
    ...(!failed && call.timeToFirstTokenMs !== undefined ? { timeToFirstTokenMs: call.timeToFirstTokenMs } : {}),
    ...(usage === undefined ? {} : { usage }),
    ...(costUsd === undefined ? {} : { costUsd }),
    ...(quality === undefined ? {} : { quality }),
  };
}
