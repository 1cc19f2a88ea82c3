/**
 * The HTTP layer every adapter uses: one undici `Pool` per origin, sized and kept alive from config
 * (`createPooledTransport`), or any undici `Dispatcher` the user gives — a `ProxyAgent`, an `Agent`
 * with client certificates, a dispatcher with interceptors (`createDispatcherTransport`). Adapters
 * receive a `HttpTransport` rather than building connections, so tests and pipelines can hand them
 * any dispatcher. Undici's own retry interceptor is never stacked underneath: retries belong to
 * the pipeline, or attempts would multiply.
 */
import { Pool, type Dispatcher } from 'undici';
import type { HeaderBag } from '../errors.js';
import { ExchangeHandler, type HttpExchange } from './exchange-handler.js';
import { requestSignal } from './shared-signal.js';
import { mapTransportError } from './transport-errors.js';

export type { HttpExchange } from './exchange-handler.js';

/** Connection settings for one origin. */
export interface PoolSettings {
  /** Maximum open connections to the origin. */
  readonly connections: number;
  /** How long an idle connection is kept, in milliseconds. */
  readonly keepAliveTimeoutMs: number;
  /** How long establishing a connection (TCP + TLS) may take, in milliseconds. */
  readonly connectTimeoutMs: number;
}

/** One upstream request. The body is already serialised. */
export interface HttpRequest {
  readonly url: string;
  readonly method?: 'POST' | 'GET';
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  /** Cancels the request and releases its connection. */
  readonly signal: AbortSignal;
  /** Time allowed until the response headers arrive, in milliseconds (0 = no limit). */
  readonly firstByteTimeoutMs?: number;
  /** Longest allowed gap between two body chunks, in milliseconds (0 = no limit). */
  readonly idleTimeoutMs?: number;
}

/** The body of an upstream response: read once, as text, JSON or chunks. */
export interface HttpBody extends AsyncIterable<Uint8Array> {
  text(): Promise<string>;
  json(): Promise<unknown>;
  /** Discards the rest of the body so the connection can be reused. */
  dump(): Promise<void>;
}

/** An upstream response whose headers have arrived. */
export interface HttpResponse {
  readonly status: number;
  readonly headers: HeaderBag;
  readonly body: HttpBody;
}

/** Sends requests upstream. Errors are `SwitchyardError`s of category `network`, `timeout` or `canceled`. */
export interface HttpTransport {
  /** Sends a request and resolves once the response headers arrive; the body is read from the response. */
  send(request: HttpRequest): Promise<HttpResponse>;
  /**
   * Sends a request and resolves once the whole response body has arrived, as text: the cheaper
   * path for non-streaming calls (one promise, no body stream). Optional: without it, callers use
   * `send` and read the body.
   */
  exchange?(request: HttpRequest): Promise<HttpExchange>;
  /** Closes every connection. */
  close(): Promise<void>;
}

/** The defaults used when a provider's config says nothing about its pool. */
export const DEFAULT_POOL_SETTINGS: PoolSettings = {
  connections: 100,
  keepAliveTimeoutMs: 300_000,
  connectTimeoutMs: 5_000,
};

/**
 * Creates a transport that keeps one undici pool per origin. `settingsFor(origin)` gives each
 * origin's pool settings the first time it is used.
 */
export function createPooledTransport(settingsFor: (origin: string) => PoolSettings = () => DEFAULT_POOL_SETTINGS): HttpTransport {
  const pools = new Map<string, Pool>();

  function poolFor(origin: string): Pool {
    let pool = pools.get(origin);
    if (pool === undefined) {
      const settings = settingsFor(origin);
      pool = new Pool(origin, {
        connections: settings.connections,
        keepAliveTimeout: settings.keepAliveTimeoutMs,
        keepAliveMaxTimeout: Math.max(settings.keepAliveTimeoutMs, 1_000),
        connect: { timeout: settings.connectTimeoutMs },
        pipelining: 1,
      });
      pools.set(origin, pool);
    }
    return pool;
  }

  return createUndiciTransport(poolFor, async () => {
    const all = [...pools.values()];
    pools.clear();
    await Promise.all(all.map((pool) => pool.close().catch(() => pool.destroy())));
  });
}

