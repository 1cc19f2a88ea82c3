/**
 * The key store on PostgreSQL, for several gateway instances sharing quotas: node-postgres (`pg`,
 * an optional peer dependency, loaded when a store is opened) with one pool per store.
 *
 * The per-call operations are one statement, so one round trip each: `reserve` holds quota and
 * writes the reservation in one data-modifying CTE, `settle` claims the reservation, charges the
 * key and adds to the ledger in another. A single statement is atomic, and PostgreSQL re-checks an
 * `UPDATE`'s condition against the newest row after waiting for its lock (READ COMMITTED), so the
 * quota condition holds however many instances reserve at once. Hot statements are named
 * (prepared once per connection).
 */
import { createHash } from 'node:crypto';
import type { Pool, PoolClient, QueryConfig } from 'pg';
import { SwitchyardError } from '../../errors.js';
import { displayPrefixOf, generateKey, generateKeyId, generateReservationId, hashKey, isUnheldReservation } from './key-format.js';
import { checkTokenCount, checkUsd, patchColumnsOf, settingColumnsOf } from './key-input.js';
import { keyInsertArguments, keyRecordOf, refusalOf, type Row, usageRowOf } from './key-rows.js';
import { appliedVersionsStatement, migrationsTableStatement, pendingMigrations, recordMigrationStatement } from './migrations.js';
import { FIRST_DAY, LAST_DAY, quoteIdentifier, sharedStatements, storeTables, type StoreTables, updateKeyStatement } from './sql-statements.js';
import { guardStore, isModuleMissing, missingDriver, storeUnavailable } from './store-errors.js';
import { checkSettlement, firstOccurrences, groupByKey, type CheckedSettlement } from './group-commit.js';
import { utcDay, type ConfigKeyInput, type ConfigKeySyncResult, type KeyRecord, type KeyStore, type ReserveInput, type ReserveResult, type SettleResult, type SettlementBatch } from './types.js';

/** Options of the PostgreSQL store. */
export interface PostgresKeyStoreOptions {
  /** `postgres://user:password@host:5432/database`. A secret when it carries a password. */
  readonly url: string;
  /**
   * A schema to keep the tables in (created if missing; tests use one each). Tables are named
   * with it explicitly, so poolers that drop startup options (PgBouncer) are fine.
   * @default the connection's search_path (usually `public`)
   */
  readonly schema?: string;
  /** @default 10 */
  readonly maxConnections?: number;
  /** How long to wait for a connection before the store counts as unavailable. @default 5_000 */
  readonly connectTimeoutMs?: number;
  /** How long a statement may take before it fails (client side). @default 10_000 */
  readonly queryTimeoutMs?: number;
  /**
   * How long an unlimited key's settled call is remembered (its row is the record that it was
   * settled): a settlement retried within it charges nothing twice. A finite key's reservation
   * needs no such record: it is deleted when settled, and a settle that finds none charges nothing.
   * @default 86_400_000 (24 hours)
   */
  readonly closedReservationRetentionMs?: number;
  /** The clock (epoch milliseconds). @default Date.now */
  readonly now?: () => number;
  /** Where connection errors of idle clients go. @default console.warn */
  readonly logger?: (message: string) => void;
}

const DAY_MS = 86_400_000;

type PoolConstructor = new (config: NonNullable<ConstructorParameters<typeof Pool>[0]>) => Pool;

async function loadDriver(): Promise<PoolConstructor> {
  try {
    const module = (await import('pg')) as unknown as { Pool?: PoolConstructor; default?: { Pool?: PoolConstructor } };
    const Pool = module.Pool ?? module.default?.Pool;
    if (typeof Pool !== 'function') throw new Error('pg has no Pool export');
    return Pool;
  } catch (error) {
    if (isModuleMissing(error, 'pg')) throw missingDriver('pg', 'npm i pg', error);
    throw error;
  }
}

/**
 * Settle in one statement: claim the reservation, move reserved to used, add to the ledger. The
 * parameters are `$1` reservation id, `$2` key id, for an unlimited key's call `$3` now, then the
 * usage: day, route, model, errors (0/1), input/output/cached tokens, tokens charged, nano-dollars,
 * cache-write and reasoning tokens (numbered on from `$3` or `$4`: PostgreSQL refuses a parameter a
 * statement does not use).
 */
