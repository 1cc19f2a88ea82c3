/**
 * A failed try's error as every stage after it sees it: in the taxonomy (undici codes and abort
 * reasons mapped by `mapTransportError`, programming errors as `unknown.internal` by
 * `mapThrownError`) and naming the try's route, provider and model.
 */
import { SwitchyardError } from '../errors.js';
import { mapThrownError } from '../http/transport-errors.js';
import type { AttemptContext } from './context.js';

/** `error` mapped and stamped with the try's route and target; returned as it is when it already is. */
export function attemptFailure(error: unknown, attempt: AttemptContext): SwitchyardError {
  const { route, target } = attempt;
  if (SwitchyardError.isInstance(error) && error.route === route.name && error.provider === target.provider && error.model === target.model) return error;
  return mapThrownError(error, attempt.call.signal).with({ route: route.name, provider: target.provider, model: target.model });
}
