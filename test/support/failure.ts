/**
 * The `SwitchyardError` a call must fail with: a promise's rejection, or a synchronous call's
 * throw (a test fails when it succeeds or fails with anything else).
 */
import { SwitchyardError } from '../../src/errors.js';

/** The `SwitchyardError` the promise rejects with. */
export async function failure(promise: Promise<unknown>): Promise<SwitchyardError> {
  try {
    await promise;
  } catch (error) {
    if (SwitchyardError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

/** The `SwitchyardError` that `run` throws. */
export function caught(run: () => unknown): SwitchyardError {
  try {
    run();
  } catch (error) {
    if (SwitchyardError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a SwitchyardError');
}
