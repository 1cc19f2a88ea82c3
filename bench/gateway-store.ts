/**
 * `npx tsx bench/gateway-store.ts`: what the gateway's key store costs per call, on the embedded
 * SQLite store (a file in `--dir`, WAL, synchronous=NORMAL) and on PostgreSQL at `DATABASE_URL`
 * (skipped when unset). Rounds alternate the contenders (every order in turn, `roundOrder`), so
 * drift on a shared machine affects all alike; the table shows each one's median over rounds.
 *
 * Measured, one call after another (latency, µs per call):
 * - `authenticate` answered from the resilient store's cache (hash + map lookup);
 * - `reserve` + `settle` of a key with a finite quota (what every call of such a key costs);
 * - `reserve` + `settle` of an unlimited key through the resilient store (reserve is answered from
 *   memory; settle still writes the ledger);
 * and for PostgreSQL also calls per second with 16 calls in flight, on 16 keys and on one key
 * (every call then updates the same row), and a bare one-row UPDATE commit, the floor the
 * database's WAL flush puts under any write. Finally a raw better-sqlite3 commit of one `UPDATE`
 * with synchronous=NORMAL and =FULL on the same file system, the reason the store uses NORMAL.
 *
 * Also calls per second with 64 in flight on SQLite (one finite key; the unlimited key), where the
 * resilient store's group commit writes each event-loop turn's reservations and settlements in
 * one transaction. `--control <tree>` adds the SQLite and PostgreSQL reserve + settle rows of
 * another source tree's store (a copy before a change) to the same run, interleaved.
 *
 * Usage: `DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npx tsx bench/gateway-store.ts [--rounds 7 --calls 2000 --pg-calls 400 --dir /var/tmp --control /tmp/gw-before]`
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import pg from 'pg';
import { openPostgresKeyStore } from '../src/gateway/store/postgres-store.js';
import { createResilientKeyStore, type ResilientKeyStore } from '../src/gateway/store/resilient-store.js';
import { openSqliteKeyStore } from '../src/gateway/store/sqlite-store.js';
import type { KeyStore } from '../src/gateway/store/types.js';
import { loadLine, machineLine, median, roundOrder, runLoad } from './support.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '7' },
    calls: { type: 'string', default: '2000' },
    'pg-calls': { type: 'string', default: '400' },
    dir: { type: 'string', default: tmpdir() },
    control: { type: 'string' },
  },
});
const rounds = Number(values.rounds);
const sqliteCalls = Number(values.calls);
const postgresCalls = Number(values['pg-calls']);
const databaseUrl = process.env.DATABASE_URL === '' ? undefined : process.env.DATABASE_URL;
const directory = mkdtempSync(join(values.dir, 'switchyard-store-bench-'));
const fileSystem = (() => {
  try {
    return execFileSync('stat', ['-f', '-c', '%T', directory], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
})();
const schema = `sy_bench_${process.pid}`;
const FAR_FUTURE = Date.UTC(2100, 0, 1);
const DAY = '2026-03-01';

console.log(`${machineLine()}; ${loadLine()}`);
console.log(`SQLite file in ${directory} (${fileSystem}); PostgreSQL: ${databaseUrl === undefined ? 'DATABASE_URL unset, skipped' : 'DATABASE_URL'}`);

/** A store, a resilient view of it, a finite key and an unlimited key (both authenticated once). */
interface Setup {
  readonly store: KeyStore;
  readonly keys: ResilientKeyStore;
  readonly finite: readonly { id: string; plainKey: string }[];
  readonly unlimited: { id: string; plainKey: string };
}

/** The store modules of one source tree. */
interface StoreModules {
  readonly openSqliteKeyStore: typeof openSqliteKeyStore;
  readonly openPostgresKeyStore: typeof openPostgresKeyStore;
  readonly createResilientKeyStore: typeof createResilientKeyStore;
}

const thisTree: StoreModules = { openSqliteKeyStore, openPostgresKeyStore, createResilientKeyStore };

/** Another tree's store modules, loaded from its sources. */
async function loadTree(tree: string): Promise<StoreModules> {
  const load = async <T>(file: string): Promise<T> => (await import(pathToFileURL(join(resolve(tree), 'src/gateway/store', file)).href)) as T;
  const [sqliteModule, postgresModule, resilientModule] = await Promise.all([
    load<{ openSqliteKeyStore: typeof openSqliteKeyStore }>('sqlite-store.ts'),
    load<{ openPostgresKeyStore: typeof openPostgresKeyStore }>('postgres-store.ts'),
    load<{ createResilientKeyStore: typeof createResilientKeyStore }>('resilient-store.ts'),
  ]);
  return { openSqliteKeyStore: sqliteModule.openSqliteKeyStore, openPostgresKeyStore: postgresModule.openPostgresKeyStore, createResilientKeyStore: resilientModule.createResilientKeyStore };
}

