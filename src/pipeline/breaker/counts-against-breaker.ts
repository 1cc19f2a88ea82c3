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
  // Refusals of our own (a key pool with no key free, shared state down) say nothing about the target either.
  if (code === 'unknown.internal' || code === 'rate_limit.key_pool' || code === 'server.state_store') return false;
  // An answer that is not the JSON asked for is the model's quality, not the target's availability.
  return category !== 'circuit_open' && category !== 'invalid_output' && !isCallerFault(category);
}
