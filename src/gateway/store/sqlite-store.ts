/**
 * The embedded key store: one SQLite file through better-sqlite3 (an optional peer dependency,
 * loaded when a store is opened). WAL journal, so readers never wait for the writer;
 * `synchronous = NORMAL`: in WAL mode a commit survives a crash of the process (it is in the OS's
 * cache), only a power loss can drop the last commits, while FULL would fsync inside every
 * reserve and settle and better-sqlite3, being synchronous, would block the event loop for it.
 *
 * Statements run synchronously (microseconds; no connection pool, no round trip), each
 * multi-statement operation in a `BEGIN IMMEDIATE` transaction so that several processes on one
 * file serialise their writes without deadlocking on a lock upgrade.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { generateKey, generateKeyId, generateReservationId, hashKey, displayPrefixOf } from './key-format.js';
import { checkTokenCount, checkUsd, patchColumnsOf, settingColumnsOf } from './key-input.js';
import { keyInsertArguments, keyRecordOf, refusalOf, type Row, usageRowOf } from './key-rows.js';
import { appliedVersionsStatement, migrationsTableStatement, pendingMigrations, recordMigrationStatement } from './migrations.js';
import { FIRST_DAY, LAST_DAY, sharedStatements, storeTables, toSqlitePlaceholders, updateKeyStatement } from './sql-statements.js';
import { SwitchyardError } from '../../errors.js';
import { guardStore, isModuleMissing, missingDriver, storeUnavailable } from './store-errors.js';
import { checkSettlement, firstOccurrences, foldSettlements, groupByKey, type ClaimedSettlement } from './group-commit.js';
import { utcDay, type ConfigKeyInput, type ConfigKeySyncResult, type KeyRecord, type KeyStore, type ReserveInput, type ReserveResult, type SettleResult, type SettlementBatch } from './types.js';

/** Options of the embedded store. */
export interface SqliteKeyStoreOptions {
  /**
   * The database file (created if missing); `:memory:` for a store that lives and dies with the
   * process (tests).
   * @default './switchyard-gateway.db'
   */
  readonly path?: string;
  /**
   * How long an unlimited key's settled call is remembered (its row is the record that it was
   * settled): a settlement retried within it charges nothing twice. A finite key's reservation
   * needs no such record: it is deleted when settled, and a settle that finds none charges nothing.
   * @default 86_400_000 (24 hours)
   */
  readonly closedReservationRetentionMs?: number;
  /**
   * How long a write waits for another process's lock on the file.
   * @default 5_000
   */
  readonly busyTimeoutMs?: number;
  /** The clock (epoch milliseconds). @default Date.now */
  readonly now?: () => number;
}

/** The default file of the embedded store. */
export const DEFAULT_SQLITE_PATH = './switchyard-gateway.db';

const DAY_MS = 86_400_000;

type Database = BetterSqlite3.Database;
type DatabaseConstructor = new (filename: string, options?: BetterSqlite3.Options) => Database;

async function loadDriver(): Promise<DatabaseConstructor> {
  try {
    const module = (await import('better-sqlite3')) as unknown as { default?: DatabaseConstructor };
    if (typeof module.default !== 'function') throw new Error('better-sqlite3 has no default export');
    return module.default;
  } catch (error) {
    if (isModuleMissing(error, 'better-sqlite3')) throw missingDriver('better-sqlite3', 'npm i better-sqlite3@12', error);
    throw error;
  }
}

/** A statement prepared once, bound from a `$n`-style argument list. */
class SqliteStatement {
  private readonly statement: BetterSqlite3.Statement<unknown[], Row>;
  private readonly argumentOrder: readonly number[];

  constructor(database: Database, sql: string) {
    const { text, argumentOrder } = toSqlitePlaceholders(sql);
    this.statement = database.prepare<unknown[], Row>(text);
    this.argumentOrder = argumentOrder;
  }

  private bind(parameters: readonly unknown[]): unknown[] {
    return this.argumentOrder.map((index) => parameters[index]);
  }

  get(parameters: readonly unknown[] = []): Row | undefined {
    return this.statement.get(...this.bind(parameters));
  }

