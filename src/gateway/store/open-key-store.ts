/**
 * Opens the store a `gateway.store.url` names: `sqlite:<file>` (embedded) or `postgres://…`.
 */
import { SwitchyardError } from '../../errors.js';
import { openPostgresKeyStore, type PostgresKeyStoreOptions } from './postgres-store.js';
import { openSqliteKeyStore, type SqliteKeyStoreOptions } from './sqlite-store.js';
import type { KeyStore } from './types.js';

/** Options for whichever backend the URL names (the URL itself excepted). */
export interface OpenKeyStoreOptions {
  readonly sqlite?: Omit<SqliteKeyStoreOptions, 'path'>;
  readonly postgres?: Omit<PostgresKeyStoreOptions, 'url'>;
}

/**
 * The store behind `url`, opened and migrated.
 *
 * @example
 * await openKeyStore('sqlite:./switchyard-gateway.db');
 * await openKeyStore('sqlite::memory:');
 * await openKeyStore('postgres://gateway@db:5432/switchyard');
 */
export async function openKeyStore(url: string, options: OpenKeyStoreOptions = {}): Promise<KeyStore> {
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length);
    if (path === '') throw new SwitchyardError({ category: 'config', field: 'gateway.store.url', message: 'gateway.store.url: `sqlite:` needs a file, e.g. `sqlite:./switchyard-gateway.db`' });
    return openSqliteKeyStore({ ...options.sqlite, path });
  }
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return openPostgresKeyStore({ ...options.postgres, url });
  throw new SwitchyardError({ category: 'config', field: 'gateway.store.url', message: 'gateway.store.url: expected `sqlite:<file>` or `postgres://…`' });
}
