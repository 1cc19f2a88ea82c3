/**
 * Maps undici and socket failures into the taxonomy by their stable `code`, never by message text.
 */
import { SwitchyardError, type ErrorCode } from '../errors.js';

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

/** The kind of timeout, as its error code. */
const TIMEOUT_CODES: Readonly<Record<TimeoutKind, ErrorCode>> = {
  connect: 'timeout.connect',
  first_byte: 'timeout.first_byte',
  idle: 'timeout.idle',
  total: 'timeout.total',
};

/** Socket, DNS and undici error codes, by the condition they mean (a Map: codes are foreign strings). */
const NETWORK_CODES: ReadonlyMap<string, ErrorCode> = new Map(
  Object.entries({
    ECONNREFUSED: 'network.refused',
    ECONNRESET: 'network.reset',
    ECONNABORTED: 'network.reset',
    EPIPE: 'network.reset',
    ENOTFOUND: 'network.dns',
    EAI_AGAIN: 'network.dns',
    EAI_FAIL: 'network.dns',
    EAI_NONAME: 'network.dns',
    EHOSTUNREACH: 'network.unreachable',
    ENETUNREACH: 'network.unreachable',
    EHOSTDOWN: 'network.unreachable',
    ENETDOWN: 'network.unreachable',
    // A TCP-level timeout: the host never answered (our own connect timeout is UND_ERR_CONNECT_TIMEOUT).
    ETIMEDOUT: 'network.unreachable',
    UND_ERR_SOCKET: 'network.closed',
    UND_ERR_CLOSED: 'network.closed',
    UND_ERR_DESTROYED: 'network.closed',
    UND_ERR_RES_CONTENT_LENGTH_MISMATCH: 'network.closed',
    UND_ERR_REQ_CONTENT_LENGTH_MISMATCH: 'network.closed',
    EPROTO: 'network.tls',
    // Certificate problems reported by Node's TLS (OpenSSL's verification error names).
    CERT_HAS_EXPIRED: 'network.tls',
    CERT_NOT_YET_VALID: 'network.tls',
    CERT_UNTRUSTED: 'network.tls',
    DEPTH_ZERO_SELF_SIGNED_CERT: 'network.tls',
    SELF_SIGNED_CERT_IN_CHAIN: 'network.tls',
    UNABLE_TO_GET_ISSUER_CERT: 'network.tls',
    UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'network.tls',
    UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'network.tls',
    HOSTNAME_MISMATCH: 'network.tls',
  } satisfies Record<string, ErrorCode>),
);

/** The network condition a socket, DNS or undici code means; `network.other` for codes not known. */
function networkCode(code: string | undefined): ErrorCode {
  if (code === undefined) return 'network.other';
  const known = NETWORK_CODES.get(code);
  if (known !== undefined) return known;
  // Node's TLS errors (ERR_TLS_CERT_ALTNAME_INVALID...) and OpenSSL's (ERR_SSL_WRONG_VERSION_NUMBER...).
  if (code.startsWith('ERR_TLS_') || code.startsWith('ERR_SSL_')) return 'network.tls';
  return 'network.other';
}

/** Whether an error, or any error in its cause chain, is named one of `wanted`. */
function hasNamedCause(error: unknown, wanted: ReadonlySet<string>, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 8) return false;
  const name = (error as { name?: unknown }).name;
  if (typeof name === 'string' && wanted.has(name)) return true;
  const cause = (error as { cause?: unknown }).cause;
  return cause !== error && hasNamedCause(cause, wanted, depth + 1);
}

/** What an abort or `AbortSignal.timeout` throws (a `DOMException`, with a numeric code only). */
const ABORT_NAMES: ReadonlySet<string> = new Set(['AbortError', 'TimeoutError']);

/**
 * Whether something thrown is a transport failure: it (or an error in its cause chain, as with
 * `fetch`'s `TypeError: fetch failed`) has a socket, DNS, TLS, undici or HTTP-parser code, or is an
 * abort. Anything else (a `TypeError` without such a code, a `RangeError`...) is a bug in the code
 * that threw it, which another try would only repeat.
 */
