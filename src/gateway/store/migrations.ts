/**
 * The store's schema, as numbered migrations applied when a store opens. Each backend applies
 * `pendingMigrations` inside one transaction it holds exclusively (SQLite: a synchronous
 * `BEGIN IMMEDIATE` transaction, never spanning an `await`, so two connections in one process
 * cannot wait on each other; PostgreSQL: a transaction-scoped advisory lock), so two instances
 * opening at once apply each migration once: the second waits, then finds nothing left to do.
 *
 * The DDL is the same for both databases: `BIGINT`, `SMALLINT` and `TEXT` mean the same in each,
 * and partial indexes exist in both. Epoch milliseconds, 0/1 flags and JSON text keep the rows
 * alike.
 */
import { SwitchyardError } from '../../errors.js';
import type { StoreTables } from './sql-statements.js';

/** One step of the schema. Never edit a released migration: add the next one. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  statements(tables: StoreTables): readonly string[];
}

/** Every migration, in order. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'keys, reservations, daily usage',
    statements: (tables) => [
      `CREATE TABLE ${tables.keys} (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        tenant TEXT NOT NULL,
        key_hash TEXT NOT NULL UNIQUE,
        display_prefix TEXT NOT NULL,
        routes TEXT NOT NULL,
        expires_at BIGINT,
        enabled SMALLINT NOT NULL,
        unlimited SMALLINT NOT NULL,
        quota_tokens BIGINT,
        quota_usd_nanos BIGINT,
        used_tokens BIGINT NOT NULL DEFAULT 0,
        used_usd_nanos BIGINT NOT NULL DEFAULT 0,
        reserved_tokens BIGINT NOT NULL DEFAULT 0,
        reserved_usd_nanos BIGINT NOT NULL DEFAULT 0,
        limits TEXT NOT NULL,
        subnets TEXT NOT NULL,
        metadata TEXT NOT NULL,
        source TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL
      )`,
      `CREATE INDEX switchyard_keys_tenant ON ${tables.keys} (tenant)`,
      // A finite key's call has a row while it is open ('open'; deleted when settled or released).
      // An unlimited key's call gets one when settled ('settled'), kept for the retention so a
      // settle retried after an ambiguous failure finds it and charges nothing twice.
      `CREATE TABLE ${tables.reservations} (
        id TEXT PRIMARY KEY,
        key_id TEXT NOT NULL,
        request_id TEXT,
        route TEXT,
        model TEXT,
        tokens BIGINT NOT NULL,
        usd_nanos BIGINT NOT NULL,
        state TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL,
        closed_at BIGINT
      )`,
      `CREATE INDEX switchyard_reservations_open ON ${tables.reservations} (expires_at) WHERE state = 'open'`,
      `CREATE INDEX switchyard_reservations_settled ON ${tables.reservations} (closed_at) WHERE state = 'settled'`,
      `CREATE TABLE ${tables.usage} (
        key_id TEXT NOT NULL,
        day TEXT NOT NULL,
        route TEXT NOT NULL,
        model TEXT NOT NULL,
        calls BIGINT NOT NULL,
        errors BIGINT NOT NULL,
        unsettled BIGINT NOT NULL,
        input_tokens BIGINT NOT NULL,
        output_tokens BIGINT NOT NULL,
        cached_tokens BIGINT NOT NULL,
        unsettled_tokens BIGINT NOT NULL,
        usd_nanos BIGINT NOT NULL,
        PRIMARY KEY (key_id, day, route, model)
      )`,
    ],
  },
  {
    version: 2,
    name: 'ledger cache-write and reasoning tokens',
    // `cached_tokens` holds the cache reads; rows written before this migration read 0 in the new
    // columns (their calls' cache writes and reasoning were counted in input and output only).
    statements: (tables) => [
      `ALTER TABLE ${tables.usage} ADD COLUMN cache_write_tokens BIGINT NOT NULL DEFAULT 0`,
      `ALTER TABLE ${tables.usage} ADD COLUMN reasoning_tokens BIGINT NOT NULL DEFAULT 0`,
    ],
  },
];

/** The table recording applied migrations (created before anything else, inside the transaction). */
export function migrationsTableStatement(tables: StoreTables): string {
  return `CREATE TABLE IF NOT EXISTS ${tables.migrations} (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`;
}

/** Reads the applied versions. */
export function appliedVersionsStatement(tables: StoreTables): string {
  return `SELECT version FROM ${tables.migrations}`;
}

/** Records one applied migration: `$1` version, `$2` name, `$3` epoch milliseconds. */
export function recordMigrationStatement(tables: StoreTables): string {
  return `INSERT INTO ${tables.migrations} (version, name, applied_at) VALUES ($1, $2, $3)`;
}

/**
 * The migrations still to apply, in order, given the versions the database records; fails with a
 * `config` error when the database is newer than this code (a downgrade would corrupt it).
 *
 * A backend runs them inside one transaction it holds exclusively: migrations table, applied
 * versions, then each pending migration's statements and its record.
 */
export function pendingMigrations(appliedVersions: Iterable<number>): readonly Migration[] {
  const applied = new Set(appliedVersions);
  const newest = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;
  const unknown = [...applied].filter((version) => version > newest);
  if (unknown.length > 0) {
    throw new SwitchyardError({
      category: 'config',
      message: `the gateway store's schema is at version ${Math.max(...unknown)}, newer than this Switchyard knows (${newest}): upgrade Switchyard, or point gateway.store.url at another database`,
    });
  }
  return MIGRATIONS.filter((migration) => !applied.has(migration.version));
}
