/**
 * The gateway's key store: virtual keys, exact quotas across instances, the daily usage ledger,
 * on embedded SQLite or PostgreSQL, and the cached, outage-tolerant view the call path uses.
 */
export { generateKey, hashKey, displayPrefixOf, KEY_PREFIX } from './key-format.js';
export { checkKeyAccess, isRouteAllowed, keyUsability } from './key-access.js';
export type { KeyAccessDenial, KeyAccessRequest } from './key-access.js';
export { isAddressInSubnets, parseSubnet } from './subnets.js';
export { openKeyStore } from './open-key-store.js';
export type { OpenKeyStoreOptions } from './open-key-store.js';
export { openSqliteKeyStore, DEFAULT_SQLITE_PATH } from './sqlite-store.js';
export type { SqliteKeyStoreOptions } from './sqlite-store.js';
export { openPostgresKeyStore } from './postgres-store.js';
export type { PostgresKeyStoreOptions } from './postgres-store.js';
export { createResilientKeyStore } from './resilient-store.js';
export type { Authentication, AuthenticationRefusal, ResilientKeyStore, ResilientKeyStoreOptions, SettlementFate } from './resilient-store.js';
export { syncStaticKeys, configKeyInputs } from './static-keys.js';
export { keyInputFromOneApiToken, oneApiTokenOf, ONE_API_QUOTA_PER_USD } from './one-api-token.js';
export type { OneApiToken } from './one-api-token.js';
export { STORE_UNAVAILABLE } from './store-errors.js';
export { MIGRATIONS } from './migrations.js';
export { utcDay } from './types.js';
export type {
  ConfigKeyInput,
  ConfigKeySyncResult,
  CreateKeyInput,
  KeyLimits,
  KeyMetadata,
  KeyPatch,
  KeyQuota,
  KeyRecord,
  KeySource,
  KeyStore,
  ReleaseResult,
  ReserveInput,
  ReserveRefusal,
  ReserveResult,
  SettleInput,
  SettleResult,
  TokensAndUsd,
  UsageQuery,
  UsageRow,
} from './types.js';