export function isTransportFailure(error: unknown): boolean {
  const code = codeOf(error);
  if (code !== undefined) {
    if (NETWORK_CODES.has(code) || code === 'ABORT_ERR') return true;
    // Node's system errors (EMFILE, EADDRNOTAVAIL...), undici's own and llhttp's (HPE_INVALID_CONSTANT...).
    if (/^E[A-Z0-9]+$/.test(code) || code.startsWith('UND_ERR_') || code.startsWith('HPE_') || code.startsWith('ERR_TLS_') || code.startsWith('ERR_SSL_')) return true;
  }
  return hasNamedCause(error, ABORT_NAMES);
}

/**
 * Turns anything an adapter, plugin or stage threw during a try into a `SwitchyardError`: a
 * `SwitchyardError` as it is, an aborted signal's reason and a transport failure as
 * `mapTransportError` maps them, and anything else (a programming error: a `TypeError` without
 * a transport code...) as `unknown.internal`, not retryable, with the original as its sanitised cause.
 */
export function mapThrownError(error: unknown, signal: AbortSignal | undefined): SwitchyardError {
  if (SwitchyardError.isInstance(error) || signal?.aborted === true || isTransportFailure(error)) return mapTransportError(error, signal);
  const detail = error instanceof Error ? `${error.name}: ${error.message}` : `a non-error value was thrown (${typeof error})`;
  return new SwitchyardError({ category: 'unknown', code: 'unknown.internal', message: `internal error: ${detail}`, retryable: false, cause: error });
}

function codeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  const cause = (error as { cause?: unknown }).cause;
  return cause === undefined || cause === error ? undefined : codeOf(cause);
}

/**
 * Turns anything thrown by the transport into a `SwitchyardError`. An aborted signal wins:
 * a `TimeoutReason` becomes `timeout` with the limit's code (`timeout.total`...), anything else
 * `canceled.caller`. Socket and undici failures get the code of their condition (`network.refused`,
 * `timeout.first_byte`...); their own code stays on the error's `cause`, never in `providerCode`.
 */
export function mapTransportError(error: unknown, signal: AbortSignal | undefined): SwitchyardError {
  if (SwitchyardError.isInstance(error)) return error;
  if (signal?.aborted) {
    const reason: unknown = signal.reason;
    if (reason instanceof TimeoutReason) {
      return new SwitchyardError({ category: 'timeout', code: TIMEOUT_CODES[reason.which], message: reason.message, cause: error });
    }
    if (SwitchyardError.isInstance(reason)) return reason;
    return new SwitchyardError({ category: 'canceled', code: 'canceled.caller', message: 'the call was canceled by the caller', cause: error });
  }
  const code = codeOf(error);
  const detail = error instanceof Error ? error.message : String(error);
  switch (code) {
    case 'UND_ERR_CONNECT_TIMEOUT':
      return new SwitchyardError({ category: 'timeout', code: 'timeout.connect', message: `connect timeout: ${detail}`, cause: error });
    case 'UND_ERR_HEADERS_TIMEOUT':
      return new SwitchyardError({ category: 'timeout', code: 'timeout.first_byte', message: `first_byte timeout: no response headers in time`, cause: error });
    case 'UND_ERR_BODY_TIMEOUT':
      return new SwitchyardError({ category: 'timeout', code: 'timeout.idle', message: `idle timeout: no data from upstream in time`, cause: error });
    case 'UND_ERR_ABORTED':
    case 'ABORT_ERR':
      return new SwitchyardError({ category: 'canceled', code: 'canceled.caller', message: 'the upstream request was aborted', cause: error });
    default:
      return new SwitchyardError({ category: 'network', code: networkCode(code), message: code === undefined ? `network error: ${detail}` : `network error (${code}): ${detail}`, cause: error });
  }
}