  all(parameters: readonly unknown[] = []): Row[] {
    return this.statement.all(...this.bind(parameters));
  }

  run(parameters: readonly unknown[] = []): number {
    return this.statement.run(...this.bind(parameters)).changes;
  }
}

/**
 * Opens (creating if needed) the embedded store and applies its migrations.
 *
 * @example
 * const store = await openSqliteKeyStore({ path: './switchyard-gateway.db' });
 * const { record, plainKey } = await store.createKey({ name: 'billing-service', quota: { usd: 50 } });
 */
export async function openSqliteKeyStore(options: SqliteKeyStoreOptions = {}): Promise<KeyStore> {
  const Database = await loadDriver();
  const path = options.path ?? DEFAULT_SQLITE_PATH;
  const now = options.now ?? Date.now;
  const retentionMs = options.closedReservationRetentionMs ?? DAY_MS;
  const database = await guardStore('open', () => {
    const opened = new Database(path, { timeout: options.busyTimeoutMs ?? 5_000 });
    if (path !== ':memory:') opened.pragma('journal_mode = WAL');
    opened.pragma('synchronous = NORMAL');
    return opened;
  });
  try {
    await guardStore('migrate', () => migrate(database, now()));
  } catch (error) {
    database.close();
    throw error;
  }
  return new SqliteKeyStore(database, now, retentionMs);
}

/** Applies pending migrations in one synchronous `BEGIN IMMEDIATE` transaction. */
function migrate(database: Database, now: number): void {
  const tables = storeTables();
  const run = (sql: string, parameters: readonly unknown[] = []): Row[] => {
    const { text, argumentOrder } = toSqlitePlaceholders(sql);
    const statement = database.prepare<unknown[], Row>(text);
    const bound = argumentOrder.map((index) => parameters[index]);
    if (statement.reader) return statement.all(...bound);
    statement.run(...bound);
    return [];
  };
  database
    .transaction(() => {
      run(migrationsTableStatement(tables));
      const applied = run(appliedVersionsStatement(tables)).map((row) => Number(row.version));
      for (const migration of pendingMigrations(applied)) {
        for (const statement of migration.statements(tables)) run(statement);
        run(recordMigrationStatement(tables), [migration.version, migration.name, now]);
      }
    })
    .immediate();
}

/** A batch's work waiting for the turn's transaction. */
interface TurnWork {
  readonly operation: string;
  readonly work: () => unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

class SqliteKeyStore implements KeyStore {
  readonly kind = 'sqlite' as const;
  private readonly statements: { readonly [Name in keyof ReturnType<typeof sharedStatements>]: SqliteStatement };
  private readonly tables = storeTables();
  /** The per-call transactions, built once (better-sqlite3 builds five wrapper functions per `transaction()`). */
  private readonly reserveTransaction: BetterSqlite3.Transaction<(parameters: readonly unknown[]) => boolean>;
  /** Work asked for in this turn, committed together (`inTurnTransaction`). */
  private readonly turnWork: TurnWork[] = [];
  private readonly turnTransaction: BetterSqlite3.Transaction<(queued: readonly TurnWork[]) => { readonly ok: boolean; readonly value: unknown }[]>;
  private readonly settleTransaction: BetterSqlite3.Transaction<(claimStatement: SqliteStatement, claim: readonly unknown[], charge: readonly unknown[], ledger: readonly unknown[]) => boolean>;

  constructor(
    private readonly database: Database,
    private readonly now: () => number,
    private readonly retentionMs: number,
  ) {
    const texts = sharedStatements(this.tables);
    this.statements = Object.fromEntries(Object.entries(texts).map(([name, sql]) => [name, new SqliteStatement(database, sql)])) as SqliteKeyStore['statements'];
    const statements = this.statements;
    this.reserveTransaction = database.transaction((parameters: readonly unknown[]) => {
      if (statements.holdQuota.get(parameters) === undefined) return false;
      statements.insertReservation.run(parameters);
      return true;
    });
    // Nested inside `turnTransaction`, better-sqlite3 runs it as a savepoint.
    const savepoint = database.transaction((work: () => unknown) => work());
    this.turnTransaction = database.transaction((queued: readonly TurnWork[]) =>
      queued.map((item) => {
        try {
          return { ok: true, value: savepoint(item.work) };
        } catch (error) {
          return { ok: false, value: error };
        }
      }),
    );
    this.settleTransaction = database.transaction((claimStatement: SqliteStatement, claim: readonly unknown[], charge: readonly unknown[], ledger: readonly unknown[]) => {
      const claimed = claimStatement.get(claim);
      if (claimed === undefined) return false;
      statements.chargeKey.run([claimed.key_id, charge[0], charge[1], claimed.tokens, claimed.usd_nanos]);
      statements.addToLedger.run(ledger);
      return true;
    });
  }

