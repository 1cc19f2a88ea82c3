/**
 * Awaits a promise that must fail with a `SwitchyardError`, and returns that error (a test fails
 * when the promise resolves or throws anything else).
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