/**
 * Creates a transport that sends every request through `dispatcher` (an undici `Agent`,
 * `ProxyAgent`, `EnvHttpProxyAgent`, or one composed with interceptors). The dispatcher decides
 * connections, proxies and TLS; providers' `pool` settings do not apply. Closing the transport
 * leaves the dispatcher open: whoever made it closes it.
 *
 * @example
 * createDispatcherTransport(new ProxyAgent('http://proxy.internal:3128'))
 */
export function createDispatcherTransport(dispatcher: Dispatcher): HttpTransport {
  return createUndiciTransport(() => dispatcher, () => Promise.resolve());
}

/** A transport over undici dispatchers, one chosen per origin. */
function createUndiciTransport(dispatcherFor: (origin: string) => Dispatcher, closeDispatchers: () => Promise<void>): HttpTransport {
  let closed = false;

  // Adapters send to a handful of fixed URLs: parse each once, not on every request.
  const parsedUrls = new Map<string, { readonly origin: string; readonly path: string }>();
  function parse(text: string): { readonly origin: string; readonly path: string } {
    let parsed = parsedUrls.get(text);
    if (parsed === undefined) {
      const url = new URL(text);
      parsed = { origin: url.origin, path: url.pathname + url.search };
      if (parsedUrls.size >= 1_000) parsedUrls.clear();
      parsedUrls.set(text, parsed);
    }
    return parsed;
  }

  return {
    async send(request) {
      if (closed) throw mapTransportError(new Error('transport is closed'), request.signal);
      const url = parse(request.url);
      try {
        const response = await dispatcherFor(url.origin).request({
          origin: url.origin,
          path: url.path,
          method: request.method ?? 'POST',
          headers: request.headers,
          body: request.body,
          // A relay for the signals the router owns (see shared-signal.ts); undici accepts the EventEmitter shape.
          signal: requestSignal(request.signal),
          headersTimeout: request.firstByteTimeoutMs ?? 0,
          bodyTimeout: request.idleTimeoutMs ?? 0,
        });
        return {
          status: response.statusCode,
          headers: response.headers,
          body: new MappedBody(response.body, request.signal),
        };
      } catch (error) {
        throw mapTransportError(error, request.signal);
      }
    },
    exchange(request) {
      if (closed) return Promise.reject(mapTransportError(new Error('transport is closed'), request.signal));
      const url = parse(request.url);
      return new Promise<HttpExchange>((resolve, reject) => {
        const handler = new ExchangeHandler(request.signal, resolve, reject);
        if (!handler.listen()) return;
        try {
          dispatcherFor(url.origin).dispatch(
            {
              origin: url.origin,
              path: url.path,
              method: request.method ?? 'POST',
              headers: request.headers,
              body: request.body,
              headersTimeout: request.firstByteTimeoutMs ?? 0,
              bodyTimeout: request.idleTimeoutMs ?? 0,
            },
            handler,
          );
        } catch (error) {
          handler.fail(error);
        }
      });
    },
    async close() {
      closed = true;
      await closeDispatchers();
    },
  };
}

interface UndiciBody extends AsyncIterable<Buffer> {
  text(): Promise<string>;
  json(): Promise<unknown>;
  dump(options?: { limit: number }): Promise<void>;
}

/**
 * An undici body whose read errors (idle timeouts, resets, aborts) are mapped into the taxonomy.
 * A class, so a response costs one small object rather than a set of fresh closures.
 */
class MappedBody implements HttpBody {
  constructor(
    private readonly body: UndiciBody,
    private readonly signal: AbortSignal,
  ) {}

  async text(): Promise<string> {
    try {
      return await this.body.text();
    } catch (error) {
      throw mapTransportError(error, this.signal);
    }
  }

  async json(): Promise<unknown> {
    try {
      return await this.body.json();
    } catch (error) {
      throw mapTransportError(error, this.signal);
    }
  }

  async dump(): Promise<void> {
    await this.body.dump({ limit: 1 << 20 }).catch(() => undefined);
  }

  /**
   * The body's chunks, its read errors mapped. A wrapper of the body's own iterator rather than an
   * async generator: a generator's `for await` and `yield` add promises and microtask turns to
   * every chunk of every stream.
   */
  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    const chunks = this.body[Symbol.asyncIterator]();
    const signal = this.signal;
    const mapped = (error: unknown): never => {
      throw mapTransportError(error, signal);
    };
    return {
      next: () => chunks.next().then(undefined, mapped),
      return: () => (chunks.return === undefined ? Promise.resolve({ done: true, value: undefined }) : chunks.return().then(undefined, mapped)),
    };
  }
}