  /** Runs `body` in a `BEGIN IMMEDIATE` transaction, as `run` does. */
  private runInTransaction<T>(operation: string, body: () => T): Promise<T> {
    return this.run(operation, () => this.database.transaction(body).immediate());
  }

  /** Runs `body` (synchronous) into a settled promise; a driver failure becomes store-unavailable, input errors pass. */
  private run<T>(operation: string, body: () => T): Promise<T> {
    try {
      return Promise.resolve(body());
    } catch (error) {
      return Promise.reject(SwitchyardError.isInstance(error) ? error : storeUnavailable(operation, error));
    }
  }

  createKey(input: Parameters<KeyStore['createKey']>[0]): ReturnType<KeyStore['createKey']> {
    return this.run('createKey', () => {
      const columns = settingColumnsOf(input);
      const plainKey = generateKey();
      const identity = { id: generateKeyId(), hash: hashKey(plainKey), displayPrefix: displayPrefixOf(plainKey), source: 'store' as const, now: this.now() };
      const row = this.statements.insertKey.get(keyInsertArguments(identity, columns));
      if (row === undefined) throw storeUnavailable('createKey', new Error('the insert returned no row'));
      return { record: keyRecordOf(row), plainKey };
    });
  }

  findByHash(hash: string): Promise<KeyRecord | undefined> {
    return this.run('findByHash', () => {
      const row = this.statements.selectKeyByHash.get([hash]);
      return row === undefined ? undefined : keyRecordOf(row);
    });
  }

  getKey(id: string): Promise<KeyRecord | undefined> {
    return this.run('getKey', () => {
      const row = this.statements.selectKeyById.get([id]);
      return row === undefined ? undefined : keyRecordOf(row);
    });
  }

  listKeys(options: { readonly tenant?: string } = {}): Promise<readonly KeyRecord[]> {
    return this.run('listKeys', () => {
      const rows = options.tenant === undefined ? this.statements.selectKeys.all() : this.statements.selectTenantKeys.all([options.tenant]);
      return rows.map(keyRecordOf);
    });
  }

  updateKey(id: string, patch: Parameters<KeyStore['updateKey']>[1]): Promise<KeyRecord | undefined> {
    return this.run('updateKey', () => {
      const columns = Object.entries(patchColumnsOf(patch));
      if (columns.length === 0) {
        const row = this.statements.selectKeyById.get([id]);
        return row === undefined ? undefined : keyRecordOf(row);
      }
      const sql = updateKeyStatement(
        this.tables,
        columns.map(([column]) => column),
      );
      const row = new SqliteStatement(this.database, sql).get([id, ...columns.map(([, value]) => value), this.now()]);
      return row === undefined ? undefined : keyRecordOf(row);
    });
  }

  deleteKey(id: string): Promise<boolean> {
    return this.run('deleteKey', () => this.statements.deleteKey.run([id]) > 0);
  }

  syncConfigKeys(keys: readonly ConfigKeyInput[]): Promise<ConfigKeySyncResult> {
    return this.run('syncConfigKeys', () => {
      const prepared = keys.map((key) => ({ key, columns: settingColumnsOf(key) }));
      const sync = (): ConfigKeySyncResult => {
        const now = this.now();
        let created = 0;
        const records = prepared.map(({ key, columns }) => {
          const id = generateKeyId();
          const row = this.statements.upsertConfigKey.get(keyInsertArguments({ id, hash: key.hash, displayPrefix: key.displayPrefix, source: 'config', now }, columns));
          if (row === undefined) throw storeUnavailable('syncConfigKeys', new Error('the upsert returned no row'));
          if (row.id === id) created += 1;
          return keyRecordOf(row);
        });
        const declared = new Set(keys.map((key) => key.hash));
        let disabled = 0;
        for (const row of this.statements.selectConfigKeyHashes.all()) {
          if (!declared.has(String(row.key_hash))) disabled += this.statements.disableKey.run([row.id, now]);
        }
        return { records, created, updated: records.length - created, disabled };
      };
      return this.database.transaction(sync).immediate();
    });
  }

