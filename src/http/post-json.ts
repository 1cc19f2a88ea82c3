/**
 * The one HTTP helper adapters use: POST a JSON body, return the response on success, and on an
 * error status read the body and let the provider's error mapper turn it into a `SwitchyardError`
 * (with `retryAfterMs` from the headers). An adapter is then mostly mapping code.
 *
 * With a key pool (`JsonEndpoint.keys`) each request takes a key from the pool and the pool hears
 * how it fared; a request refused (401/403) or rate limited (429) on one key is sent again at once
 * with the next usable key, at most once per key. Without one, the path is the single-key one.
 */
import { isSensitiveHeader } from '../config/secrets.js';
import { parseRetryAfter, registerHeaderSecret, SwitchyardError, type HeaderBag } from '../errors.js';
import type { AdapterCall } from '../provider-spec.js';
import { ERROR_BODY_LIMIT } from './exchange-handler.js';
import { expectTokens, type KeyLease, type KeyPool } from './key-pool.js';
import type { HttpExchange, HttpRequest, HttpResponse, HttpTransport } from './transport.js';
import { mapThrownError } from './transport-errors.js';

/** What these helpers read of a call: its model (for errors), signal, timeouts and extra headers (chat and embedding calls alike). */
export type UpstreamCall = Pick<AdapterCall, 'model' | 'signal' | 'firstByteTimeoutMs' | 'idleTimeoutMs' | 'headers'>;

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

/** Turns a 2xx answer's JSON body into a result; the response headers come along for `providerMetadata`. */
export type AnswerParser<T> = (json: unknown, headers: HeaderBag) => T;

/**
 * Where an adapter posts JSON and how its failures are mapped: the same for every call (make one
 * per adapter and kind of request with `jsonEndpoint`). Per-call values (the call, the URL, the
 * body) are arguments of their own, so the reactions that wait for an answer keep no per-call
 * object beyond the call itself.
 */
export interface JsonEndpoint {
  readonly transport: HttpTransport;
  /** The request headers, `content-type: application/json` included. */
  readonly headers: Readonly<Record<string, string>>;
  readonly mapError: ErrorMapper;
  /** Provider id, stamped on every error. */
  readonly provider: string;
  /**
   * A key pool (`apiKeys`): each request takes a key from it and sends `headersFor(key)` besides
   * `headers`, and the pool hears how the key fared. A key the provider refused or rate limited is
   * replaced by the next one at once, within the same request (the provider did not process it).
   */
  readonly keys?: PooledCredentials;
}

/** How an endpoint sends a pool's keys. */
export interface PooledCredentials {
  readonly pool: KeyPool;
  /** The credential headers for one key, e.g. `{ 'x-api-key': key }`. */
  readonly headersFor: (key: string) => Readonly<Record<string, string>>;
}

/**
 * The `keys` option of `jsonEndpoint` for an adapter given a key pool (`AdapterContext.keyPool`),
 * as an object to spread into its options: empty without a pool.
 */
export function pooledKeys(pool: KeyPool | undefined, headersFor: PooledCredentials['headersFor']): { readonly keys?: PooledCredentials } {
  return pool === undefined ? {} : { keys: { pool, headersFor } };
}

/**
 * The endpoint `options` describes, its requests' `headers` with `content-type: application/json` added.
 * The values of its credential headers (`authorization`, `x-api-key`, `api-key`, `x-goog-api-key`,
 * anything named like a key, token, secret, cookie or password) are registered as secrets here, so
 * whatever an upstream echoes of what this endpoint sends is redacted, however the adapter was built.
 */
export function jsonEndpoint(options: JsonEndpoint): JsonEndpoint {
  for (const [name, value] of Object.entries(options.headers)) if (isSensitiveHeader(name)) registerHeaderSecret(value);
  return {
    transport: options.transport,
    headers: { 'content-type': 'application/json', ...options.headers },
    mapError: options.mapError,
    provider: options.provider,
    ...(options.keys === undefined ? {} : { keys: options.keys }),
  };
}

/** The transport request: `body` serialised, the call's signal and timeouts. */
function requestOf(endpoint: JsonEndpoint, call: UpstreamCall, url: string, body: unknown): HttpRequest {
  return {
    url,
    method: 'POST',
    // Headers an attempt stage added go out too; the adapter's own (auth, content type) win.
    headers: call.headers === undefined ? endpoint.headers : { ...call.headers, ...endpoint.headers },
    body: JSON.stringify(body),
    signal: call.signal,
    firstByteTimeoutMs: call.firstByteTimeoutMs,
    idleTimeoutMs: call.idleTimeoutMs,
  };
}