function settleStatement(tables: StoreTables, claim: 'held' | 'unheld'): string {
  const { keys, reservations, usage } = tables;
  const first = claim === 'held' ? 3 : 4;
  const [day, route, model, errors, input, output, cached, charged, nanos, cacheWrite, reasoning] = Array.from({ length: 11 }, (_, index) => `$${first + index}`);
  const claimed =
    claim === 'held'
      ? `DELETE FROM ${reservations} WHERE id = $1 AND state = 'open' RETURNING key_id, tokens, usd_nanos`
      : `INSERT INTO ${reservations} (id, key_id, tokens, usd_nanos, state, created_at, expires_at, closed_at) VALUES ($1, $2, 0, 0, 'settled', $3, $3, $3) ` +
        'ON CONFLICT (id) DO NOTHING RETURNING key_id, tokens, usd_nanos';
  return (
    `WITH claimed AS (${claimed}), ` +
    `charged AS (UPDATE ${keys} AS k SET used_tokens = k.used_tokens + ${charged}, used_usd_nanos = k.used_usd_nanos + ${nanos}, ` +
    'reserved_tokens = k.reserved_tokens - c.tokens, reserved_usd_nanos = k.reserved_usd_nanos - c.usd_nanos ' +
    'FROM claimed AS c WHERE k.id = c.key_id RETURNING k.id), ' +
    `ledger AS (INSERT INTO ${usage} AS u (key_id, day, route, model, calls, errors, unsettled, input_tokens, output_tokens, cached_tokens, unsettled_tokens, usd_nanos, cache_write_tokens, reasoning_tokens) ` +
    `SELECT $2::text, ${day}::text, ${route}::text, ${model}::text, 1, ${errors}::bigint, 0, ${input}::bigint, ${output}::bigint, ${cached}::bigint, 0, ${nanos}::bigint, ` +
    `${cacheWrite}::bigint, ${reasoning}::bigint FROM claimed ` +
    'ON CONFLICT (key_id, day, route, model) DO UPDATE SET calls = u.calls + 1, errors = u.errors + excluded.errors, ' +
    'input_tokens = u.input_tokens + excluded.input_tokens, output_tokens = u.output_tokens + excluded.output_tokens, ' +
    'cached_tokens = u.cached_tokens + excluded.cached_tokens, usd_nanos = u.usd_nanos + excluded.usd_nanos, ' +
    'cache_write_tokens = u.cache_write_tokens + excluded.cache_write_tokens, reasoning_tokens = u.reasoning_tokens + excluded.reasoning_tokens RETURNING 1) ' +
    'SELECT count(*)::int AS charged FROM claimed'
  );
}

/**
 * Settle a batch in one statement (group commit): the batch's unlimited-key calls claimed by one
 * record under the batch's id, its held reservations claimed by deleting them, one charge per key
 * and one ledger update per key, day, route and model (both in sorted order, so concurrent batches
 * lock rows alike). Arrays, one entry per settlement: `$1` reservation ids, `$2` key ids, `$3`
 * unheld flags, `$4` days, `$5` routes, `$6` models, `$7` errors (0/1), `$8`–`$10` input, output,
 * cached tokens, `$11` nanos; then `$12` the batch id, `$13` the key of its record (null when the
 * batch has no unlimited-key call), `$14` now; then arrays again: `$15` cache-write tokens, `$16`
 * reasoning tokens. Returns the reservation ids charged.
 */