async function setUp(store: KeyStore, finiteKeys: number, modules: StoreModules = thisTree): Promise<Setup> {
  const keys = modules.createResilientKeyStore(store, { sweepIntervalMs: 0, cacheTtlMs: 3_600_000 });
  const finite = [];
  for (let index = 0; index < finiteKeys; index += 1) {
    const { record, plainKey } = await store.createKey({ name: `finite-${index}`, quota: { tokens: Number.MAX_SAFE_INTEGER, usd: 1_000_000 } });
    finite.push({ id: record.id, plainKey });
  }
  const created = await store.createKey({ name: 'unlimited', quota: 'unlimited' });
  const unlimited = { id: created.record.id, plainKey: created.plainKey };
  for (const key of [...finite, unlimited]) await keys.authenticate(key.plainKey);
  return { store, keys, finite, unlimited };
}

/** One call of a key: reserve, then settle its usage. */
async function reserveAndSettle(keys: ResilientKeyStore, keyId: string): Promise<void> {
  const reservation = await keys.reserve({ keyId, requestId: 'bench', tokens: 1_000, usd: 0.01, expiresAt: FAR_FUTURE, route: 'chat', model: 'm' });
  if (!reservation.ok) throw new Error(`reserve refused: ${reservation.reason}`);
  await keys.settle({ reservationId: reservation.reservationId, keyId, route: 'chat', model: 'm', day: DAY, outcome: 'ok', inputTokens: 300, outputTokens: 200, cachedTokens: 0, usd: 0.005 });
}

/** Microseconds per call over `calls` sequential calls. */
async function perCall(calls: number, call: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  for (let index = 0; index < calls; index += 1) await call();
  return ((performance.now() - started) * 1_000) / calls;
}

/** Microseconds per commit of one UPDATE on a file database with the given synchronous mode. */
function rawCommit(path: string, synchronous: 'NORMAL' | 'FULL', commits: number): number {
  const database = new Database(path);
  database.pragma('journal_mode = WAL');
  database.pragma(`synchronous = ${synchronous}`);
  database.exec('CREATE TABLE IF NOT EXISTS counter (id INTEGER PRIMARY KEY, value INTEGER NOT NULL); INSERT OR IGNORE INTO counter VALUES (1, 0)');
  const update = database.prepare('UPDATE counter SET value = value + 1 WHERE id = 1');
  const transaction = database.transaction(() => update.run());
  const commit = () => transaction.immediate();
  const started = performance.now();
  for (let index = 0; index < commits; index += 1) commit();
  const microseconds = ((performance.now() - started) * 1_000) / commits;
  database.close();
  return microseconds;
}

const sqlite = await setUp(await openSqliteKeyStore({ path: join(directory, 'gateway.db') }), 1);
const postgres = databaseUrl === undefined ? undefined : await setUp(await openPostgresKeyStore({ url: databaseUrl, schema, maxConnections: 16 }), 16);

const closers: (() => Promise<unknown>)[] = [];
type Contender = { readonly name: string; readonly unit: 'µs/call' | 'calls/s'; run(): Promise<number> };
const contenders: Contender[] = [
  { name: 'authenticate from cache', unit: 'µs/call', run: () => perCall(sqliteCalls * 10, () => sqlite.keys.authenticate(sqlite.unlimited.plainKey)) },
  { name: 'SQLite reserve + settle, finite quota', unit: 'µs/call', run: () => perCall(sqliteCalls, () => reserveAndSettle(sqlite.keys, sqlite.finite[0]?.id ?? '')) },
  { name: 'SQLite reserve + settle, unlimited', unit: 'µs/call', run: () => perCall(sqliteCalls, () => reserveAndSettle(sqlite.keys, sqlite.unlimited.id)) },
  { name: 'raw SQLite commit, synchronous=NORMAL', unit: 'µs/call', run: () => Promise.resolve(rawCommit(join(directory, 'raw-normal.db'), 'NORMAL', sqliteCalls)) },
  { name: 'raw SQLite commit, synchronous=FULL', unit: 'µs/call', run: () => Promise.resolve(rawCommit(join(directory, 'raw-full.db'), 'FULL', Math.max(50, sqliteCalls / 10))) },
];
contenders.splice(
  3,
  0,
  { name: 'SQLite reserve + settle, 64 in flight, one finite key', unit: 'calls/s', run: async () => (await runLoad(sqliteCalls * 2, 64, () => reserveAndSettle(sqlite.keys, sqlite.finite[0]?.id ?? ''))).perSecond },
  { name: 'SQLite reserve + settle, 64 in flight, unlimited key', unit: 'calls/s', run: async () => (await runLoad(sqliteCalls * 2, 64, () => reserveAndSettle(sqlite.keys, sqlite.unlimited.id))).perSecond },
);
const controlTree = values.control;
const control = controlTree === undefined ? undefined : await loadTree(controlTree);
const controlSqlite = control === undefined ? undefined : await setUp(await control.openSqliteKeyStore({ path: join(directory, 'control.db') }), 1, control);
const controlPostgres =
  control === undefined || databaseUrl === undefined ? undefined : await setUp(await control.openPostgresKeyStore({ url: databaseUrl, schema: `${schema}_control`, maxConnections: 16 }), 16, control);
