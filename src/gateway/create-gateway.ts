/**
 * `createGateway`: the HTTP gateway in front of a router. Services in any language call it with
 * their own SDKs (OpenAI Chat Completions, Anthropic Messages, or the simple `complete` endpoint)
 * and a virtual key; each call is checked (key, route, subnet, key limits, quota), sent through
 * the router's whole pipeline, answered in the caller's wire format, and charged to the key.
 *
 * One request's path: route the URL → authenticate the key → read the body (size and time
 * limits) → parse it in the ingress's format → check the key allows the route and the client's
 * address → take room under the key's limits → reserve quota → `router.chat` or `router.stream`
 * (cancelled when the client goes away) → answer → settle the real usage → access log, metrics.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Registry } from 'prom-client';
import { resolveGateway } from '../config/resolve-gateway.js';
import type { GatewayConfig, SwitchyardConfig } from '../config/types.js';
import { type SwitchyardConfigInput } from '../config/index.js';
import { createRouter, type CreateRouterOptions } from '../create-router.js';
import { SwitchyardError } from '../errors.js';
import { createMemoryRateLimiter, createRedisRateLimiter, type RateLimiter } from '../pipeline/rate-limit/index.js';
import { costOf } from '../pricing.js';
import type { Router } from '../router/router-api.js';
import { createRouteResolver } from '../router/route-resolution.js';
import type { EmbedResponse } from '../embedding-types.js';
import type { ChatResponse, StreamEvent } from '../types.js';
import { createGatewayLogger, type AccessLogEntry } from './access-log.js';
import { createAdminApi } from './admin-api.js';
import { createGatewayReloader, gatewaySection, reloadedSettings, type GatewayReload } from './gateway-reload.js';
import { acquireKeyLimits, estimateCall, estimateEmbedCall, type CallEstimate } from './call-accounting.js';
import { createGatewayHttpMetrics } from './http-metrics.js';
import { clientAddress } from './http/client-address.js';
import { GatewayHttpError } from './http/gateway-http-error.js';
import { parseJsonObject, readBody } from './http/read-body.js';
import { sendJson } from './http/send-json.js';
import { bodyBytesOf, CountingServerResponse } from './http/counting-response.js';
import { writeStream } from './http/write-stream.js';
import { presentedKey } from './auth/presented-key.js';
import { anthropicIngress, completeIngress, openAIEmbeddingsIngress, openAIIngress, type Ingress, type IngressCall } from './ingresses.js';
import { upstreamHeaders } from './ingress/upstream-facts.js';
import { bindFileIds } from './ingress/file-ids.js';
import { listModels } from './models.js';
import { checkKeyAccess } from './store/key-access.js';
import { displayPrefixOf } from './store/key-format.js';
import { syncStaticKeys } from './store/static-keys.js';
import { openKeyStore } from './store/open-key-store.js';
import { createResilientKeyStore, type ResilientKeyStore } from './store/resilient-store.js';
import type { KeyRecord, KeyStore, SettleInput } from './store/types.js';
import { utcDay } from './store/types.js';
import { usageOfEmbedding } from '../embedding-types.js';

/** Options of `createGateway`. */
export interface GatewayOptions {
  /** Use this key store instead of opening `gateway.store.url`. */
  readonly store?: KeyStore;
  /** Override settings of the config's `gateway:` section (e.g. `{ port: 0 }` in tests). */
  readonly settings?: Partial<Pick<GatewayConfig, 'host' | 'port'>>;
  /** Where access-log and event lines go, each alone, at once (tests). @default process.stdout, buffered */
  readonly log?: (line: string) => void;
  /**
   * Where access-log and event lines go, buffered: the lines of one event-loop turn joined and
   * handed over once at its end (several lines per call; for a file or pipe, one write instead of
   * one per request). Flushed when the gateway closes.
   */
  readonly logOutput?: (text: string) => void;
  /** Options for the router, when the gateway builds it from a config. */
  readonly router?: CreateRouterOptions;
  /** The config file the gateway runs on: `reload()` and `POST /admin/reload` re-read it. */
  readonly configFile?: string;
  /** The environment a reload reads `${VAR}` references from. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** A running (or ready to run) gateway. */
export interface Gateway {
  readonly router: Router;
  readonly settings: GatewayConfig;
  readonly keys: ResilientKeyStore;
  readonly server: Server;
  /** Starts listening; resolves the base URL (`http://127.0.0.1:8080`). */
  listen(): Promise<string>;
  /**
   * Re-reads `configFile` and swaps it in (see docs/gateway.md, "Reloading the config"); rejects
   * with a `ConfigError` when the config is invalid or changes what needs a restart, the config in
   * use serving on. Logs the outcome.
   */
  reload(): Promise<GatewayReload>;
  /**
   * Stops accepting requests, lets calls and streams in flight finish (up to
   * `gateway.timeouts.shutdown`), flushes usage, closes the router. Idempotent.
   */
  close(): Promise<void>;
}

function isRouter(value: unknown): value is Router {
  return typeof value === 'object' && value !== null && typeof (value as Partial<Router>).chat === 'function' && typeof (value as Partial<Router>).stream === 'function';
}

/** Creates a gateway over a router, or over a router it builds from `config`. */
export async function createGateway(routerOrConfig: Router | SwitchyardConfig | SwitchyardConfigInput, options: GatewayOptions = {}): Promise<Gateway> {
  const ownsRouter = !isRouter(routerOrConfig);
  const router = isRouter(routerOrConfig) ? routerOrConfig : createRouter(routerOrConfig, options.router);
  // `let`: a reload (the router's `config-reloaded`) swaps them; a request reads them when it needs them.
  let config = router.config;
  let settings: GatewayConfig = { ...(config.gateway ?? resolveGateway(undefined)), ...options.settings };
  const logger = createGatewayLogger({ level: settings.log.level, format: settings.log.format, ...(options.log === undefined ? (options.logOutput === undefined ? {} : { write: options.logOutput }) : { write: options.log, buffering: 'line' }) });
  const store = options.store ?? (await openKeyStore(settings.store.url));
  const keys = createResilientKeyStore(store, {
    cacheTtlMs: settings.store.keyCacheTtlMs,
    staleForMs: settings.store.staleForMs,
    sweepIntervalMs: settings.store.sweepIntervalMs,
    logger: (message) => logger.event('warn', message),
  });
  if (settings.keys.length > 0) {
    const result = await syncStaticKeys(store, settings.keys);
    logger.event('info', 'config keys synced', { created: result.created, updated: result.updated, disabled: result.disabled });
  }
  let resolveRoute = createGatewayRouteResolver(config);
  const keyLimits = createKeyLimiter(config);
  const limiter = keyLimits.limiter;
  // Shared state (Redis) and canary rollouts read before the first request: its calls see the
  // rollout's current weights, not the baseline a process falls back to while it has not read them.
  await router.ready();
  const registry = router.metrics ?? new Registry();
  const httpMetrics = createGatewayHttpMetrics(registry, config.metrics.prefix);
  // Removed on close: a router the caller owns outlives the gateway.
  const stopFollowingReloads = router.on('config-reloaded', () => {
    config = router.config;
    resolveRoute = createGatewayRouteResolver(config);
    settings = { ...reloadedSettings(settings, gatewaySection(config)), ...options.settings };
  });
  const reload = createGatewayReloader({ router, configFile: options.configFile, keys, logger, ...(options.env === undefined ? {} : { env: options.env }) });
  const admin = createAdminApi({ router, keys, settings: () => settings, logger, reload });
  const sockets = new Set<Socket>();
  let inFlight = 0;
  let closing: Promise<void> | undefined;
  let idleWaiter: (() => void) | undefined;

  const server = createServer({ ServerResponse: CountingServerResponse, headersTimeout: settings.timeouts.headersMs, requestTimeout: settings.timeouts.headersMs + settings.timeouts.bodyMs, keepAliveTimeout: 5_000 }, (request, response) => {
    inFlight += 1;
    httpMetrics.requestStarted();
    void handle(request, response).finally(() => {
      inFlight -= 1;
      if (inFlight === 0) idleWaiter?.();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  // A malformed request line or headers: answer 400 and close, never crash.
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    else socket.destroy();
  });

  /** Per-request facts the access log and metrics report. */
  interface Exchange {
    readonly requestId: string;
    readonly started: number;
    readonly client: string;
    ingress: string;
    requestBytes: number;
    key?: KeyRecord;
    route?: string;
    target?: string;
    stream?: boolean;
    inputTokens?: number;
    outputTokens?: number;
    error?: SwitchyardError;
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const exchange: Exchange = { requestId: requestIdOf(request), started: performance.now(), client: clientAddress(request, settings.trustedProxies), ingress: 'http', requestBytes: 0 };
    response.setHeader('x-request-id', exchange.requestId);
    response.setHeader('request-id', exchange.requestId);
    try {
      if (applyCors(request, response)) return;
      await route(request, response, exchange);
    } catch (error) {
      const failure = error instanceof GatewayHttpError ? error.error : asSwitchyardError(error);
      exchange.error = failure;
      if (response.destroyed) {
        // The client is gone: nothing to answer.
      } else if (!response.headersSent) {
        const ingress = exchange.ingress === 'anthropic' ? anthropicIngress : openAIIngress;
        const answer = ingress.error(failure);
        // The key store or shared state being down is the gateway's own outage: 503, not a bad upstream (502).
        const status = error instanceof GatewayHttpError ? error.status : failure.code === 'server.state_store' ? 503 : answer.status;
        sendJson(response, status, answer.body, answer.headers);
      } else if (!response.writableEnded) {
        response.destroy();
      }
      if (!(error instanceof GatewayHttpError) && !SwitchyardError.isInstance(error)) logger.event('error', 'unexpected error answering a request', { requestId: exchange.requestId, error: failure.message });
    } finally {
      if (!response.writableEnded && !response.destroyed) await new Promise<void>((resolve) => response.once('close', resolve));
      // 499 (nginx's "client closed request"): the exchange ended with the connection, not an answer.
      const status = response.writableFinished ? response.statusCode : 499;
      httpMetrics.requestEnded({ ingress: exchange.ingress, status, keyId: exchange.key?.id, requestBytes: exchange.requestBytes, responseBytes: bodyBytesOf(response) });
      if (exchange.ingress !== 'ops') logger.access(accessEntry(request, exchange, status));
    }
  }

  async function route(request: IncomingMessage, response: ServerResponse, exchange: Exchange): Promise<void> {
    const url = request.url ?? '/';
    const path = url.split('?', 1)[0] ?? '/';
    const method = request.method ?? 'GET';
    if (path === '/healthz' || path === '/readyz' || path === '/metrics') {
      exchange.ingress = 'ops';
      if (method !== 'GET') throw methodNotAllowed(method, path);
      if (path === '/healthz') {
        sendJson(response, 200, { status: 'ok' });
        return;
      }
      if (path === '/readyz') return ready(response);
      response.writeHead(200, { 'content-type': registry.contentType });
      response.end(await registry.metrics());
      return;
    }
    if (path.startsWith('/admin/')) {
      exchange.ingress = 'admin';
      await admin.handle(request, response, { path, method, url, exchange });
      return;
    }
    if (path === '/v1/chat/completions') return call(request, response, exchange, openAIIngress, undefined, method);
    if (path === '/v1/messages') return call(request, response, exchange, anthropicIngress, undefined, method);
    if (path === '/v1/embeddings') return embedCall(request, response, exchange, method);
    if (path === '/v1/models') {
      exchange.ingress = request.headers['anthropic-version'] === undefined ? 'openai' : 'anthropic';
      if (method !== 'GET') throw methodNotAllowed(method, path);
      const record = await authenticate(request, exchange);
      sendJson(response, 200, listModels(config, record, exchange.ingress === 'anthropic' ? 'anthropic' : 'openai'));
      return;
    }
    const complete = /^\/v1\/(.+)\/complete$/.exec(path);
    if (complete !== null) return call(request, response, exchange, completeIngress, decodeURIComponent(complete[1] ?? ''), method);
    exchange.ingress = request.headers['anthropic-version'] === undefined ? 'openai' : 'anthropic';
    throw new GatewayHttpError(404, new SwitchyardError({ category: 'not_found', message: `no endpoint ${method} ${path}; the gateway serves POST /v1/chat/completions, POST /v1/messages, POST /v1/embeddings, GET /v1/models and POST /v1/{route}/complete` }));
  }

  async function ready(response: ServerResponse): Promise<void> {
    const problems: string[] = [];
    try {
      await store.ping();
    } catch {
      if (!keys.storeAvailable && settings.store.staleForMs <= 0) problems.push('the key store does not answer');
      else problems.push('the key store does not answer (serving keys verified before, for up to gateway.store.staleFor)');
    }
    if (!(await keyLimits.redisAnswers())) {
      problems.push(
        config.state.redis?.failMode === 'closed'
          ? 'Redis does not answer (state.redis.failMode: closed refuses calls)'
          : 'Redis does not answer (serving keys on each instance\'s local state: limits are not shared meanwhile)',
      );
    }
    const ok = problems.every((problem) => problem.includes('serving keys'));
    sendJson(response, ok ? 200 : 503, { status: ok ? 'ready' : 'unavailable', problems, pendingSettlements: keys.pendingSettlements });
  }

  /** Aborts the call when the client closes the connection before its answer is written; `dispose` stops listening. */
  function cancelOnClientClose(response: ServerResponse): { readonly signal: AbortSignal; readonly dispose: () => void } {
    const cancel = new AbortController();
    const onClose = (): void => {
      if (!response.writableFinished) cancel.abort(new SwitchyardError({ category: 'canceled', message: 'the client closed the connection' }));
    };
    response.on('close', onClose);
    return { signal: cancel.signal, dispose: () => response.off('close', onClose) };
  }

  async function authenticate(request: IncomingMessage, exchange: Exchange): Promise<KeyRecord> {
    const plain = presentedKey(request.headers);
    if (plain === undefined) {
      throw new SwitchyardError({ category: 'auth', message: 'missing API key: send it as `Authorization: Bearer sy-…` or `x-api-key: sy-…`' });
    }
    const result = await keys.authenticate(plain);
    if (!result.ok) {
      const why = result.reason === 'unknown' ? 'is not a key of this gateway' : result.reason === 'disabled' ? 'is disabled' : 'has expired';
      throw new SwitchyardError({ category: 'auth', message: `the API key ${displayPrefixOf(plain)} ${why}` });
    }
    exchange.key = result.record;
    return result.record;
  }

  async function call(request: IncomingMessage, response: ServerResponse, exchange: Exchange, ingress: Ingress, pathRoute: string | undefined, method: string): Promise<void> {
    exchange.ingress = ingress.name;
    if (method !== 'POST') throw methodNotAllowed(method, request.url ?? '');
    const record = await authenticate(request, exchange);
    const body = await readBody(request, { maxBytes: settings.bodyLimitBytes, timeoutMs: settings.timeouts.bodyMs });
    exchange.requestBytes = body.length;
    let parsed = ingress.parse(parseJsonObject(body), pathRoute);
    exchange.route = parsed.requestedModel;
    exchange.stream = parsed.stream;
    const routeConfig = resolveRoute(parsed.requestedModel);
    checkAccess(record, parsed.requestedModel, exchange);
    // Uploaded files' ids get their provider from the route (file-ids.ts); most bodies name none.
    if (parsed.fileIds !== undefined) parsed = { ...parsed, request: bindFileIds(parsed.request, parsed.fileIds, routeConfig, config.providers, settings.fileIds) };

    const cancel = cancelOnClientClose(response);
    const lease = await acquireKeyLimits(limiter, record, cancel.signal);
    let tokensUsed = 0;
    try {
      const reservation = await reserveQuota(record, exchange, routeConfig, estimateCall(parsed.request, routeConfig, config), parsed.requestedModel);
      const settle = (outcome: 'ok' | 'error', usage: ChatResponse['usage'] | undefined, target: ChatResponse['target'] | undefined): void => {
        tokensUsed = usage === undefined ? 0 : usage.inputTokens + usage.outputTokens;
        const settlement: SettleInput = {
          reservationId: reservation.reservationId,
          keyId: record.id,
          route: routeConfig.name,
          model: target === undefined ? parsed.requestedModel : `${target.provider}/${target.model}`,
          day: utcDay(Date.now()),
          outcome,
          inputTokens: usage?.inputTokens ?? 0,
          outputTokens: usage?.outputTokens ?? 0,
          // eslint-disable-next-line @typescript-eslint/no-deprecated -- the old name, still read from custom adapters
          cachedTokens: usage?.cacheReadInputTokens ?? usage?.cachedInputTokens ?? 0,
          cacheWriteTokens: usage?.cacheWriteInputTokens ?? 0,
          reasoningTokens: usage?.reasoningTokens ?? 0,
          usd: usage === undefined || target === undefined ? 0 : (costOf(config.pricing, target, usage) ?? 0),
        };
        void keys.settle(settlement);
      };
      const callOptions = {
        requestId: exchange.requestId,
        signal: cancel.signal,
        tenant: record.tenant,
        ip: exchange.client,
        auditFields: { keyId: record.id, keyName: record.name },
        ...userOf(parsed, request),
      };
      if (!parsed.stream) {
        let answer: ChatResponse;
        try {
          answer = await router.chat(parsed.request, callOptions);
        } catch (error) {
          settle('error', undefined, undefined);
          throw error;
        }
        settle('ok', answer.usage, answer.target);
        noteAnswer(exchange, answer);
        sendJson(response, 200, ingress.answer(answer, parsed), upstreamHeaders(answer));
        return;
      }
      await streamCall(response, exchange, ingress, parsed, router.stream(parsed.request, callOptions), settle);
    } finally {
      cancel.dispose();
      lease?.release(tokensUsed);
    }
  }

  /** Refuses a call the key may not make: a route it may not call, an address outside its subnets, a lapsed key. */
  function checkAccess(record: KeyRecord, model: string, exchange: Exchange): void {
    const denial = checkKeyAccess(record, { now: Date.now(), route: model, clientAddress: exchange.client });
    if (denial === 'route_not_allowed') {
      throw new SwitchyardError({ category: 'permission', field: 'model', message: `key "${record.name}" may not call ${JSON.stringify(model)}; it may call: ${record.routes.join(', ')}` });
    }
    if (denial === 'address_not_allowed') throw new SwitchyardError({ category: 'permission', message: `key "${record.name}" is not accepted from ${exchange.client} (its subnets: ${record.subnets.join(', ')})` });
    if (denial !== undefined) throw new SwitchyardError({ category: 'auth', message: `the API key ${record.displayPrefix} ${denial === 'disabled' ? 'is disabled' : 'has expired'}` });
  }

  /** Holds the call's estimate against the key's quota, or refuses it (`quota`, or `auth` for a key gone meanwhile). */
  async function reserveQuota(record: KeyRecord, exchange: Exchange, routeConfig: SwitchyardConfig['routes'][string], estimate: CallEstimate, model: string): Promise<{ readonly reservationId: string }> {
    const reservation = await keys.reserve({ keyId: record.id, requestId: exchange.requestId, tokens: estimate.tokens, usd: estimate.usd, expiresAt: Date.now() + reservationLifetime(routeConfig), route: routeConfig.name, model });
    if (reservation.ok) return reservation;
    if (reservation.reason === 'insufficient_quota') {
      throw new SwitchyardError({ category: 'quota', message: `key "${record.name}" has not enough quota left for this call (it may need up to ${estimate.tokens} tokens${estimate.usd > 0 ? ` / $${estimate.usd.toFixed(6)}` : ''}): insufficient_quota` });
    }
    throw new SwitchyardError({ category: 'auth', message: `the API key ${record.displayPrefix} ${reservation.reason === 'unknown' ? 'no longer exists' : `is ${reservation.reason}`}` });
  }

  /** `POST /v1/embeddings`: checked, limited, reserved, settled and logged like a chat call. */
  async function embedCall(request: IncomingMessage, response: ServerResponse, exchange: Exchange, method: string): Promise<void> {
    exchange.ingress = openAIEmbeddingsIngress.name;
    if (method !== 'POST') throw methodNotAllowed(method, request.url ?? '');
    const record = await authenticate(request, exchange);
    const body = await readBody(request, { maxBytes: settings.bodyLimitBytes, timeoutMs: settings.timeouts.bodyMs });
    exchange.requestBytes = body.length;
    const parsed = openAIEmbeddingsIngress.parse(parseJsonObject(body));
    exchange.route = parsed.requestedModel;
    exchange.stream = false;
    const routeConfig = resolveRoute(parsed.requestedModel);
    checkAccess(record, parsed.requestedModel, exchange);
    const cancel = cancelOnClientClose(response);
    const lease = await acquireKeyLimits(limiter, record, cancel.signal);
    let tokensUsed = 0;
    try {
      const { reservationId } = await reserveQuota(record, exchange, routeConfig, estimateEmbedCall(parsed.request, routeConfig, config), parsed.requestedModel);
      const settlement = { reservationId, keyId: record.id, route: routeConfig.name, day: utcDay(Date.now()), outputTokens: 0, cachedTokens: 0 };
      let answer: EmbedResponse;
      try {
        answer = await router.embed(parsed.request, { requestId: exchange.requestId, signal: cancel.signal, tenant: record.tenant, ip: exchange.client, auditFields: { keyId: record.id, keyName: record.name }, ...userOf(parsed, request) });
      } catch (error) {
        void keys.settle({ ...settlement, model: parsed.requestedModel, outcome: 'error', inputTokens: 0, usd: 0 });
        throw error;
      }
      const usage = usageOfEmbedding(answer.usage);
      tokensUsed = usage.inputTokens;
      void keys.settle({ ...settlement, model: `${answer.target.provider}/${answer.target.model}`, outcome: 'ok', inputTokens: usage.inputTokens, usd: costOf(config.pricing, answer.target, usage) ?? 0 });
      exchange.target = `${answer.target.provider}/${answer.target.model}`;
      exchange.inputTokens = usage.inputTokens;
      exchange.outputTokens = 0;
      sendJson(response, 200, openAIEmbeddingsIngress.answer(answer, parsed));
    } finally {
      cancel.dispose();
      lease?.release(tokensUsed);
    }
  }

  async function streamCall(
    response: ServerResponse,
    exchange: Exchange,
    ingress: Ingress,
    parsed: IngressCall,
    events: AsyncIterable<StreamEvent>,
    settle: (outcome: 'ok' | 'error', usage: ChatResponse['usage'] | undefined, target: ChatResponse['target'] | undefined) => void,
  ): Promise<void> {
    // What passed on the way to the client; set inside `observed`, read once writing has ended.
    const seen: { finished?: ChatResponse; failed: boolean; streamedCharacters: number } = { failed: false, streamedCharacters: 0 };
    const observed: AsyncIterable<StreamEvent> = {
      [Symbol.asyncIterator]() {
        const inner = events[Symbol.asyncIterator]();
        return {
          async next() {
            try {
              const next = await inner.next();
              if (next.done !== true) {
                if (next.value.type === 'finish') seen.finished = next.value.response;
                // Thinking and tool-call arguments streamed are billed output too.
                else if (next.value.type === 'text-delta' || next.value.type === 'reasoning-delta') seen.streamedCharacters += next.value.text.length;
                else if (next.value.type === 'tool-call-delta') seen.streamedCharacters += next.value.argumentsDelta.length;
              }
              return next;
            } catch (error) {
              seen.failed = true;
              throw error;
            }
          },
          return: async () => (await inner.return?.()) ?? { done: true, value: undefined },
        };
      },
    };
    const frames = ingress.frames(observed, parsed)[Symbol.asyncIterator]();
    let first: IteratorResult<string>;
    try {
      first = await frames.next();
    } catch (error) {
      settle('error', undefined, undefined);
      throw error;
    }
    response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    if (first.done !== true) response.write(first.value);
    const rest: AsyncIterable<string> = { [Symbol.asyncIterator]: () => frames };
    const end = first.done === true ? 'complete' : await writeStream(response, rest, { maxBufferedBytes: settings.streamBufferBytes, stallMs: settings.timeouts.bodyMs });
    if (first.done === true) response.end();
    const { finished } = seen;
    if (finished !== undefined) {
      settle('ok', finished.usage, finished.target);
      noteAnswer(exchange, finished);
    } else {
      // Cut short (client gone or stalled, upstream failed after output): charge what was streamed,
      // since the provider has produced (and billed) it.
      const outputTokens = Math.ceil(seen.streamedCharacters / 4);
      settle(seen.failed ? 'error' : 'ok', outputTokens === 0 ? undefined : { inputTokens: 0, outputTokens, totalTokens: outputTokens }, undefined);
      if (end !== 'complete') exchange.error = new SwitchyardError({ category: 'canceled', message: end === 'client-stalled' ? 'the client stopped reading the stream' : 'the client closed the connection' });
    }
  }

  function noteAnswer(exchange: Exchange, answer: ChatResponse): void {
    exchange.target = `${answer.target.provider}/${answer.target.model}`;
    exchange.inputTokens = answer.usage.inputTokens;
    exchange.outputTokens = answer.usage.outputTokens;
  }

  function applyCors(request: IncomingMessage, response: ServerResponse): boolean {
    if (settings.cors === false) return false;
    const origin = request.headers.origin;
    if (origin === undefined) return false;
    const allowed = settings.cors.origins.includes('*') || settings.cors.origins.includes(origin);
    if (!allowed) return false;
    response.setHeader('access-control-allow-origin', settings.cors.origins.includes('*') ? '*' : origin);
    response.setHeader('vary', 'origin');
    if (request.method !== 'OPTIONS') {
      // Without this a browser's script cannot read the gateway's own headers.
      response.setHeader('access-control-expose-headers', EXPOSED_HEADERS);
      return false;
    }
    response.writeHead(204, {
      'access-control-allow-methods': 'GET, POST, PATCH, DELETE, OPTIONS',
      'access-control-allow-headers': 'authorization, content-type, x-api-key, anthropic-version, x-switchyard-user',
      'access-control-max-age': '600',
    });
    response.end();
    return true;
  }

  function accessEntry(request: IncomingMessage, exchange: Exchange, status: number): AccessLogEntry {
    return {
      requestId: exchange.requestId,
      method: request.method ?? '',
      path: (request.url ?? '').split('?', 1)[0] ?? '',
      status,
      latencyMs: performance.now() - exchange.started,
      ingress: exchange.ingress,
      client: exchange.client,
      ...(exchange.key === undefined ? {} : { keyId: exchange.key.id, keyName: exchange.key.name }),
      ...(exchange.route === undefined ? {} : { route: exchange.route }),
      ...(exchange.target === undefined ? {} : { target: exchange.target }),
      ...(exchange.stream === undefined ? {} : { stream: exchange.stream }),
      ...(exchange.inputTokens === undefined ? {} : { inputTokens: exchange.inputTokens, outputTokens: exchange.outputTokens ?? 0 }),
      ...(exchange.error === undefined ? {} : { error: { category: exchange.error.category, message: exchange.error.message } }),
    };
  }

  async function waitForIdle(deadlineMs: number): Promise<void> {
    if (inFlight === 0) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, deadlineMs);
      idleWaiter = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  return {
    router,
    get settings() {
      return settings;
    },
    keys,
    server,
    reload,
    listen() {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(settings.port, settings.host, () => {
          server.off('error', reject);
          const address = server.address() as AddressInfo;
          const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
          resolve(`http://${host}:${address.port}`);
        });
      });
    },
    close() {
      closing ??= (async () => {
        stopFollowingReloads();
        server.close();
        server.closeIdleConnections();
        await waitForIdle(settings.timeouts.shutdownMs);
        for (const socket of sockets) socket.destroy();
        await keys.close({ flushTimeoutMs: 5_000 });
        await keyLimits.close();
        if (ownsRouter) await router.close();
        // The access log's buffered lines: a graceful shutdown loses none.
        logger.flush();
      })();
      return closing;
    },
  };
}

/** The response headers a browser client may read (CORS): request ids and what served the answer. */
const EXPOSED_HEADERS = 'x-request-id, request-id, x-switchyard-route, x-switchyard-provider, x-switchyard-model, x-switchyard-upstream-request-id, x-switchyard-upstream-response-id, x-switchyard-upstream-finish-reason';

/** The caller's request id when it sent a sane one, else a new one. */
function requestIdOf(request: IncomingMessage): string {
  const sent = request.headers['x-request-id'];
  return typeof sent === 'string' && /^[\w.:-]{1,128}$/.test(sent) ? sent : randomUUID();
}

/** The end user: the body's (OpenAI `user`, Anthropic `metadata.user_id`), else `x-switchyard-user`. */
function userOf(call: Pick<IngressCall, 'user'>, request: IncomingMessage): { user?: string } {
  if (call.user !== undefined && call.user !== '') return { user: call.user };
  const header = request.headers['x-switchyard-user'];
  return typeof header === 'string' && header !== '' ? { user: header.slice(0, 256) } : {};
}

/**
 * The router's own route resolution (so the gateway and the router never disagree), with an
 * unknown model answered `not_found` (404), as the OpenAI and Anthropic APIs answer it.
 */
function createGatewayRouteResolver(config: SwitchyardConfig): (model: string) => SwitchyardConfig['routes'][string] {
  const resolve = createRouteResolver(config);
  return (model) => {
    try {
      return resolve(model);
    } catch (error) {
      if (!SwitchyardError.isInstance(error) || error.field !== 'model') throw error;
      const known = Object.keys(config.routes);
      throw new SwitchyardError({ category: 'not_found', field: 'model', message: `the model ${JSON.stringify(model)} does not exist on this gateway; routes: ${known.join(', ') || '(none)'}${config.allowDirect ? ', or provider/model' : ''}` });
    }
  };
}

/** How long a reservation may stay unsettled before it is charged: the call's own time limit, with room. */
function reservationLifetime(route: SwitchyardConfig['routes'][string]): number {
  const total = route.policies.timeout.totalMs;
  return Math.max(10_000, (total > 0 ? total : 600_000) * 2);
}

function methodNotAllowed(method: string, path: string): GatewayHttpError {
  return new GatewayHttpError(405, new SwitchyardError({ category: 'invalid_request', message: `${method} is not allowed on ${path}` }));
}

function asSwitchyardError(error: unknown): SwitchyardError {
  if (SwitchyardError.isInstance(error)) return error;
  return new SwitchyardError({ category: 'unknown', message: 'internal gateway error', cause: error });
}

/** The rate limiter for keys' own limits: shared through Redis when the config has `state.redis`. */
function createKeyLimiter(config: SwitchyardConfig): { readonly limiter: RateLimiter; redisAnswers(): Promise<boolean>; close(): Promise<void> } {
  const settings = config.state.redis;
  if (settings === undefined) {
    const limiter = createMemoryRateLimiter();
    return { limiter, redisAnswers: () => Promise.resolve(true), close: () => limiter.close() };
  }
  const redis = new Redis(settings.url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2_000, retryStrategy: (times) => Math.min(times * 200, 2_000) });
  redis.on('error', () => undefined); // the limiter reports a degraded store through its logger
  const limiter = createRedisRateLimiter({ redis, keyPrefix: `${settings.keyPrefix}gateway:`, failMode: settings.failMode });
  return {
    limiter,
    async redisAnswers() {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), 1_000)));
      const answer = redis.ping().then(
        () => true,
        () => false,
      );
      const answered = await Promise.race([answer, late]);
      clearTimeout(timer);
      return answered;
    },
    async close() {
      await limiter.close();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