/** The transport request of one try with a pool's key: `body` already serialised, the key's headers added. */
function keyedRequestOf(endpoint: JsonEndpoint, keys: PooledCredentials, lease: KeyLease, call: UpstreamCall, url: string, body: string): HttpRequest {
  return {
    url,
    method: 'POST',
    headers: { ...call.headers, ...endpoint.headers, ...keys.headersFor(lease.key) },
    body,
    signal: call.signal,
    firstByteTimeoutMs: call.firstByteTimeoutMs,
    idleTimeoutMs: call.idleTimeoutMs,
  };
}

/**
 * Sends `body` as JSON; resolves with the response for 2xx statuses, throws a mapped error
 * otherwise. For streams: the response body is left to the caller to read.
 */
export async function postJson(endpoint: JsonEndpoint, call: UpstreamCall, url: string, body: unknown): Promise<HttpResponse> {
  if (endpoint.keys !== undefined) return postJsonWithKeys(endpoint, endpoint.keys, call, url, JSON.stringify(body));
  let response: HttpResponse;
  try {
    response = await endpoint.transport.send(requestOf(endpoint, call, url, body));
  } catch (error) {
    throw stamp(error, endpoint, call);
  }
  if (response.status >= 200 && response.status < 300) return response;
  throw failureOf(response.status, response.headers, await errorBodyText(response), endpoint, call);
}

/**
 * Sends the request and reads the whole answer: resolves with `parse` of the JSON body of a 2xx
 * response, throws a mapped error for any other status, and a `server` error for a body that is
 * not JSON. For non-streaming calls; uses the transport's `exchange` when it has one. What
 * `parse` throws is stamped with the provider and model like every other error here; it runs in
 * the same reaction as the status check, so an adapter adds no promise layer of its own (pass one
 * function per adapter, not one per call).
 *
 * Not an async function: while the upstream answers, a suspended async function keeps its frame
 * alive, and with many calls in flight every young-generation collection copies it for each; one
 * reaction on the exchange keeps less. For the same reason the body is serialised at once and not
 * kept: the reactions keep only the endpoint, the call and the parser, for errors.
 */
export function exchangeJson<T>(endpoint: JsonEndpoint, call: UpstreamCall, url: string, body: unknown, parse: AnswerParser<T>): Promise<T> {
  if (endpoint.keys !== undefined) return exchangeJsonWithKeys(endpoint, endpoint.keys, call, url, JSON.stringify(body), parse);
  let exchanging: Promise<HttpExchange>;
  try {
    const request = requestOf(endpoint, call, url, body);
    const { transport } = endpoint;
    exchanging = transport.exchange === undefined ? exchangeBySend(transport, request) : transport.exchange(request);
  } catch (error) {
    return Promise.reject(stamp(error, endpoint, call));
  }
  return exchanging.then(
    (exchange) => parsedAnswer(exchange, endpoint, call, parse),
    (error: unknown) => {
      throw stamp(error, endpoint, call);
    },
  );
}

/** `parse` of the JSON body of a 2xx exchange; a mapped error for any other status, a body that is not JSON, or what `parse` throws. */
function parsedAnswer<T>(exchange: HttpExchange, endpoint: JsonEndpoint, call: UpstreamCall, parse: AnswerParser<T>): T {
  if (exchange.status < 200 || exchange.status >= 300) throw failureOf(exchange.status, exchange.headers, exchange.text, endpoint, call);
  let json: unknown;
  try {
    json = JSON.parse(exchange.text);
  } catch (error) {
    throw stamp(notJson(endpoint.provider, error), endpoint, call);
  }
  try {
    return parse(json, exchange.headers);
  } catch (error) {
    throw stamp(error, endpoint, call);
  }
}

/**
 * `postJson` over a key pool: a key the provider refused or rate limited is reported and the
 * request sent again with the next usable key, at most once per key of the pool.
 */
async function postJsonWithKeys(endpoint: JsonEndpoint, keys: PooledCredentials, call: UpstreamCall, url: string, body: string): Promise<HttpResponse> {
  const { pool } = keys;
  for (let sent = 0; ; sent += 1) {
    // Only a pool whose per-key limits live in Redis costs a turn here.
    const lease = pool.shared ? await acquireKey(pool, endpoint, call) : takeKey(pool, endpoint, call);
    let response: HttpResponse;
    try {
      response = await endpoint.transport.send(keyedRequestOf(endpoint, keys, lease, call, url, body));
    } catch (error) {
      throw reportedFailure(pool, lease, stamp(error, endpoint, call));
    }
    if (response.status >= 200 && response.status < 300) return served(pool, lease, call, response);
    const failure = failureOf(response.status, response.headers, await errorBodyText(response), endpoint, call);
    if (!pool.report(lease, failure) || sent + 1 >= pool.size) throw failure;
  }
}

