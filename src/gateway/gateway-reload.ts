/**
 * The gateway's config reload (`POST /admin/reload`, SIGHUP on `switchyard serve`): re-reads the
 * config file the gateway was started with, refuses it when it is invalid or changes what only a
 * restart can change, hands it to `router.reload()`, and syncs the keys declared in `gateway.keys`.
 *
 * What a reload changes in the `gateway:` section: `keys`, `adminKey`, `bodyLimit`, `cors`,
 * `trustedProxies`, `streamBuffer`, `fileIds`, `timeouts.body` and `timeouts.shutdown`. What needs a restart:
 * `host` and `port` (the listening socket), `store` (the open database), `timeouts.headers` (a
 * setting of the server itself) and `log` (the logger) — and, as for any router, `state`, `audit`
 * and `metrics`.
 */
import { readFileSync } from 'node:fs';
import { ConfigError, type PathSegment } from '../config/config-error.js';
import type { Environment } from '../config/interpolate.js';
import { parseConfig } from '../config/load.js';
import { resolveGateway } from '../config/resolve-gateway.js';
import type { GatewayConfig, SwitchyardConfig } from '../config/types.js';
import { SwitchyardError } from '../errors.js';
import { changedPaths, displayPath, locateProblems, reloadRefused, restartOnlyProblems, routerRestartProblems, type ConfigReloaded } from '../router/reload-changes.js';
import type { Router } from '../router/router-api.js';
import type { GatewayLogger } from './access-log.js';
import type { ResilientKeyStore } from './store/resilient-store.js';
import { syncStaticKeys } from './store/static-keys.js';

/** Parts of the `gateway:` section that take effect only when the process starts. */
export const GATEWAY_RESTART_ONLY: readonly (readonly PathSegment[])[] = [
  ['gateway', 'host'],
  ['gateway', 'port'],
  ['gateway', 'store'],
  ['gateway', 'timeouts', 'headersMs'],
  ['gateway', 'log'],
];

/** What a gateway reload did: the router's summary, plus the gateway's own changes. */
export interface GatewayReload extends ConfigReloaded {
  /** Paths of the `gateway:` section that changed and now apply (`gateway.keys`, `gateway.bodyLimit`...). */
  readonly gateway: readonly string[];
  /** The keys of `gateway.keys` synced into the store, when they changed. */
  readonly keys?: { readonly created: number; readonly updated: number; readonly disabled: number };
}

/** What the reloader needs. */
export interface GatewayReloaderOptions {
  readonly router: Router;
  /** The config file the gateway was started with; without one, the gateway cannot reload. */
  readonly configFile: string | undefined;
  /** The environment `${VAR}` references are read from. @default process.env */
  readonly env?: Environment;
  readonly keys: ResilientKeyStore;
  readonly logger: GatewayLogger;
}

/** A config's gateway section, with the defaults a config without one runs on. */
export function gatewaySection(config: SwitchyardConfig): GatewayConfig {
  return config.gateway ?? resolveGateway(undefined);
}

/**
 * The settings a running gateway uses after a reload: the new section's, except what only a
 * restart changes, which stays as the process started with it.
 */
export function reloadedSettings(running: GatewayConfig, next: GatewayConfig): GatewayConfig {
  return { ...next, host: running.host, port: running.port, store: running.store, log: running.log, timeouts: { ...next.timeouts, headersMs: running.timeouts.headersMs } };
}

function readConfigFile(file: string, env: Environment | undefined): { readonly config: SwitchyardConfig; readonly text: string } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new ConfigError({ problems: [{ path: '(file)', message: `cannot be read (${typeof code === 'string' ? code : 'unknown error'})` }], sourceName: file, cause: error });
  }
  return { config: parseConfig(text, { sourceName: file, ...(env === undefined ? {} : { env }) }), text };
}

/** Creates the gateway's reload: resolves with what changed, or rejects with a `ConfigError` (the config in use keeps serving). */
export function createGatewayReloader(options: GatewayReloaderOptions): () => Promise<GatewayReload> {
  const { router, configFile, keys, logger } = options;

  async function reload(file: string): Promise<GatewayReload> {
    const { config, text } = readConfigFile(file, options.env);
    const running = router.config;
    const before = { gateway: gatewaySection(running) };
    const after = { gateway: gatewaySection(config) };
    const problems = [...routerRestartProblems(running, config), ...restartOnlyProblems(before, after, GATEWAY_RESTART_ONLY)];
    if (problems.length > 0) throw reloadRefused(locateProblems(problems, text), file);
    const reloaded = await router.reload(config);
    const gateway = changedPaths(before.gateway, after.gateway, ['gateway']).map(displayPath);
    let synced: GatewayReload['keys'];
    if (gateway.some((path) => path.startsWith('gateway.keys'))) {
      const result = await syncStaticKeys(keys.store, after.gateway.keys);
      // Key records are cached for gateway.store.keyCacheTtl: changed config keys are read afresh.
      for (const record of await keys.store.listKeys({})) if (record.source === 'config') keys.forget(record.id);
      synced = { created: result.created, updated: result.updated, disabled: result.disabled };
    }
    return { ...reloaded, gateway, ...(synced === undefined ? {} : { keys: synced }) };
  }

  return async () => {
    try {
      if (configFile === undefined) {
        throw new SwitchyardError({ category: 'invalid_request', message: 'this gateway was not started from a config file, so it has none to re-read; reload its router with router.reload(config)' });
      }
      const result = await reload(configFile);
      logger.event('info', 'config reloaded', { from: result.from, to: result.to, providers: result.changes.providers, routes: result.changes.routes, sections: result.changes.sections, gateway: result.gateway, ...(result.keys === undefined ? {} : { keys: result.keys }) });
      return result;
    } catch (error) {
      const problems = ConfigError.isConfigError(error) ? error.problems : undefined;
      logger.event('error', 'config reload refused; the config in use keeps serving', { error: error instanceof Error ? error.message : String(error), ...(problems === undefined ? {} : { problems }) });
      throw error;
    }
  };
}
