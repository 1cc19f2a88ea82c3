/**
 * The SQL both backends share, written once with PostgreSQL's `$1` placeholders (SQLite's text is
 * derived by `toSqlitePlaceholders`). Booleans are 0/1 integers and JSON is text in both, so one
 * schema and these statements run unchanged on either; only the per-call reserve and settle have
 * a PostgreSQL form of their own (one round trip each, in `postgres-store.ts`).
 */

/** The store's table names, schema-qualified where the database has schemas. */
export interface StoreTables {
  readonly keys: string;
  readonly reservations: string;
  readonly usage: string;
  readonly migrations: string;
}

/**
 * The tables, optionally in a PostgreSQL schema. Names carry a `switchyard_` prefix since the
 * database may be shared with an application (whose own `schema_migrations`, Rails' or
 * golang-migrate's, must not be ours).
 */
export function storeTables(schema?: string): StoreTables {
  const qualify = (name: string): string => (schema === undefined ? name : `${quoteIdentifier(schema)}.${name}`);
  return {
    keys: qualify('switchyard_keys'),
    reservations: qualify('switchyard_reservations'),
    usage: qualify('switchyard_usage_daily'),
    migrations: qualify('switchyard_schema_migrations'),
  };
}

/** A double-quoted SQL identifier. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** A statement for SQLite: `?` placeholders and, per placeholder, the index of its argument. */
export interface SqliteStatementText {
  readonly text: string;
  readonly argumentOrder: readonly number[];
}

/**
 * `$n` placeholders → `?`, remembering which argument each stands for (better-sqlite3 binds
 * neither `$1` nor `?1` from an array). Our statements have no `$` inside string literals.
 */
export function toSqlitePlaceholders(sql: string): SqliteStatementText {
  const argumentOrder: number[] = [];
  const text = sql.replace(/\$(\d+)/g, (_match, digits: string) => {
    argumentOrder.push(Number(digits) - 1);
    return '?';
  });
  return { text, argumentOrder };
}

/** The key columns written when a key is created (in this order: `$1` … `$17`). */
export const KEY_INSERT_COLUMNS = [
  'id',
  'name',
  'tenant',
  'key_hash',
  'display_prefix',
  'routes',
  'expires_at',
  'enabled',
  'unlimited',
  'quota_tokens',
  'quota_usd_nanos',
  'limits',
  'subnets',
  'metadata',
  'source',
  'created_at',
  'updated_at',
] as const;

const insertPlaceholders = KEY_INSERT_COLUMNS.map((_column, index) => `$${index + 1}`).join(', ');