/** `exchangeJson` over a key pool, as `postJsonWithKeys`. */
async function exchangeJsonWithKeys<T>(endpoint: JsonEndpoint, keys: PooledCredentials, call: UpstreamCall, url: string, body: string, parse: AnswerParser<T>): Promise<T> {
  const { transport } = endpoint;
  const { pool } = keys;
  for (let sent = 0; ; sent += 1) {
    const lease = pool.shared ? await acquireKey(pool, endpoint, call) : takeKey(pool, endpoint, call);
    let exchange: HttpExchange;
    try {
      const request = keyedRequestOf(endpoint, keys, lease, call, url, body);
      exchange = await (transport.exchange === undefined ? exchangeBySend(transport, request) : transport.exchange(request));
    } catch (error) {
      throw reportedFailure(pool, lease, stamp(error, endpoint, call));
    }
    if (exchange.status >= 200 && exchange.status < 300) return parsedAnswer(served(pool, lease, call, exchange), endpoint, call, parse);
    const failure = failureOf(exchange.status, exchange.headers, exchange.text, endpoint, call);
    if (!pool.report(lease, failure) || sent + 1 >= pool.size) throw failure;
  }
}

/** The pool's next key, or its error (every key refused or cooling) stamped with the call. */
function takeKey(pool: KeyPool, endpoint: JsonEndpoint, call: UpstreamCall): KeyLease {
  try {
    return pool.take();
  } catch (error) {
    throw stamp(error, endpoint, call);
  }
}

/** `takeKey` for a pool whose per-key limits are shared (Redis). */
async function acquireKey(pool: KeyPool, endpoint: JsonEndpoint, call: UpstreamCall): Promise<KeyLease> {
  try {
    return await pool.acquire(call.signal);
  } catch (error) {
    throw stamp(error, endpoint, call);
  }
}

/** Tells the pool a request on `lease` succeeded, and which key the answer's tokens go to; returns `answer`. */
function served<T>(pool: KeyPool, lease: KeyLease, call: UpstreamCall, answer: T): T {
  pool.report(lease, undefined);
  expectTokens(call, lease);
  return answer;
}

/** Tells the pool a request on `lease` failed without an answer (a timeout counts against the key's breaker); returns the failure. */
function reportedFailure(pool: KeyPool, lease: KeyLease, failure: SwitchyardError): SwitchyardError {
  pool.report(lease, failure);
  return failure;
}

/** `exchange` for transports that only `send`: an error status's unreadable body reads as empty. */
async function exchangeBySend(transport: HttpTransport, request: HttpRequest): Promise<HttpExchange> {
  const response = await transport.send(request);
  const ok = response.status >= 200 && response.status < 300;
  return { status: response.status, headers: response.headers, text: ok ? await response.body.text() : await errorBodyText(response) };
}

/** An error status's body as text, or '' when it cannot be read: the status says enough. */
async function errorBodyText(response: HttpResponse): Promise<string> {
  try {
    return await response.body.text();
  } catch {
    return '';
  }
}

/** The mapped, stamped error for a failed response. */
function failureOf(status: number, headers: HeaderBag, text: string, endpoint: JsonEndpoint, call: UpstreamCall): SwitchyardError {
  const bodyText = text.length > ERROR_BODY_LIMIT ? text.slice(0, ERROR_BODY_LIMIT) : text;
  let body: unknown;
  try {
    body = bodyText === '' ? undefined : JSON.parse(bodyText);
  } catch {
    body = undefined;
  }
  const retryAfterMs = parseRetryAfter(headers);
  return stamp(endpoint.mapError({ status, headers, bodyText, body, retryAfterMs }), endpoint, call);
}

function notJson(provider: string, cause: unknown): SwitchyardError {
  return new SwitchyardError({ category: 'server', code: 'server.malformed_response', message: `${provider} returned a body that is not JSON`, provider, cause });
}

function stamp(error: unknown, endpoint: JsonEndpoint, call: UpstreamCall): SwitchyardError {
  // What the transport throws is mapped already; anything else (a parser's TypeError) is a bug: unknown.internal.
  const base = SwitchyardError.isInstance(error) ? error : mapThrownError(error, undefined);
  return base.with({ provider: base.provider ?? endpoint.provider, model: base.model ?? call.model });
}

/** Reads a success body as JSON, mapping a malformed body to a `server` error. */
export async function readJson(response: HttpResponse, provider: string): Promise<unknown> {
  const text = await response.body.text();
  try {
    return JSON.parse(text);
  } catch (error) {
    throw notJson(provider, error);
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
    throw new SwitchyardError({ category: 'server', code: 'server.malformed_response', message: `${provider} returned malformed JSON arguments for tool "${toolName}"`, provider, cause: error });
  }
}
