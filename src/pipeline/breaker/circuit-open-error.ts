/**
 * The error a caller raises when a breaker refuses a call, so every refusal looks the same in
 * logs, metrics and `attempts`.
 */
import { SwitchyardError } from '../../errors.js';

/**
 * A retryable `circuit_open` error for a target key (`provider/model`) whose breaker refused a
 * call, carrying how long until the breaker may let calls through again.
 */
export function circuitOpenError(key: string, retryAfterMs: number): SwitchyardError {
  const slash = key.indexOf('/');
  return new SwitchyardError({
    category: 'circuit_open',
    code: 'circuit_open.open',
    message: `circuit breaker for ${key} is open; retry in ${Math.ceil(retryAfterMs)} ms`,
    retryAfterMs: Math.ceil(retryAfterMs),
    provider: slash === -1 ? undefined : key.slice(0, slash),
    model: slash === -1 ? undefined : key.slice(slash + 1),
  });
}
