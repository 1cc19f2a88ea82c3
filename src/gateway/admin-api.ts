/**
 * The admin API under `/admin/`: virtual keys (create, list, show, change, delete, usage), One
 * API's token call as a compatible alias, canary control, and config reload (`POST /admin/reload`).
 * Every request carries the admin key as a bearer token, compared in constant time; without
 * `gateway.adminKey` the API is off.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GatewayConfig } from '../config/types.js';
import { ConfigError } from '../config/config-error.js';
import { SwitchyardError } from '../errors.js';
import type { Router } from '../router/router-api.js';
import type { GatewayLogger } from './access-log.js';
import type { GatewayReload } from './gateway-reload.js';
import { sameSecret } from './auth/presented-key.js';
import { GatewayHttpError } from './http/gateway-http-error.js';
import { parseJsonObject, readBody } from './http/read-body.js';
import { sendJson } from './http/send-json.js';
import { openAIError } from './ingress/openai/index.js';
import { keyInputFromOneApiToken, oneApiTokenOf } from './store/one-api-token.js';
import type { ResilientKeyStore } from './store/resilient-store.js';
import type { CreateKeyInput, KeyRecord } from './store/types.js';

/** What the admin API needs. */
export interface AdminApiDependencies {
  readonly router: Router;
  readonly keys: ResilientKeyStore;
  /** The gateway's settings now (a reload may change the admin key and the body limit). */
  readonly settings: () => GatewayConfig;
  readonly logger: GatewayLogger;
  /** Re-reads the config file and swaps it in (`POST /admin/reload`); rejects with a `ConfigError` when refused. */
  readonly reload: () => Promise<GatewayReload>;
}

/** What the server tells the admin API of a request. */
export interface AdminRequest {
  readonly path: string;
  readonly method: string;
  readonly url: string;
  readonly exchange: { requestBytes: number };
}

/** A key as the admin API shows it: never its hash, never the key. */
export function keyView(record: KeyRecord): Record<string, unknown> {
  return {
    id: record.id,
    name: record.name,
    tenant: record.tenant,
    prefix: record.displayPrefix,
    enabled: record.enabled,
    routes: record.routes,
    expiresAt: record.expiresAt === undefined ? null : new Date(record.expiresAt).toISOString(),
    quota: record.quota,
    used: record.used,
    reserved: record.reserved,
    limits: record.limits,
    subnets: record.subnets,
    metadata: record.metadata,
    source: record.source,
    createdAt: new Date(record.createdAt).toISOString(),
    updatedAt: new Date(record.updatedAt).toISOString(),
  };
}

const KEY_FIELDS = new Set(['name', 'tenant', 'routes', 'expiresAt', 'enabled', 'quota', 'limits', 'subnets', 'metadata']);

function invalid(field: string, message: string): SwitchyardError {
  return new SwitchyardError({ category: 'invalid_request', field, message: `${field}: ${message}` });
}

/** An admin body's key settings, with `expiresAt` as ISO 8601 (or null) turned into epoch ms. */
function keySettings(body: Record<string, unknown>): Record<string, unknown> {
  const settings: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(body)) {
    if (!KEY_FIELDS.has(field)) throw invalid(field, `unknown field; a key has ${[...KEY_FIELDS].join(', ')}`);
    if (field === 'expiresAt' && value !== null) {
      const when = typeof value === 'string' ? Date.parse(value) : Number.NaN;
      if (Number.isNaN(when)) throw invalid('expiresAt', 'expected an ISO 8601 date-time such as 2027-01-31T00:00:00Z, or null');
      settings[field] = when;
    } else {
      settings[field] = value;
    }
  }
  return settings;
}

