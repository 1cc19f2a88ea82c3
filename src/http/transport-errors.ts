/**
 * Maps undici and socket failures into the taxonomy by their stable `code`, never by message text.
 */
import { SwitchyardError } from '../errors.js';

/** Why a call's own signal was aborted by Switchyard (as opposed to by the caller). */
export class TimeoutReason extends Error {
  override readonly name = 'TimeoutReason';
  /** Which limit expired: `total`, `connect`, `first_byte` or `idle`. */
  readonly which: TimeoutKind;
  constructor(which: TimeoutKind, ms: number) {
    super(`${which} timeout of ${ms} ms expired`);
    this.which = which;
  }
}

/** The kinds of timeout the pipeline enforces. */
export type TimeoutKind = 'connect' | 'first_byte' | 'idle' | 'total';

const NETWORK_CODES = new Set([
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_DESTROYED',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
  'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH',
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'UND_ERR_INFO',
]);

function codeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  const cause = (error as { cause?: unknown }).cause;
  return cause === undefined || cause === error ? undefined : codeOf(cause);
}

/**
 * Turns anything thrown by the transport into a `SwitchyardError`. An aborted signal wins:
 * a `TimeoutReason` becomes `timeout` naming the limit, anything else `canceled`.
 */
export function mapTransportError(error: unknown, signal: AbortSignal | undefined): SwitchyardError {
  if (SwitchyardError.isInstance(error)) return error;
  if (signal?.aborted) {
    const reason: unknown = signal.reason;
    if (reason instanceof TimeoutReason) {
      return new SwitchyardError({ category: 'timeout', message: reason.message, providerCode: reason.which, cause: error });
    }
    if (SwitchyardError.isInstance(reason)) return reason;
    return new SwitchyardError({ category: 'canceled', message: 'the call was canceled by the caller', cause: error });
  }
  const code = codeOf(error);
  const detail = error instanceof Error ? error.message : String(error);
  switch (code) {
    case 'UND_ERR_CONNECT_TIMEOUT':
      return new SwitchyardError({ category: 'timeout', message: `connect timeout: ${detail}`, providerCode: 'connect', cause: error });
    case 'UND_ERR_HEADERS_TIMEOUT':
      return new SwitchyardError({ category: 'timeout', message: `first_byte timeout: no response headers in time`, providerCode: 'first_byte', cause: error });
    case 'UND_ERR_BODY_TIMEOUT':
      return new SwitchyardError({ category: 'timeout', message: `idle timeout: no data from upstream in time`, providerCode: 'idle', cause: error });
    case 'UND_ERR_ABORTED':
    case 'ABORT_ERR':
      return new SwitchyardError({ category: 'canceled', message: 'the upstream request was aborted', cause: error });
    default:
      if (code !== undefined && NETWORK_CODES.has(code)) {
        return new SwitchyardError({ category: 'network', message: `network error (${code}): ${detail}`, providerCode: code, cause: error });
      }
      return new SwitchyardError({ category: 'network', message: `network error: ${detail}`, providerCode: code, cause: error });
  }
}