function settleBatchStatement(tables: StoreTables): string {
  const { keys, reservations, usage } = tables;
  return (
    'WITH input AS (SELECT * FROM unnest($1::text[], $2::text[], $3::boolean[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::bigint[], $9::bigint[], $10::bigint[], $11::bigint[], ' +
    '$15::bigint[], $16::bigint[]) AS s(reservation_id, key_id, unheld, day, route, model, errors, input_tokens, output_tokens, cached_tokens, usd_nanos, cache_write_tokens, reasoning_tokens)), ' +
    `marker AS (INSERT INTO ${reservations} (id, key_id, tokens, usd_nanos, state, created_at, expires_at, closed_at) ` +
    "SELECT $12::text, $13::text, 0, 0, 'settled', $14::bigint, $14::bigint, $14::bigint WHERE $13::text IS NOT NULL ON CONFLICT (id) DO NOTHING RETURNING id), " +
    `held AS (DELETE FROM ${reservations} AS r USING input AS s WHERE r.id = s.reservation_id AND NOT s.unheld AND r.state = 'open' RETURNING r.id, r.key_id, r.tokens, r.usd_nanos), ` +
    'claimed AS (SELECT s.*, h.key_id AS charged_key, h.tokens AS held_tokens, h.usd_nanos AS held_nanos FROM input AS s JOIN held AS h ON h.id = s.reservation_id ' +
    'UNION ALL SELECT s.*, s.key_id, 0::bigint, 0::bigint FROM input AS s WHERE s.unheld AND EXISTS (SELECT 1 FROM marker)), ' +
    `charged AS (UPDATE ${keys} AS k SET used_tokens = k.used_tokens + f.used_tokens, used_usd_nanos = k.used_usd_nanos + f.used_nanos, ` +
    'reserved_tokens = k.reserved_tokens - f.held_tokens, reserved_usd_nanos = k.reserved_usd_nanos - f.held_nanos ' +
    'FROM (SELECT charged_key, sum(input_tokens + output_tokens)::bigint AS used_tokens, sum(usd_nanos)::bigint AS used_nanos, sum(held_tokens)::bigint AS held_tokens, ' +
    'sum(held_nanos)::bigint AS held_nanos FROM claimed GROUP BY charged_key ORDER BY charged_key) AS f WHERE k.id = f.charged_key RETURNING k.id), ' +
    `ledger AS (INSERT INTO ${usage} AS u (key_id, day, route, model, calls, errors, unsettled, input_tokens, output_tokens, cached_tokens, unsettled_tokens, usd_nanos, cache_write_tokens, reasoning_tokens) ` +
    'SELECT key_id, day, route, model, count(*), sum(errors)::bigint, 0, sum(input_tokens)::bigint, sum(output_tokens)::bigint, sum(cached_tokens)::bigint, 0, sum(usd_nanos)::bigint, ' +
    'sum(cache_write_tokens)::bigint, sum(reasoning_tokens)::bigint ' +
    'FROM claimed GROUP BY key_id, day, route, model ORDER BY key_id, day, route, model ' +
    'ON CONFLICT (key_id, day, route, model) DO UPDATE SET calls = u.calls + excluded.calls, errors = u.errors + excluded.errors, ' +
    'input_tokens = u.input_tokens + excluded.input_tokens, output_tokens = u.output_tokens + excluded.output_tokens, ' +
    'cached_tokens = u.cached_tokens + excluded.cached_tokens, usd_nanos = u.usd_nanos + excluded.usd_nanos, ' +
    'cache_write_tokens = u.cache_write_tokens + excluded.cache_write_tokens, reasoning_tokens = u.reasoning_tokens + excluded.reasoning_tokens RETURNING 1) ' +
    'SELECT reservation_id FROM claimed'
  );
}

