/**
 * Which failures are evidence that a target is unhealthy. The breaker itself counts whatever it is
 * told; this decides what to tell it, apart from the mechanism (cockatiel's `handleWhen`).
 */
import { isCallerFault, type ErrorCode } from '../../errors.js';
import type { ErrorCategoryName } from '../../types.js';

/**
 * Whether a failure of this category should be recorded against the target's breaker. Faults of
 * the caller's own request (`invalid_request`, `context_length`, `content_filter`, `canceled`,
 * `config`) say nothing about the target, and `circuit_open` is the breaker's own refusal, so
 * neither counts; nor does `unknown.internal` (code inside the try threw: a bug, which says nothing
 * about the target and would otherwise open its breaker for every caller on one bad request shape);
 * everything else (rate limits, overload, server errors, timeouts, network, auth, quota, …) does.
 */
export function countsAgainstBreaker(category: ErrorCategoryName, code?: ErrorCode): boolean {
  if (code !== undefined && isLocalFailure(code)) return false;
  // An answer that is not the JSON asked for is the model's quality, not the target's availability.
  return category !== 'circuit_open' && category !== 'invalid_output' && !isCallerFault(category);
}

/**
 * Failures that end a try before the target could answer for itself: a bug inside the try
 * (`unknown.internal`) or a refusal of our own (a key pool with no key free, shared state down).
 * They never count against the breaker, and a probe ending in one is neither a success nor a failure.
 */
const LOCAL_FAILURES: ReadonlySet<ErrorCode> = new Set(['unknown.internal', 'rate_limit.key_pool', 'server.state_store']);

/** Whether a failure with this code says nothing about the target (see `LOCAL_FAILURES`). */
export function isLocalFailure(code: ErrorCode): boolean {
  return LOCAL_FAILURES.has(code);
}