  reserve(input: Parameters<KeyStore['reserve']>[0]): Promise<ReserveResult> {
    return this.run('reserve', (): ReserveResult => {
      const now = this.now();
      const reservationId = generateReservationId('held');
      const parameters = [input.keyId, checkTokenCount(input.tokens, 'tokens'), checkUsd(input.usd, 'usd'), now, reservationId, input.requestId, input.route ?? null, input.model ?? null, Math.round(input.expiresAt)];
      if (this.reserveTransaction.immediate(parameters)) return { ok: true, reservationId };
      const refusal = refusalOf(this.statements.selectKeyState.get([input.keyId]), now);
      return refusal === 'unheld' ? { ok: true, reservationId: generateReservationId('unheld') } : { ok: false, reason: refusal };
    });
  }

  reserveBatch(inputs: readonly ReserveInput[]): Promise<readonly ReserveResult[]> {
    return this.run('reserve', () => {
      const now = this.now();
      const rows = inputs.map((input) => [input.keyId, checkTokenCount(input.tokens, 'tokens'), checkUsd(input.usd, 'usd'), now, generateReservationId('held'), input.requestId, input.route ?? null, input.model ?? null, Math.round(input.expiresAt)]);
      const { holdQuota, insertReservation, selectKeyState } = this.statements;
      const results: ReserveResult[] = new Array<ReserveResult>(inputs.length);
      const admit = (index: number): void => {
        const row = rows[index] as unknown[];
        insertReservation.run(row);
        results[index] = { ok: true, reservationId: row[4] as string };
      };
      const batch = (): void => {
        for (const [keyId, indices] of groupByKey(inputs)) {
          // Folded: one conditional update of the key's sum; when it does not fit, one by one in order.
          if (indices.length > 1) {
            let tokens = 0;
            let nanos = 0;
            for (const index of indices) {
              tokens += (rows[index] as unknown[])[1] as number;
              nanos += (rows[index] as unknown[])[2] as number;
            }
            if (holdQuota.get([keyId, tokens, nanos, now]) !== undefined) {
              for (const index of indices) admit(index);
              continue;
            }
          }
          let refusal: ReturnType<typeof refusalOf> | undefined;
          for (const index of indices) {
            if (holdQuota.get(rows[index]) !== undefined) {
              admit(index);
              continue;
            }
            refusal ??= refusalOf(selectKeyState.get([keyId]), now);
            results[index] = refusal === 'unheld' ? { ok: true, reservationId: generateReservationId('unheld') } : { ok: false, reason: refusal };
          }
        }
      };
      return this.inTurnTransaction('reserve', () => {
        batch();
        return results;
      });
    }).then((pending) => pending);
  }

  settleBatch(batch: SettlementBatch): Promise<readonly SettleResult[]> {
    return this.run('settle', () => {
      const settlements = batch.settlements.map(checkSettlement);
      const first = firstOccurrences(settlements);
      const now = this.now();
      const { claimHeldReservation, claimUnheldReservation, chargeKey, addFoldedToLedger } = this.statements;
      const write = (): boolean[] => {
        const charged = settlements.map(() => false);
        const claimed: ClaimedSettlement[] = [];
        const firstUnheld = settlements.find((settlement) => settlement.unheld);
        // Unlimited keys' calls: one record for the whole batch, not a row per call.
        const unheldClaimed = firstUnheld !== undefined && claimUnheldReservation.get([batch.id, firstUnheld.keyId, now]) !== undefined;
        settlements.forEach((settlement, index) => {
          if (!first[index]) return;
          if (settlement.unheld) {
            if (!unheldClaimed) return;
            claimed.push({ settlement, keyId: settlement.keyId, heldTokens: 0, heldNanos: 0 });
          } else {
            const row = claimHeldReservation.get([settlement.reservationId]);
            if (row === undefined) return;
            claimed.push({ settlement, keyId: String(row.key_id), heldTokens: Number(row.tokens), heldNanos: Number(row.usd_nanos) });
          }
          charged[index] = true;
        });
        const { charges, ledger } = foldSettlements(claimed);
        for (const charge of charges) chargeKey.run(charge);
        for (const addition of ledger) addFoldedToLedger.run(addition);
        return charged;
      };
      return this.inTurnTransaction('settle', () => write().map((charged) => ({ charged })));
    }).then((pending) => pending);
  }