/** The statements the PostgreSQL store runs: the shared ones, and the per-call ones in one round trip each. */
function postgresStatements(tables: StoreTables) {
  const shared = sharedStatements(tables);
  return {
    ...shared,
    /** `$1` key id, `$2` tokens, `$3` nanos, `$4` now, `$5` reservation id, `$6` request id, `$7` route, `$8` model, `$9` expiry. */
    reserve:
      `WITH held AS (${shared.holdQuota}) ` +
      `INSERT INTO ${tables.reservations} (id, key_id, request_id, route, model, tokens, usd_nanos, state, created_at, expires_at) ` +
      "SELECT $5::text, held.id, $6::text, $7::text, $8::text, $2, $3, 'open', $4, $9::bigint FROM held RETURNING id",
    /**
     * A key's reservations folded (group commit): the sum held in one conditional update, then
     * every reservation's row. `$1`–`$4` as `holdQuota` (`$2`/`$3` the sums), then arrays of the
     * rows: `$5` ids, `$6` request ids, `$7` routes, `$8` models, `$9` tokens, `$10` nanos, `$11` expiries.
     */
    reserveFolded:
      `WITH held AS (${shared.holdQuota}) ` +
      `INSERT INTO ${tables.reservations} (id, key_id, request_id, route, model, tokens, usd_nanos, state, created_at, expires_at) ` +
      "SELECT r.id, held.id, r.request_id, r.route, r.model, r.tokens, r.usd_nanos, 'open', $4, r.expires_at FROM held, " +
      'unnest($5::text[], $6::text[], $7::text[], $8::text[], $9::bigint[], $10::bigint[], $11::bigint[]) AS r(id, request_id, route, model, tokens, usd_nanos, expires_at) RETURNING id',
    settleBatch: settleBatchStatement(tables),
    /** Undo held reservations nobody will use (`$1` ids): rows deleted, their holds released. */
    cancelReservations:
      `WITH released AS (DELETE FROM ${tables.reservations} WHERE id = ANY($1::text[]) AND state = 'open' RETURNING key_id, tokens, usd_nanos) ` +
      `UPDATE ${tables.keys} AS k SET reserved_tokens = k.reserved_tokens - r.tokens, reserved_usd_nanos = k.reserved_usd_nanos - r.usd_nanos ` +
      'FROM (SELECT key_id, sum(tokens)::bigint AS tokens, sum(usd_nanos)::bigint AS usd_nanos FROM released GROUP BY key_id ORDER BY key_id) AS r WHERE k.id = r.key_id',
    settleHeld: settleStatement(tables, 'held'),
    settleUnheld: settleStatement(tables, 'unheld'),
  };
}

type StatementName = keyof ReturnType<typeof postgresStatements>;

/** A key for `pg_advisory_xact_lock`, the same in every instance for one schema. */
function migrationLockKey(schema: string | undefined): string {
  const digest = createHash('sha256').update(`switchyard-gateway-migrations:${schema ?? ''}`).digest();
  return digest.readBigInt64BE(0).toString();
}

/**
 * Opens the PostgreSQL store: a pool, then the migrations (under an advisory lock, so instances
 * starting together apply each once). Fails with a `server` error when the database cannot be
 * reached, a `config` error when `pg` is not installed.
 *
 * @example
 * const store = await openPostgresKeyStore({ url: 'postgres://gateway@db:5432/switchyard' });
 */
export async function openPostgresKeyStore(options: PostgresKeyStoreOptions): Promise<KeyStore> {
  if (options.schema !== undefined && !/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(options.schema)) {
    throw new SwitchyardError({ category: 'config', field: 'schema', message: 'the PostgreSQL schema must be a plain identifier (letters, digits, "_")' });
  }
  const Pool = await loadDriver();
  const logger = options.logger ?? ((message: string) => console.warn(message));
  const pool = new Pool({
    connectionString: options.url,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
    query_timeout: options.queryTimeoutMs ?? 10_000,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    application_name: 'switchyard-gateway',
  });
  // An idle client whose connection drops emits 'error' on the pool; unheard, it would end the process.
  pool.on('error', (error) => logger(`[switchyard] gateway key store: an idle PostgreSQL connection failed (${(error as { code?: string }).code ?? error.message}); it is replaced on next use`));
  const tables = storeTables(options.schema);
  const now = options.now ?? Date.now;
  try {
    await migrate(pool, tables, options.schema, now());
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
  return new PostgresKeyStore(pool, tables, now, options.closedReservationRetentionMs ?? DAY_MS);
}

async function migrate(pool: Pool, tables: StoreTables, schema: string | undefined, now: number): Promise<void> {
  await withTransaction(pool, 'migrate', async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [migrationLockKey(schema)]);
    if (schema !== undefined) {
      const existing = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
      if (existing.rowCount === 0) await client.query(`CREATE SCHEMA ${quoteIdentifier(schema)}`);
    }
    await client.query(migrationsTableStatement(tables));
    const applied = (await client.query<Row>(appliedVersionsStatement(tables))).rows.map((row) => Number(row.version));
    for (const migration of pendingMigrations(applied)) {
      for (const statement of migration.statements(tables)) await client.query(statement);
      await client.query(recordMigrationStatement(tables), [migration.version, migration.name, now]);
    }
  });
}