/** Creates the admin API's request handler. */
export function createAdminApi(dependencies: AdminApiDependencies): { handle(request: IncomingMessage, response: ServerResponse, admin: AdminRequest): Promise<void> } {
  const { router, keys, logger } = dependencies;
  const store = keys.store;

  async function body(request: IncomingMessage, admin: AdminRequest): Promise<Record<string, unknown>> {
    const settings = dependencies.settings();
    const bytes = await readBody(request, { maxBytes: Math.min(settings.bodyLimitBytes, 1_000_000), timeoutMs: settings.timeouts.bodyMs });
    admin.exchange.requestBytes = bytes.length;
    return parseJsonObject(bytes);
  }

  function authorize(request: IncomingMessage): void {
    const settings = dependencies.settings();
    if (settings.adminKey === undefined) {
      throw new GatewayHttpError(404, new SwitchyardError({ category: 'not_found', message: 'the admin API is off: set gateway.adminKey (e.g. "${SWITCHYARD_ADMIN_KEY}")' }));
    }
    const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
    if (match === null || !sameSecret(match[1] ?? '', settings.adminKey)) {
      throw new SwitchyardError({ category: 'auth', message: 'the admin API needs the admin key as `Authorization: Bearer …`' });
    }
  }

  async function existing(id: string): Promise<KeyRecord> {
    const record = await store.getKey(id);
    if (record === undefined) throw new GatewayHttpError(404, new SwitchyardError({ category: 'not_found', message: `no key ${JSON.stringify(id)}` }));
    return record;
  }

  async function reload(response: ServerResponse): Promise<void> {
    const answer = await reloadAnswer(dependencies.reload);
    sendJson(response, answer.status, answer.body);
  }

  return {
    async handle(request, response, admin) {
      const { path, method } = admin;
      // One API's alias answers in One API's own shape, errors included.
      if (path === '/admin/api/token') {
        try {
          authorize(request);
          if (method !== 'POST') throw notAllowed(method, path);
          const { record, plainKey } = await store.createKey(keyInputFromOneApiToken(await body(request, admin)));
          logger.event('info', 'key created', { keyId: record.id, name: record.name, via: 'one-api' });
          sendJson(response, 200, { success: true, message: '', data: oneApiTokenOf(record, { plainKey, now: Date.now() }) });
        } catch (error) {
          const failure = asError(error);
          sendJson(response, failure instanceof GatewayHttpError ? failure.status : openAIError(failure).status, { success: false, message: failure.message, data: null });
        }
        return;
      }
      try {
        authorize(request);
        await route(request, response, admin);
      } catch (error) {
        const failure = asError(error);
        const swe = failure instanceof GatewayHttpError ? failure.error : failure;
        const answer = openAIError(swe);
        sendJson(response, failure instanceof GatewayHttpError ? failure.status : answer.status, answer.body);
      }
    },
  };

  async function route(request: IncomingMessage, response: ServerResponse, admin: AdminRequest): Promise<void> {
    const { path, method } = admin;
    const segments = path.split('/').slice(2).map(decodeURIComponent); // after "/admin/"
    if (segments[0] === 'keys') {
      const id = segments[1];
      if (id === undefined || id === '') {
        if (method === 'POST') {
          const input = keySettings(await body(request, admin));
          const { record, plainKey } = await store.createKey({ quota: 'unlimited', ...input } as unknown as CreateKeyInput);
          logger.event('info', 'key created', { keyId: record.id, name: record.name });
          sendJson(response, 201, { key: plainKey, ...keyView(record) });
          return;
        }
        if (method === 'GET') {
          const tenant = new URL(admin.url, 'http://admin').searchParams.get('tenant');
          const records = await store.listKeys(tenant === null ? {} : { tenant });
          sendJson(response, 200, { data: records.map(keyView) });
          return;
        }
      } else if (segments.length === 2) {
        if (method === 'GET') {
          sendJson(response, 200, keyView(await existing(id)));
          return;
        }
        if (method === 'PATCH') {
          const patch = keySettings(await body(request, admin));
          // No such key: `existing` answers 404.
          const record = (await store.updateKey(id, patch)) ?? (await existing(id));
          keys.forget(id);
          logger.event('info', 'key changed', { keyId: id, fields: Object.keys(patch) });
          sendJson(response, 200, keyView(record));
          return;
        }
        if (method === 'DELETE') {
          if (!(await store.deleteKey(id))) await existing(id);
          keys.forget(id);
          logger.event('info', 'key deleted', { keyId: id });
          sendJson(response, 200, { id, deleted: true });
          return;
        }
      } else if (segments.length === 3 && segments[2] === 'usage' && method === 'GET') {
        await existing(id);
        const query = new URL(admin.url, 'http://admin').searchParams;
        const rows = await store.usage({ keyId: id, ...(query.get('from') === null ? {} : { from: query.get('from') as string }), ...(query.get('to') === null ? {} : { to: query.get('to') as string }) });
        const totals = rows.reduce(
          (sum, row) => ({
            calls: sum.calls + row.calls,
            errors: sum.errors + row.errors,
            inputTokens: sum.inputTokens + row.inputTokens,
            outputTokens: sum.outputTokens + row.outputTokens,
            cachedTokens: sum.cachedTokens + row.cachedTokens,
            cacheWriteTokens: sum.cacheWriteTokens + row.cacheWriteTokens,
            reasoningTokens: sum.reasoningTokens + row.reasoningTokens,
            usd: sum.usd + row.usd,
          }),
          { calls: 0, errors: 0, inputTokens: 0, outputTokens: 0, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0, usd: 0 },
        );
        sendJson(response, 200, { keyId: id, rows, totals });
        return;
      }
      throw notAllowed(method, path);
    }
    if (segments[0] === 'reload' && segments.length === 1) {
      if (method !== 'POST') throw notAllowed(method, path);
      return reload(response);
    }
    if (segments[0] === 'canary' && segments[1] !== undefined) {
      const routeName = segments[1];
      const controller = router.canary(routeName);
      if (segments.length === 2 && method === 'GET') {
        sendJson(response, 200, await controller.report());
        return;
      }
      const action = segments[2];
      if (segments.length === 3 && method === 'POST' && (action === 'promote' || action === 'pause' || action === 'resume' || action === 'abort')) {
        const input = request.headers['content-length'] === '0' || request.headers['content-length'] === undefined ? {} : await body(request, admin);
        const note = {
          ...(typeof input['reason'] === 'string' ? { reason: input['reason'] } : {}),
          actor: typeof input['actor'] === 'string' ? input['actor'] : 'admin-api',
          ...(action === 'resume' && typeof input['step'] === 'number' ? { step: input['step'] } : {}),
        };
        await controller[action](note);
        logger.event('info', `canary ${action}`, { route: routeName, actor: note.actor });
        sendJson(response, 200, controller.status());
        return;
      }
      throw notAllowed(method, path);
    }
    throw new GatewayHttpError(404, new SwitchyardError({ category: 'not_found', message: `no admin endpoint ${method} ${path}` }));
  }
}

