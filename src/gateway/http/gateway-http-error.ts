/**
 * An error the gateway answers with a status of its own choosing (413, 408, 404, 405), beside the
 * taxonomy error that gives its message and type in the ingress's wire format.
 */
import type { SwitchyardError } from '../../errors.js';

/** A taxonomy error with the HTTP status the gateway answers it with. */
export class GatewayHttpError extends Error {
  override readonly name = 'GatewayHttpError';
  constructor(
    /** The HTTP status to answer with. */
    readonly status: number,
    /** The error whose category and message go in the body. */
    readonly error: SwitchyardError,
  ) {
    super(error.message);
  }
}