/** The statements both backends run. */
export function sharedStatements(tables: StoreTables) {
  const { keys, reservations, usage } = tables;
  return {
    insertKey: `INSERT INTO ${keys} (${KEY_INSERT_COLUMNS.join(', ')}) VALUES (${insertPlaceholders}) RETURNING *`,
    /** Upserts a config key by hash: settings from the config, id, counters and creation kept. */
    upsertConfigKey:
      `INSERT INTO ${keys} AS k (${KEY_INSERT_COLUMNS.join(', ')}) VALUES (${insertPlaceholders}) ` +
      'ON CONFLICT (key_hash) DO UPDATE SET name = excluded.name, tenant = excluded.tenant, display_prefix = excluded.display_prefix, ' +
      'routes = excluded.routes, expires_at = excluded.expires_at, enabled = excluded.enabled, unlimited = excluded.unlimited, ' +
      'quota_tokens = excluded.quota_tokens, quota_usd_nanos = excluded.quota_usd_nanos, limits = excluded.limits, ' +
      "subnets = excluded.subnets, metadata = excluded.metadata, source = 'config', updated_at = excluded.updated_at RETURNING *",
    selectConfigKeyHashes: `SELECT id, key_hash FROM ${keys} WHERE source = 'config' AND enabled = 1`,
    disableKey: `UPDATE ${keys} SET enabled = 0, updated_at = $2 WHERE id = $1`,
    selectKeyByHash: `SELECT * FROM ${keys} WHERE key_hash = $1`,
    selectKeyById: `SELECT * FROM ${keys} WHERE id = $1`,
    selectKeys: `SELECT * FROM ${keys} ORDER BY created_at, id`,
    selectTenantKeys: `SELECT * FROM ${keys} WHERE tenant = $1 ORDER BY created_at, id`,
    deleteKey: `DELETE FROM ${keys} WHERE id = $1`,

    /**
     * Reserve, step 1: hold quota, only if the key is usable and the quota has room. One
     * conditional update: the database's row lock makes concurrent reserves see each other's holds.
     * `$1` key id, `$2` tokens, `$3` nano-dollars, `$4` now.
     */
    holdQuota:
      `UPDATE ${keys} SET reserved_tokens = reserved_tokens + $2, reserved_usd_nanos = reserved_usd_nanos + $3 ` +
      'WHERE id = $1 AND enabled = 1 AND unlimited = 0 AND (expires_at IS NULL OR expires_at > $4) ' +
      'AND (quota_tokens IS NULL OR used_tokens + reserved_tokens + $2 <= quota_tokens) ' +
      'AND (quota_usd_nanos IS NULL OR used_usd_nanos + reserved_usd_nanos + $3 <= quota_usd_nanos) RETURNING id',
    /** Reserve, step 2: the reservation row (`$5` id, `$6` request id, `$7` route, `$8` model, `$9` expiry). */
    insertReservation:
      `INSERT INTO ${reservations} (id, key_id, request_id, route, model, tokens, usd_nanos, state, created_at, expires_at) ` +
      "VALUES ($5, $1, $6, $7, $8, $2, $3, 'open', $4, $9)",
    /** Why a reservation was refused: the key's state. */
    selectKeyState: `SELECT enabled, unlimited, expires_at FROM ${keys} WHERE id = $1`,

    /**
     * Settle a held reservation, step 1: claim it by deleting it, only while it is open (the
     * idempotency: a second settle finds nothing). `$1` id.
     */
    claimHeldReservation: `DELETE FROM ${reservations} WHERE id = $1 AND state = 'open' RETURNING key_id, tokens, usd_nanos`,
    /**
     * Settle an unlimited key's call: it had no row, so one is written, settled, once (`$1` id,
     * `$2` key id, `$3` now); kept for the retention as the record that it was settled.
     */
    claimUnheldReservation:
      `INSERT INTO ${reservations} (id, key_id, tokens, usd_nanos, state, created_at, expires_at, closed_at) ` +
      "VALUES ($1, $2, 0, 0, 'settled', $3, $3, $3) ON CONFLICT (id) DO NOTHING RETURNING key_id, tokens, usd_nanos",
    /** Move a claim from reserved to used: `$1` key id, `$2`/`$3` used tokens/nanos, `$4`/`$5` released tokens/nanos. */
    chargeKey:
      `UPDATE ${keys} SET used_tokens = used_tokens + $2, used_usd_nanos = used_usd_nanos + $3, ` +
      'reserved_tokens = reserved_tokens - $4, reserved_usd_nanos = reserved_usd_nanos - $5 WHERE id = $1',
    /**
     * Add one call to the ledger: `$1` key, `$2` day, `$3` route, `$4` model, `$5` errors (0/1),
     * `$6` unsettled (0/1), `$7`–`$9` input/output/cached (cache-read) tokens, `$10` unsettled
     * tokens, `$11` nanos, `$12` cache-write tokens, `$13` reasoning tokens.
     */
    addToLedger:
      `INSERT INTO ${usage} AS u (key_id, day, route, model, calls, errors, unsettled, input_tokens, output_tokens, cached_tokens, unsettled_tokens, usd_nanos, cache_write_tokens, reasoning_tokens) ` +
      'VALUES ($1, $2, $3, $4, 1, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT (key_id, day, route, model) DO UPDATE SET ' +
      'calls = u.calls + 1, errors = u.errors + excluded.errors, unsettled = u.unsettled + excluded.unsettled, ' +
      'input_tokens = u.input_tokens + excluded.input_tokens, output_tokens = u.output_tokens + excluded.output_tokens, ' +
      'cached_tokens = u.cached_tokens + excluded.cached_tokens, unsettled_tokens = u.unsettled_tokens + excluded.unsettled_tokens, ' +
      'usd_nanos = u.usd_nanos + excluded.usd_nanos, cache_write_tokens = u.cache_write_tokens + excluded.cache_write_tokens, ' +
      'reasoning_tokens = u.reasoning_tokens + excluded.reasoning_tokens',

    /**
     * Add a batch's calls of one key, day, route and model to the ledger (group commit): `$1` key,
     * `$2` day, `$3` route, `$4` model, `$5` calls, `$6` errors, `$7`–`$9` input/output/cached
     * tokens, `$10` nanos, `$11` cache-write tokens, `$12` reasoning tokens.
     */
    addFoldedToLedger:
      `INSERT INTO ${usage} AS u (key_id, day, route, model, calls, errors, unsettled, input_tokens, output_tokens, cached_tokens, unsettled_tokens, usd_nanos, cache_write_tokens, reasoning_tokens) ` +
      'VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $8, $9, 0, $10, $11, $12) ON CONFLICT (key_id, day, route, model) DO UPDATE SET ' +
      'calls = u.calls + excluded.calls, errors = u.errors + excluded.errors, ' +
      'input_tokens = u.input_tokens + excluded.input_tokens, output_tokens = u.output_tokens + excluded.output_tokens, ' +
      'cached_tokens = u.cached_tokens + excluded.cached_tokens, usd_nanos = u.usd_nanos + excluded.usd_nanos, ' +
      'cache_write_tokens = u.cache_write_tokens + excluded.cache_write_tokens, reasoning_tokens = u.reasoning_tokens + excluded.reasoning_tokens',

    /** Take every open reservation past its expiry (`$1` now); the caller charges each. */
    expireReservations:
      `DELETE FROM ${reservations} WHERE state = 'open' AND expires_at <= $1 ` + 'RETURNING id, key_id, tokens, usd_nanos, route, model, created_at',
    /** Forget unlimited keys' settlement records closed before `$1`. */
    pruneReservations: `DELETE FROM ${reservations} WHERE state = 'settled' AND closed_at < $1`,

    selectUsage:
      'SELECT day, route, model, calls, errors, unsettled, input_tokens, output_tokens, cached_tokens, cache_write_tokens, reasoning_tokens, unsettled_tokens, usd_nanos ' +
      `FROM ${usage} WHERE key_id = $1 AND day >= $2 AND day <= $3 ORDER BY day, route, model`,
    ping: 'SELECT 1 AS ok',
  };
}

/**
 * A patch's `UPDATE`: `$1` is the id, the changed columns follow in the order given, then
 * `updated_at`. Column names come from `KeySettingColumns`, never from input.
 */
export function updateKeyStatement(tables: StoreTables, columns: readonly string[]): string {
  const assignments = columns.map((column, index) => `${column} = $${index + 2}`);
  assignments.push(`updated_at = $${columns.length + 2}`);
  return `UPDATE ${tables.keys} SET ${assignments.join(', ')} WHERE id = $1 RETURNING *`;
}

/** The lowest and highest day strings, for a usage query without bounds. */
export const FIRST_DAY = '0000-01-01';
export const LAST_DAY = '9999-12-31';
