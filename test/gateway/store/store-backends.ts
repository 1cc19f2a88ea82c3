/**
 * The two backends as the shared contract suite sees them: a fresh database per test, opened by
 * one store or by several (separate instances), and raw SQL on it for assertions.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach } from 'vitest';
import { openPostgresKeyStore } from '../../../src/gateway/store/postgres-store.js';
import { openSqliteKeyStore } from '../../../src/gateway/store/sqlite-store.js';
import { storeTables, type StoreTables } from '../../../src/gateway/store/sql-statements.js';
import type { KeyStore } from '../../../src/gateway/store/types.js';
import { databaseUrl, queryTestDatabase, uniqueSchema } from './postgres-support.js';

/** Options every backend's `open` takes. */
export interface OpenOptions {
  readonly now?: () => number;
  readonly closedReservationRetentionMs?: number;
}

/** One database several store instances can open. */
export interface TestDatabase {
  readonly tables: StoreTables;
  /** A new store instance on this database (its own connection or pool). */
  open(options?: OpenOptions): Promise<KeyStore>;
  /** Raw SQL on the database, over a connection of its own. */
  query(sql: string): Promise<Record<string, unknown>[]>;
}

/** A backend under test. */
export interface StoreBackend {
  readonly name: 'sqlite' | 'postgres';
  /** A store on a fresh database only it uses (SQLite: `:memory:`). */
  openFresh(options?: OpenOptions): Promise<KeyStore>;
  /** A fresh database for several instances (SQLite: a temporary file; PostgreSQL: a new schema). */
  freshDatabase(): TestDatabase;
}

const openedStores: KeyStore[] = [];

/** Remembers a store so it is closed after the test. */
function track(store: KeyStore): KeyStore {
  openedStores.push(store);
  return store;
}

afterEach(async () => {
  const stores = openedStores.splice(0);
  await Promise.all(stores.map((store) => store.close().catch(() => undefined)));
});

const temporaryDirectories: string[] = [];
afterAll(() => {
  for (const directory of temporaryDirectories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

/** The embedded backend. */
export const sqliteBackend: StoreBackend = {
  name: 'sqlite',
  openFresh: async (options = {}) => track(await openSqliteKeyStore({ ...options, path: ':memory:' })),
  freshDatabase: () => {
    const directory = mkdtempSync(join(tmpdir(), 'switchyard-store-'));
    temporaryDirectories.push(directory);
    const path = join(directory, 'gateway.db');
    return {
      tables: storeTables(),
      open: async (options = {}) => track(await openSqliteKeyStore({ ...options, path })),
      query: (sql) => {
        const connection = new Database(path);
        try {
          const statement = connection.prepare(sql);
          if (!statement.reader) {
            statement.run();
            return Promise.resolve([]);
          }
          return Promise.resolve(statement.all() as Record<string, unknown>[]);
        } finally {
          connection.close();
        }
      },
    };
  },
};

/** The PostgreSQL backend at `DATABASE_URL`, a schema per database. */
export const postgresBackend: StoreBackend = {
  name: 'postgres',
  openFresh: async (options = {}) => track(await openPostgresKeyStore({ ...options, url: requireDatabaseUrl(), schema: uniqueSchema('fresh') })),
  freshDatabase: () => {
    const schema = uniqueSchema('shared');
    return {
      tables: storeTables(schema),
      open: async (options = {}) => track(await openPostgresKeyStore({ ...options, url: requireDatabaseUrl(), schema, maxConnections: 10 })),
      query: (sql) => queryTestDatabase(sql),
    };
  },
};

function requireDatabaseUrl(): string {
  if (databaseUrl === undefined) throw new Error('DATABASE_URL is not set');
  return databaseUrl;
}