  /**
   * Runs `work` in the transaction this turn's batches share: a `reserveBatch` and a
   * `settleBatch` asked for together (the resilient store asks for both at the end of a turn)
   * commit once. Each runs in a savepoint of its own, so one that fails takes nothing else with it.
   */
  private inTurnTransaction<T>(operation: string, work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.turnWork.push({ operation, work, resolve: resolve as (value: unknown) => void, reject });
      if (this.turnWork.length === 1) queueMicrotask(() => this.commitTurn());
    });
  }

  private commitTurn(): void {
    // Emptied in place, never replaced: the store may be reached through a wrapper whose prototype it is.
    const queued = this.turnWork.splice(0);
    let outcomes: { readonly ok: boolean; readonly value: unknown }[];
    try {
      outcomes = this.turnTransaction.immediate(queued);
    } catch (error) {
      for (const item of queued) item.reject(SwitchyardError.isInstance(error) ? error : storeUnavailable(item.operation, error));
      return;
    }
    queued.forEach((item, index) => {
      const outcome = outcomes[index];
      if (outcome?.ok === true) item.resolve(outcome.value);
      else item.reject(SwitchyardError.isInstance(outcome?.value) ? outcome.value : storeUnavailable(item.operation, outcome?.value));
    });
  }

  settle(input: Parameters<KeyStore['settle']>[0]): ReturnType<KeyStore['settle']> {
    return this.run('settle', () => {
      const { day, route, model, errors, inputTokens, outputTokens, cachedTokens, nanos, cacheWriteTokens, reasoningTokens, unheld } = checkSettlement(input);
      const now = this.now();
      const ledger = [input.keyId, day, route, model, errors, 0, inputTokens, outputTokens, cachedTokens, 0, nanos, cacheWriteTokens, reasoningTokens];
      const charge = [inputTokens + outputTokens, nanos];
      const charged = unheld
        ? this.settleTransaction.immediate(this.statements.claimUnheldReservation, [input.reservationId, input.keyId, now], charge, ledger)
        : this.settleTransaction.immediate(this.statements.claimHeldReservation, [input.reservationId], charge, ledger);
      return { charged };
    });
  }

  releaseExpired(now: number): ReturnType<KeyStore['releaseExpired']> {
    return this.runInTransaction('releaseExpired', () => {
      const expired = this.statements.expireReservations.all([now]);
      for (const reservation of expired) {
        const { key_id: keyId, tokens, usd_nanos: nanos } = reservation;
        this.statements.chargeKey.run([keyId, tokens, nanos, tokens, nanos]);
        this.statements.addToLedger.run([keyId, utcDay(Number(reservation.created_at)), reservation.route ?? '', reservation.model ?? '', 0, 1, 0, 0, 0, tokens, nanos, 0, 0]);
      }
      const pruned = this.statements.pruneReservations.run([now - this.retentionMs]);
      return { released: expired.length, pruned };
    });
  }

  usage(query: Parameters<KeyStore['usage']>[0]): ReturnType<KeyStore['usage']> {
    return this.run('usage', () => this.statements.selectUsage.all([query.keyId, query.from ?? FIRST_DAY, query.to ?? LAST_DAY]).map(usageRowOf));
  }

  ping(): Promise<void> {
    return this.run('ping', () => {
      this.statements.ping.get();
    });
  }

  close(): Promise<void> {
    return this.run('close', () => {
      if (this.database.open) this.database.close();
    });
  }
}