/**
 * `POST /admin/reload`: 200 with the new version and what changed; 400 with the problems (path and
 * line) when the config is refused, the config in use serving on. The outcome is logged by the reloader.
 */
async function reloadAnswer(reload: () => Promise<GatewayReload>): Promise<{ readonly status: number; readonly body: Record<string, unknown> }> {
  try {
    const result = await reload();
    return { status: 200, body: { reloaded: true, version: result.to, previousVersion: result.from, changes: result.changes, gateway: result.gateway, ...(result.keys === undefined ? {} : { keys: result.keys }) } };
  } catch (error) {
    if (!ConfigError.isConfigError(error)) throw error;
    return { status: 400, body: { reloaded: false, error: { message: error.message, type: 'invalid_request_error', code: error.code }, problems: error.problems } };
  }
}

function notAllowed(method: string, path: string): GatewayHttpError {
  return new GatewayHttpError(405, new SwitchyardError({ category: 'invalid_request', message: `${method} is not allowed on ${path}` }));
}

function asError(error: unknown): SwitchyardError | GatewayHttpError {
  if (error instanceof GatewayHttpError || SwitchyardError.isInstance(error)) return error;
  if (error instanceof Error && error.name === 'CanaryControlError') return new GatewayHttpError(404, new SwitchyardError({ category: 'not_found', message: error.message }));
  return new SwitchyardError({ category: 'unknown', message: 'internal error in the admin API', cause: error });
}