/** Runs `body` in a transaction on one pooled client; a client whose connection broke is discarded. */
async function withTransaction<T>(pool: Pool, operation: string, body: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await guardStore(operation, () => pool.connect());
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await body(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch((rollbackError: unknown) => {
      broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
    });
    throw SwitchyardError.isInstance(error) ? error : storeUnavailable(operation, error);
  } finally {
    client.release(broken);
  }
}

class PostgresKeyStore implements KeyStore {
  readonly kind = 'postgres' as const;
  private readonly statements: Readonly<Record<StatementName, string>>;
  private readonly named = new Map<string, string>();

  constructor(
    private readonly pool: Pool,
    private readonly tables: StoreTables,
    private readonly now: () => number,
    private readonly retentionMs: number,
  ) {
    this.statements = postgresStatements(tables);
  }

  /** A prepared-statement config: the name is derived from the text, so one text is prepared once per connection. */
  private prepared(name: StatementName, values: readonly unknown[]): QueryConfig<unknown[]> {
    const text = this.statements[name];
    let preparedName = this.named.get(name);
    if (preparedName === undefined) {
      preparedName = `sy_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
      this.named.set(name, preparedName);
    }
    return { name: preparedName, text, values: [...values] };
  }

  private async rows(operation: string, query: QueryConfig<unknown[]> | string, values?: readonly unknown[]): Promise<Row[]> {
    return guardStore(operation, async () => {
      const result = typeof query === 'string' ? await this.pool.query<Row>(query, values === undefined ? [] : [...values]) : await this.pool.query<Row>(query);
      return result.rows;
    });
  }

  async createKey(input: Parameters<KeyStore['createKey']>[0]): ReturnType<KeyStore['createKey']> {
    const columns = settingColumnsOf(input);
    const plainKey = generateKey();
    const identity = { id: generateKeyId(), hash: hashKey(plainKey), displayPrefix: displayPrefixOf(plainKey), source: 'store' as const, now: this.now() };
    const [row] = await this.rows('createKey', this.statements.insertKey, keyInsertArguments(identity, columns));
    if (row === undefined) throw storeUnavailable('createKey', new Error('the insert returned no row'));
    return { record: keyRecordOf(row), plainKey };
  }

  async findByHash(hash: string): Promise<KeyRecord | undefined> {
    const [row] = await this.rows('findByHash', this.prepared('selectKeyByHash', [hash]));
    return row === undefined ? undefined : keyRecordOf(row);
  }

  async getKey(id: string): Promise<KeyRecord | undefined> {
    const [row] = await this.rows('getKey', this.statements.selectKeyById, [id]);
    return row === undefined ? undefined : keyRecordOf(row);
  }

  async listKeys(options: { readonly tenant?: string } = {}): Promise<readonly KeyRecord[]> {
    const rows = options.tenant === undefined ? await this.rows('listKeys', this.statements.selectKeys) : await this.rows('listKeys', this.statements.selectTenantKeys, [options.tenant]);
    return rows.map(keyRecordOf);
  }

  async updateKey(id: string, patch: Parameters<KeyStore['updateKey']>[1]): Promise<KeyRecord | undefined> {
    const columns = Object.entries(patchColumnsOf(patch));
    if (columns.length === 0) return this.getKey(id);
    const sql = updateKeyStatement(
      this.tables,
      columns.map(([column]) => column),
    );
    const [row] = await this.rows('updateKey', sql, [id, ...columns.map(([, value]) => value), this.now()]);
    return row === undefined ? undefined : keyRecordOf(row);
  }

  async deleteKey(id: string): Promise<boolean> {
    return guardStore('deleteKey', async () => ((await this.pool.query(this.statements.deleteKey, [id])).rowCount ?? 0) > 0);
  }

  async syncConfigKeys(keys: readonly ConfigKeyInput[]): Promise<ConfigKeySyncResult> {
    const prepared = keys.map((key) => ({ key, columns: settingColumnsOf(key) }));
    return withTransaction(this.pool, 'syncConfigKeys', async (client) => {
      const now = this.now();
      let created = 0;
      const records: KeyRecord[] = [];
      for (const { key, columns } of prepared) {
        const id = generateKeyId();
        const { rows } = await client.query<Row>(this.statements.upsertConfigKey, keyInsertArguments({ id, hash: key.hash, displayPrefix: key.displayPrefix, source: 'config', now }, columns));
        const row = rows[0];
        if (row === undefined) throw storeUnavailable('syncConfigKeys', new Error('the upsert returned no row'));
        if (row.id === id) created += 1;
        records.push(keyRecordOf(row));
      }
      const declared = new Set(keys.map((key) => key.hash));
      let disabled = 0;
      for (const row of (await client.query<Row>(this.statements.selectConfigKeyHashes)).rows) {
        if (declared.has(String(row.key_hash))) continue;
        disabled += (await client.query(this.statements.disableKey, [row.id, now])).rowCount ?? 0;
      }
      return { records, created, updated: records.length - created, disabled };
    });
  }

  async reserve(input: Parameters<KeyStore['reserve']>[0]): Promise<ReserveResult> {
    const now = this.now();
    const reservationId = generateReservationId('held');
    const parameters = [input.keyId, checkTokenCount(input.tokens, 'tokens'), checkUsd(input.usd, 'usd'), now, reservationId, input.requestId, input.route ?? null, input.model ?? null, Math.round(input.expiresAt)];
    const [held] = await this.rows('reserve', this.prepared('reserve', parameters));
    if (held !== undefined) return { ok: true, reservationId };
    const [state] = await this.rows('reserve', this.prepared('selectKeyState', [input.keyId]));
    const refusal = refusalOf(state, now);
    return refusal === 'unheld' ? { ok: true, reservationId: generateReservationId('unheld') } : { ok: false, reason: refusal };
  }

  async reserveBatch(inputs: readonly ReserveInput[]): Promise<readonly ReserveResult[]> {
    for (const input of inputs) {
      checkTokenCount(input.tokens, 'tokens');
      checkUsd(input.usd, 'usd');
    }
    const results: (ReserveResult | undefined)[] = new Array<ReserveResult | undefined>(inputs.length);
    // One statement per key, in parallel: each locks one key row, so batches never deadlock.
    const outcomes = await Promise.allSettled(
      [...groupByKey(inputs)].map(async ([keyId, indices]) => {
        if (indices.length > 1) {
          const now = this.now();
          const group = indices.map((index) => inputs[index] as ReserveInput);
          const ids = group.map(() => generateReservationId('held'));
          const tokens = group.map((input) => checkTokenCount(input.tokens, 'tokens'));
          const nanos = group.map((input) => checkUsd(input.usd, 'usd'));
          const sum = (values: readonly number[]): number => values.reduce((total, value) => total + value, 0);
          const parameters = [keyId, sum(tokens), sum(nanos), now, ids, group.map((input) => input.requestId), group.map((input) => input.route ?? null), group.map((input) => input.model ?? null), tokens, nanos, group.map((input) => Math.round(input.expiresAt))];
          const held = await this.rows('reserve', this.prepared('reserveFolded', parameters));
          if (held.length > 0) {
            indices.forEach((index, position) => (results[index] = { ok: true, reservationId: ids[position] as string }));
            return;
          }
        }
        // One by one, in order: the answers `reserve` gives called for each in turn.
        for (const index of indices) results[index] = await this.reserve(inputs[index] as ReserveInput);
      }),
    );
    const failure = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    if (failure === undefined) return results as ReserveResult[];
    // The batch fails as a whole: what other keys' statements held is released (best effort; a
    // hold left behind is charged at its expiry, like any reservation of a call that never settled).
    const held = results.flatMap((result) => (result !== undefined && result.ok && !isUnheldReservation(result.reservationId) ? [result.reservationId] : []));
    if (held.length > 0) await this.rows('reserve', this.statements.cancelReservations, [held]).catch(() => undefined);
    throw failure.reason;
  }

  async settleBatch(batch: SettlementBatch): Promise<readonly SettleResult[]> {
    const only = batch.settlements.length === 1 ? batch.settlements[0] : undefined;
    // A batch of one is the one-statement `settle` (its record, if unlimited, is its own id).
    if (only !== undefined && (only.reservationId === batch.id || !isUnheldReservation(only.reservationId))) return [await this.settle(only)];
    const checked = batch.settlements.map(checkSettlement);
    const first = firstOccurrences(checked);
    const settlements = checked.filter((_, index) => first[index]);
    const column = <T>(pick: (settlement: CheckedSettlement) => T): T[] => settlements.map(pick);
    const recordKey = settlements.find((settlement) => settlement.unheld)?.keyId ?? null;
    const parameters = [
      column((settlement) => settlement.reservationId),
      column((settlement) => settlement.keyId),
      column((settlement) => settlement.unheld),
      column((settlement) => settlement.day),
      column((settlement) => settlement.route),
      column((settlement) => settlement.model),
      column((settlement) => settlement.errors),
      column((settlement) => settlement.inputTokens),
      column((settlement) => settlement.outputTokens),
      column((settlement) => settlement.cachedTokens),
      column((settlement) => settlement.nanos),
      batch.id,
      recordKey,
      this.now(),
      column((settlement) => settlement.cacheWriteTokens),
      column((settlement) => settlement.reasoningTokens),
    ];
    const rows = await this.rows('settle', this.prepared('settleBatch', parameters));
    const charged = new Set(rows.map((row) => String(row.reservation_id)));
    return checked.map((settlement, index) => ({ charged: first[index] === true && charged.has(settlement.reservationId) }));
  }

  async settle(input: Parameters<KeyStore['settle']>[0]): ReturnType<KeyStore['settle']> {
    const settlement = checkSettlement(input);
    const usage = [
      settlement.day,
      settlement.route,
      settlement.model,
      settlement.errors,
      settlement.inputTokens,
      settlement.outputTokens,
      settlement.cachedTokens,
      settlement.inputTokens + settlement.outputTokens,
      settlement.nanos,
      settlement.cacheWriteTokens,
      settlement.reasoningTokens,
    ];
    const parameters = settlement.unheld ? [input.reservationId, input.keyId, this.now(), ...usage] : [input.reservationId, input.keyId, ...usage];
    const [result] = await this.rows('settle', this.prepared(settlement.unheld ? 'settleUnheld' : 'settleHeld', parameters));
    return { charged: Number(result?.charged ?? 0) > 0 };
  }

  async releaseExpired(now: number): ReturnType<KeyStore['releaseExpired']> {
    return withTransaction(this.pool, 'releaseExpired', async (client) => {
      const { rows: expired } = await client.query<Row>(this.statements.expireReservations, [now]);
      for (const reservation of expired) {
        const { key_id: keyId, tokens, usd_nanos: nanos } = reservation;
        await client.query(this.statements.chargeKey, [keyId, tokens, nanos, tokens, nanos]);
        await client.query(this.statements.addToLedger, [keyId, utcDay(Number(reservation.created_at)), reservation.route ?? '', reservation.model ?? '', 0, 1, 0, 0, 0, tokens, nanos, 0, 0]);
      }
      const pruned = (await client.query(this.statements.pruneReservations, [now - this.retentionMs])).rowCount ?? 0;
      return { released: expired.length, pruned };
    });
  }

  async usage(query: Parameters<KeyStore['usage']>[0]): ReturnType<KeyStore['usage']> {
    const rows = await this.rows('usage', this.statements.selectUsage, [query.keyId, query.from ?? FIRST_DAY, query.to ?? LAST_DAY]);
    return rows.map(usageRowOf);
  }

  async ping(): Promise<void> {
    await this.rows('ping', this.statements.ping);
  }

  async close(): Promise<void> {
    if (!this.pool.ended) await this.pool.end();
  }
}
