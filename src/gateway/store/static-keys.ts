/**
 * Keys declared in the config (`gateway.keys`), for small setups: at start they are upserted into
 * the store by hash as `source: 'config'`, so quotas, reservations and the ledger work exactly as
 * for keys made through the admin API. The plain value is hashed here and never stored. A config
 * key the file no longer declares is disabled (not deleted: its usage stays visible), so removing
 * a key from the file revokes it.
 */
import { SwitchyardError } from '../../errors.js';
import type { StaticKeyConfig } from '../../config/types.js';
import { displayPrefixOf, hashKey } from './key-format.js';
import { settingColumnsOf } from './key-input.js';
import type { ConfigKeyInput, ConfigKeySyncResult, KeyStore } from './types.js';

/** Shortest declared key accepted: the hash is a fast one, safe only for random keys (see `hashKey`). */
const MIN_DECLARED_KEY_LENGTH = 20;

/** The declared keys as the store receives them (hashes only), checked; `config` errors name the YAML path. */
export function configKeyInputs(keys: readonly StaticKeyConfig[]): ConfigKeyInput[] {
  const seen = new Map<string, number>();
  return keys.map((key, index) => {
    const path = `gateway.keys[${index}]`;
    if (key.key.length < MIN_DECLARED_KEY_LENGTH) {
      throw new SwitchyardError({ category: 'config', field: `${path}.key`, message: `${path}.key: a declared key must be at least ${MIN_DECLARED_KEY_LENGTH} random characters` });
    }
    const hash = hashKey(key.key);
    const earlier = seen.get(hash);
    if (earlier !== undefined) {
      throw new SwitchyardError({ category: 'config', field: `${path}.key`, message: `${path}.key: the same key as gateway.keys[${earlier}]; each declared key must be different` });
    }
    seen.set(hash, index);
    const expiresAt = key.expiresAt === undefined ? undefined : Date.parse(key.expiresAt);
    if (expiresAt !== undefined && Number.isNaN(expiresAt)) {
      throw new SwitchyardError({ category: 'config', field: `${path}.expiresAt`, message: `${path}.expiresAt: expected an ISO 8601 date and time` });
    }
    const input: ConfigKeyInput = {
      name: key.name,
      tenant: key.tenant,
      routes: key.routes,
      quota: key.quota,
      limits: key.limits,
      subnets: key.subnets,
      metadata: key.metadata,
      ...(expiresAt === undefined ? {} : { expiresAt }),
      hash,
      displayPrefix: displayPrefixOf(key.key),
    };
    try {
      settingColumnsOf(input);
    } catch (error) {
      if (!SwitchyardError.isInstance(error) || error.field === undefined) throw error;
      throw new SwitchyardError({ category: 'config', field: `${path}.${error.field}`, message: `${path}.${error.message}` });
    }
    return input;
  });
}

/**
 * Upserts the config's keys into the store and disables config keys it no longer declares, in one
 * transaction. Run once at start; safe when several instances start at once.
 *
 * @example
 * const result = await syncStaticKeys(store, config.gateway.keys);
 * // { created: 1, updated: 2, disabled: 0, records: [...] }
 */
export async function syncStaticKeys(store: KeyStore, keys: readonly StaticKeyConfig[]): Promise<ConfigKeySyncResult> {
  return store.syncConfigKeys(configKeyInputs(keys));
}
