/**
 * Defaults of the `gateway:` section. A config without the section still serves: `switchyard
 * serve` then listens on 127.0.0.1:8080 with the embedded store and no admin API.
 */
import type { ParsedConfig } from './schema.js';
import type { GatewayConfig, StaticKeyConfig } from './types.js';

type ParsedGateway = NonNullable<ParsedConfig['gateway']>;

/** The embedded store's file when the config names none. */
export const DEFAULT_STORE_URL = 'sqlite:./switchyard-gateway.db';

/** The gateway's settings with every default applied (`parsed` undefined: all defaults). */
export function resolveGateway(parsed: ParsedGateway | undefined): GatewayConfig {
  const gateway = parsed ?? {};
  const adminKey = gateway.adminKey === undefined || gateway.adminKey === '' ? undefined : gateway.adminKey;
  return {
    host: gateway.host ?? '127.0.0.1',
    port: gateway.port ?? 8080,
    bodyLimitBytes: gateway.bodyLimit ?? 4_000_000,
    ...(adminKey === undefined ? {} : { adminKey }),
    store: {
      url: gateway.store?.url ?? DEFAULT_STORE_URL,
      keyCacheTtlMs: gateway.store?.keyCacheTtl ?? 5_000,
      staleForMs: gateway.store?.staleFor ?? 600_000,
      sweepIntervalMs: gateway.store?.sweepInterval ?? 30_000,
    },
    cors: gateway.cors === undefined || gateway.cors === false ? false : { origins: [...gateway.cors.origins] },
    trustedProxies: gateway.trustedProxies ?? 0,
    timeouts: {
      headersMs: gateway.timeouts?.headers ?? 10_000,
      bodyMs: gateway.timeouts?.body ?? 30_000,
      shutdownMs: gateway.timeouts?.shutdown ?? 30_000,
    },
    streamBufferBytes: gateway.streamBuffer ?? 1_000_000,
    fileIds: gateway.fileIds ?? 'refuse',
    log: { level: gateway.log?.level ?? 'info', format: gateway.log?.format ?? 'json' },
    keys: (gateway.keys ?? []).map(
      (key): StaticKeyConfig => ({
        name: key.name,
        key: key.key,
        tenant: key.tenant ?? key.name,
        routes: [...(key.routes ?? [])],
        quota: key.quota ?? 'unlimited',
        limits: { ...key.limits },
        subnets: [...(key.subnets ?? [])],
        ...(key.expiresAt === undefined ? {} : { expiresAt: key.expiresAt }),
        metadata: { ...key.metadata },
      }),
    ),
  };
}