if (controlSqlite !== undefined) {
  const label = `(control: ${controlTree})`;
  contenders.push(
    { name: `SQLite reserve + settle, finite quota ${label}`, unit: 'µs/call', run: () => perCall(sqliteCalls, () => reserveAndSettle(controlSqlite.keys, controlSqlite.finite[0]?.id ?? '')) },
    { name: `SQLite reserve + settle, 64 in flight, one finite key ${label}`, unit: 'calls/s', run: async () => (await runLoad(sqliteCalls * 2, 64, () => reserveAndSettle(controlSqlite.keys, controlSqlite.finite[0]?.id ?? ''))).perSecond },
    { name: `SQLite reserve + settle, 64 in flight, unlimited key ${label}`, unit: 'calls/s', run: async () => (await runLoad(sqliteCalls * 2, 64, () => reserveAndSettle(controlSqlite.keys, controlSqlite.unlimited.id))).perSecond },
  );
}
if (controlPostgres !== undefined) {
  let nextControl = 0;
  const label = `(control: ${controlTree})`;
  contenders.push(
    { name: `PostgreSQL reserve + settle, finite quota ${label}`, unit: 'µs/call', run: () => perCall(postgresCalls, () => reserveAndSettle(controlPostgres.keys, controlPostgres.finite[0]?.id ?? '')) },
    {
      name: `PostgreSQL reserve + settle, 16 in flight, 16 keys ${label}`,
      unit: 'calls/s',
      run: async () => (await runLoad(postgresCalls * 4, 16, () => reserveAndSettle(controlPostgres.keys, controlPostgres.finite[(nextControl += 1) % 16]?.id ?? ''))).perSecond,
    },
    {
      name: `PostgreSQL reserve + settle, 16 in flight, one key ${label}`,
      unit: 'calls/s',
      run: async () => (await runLoad(postgresCalls * 4, 16, () => reserveAndSettle(controlPostgres.keys, controlPostgres.finite[0]?.id ?? ''))).perSecond,
    },
  );
}
if (postgres !== undefined && databaseUrl !== undefined) {
  const [firstFinite] = postgres.finite;
  let next = 0;
  // The floor under every write: one autocommitted one-row UPDATE (a WAL flush per commit).
  const bare = new pg.Client({ connectionString: databaseUrl });
  await bare.connect();
  await bare.query(`CREATE TABLE "${schema}".bench_counter (id INTEGER PRIMARY KEY, value BIGINT NOT NULL); INSERT INTO "${schema}".bench_counter VALUES (1, 0)`);
  closers.push(() => bare.end());
  contenders.push(
    { name: 'PostgreSQL bare one-row UPDATE commit (the disk floor)', unit: 'µs/call', run: () => perCall(postgresCalls, () => bare.query(`UPDATE "${schema}".bench_counter SET value = value + 1 WHERE id = 1`)) },
    { name: 'PostgreSQL reserve + settle, finite quota', unit: 'µs/call', run: () => perCall(postgresCalls, () => reserveAndSettle(postgres.keys, firstFinite?.id ?? '')) },
    { name: 'PostgreSQL reserve + settle, unlimited', unit: 'µs/call', run: () => perCall(postgresCalls, () => reserveAndSettle(postgres.keys, postgres.unlimited.id)) },
    {
      name: 'PostgreSQL reserve + settle, 16 in flight, 16 keys',
      unit: 'calls/s',
      run: async () => (await runLoad(postgresCalls * 4, 16, () => reserveAndSettle(postgres.keys, postgres.finite[(next += 1) % 16]?.id ?? ''))).perSecond,
    },
    {
      name: 'PostgreSQL reserve + settle, 16 in flight, one key',
      unit: 'calls/s',
      run: async () => (await runLoad(postgresCalls * 4, 16, () => reserveAndSettle(postgres.keys, firstFinite?.id ?? ''))).perSecond,
    },
  );
}

// Warm-up: statements prepared, connections open, JIT settled.
for (const contender of contenders) await contender.run();
const samples = contenders.map(() => [] as number[]);
for (let round = 0; round < rounds; round += 1) {
  // Every order of a few contenders would need 40,320 rounds for 8; rotate instead so each runs in each position.
  const order = contenders.length <= 4 ? roundOrder(round, contenders.length) : contenders.map((_, index) => (index + round) % contenders.length);
  for (const index of order) samples[index]?.push(await (contenders[index] as Contender).run());
}

console.log(`\n| measured (median of ${rounds} rounds) | value |\n|---|---|`);
contenders.forEach((contender, index) => {
  const value = median(samples[index] ?? []);
  console.log(`| ${contender.name} | ${contender.unit === 'calls/s' ? Math.round(value).toLocaleString('en') : value.toFixed(1)} ${contender.unit} |`);
});

for (const close of closers) await close();
await sqlite.keys.close({ flushTimeoutMs: 1_000 });
await controlSqlite?.keys.close({ flushTimeoutMs: 1_000 });
await controlPostgres?.keys.close({ flushTimeoutMs: 1_000 });
if (postgres !== undefined) {
  await postgres.keys.close({ flushTimeoutMs: 1_000 });
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.query(`DROP SCHEMA IF EXISTS "${schema}_control" CASCADE`);
  await client.end();
}
rmSync(directory, { recursive: true, force: true });
