/**
 * The one HTTP helper adapters use: POST a JSON body, return the response on success, and on an
 * error status read the body and let the provider's error mapper turn it into a `SwitchyardError`
 * (with `retryAfterMs` from the headers). An adapter is then mostly mapping code.
 */
import { parseRetryAfter, SwitchyardError, type HeaderBag } from '../errors.js';
import type { AdapterCall } from '../provider-spec.js';
import type { HttpResponse, HttpTransport } from './transport.js';

/** What an adapter's error mapper receives for a failed HTTP response. */
export interface FailedResponse {
  readonly status: number;
  readonly headers: HeaderBag;
  /** The raw body text (may be empty or not JSON). */
  readonly bodyText: string;
  /** The body parsed as JSON, when it is JSON. */
  readonly body: unknown;
  /** From `retry-after`, `retry-after-ms` or `x-ratelimit-reset-*`. */
  readonly retryAfterMs: number | undefined;
}

/** Maps a failed response to an error. */
export type ErrorMapper = (failure: FailedResponse) => SwitchyardError;

/** Arguments of `postJson`. */
export interface PostJsonArguments {
  readonly transport: HttpTransport;
  readonly call: AdapterCall;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
  readonly mapError: ErrorMapper;
  /** Provider id, stamped on every error. */
  readonly provider: string;
}

const MAX_ERROR_BODY = 64 * 1024;

/** Sends the request; resolves with the response for 2xx statuses, throws a mapped error otherwise. */
export async function postJson(args: PostJsonArguments): Promise<HttpResponse> {
  let response: HttpResponse;
  try {
    response = await args.transport.send({
      url: args.url,
      method: 'POST',
      headers: { 'content-type': 'application/json', ...args.headers },
      body: JSON.stringify(args.body),
      signal: args.call.signal,
      firstByteTimeoutMs: args.call.firstByteTimeoutMs,
      idleTimeoutMs: args.call.idleTimeoutMs,
    });
  } catch (error) {
    throw stamp(error, args);
  }
  if (response.status >= 200 && response.status < 300) return response;
  let bodyText = '';
  try {
    bodyText = (await response.body.text()).slice(0, MAX_ERROR_BODY);
  } catch {
    // The status says enough; a body that cannot be read adds nothing.
  }
  let body: unknown;
  try {
    body = bodyText === '' ? undefined : JSON.parse(bodyText);
  } catch {
    body = undefined;
  }
  const retryAfterMs = parseRetryAfter(response.headers);
  const mapped = args.mapError({ status: response.status, headers: response.headers, bodyText, body, retryAfterMs });
  throw stamp(mapped, args);
}

function stamp(error: unknown, args: PostJsonArguments): SwitchyardError {
  const base = SwitchyardError.isInstance(error)
    ? error
    : new SwitchyardError({ category: 'unknown', message: error instanceof Error ? error.message : String(error), cause: error });
  return base.with({ provider: base.provider ?? args.provider, model: base.model ?? args.call.model });
}

/** Reads a success body as JSON, mapping a malformed body to a `server` error. */
export async function readJson(response: HttpResponse, provider: string): Promise<unknown> {
  const text = await response.body.text();
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new SwitchyardError({ category: 'server', message: `${provider} returned a body that is not JSON`, provider, cause: error });
  }
}

/**
 * Parses a tool call's JSON arguments. Empty text is `{}`; malformed JSON is a `server` error
 * (the upstream produced something unusable), never a silently empty object.
 */
export function parseToolArguments(text: string, provider: string, toolName: string): Record<string, unknown> {
  if (text.trim() === '') return {};
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
    return { value };
  } catch (error) {
    throw new SwitchyardError({ category: 'server', message: `${provider} returned malformed JSON arguments for tool "${toolName}"`, provider, cause: error });
  }
}
