/**
 * One contract for every key store backend: the same tests run against embedded SQLite and
 * PostgreSQL (`sqlite-store.test.ts`, `postgres-store.test.ts`).
 */
import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '../../../src/errors.js';
import { checkKeyAccess } from '../../../src/gateway/store/key-access.js';
import { hashKey } from '../../../src/gateway/store/key-format.js';
import { MIGRATIONS, migrationsTableStatement } from '../../../src/gateway/store/migrations.js';
import { utcDay, type KeyStore, type ReserveResult, type SettleInput } from '../../../src/gateway/store/types.js';
import type { StoreBackend } from './store-backends.js';

const FAR_FUTURE = Date.UTC(2100, 0, 1);

/** A settlement with defaults for what a test does not care about. */
function settlement(reservationId: string, keyId: string, changes: Partial<SettleInput> = {}): SettleInput {
  return {
    reservationId,
    keyId,
    route: 'chat',
    model: 'gpt-4o',
    day: '2026-03-01',
    outcome: 'ok',
    inputTokens: 300,
    outputTokens: 200,
    cachedTokens: 100,
    cacheWriteTokens: 50,
    reasoningTokens: 40,
    usd: 0.02,
    ...changes,
  };
}

function reservationOf(result: ReserveResult): string {
  if (!result.ok) throw new Error(`reservation refused: ${result.reason}`);
  return result.reservationId;
}

async function reserve(store: KeyStore, keyId: string, amounts: { tokens?: number; usd?: number; expiresAt?: number; route?: string; model?: string } = {}): Promise<ReserveResult> {
  return store.reserve({ keyId, requestId: `request-${Math.random()}`, tokens: amounts.tokens ?? 100, usd: amounts.usd ?? 0, expiresAt: amounts.expiresAt ?? FAR_FUTURE, route: amounts.route, model: amounts.model });
}

/** A clock a test moves by hand. */
function manualClock(start = Date.UTC(2026, 2, 1, 12)): { now: () => number; advance(milliseconds: number): void; set(value: number): void } {
  let current = start;
  return {
    now: () => current,
    advance: (milliseconds) => {
      current += milliseconds;
    },
    set: (value) => {
      current = value;
    },
  };
}

async function expectInvalid(promise: Promise<unknown>, field: string): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(SwitchyardError.isInstance(error), `expected a SwitchyardError, got ${String(error)}`).toBe(true);
  expect(error).toMatchObject({ category: 'invalid_request', field });
}

/** Registers the contract's tests for `backend`. */
export function describeKeyStoreContract(backend: StoreBackend): void {
  describe('keys', () => {
    it('creates a key that is shown once and stores only its hash', async () => {
      const database = backend.freshDatabase();
      const store = await database.open();
      const { record, plainKey } = await store.createKey({ name: 'billing', quota: { usd: 5 }, metadata: { team: 'payments' } });
      const other = await store.createKey({ name: 'billing', quota: { usd: 5 } });

      expect(plainKey).toMatch(/^sy-[A-Za-z0-9]{43}$/);
      expect(other.plainKey).not.toBe(plainKey);
      expect(record).toMatchObject({
        name: 'billing',
        tenant: 'billing',
        hash: hashKey(plainKey),
        displayPrefix: `${plainKey.slice(0, 7)}…`,
        routes: [],
        expiresAt: undefined,
        enabled: true,
        quota: { usd: 5 },
        used: { tokens: 0, usd: 0 },
        reserved: { tokens: 0, usd: 0 },
        limits: {},
        subnets: [],
        metadata: { team: 'payments' },
        source: 'store',
      });
      expect(record.id).toMatch(/^key_[A-Za-z0-9]{20}$/);
      expect(await store.findByHash(hashKey(plainKey))).toEqual(record);
      expect(await store.findByHash(hashKey(`${plainKey}x`))).toBeUndefined();

      const stored = JSON.stringify(await database.query(`SELECT * FROM ${database.tables.keys}`));
      expect(stored).toContain(record.hash);
      expect(stored).not.toContain(plainKey.slice(7));
      expect(stored).not.toContain(other.plainKey.slice(7));
    });

    it('refuses invalid settings, naming the field, and stores nothing', async () => {
      const store = await backend.openFresh();
      await expectInvalid(store.createKey({ name: 'a', quota: {} }), 'quota');
      await expectInvalid(store.createKey({ name: 'a', quota: { usd: -1 } }), 'quota.usd');
      await expectInvalid(store.createKey({ name: 'a', quota: { tokens: 1.5 } }), 'quota.tokens');
      await expectInvalid(store.createKey({ name: '', quota: 'unlimited' }), 'name');
      await expectInvalid(store.createKey({ name: 'a', quota: 'unlimited', subnets: ['10.0.0.0/33'] }), 'subnets[0]');
      await expectInvalid(store.createKey({ name: 'a', quota: 'unlimited', limits: { rpm: 0 } }), 'limits.rpm');
      expect(await store.listKeys()).toEqual([]);
    });

    it('lists (all, or by tenant), patches and deletes keys', async () => {
      const clock = manualClock();
      const store = await backend.openFresh({ now: clock.now });
      const first = await store.createKey({ name: 'a', tenant: 't1', quota: { tokens: 1_000 } });
      clock.advance(1);
      const second = await store.createKey({ name: 'b', tenant: 't2', quota: 'unlimited' });
      clock.advance(1);
      const third = await store.createKey({ name: 'c', tenant: 't1', quota: { usd: 1 } });

      expect((await store.listKeys()).map((record) => record.name)).toEqual(['a', 'b', 'c']);
      expect((await store.listKeys({ tenant: 't1' })).map((record) => record.name)).toEqual(['a', 'c']);

      clock.advance(1_000);
      const patched = await store.updateKey(first.record.id, {
        name: 'a2',
        enabled: false,
        routes: ['chat', 'chat'],
        quota: 'unlimited',
        expiresAt: FAR_FUTURE,
        limits: { rpm: 10, concurrency: 2 },
        subnets: ['10.1.2.3', 'fd00::/8'],
        metadata: { owner: 'ops' },
      });
      expect(patched).toMatchObject({
        id: first.record.id,
        hash: first.record.hash,
        name: 'a2',
        tenant: 't1',
        enabled: false,
        routes: ['chat'],
        quota: 'unlimited',
        expiresAt: FAR_FUTURE,
        limits: { rpm: 10, concurrency: 2 },
        subnets: ['10.1.2.3/32', 'fd00::/8'],
        metadata: { owner: 'ops' },
        createdAt: first.record.createdAt,
        updatedAt: first.record.createdAt + 1_002,
      });
      expect((await store.updateKey(first.record.id, { expiresAt: null, quota: { tokens: 5, usd: 0.5 } }))?.quota).toEqual({ tokens: 5, usd: 0.5 });
      expect((await store.getKey(first.record.id))?.expiresAt).toBeUndefined();
      expect(await store.updateKey('key_missing', { name: 'x' })).toBeUndefined();
      await expectInvalid(store.updateKey(first.record.id, { quota: {} }), 'quota');

      expect(await store.deleteKey(second.record.id)).toBe(true);
      expect(await store.deleteKey(second.record.id)).toBe(false);
      expect(await store.getKey(second.record.id)).toBeUndefined();
      expect(await store.findByHash(second.record.hash)).toBeUndefined();
      expect((await store.listKeys()).map((record) => record.id)).toEqual([first.record.id, third.record.id]);
      await store.ping();
    });

    it('keeps the routes and subnets a key may use', async () => {
      const store = await backend.openFresh();
      const { record } = await store.createKey({ name: 'a', quota: 'unlimited', routes: ['chat', 'openai/gpt-4o'], subnets: ['10.0.0.0/8', '2001:db8::/32'] });
      const stored = await store.findByHash(record.hash);
      if (stored === undefined) throw new Error('not found');
      const now = Date.now();
      expect(checkKeyAccess(stored, { now, route: 'chat', clientAddress: '10.20.30.40' })).toBeUndefined();
      expect(checkKeyAccess(stored, { now, route: 'openai/gpt-4o', clientAddress: '::ffff:10.0.0.1' })).toBeUndefined();
      expect(checkKeyAccess(stored, { now, route: 'embeddings' })).toBe('route_not_allowed');
      expect(checkKeyAccess(stored, { now, clientAddress: '192.168.1.1' })).toBe('address_not_allowed');
      expect(checkKeyAccess(stored, { now, clientAddress: '2001:db8::1' })).toBeUndefined();
      const open = await store.createKey({ name: 'b', quota: 'unlimited' });
      expect(checkKeyAccess(open.record, { now, route: 'anything', clientAddress: '192.168.1.1' })).toBeUndefined();
    });
  });

  describe('reservations', () => {
    it('refuses reservations of disabled, expired and unknown keys', async () => {
      const clock = manualClock();
      const store = await backend.openFresh({ now: clock.now });
      const disabled = await store.createKey({ name: 'd', quota: { tokens: 1_000 }, enabled: false });
      const disabledUnlimited = await store.createKey({ name: 'du', quota: 'unlimited', enabled: false });
      const expired = await store.createKey({ name: 'e', quota: { tokens: 1_000 }, expiresAt: clock.now() });
      const expiredUnlimited = await store.createKey({ name: 'eu', quota: 'unlimited', expiresAt: clock.now() - 1 });
      const expiring = await store.createKey({ name: 'x', quota: { tokens: 1_000 }, expiresAt: clock.now() + 1 });

      expect(await reserve(store, disabled.record.id)).toEqual({ ok: false, reason: 'disabled' });
      expect(await reserve(store, disabledUnlimited.record.id)).toEqual({ ok: false, reason: 'disabled' });
      expect(await reserve(store, expired.record.id)).toEqual({ ok: false, reason: 'expired' });
      expect(await reserve(store, expiredUnlimited.record.id)).toEqual({ ok: false, reason: 'expired' });
      expect(await reserve(store, 'key_unknown')).toEqual({ ok: false, reason: 'unknown' });
      expect((await reserve(store, expiring.record.id)).ok).toBe(true);
      clock.advance(1);
      expect(await reserve(store, expiring.record.id)).toEqual({ ok: false, reason: 'expired' });
      expect(await reserve(store, expiring.record.id, { tokens: 10_000 })).toEqual({ ok: false, reason: 'expired' });

      await store.updateKey(disabled.record.id, { enabled: true });
      expect((await reserve(store, disabled.record.id)).ok).toBe(true);
    });

    it('admits exactly N calls of a token quota across two instances, 5×N trying at once', async () => {
      const database = backend.freshDatabase();
      const [first, second] = await Promise.all([database.open(), database.open()]);
      const calls = 8;
      const { record } = await first.createKey({ name: 'tokens', quota: { tokens: calls * 100 } });

      const results = await Promise.all(Array.from({ length: 5 * calls }, (_, index) => reserve(index % 2 === 0 ? first : second, record.id, { tokens: 100 })));

      expect(results.filter((result) => result.ok)).toHaveLength(calls);
      expect(results.filter((result) => !result.ok).every((result) => !result.ok && result.reason === 'insufficient_quota')).toBe(true);
      expect((await second.getKey(record.id))?.reserved).toEqual({ tokens: calls * 100, usd: 0 });
      const [open] = await database.query(`SELECT count(*) AS n FROM ${database.tables.reservations} WHERE key_id = '${record.id}' AND state = 'open'`);
      expect(Number(open?.n)).toBe(calls);
    });

    it('admits exactly N calls of a dollar quota across two instances, 5×N trying at once', async () => {
      const database = backend.freshDatabase();
      const [first, second] = await Promise.all([database.open(), database.open()]);
      const calls = 7;
      const { record } = await first.createKey({ name: 'usd', quota: { usd: calls * 0.1 } });

      const results = await Promise.all(Array.from({ length: 5 * calls }, (_, index) => reserve(index % 2 === 0 ? first : second, record.id, { tokens: 1, usd: 0.1 })));

      expect(results.filter((result) => result.ok)).toHaveLength(calls);
      expect((await first.getKey(record.id))?.reserved).toEqual({ tokens: calls, usd: 0.7 });
    });

    it('counts used plus reserved against the quota, and frees the unused part on settle', async () => {
      const store = await backend.openFresh();
      const { record } = await store.createKey({ name: 'a', quota: { tokens: 1_000 } });
      const held = reservationOf(await reserve(store, record.id, { tokens: 800 }));
      expect(await reserve(store, record.id, { tokens: 300 })).toEqual({ ok: false, reason: 'insufficient_quota' });
      await store.settle(settlement(held, record.id, { inputTokens: 150, outputTokens: 50 }));
      expect((await store.getKey(record.id))?.used.tokens).toBe(200);
      expect((await reserve(store, record.id, { tokens: 800 })).ok).toBe(true);
      expect(await reserve(store, record.id, { tokens: 1 })).toEqual({ ok: false, reason: 'insufficient_quota' });
    });
  });

  describe('settlements', () => {
    it('charges a settlement once, however often and from however many instances it is settled', async () => {
      const database = backend.freshDatabase();
      const [first, second] = await Promise.all([database.open(), database.open()]);
      const { record } = await first.createKey({ name: 'a', quota: { tokens: 10_000, usd: 10 } });
      const one = reservationOf(await reserve(first, record.id, { tokens: 1_000, usd: 0.5 }));
      const two = reservationOf(await reserve(second, record.id, { tokens: 1_000, usd: 0.5 }));

      expect(await first.settle(settlement(one, record.id))).toEqual({ charged: true });
      expect(await first.settle(settlement(one, record.id))).toEqual({ charged: false });
      expect(await second.settle(settlement(one, record.id))).toEqual({ charged: false });
      const raced = await Promise.all([first.settle(settlement(two, record.id)), second.settle(settlement(two, record.id)), first.settle(settlement(two, record.id))]);
      expect(raced.filter((result) => result.charged)).toHaveLength(1);

      const stored = await first.getKey(record.id);
      expect(stored?.used).toEqual({ tokens: 1_000, usd: 0.04 });
      expect(stored?.reserved).toEqual({ tokens: 0, usd: 0 });
      expect(await first.usage({ keyId: record.id })).toEqual([
        { day: '2026-03-01', route: 'chat', model: 'gpt-4o', calls: 2, errors: 0, unsettled: 0, inputTokens: 600, outputTokens: 400, cachedTokens: 200, cacheWriteTokens: 100, reasoningTokens: 80, unsettledTokens: 0, usd: 0.04 },
      ]);
    });

    it('holds nothing for unlimited keys, and still charges their settlements once', async () => {
      const store = await backend.openFresh();
      const { record } = await store.createKey({ name: 'u', quota: 'unlimited' });
      const results = await Promise.all(Array.from({ length: 20 }, () => reserve(store, record.id, { tokens: 1_000_000, usd: 1_000 })));
      expect(results.every((result) => result.ok)).toBe(true);
      const [first] = results.map(reservationOf);
      expect(first).toMatch(/^rsu_/);
      expect((await store.getKey(record.id))?.reserved).toEqual({ tokens: 0, usd: 0 });

      expect(await store.settle(settlement(first as string, record.id, { outcome: 'error', usd: 0.25 }))).toEqual({ charged: true });
      expect(await store.settle(settlement(first as string, record.id, { outcome: 'error', usd: 0.25 }))).toEqual({ charged: false });
      expect((await store.getKey(record.id))?.used).toEqual({ tokens: 500, usd: 0.25 });
      expect(await store.usage({ keyId: record.id })).toMatchObject([{ calls: 1, errors: 1, usd: 0.25 }]);
    });

    it('charges a reservation never settled its reserved amount at expiry, once, as unsettled', async () => {
      const clock = manualClock();
      const database = backend.freshDatabase();
      const [first, second] = await Promise.all([database.open({ now: clock.now }), database.open({ now: clock.now })]);
      const { record } = await first.createKey({ name: 'a', quota: { tokens: 10_000, usd: 10 } });
      const start = clock.now();
      const abandoned = reservationOf(await reserve(first, record.id, { tokens: 400, usd: 0.2, expiresAt: start + 1_000, route: 'chat', model: 'gpt-4o' }));
      const alive = reservationOf(await reserve(second, record.id, { tokens: 100, usd: 0.05, expiresAt: start + 3_600_000 }));

      expect(await first.releaseExpired(start + 999)).toMatchObject({ released: 0 });
      const released = await Promise.all([first.releaseExpired(start + 2_000), second.releaseExpired(start + 2_000)]);
      expect(released[0].released + released[1].released).toBe(1);
      expect(await first.releaseExpired(start + 3_000)).toMatchObject({ released: 0 });

      let stored = await first.getKey(record.id);
      expect(stored?.used).toEqual({ tokens: 400, usd: 0.2 });
      expect(stored?.reserved).toEqual({ tokens: 100, usd: 0.05 });
      expect(await first.usage({ keyId: record.id })).toEqual([
        { day: utcDay(start), route: 'chat', model: 'gpt-4o', calls: 1, errors: 0, unsettled: 1, inputTokens: 0, outputTokens: 0, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0, unsettledTokens: 400, usd: 0.2 },
      ]);

      // The process that made it comes back late: its settlement charges nothing more.
      expect(await second.settle(settlement(abandoned, record.id, { day: utcDay(start) }))).toEqual({ charged: false });
      expect(await second.settle(settlement(alive, record.id, { day: utcDay(start), inputTokens: 10, outputTokens: 10, usd: 0.01 }))).toEqual({ charged: true });
      stored = await first.getKey(record.id);
      expect(stored?.used).toEqual({ tokens: 420, usd: 0.21 });
      expect(stored?.reserved).toEqual({ tokens: 0, usd: 0 });
    });

    it('remembers an unlimited key’s settled call for the retention, then forgets it; a finite key’s needs no memory', async () => {
      const clock = manualClock();
      const store = await backend.openFresh({ now: clock.now, closedReservationRetentionMs: 1_000 });
      const unlimited = await store.createKey({ name: 'u', quota: 'unlimited' });
      const finite = await store.createKey({ name: 'f', quota: { tokens: 10_000 } });
      const unheld = reservationOf(await reserve(store, unlimited.record.id));
      const held = reservationOf(await reserve(store, finite.record.id));
      await store.settle(settlement(unheld, unlimited.record.id));
      await store.settle(settlement(held, finite.record.id));
      clock.advance(500);
      expect(await store.releaseExpired(clock.now())).toEqual({ released: 0, pruned: 0 });
      expect(await store.settle(settlement(unheld, unlimited.record.id))).toEqual({ charged: false });
      clock.advance(600);
      expect(await store.releaseExpired(clock.now())).toEqual({ released: 0, pruned: 1 });
      expect(await store.settle(settlement(held, finite.record.id))).toEqual({ charged: false });
      expect((await store.getKey(finite.record.id))?.used.tokens).toBe(500);
      expect((await store.getKey(unlimited.record.id))?.used.tokens).toBe(500);
      expect(await store.usage({ keyId: finite.record.id })).toMatchObject([{ calls: 1 }]);
    });
  });

  describe('usage ledger', () => {
    it('keeps one row per key, day, route and model', async () => {
      const store = await backend.openFresh();
      const { record } = await store.createKey({ name: 'a', quota: 'unlimited' });
      const other = await store.createKey({ name: 'b', quota: { tokens: 1_000_000 } });
      const calls: Partial<SettleInput>[] = [
        { day: '2026-03-01', route: 'chat', model: 'm1' },
        { day: '2026-03-01', route: 'chat', model: 'm1', outcome: 'error', inputTokens: 10, outputTokens: 0, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0, usd: 0.001 },
        { day: '2026-03-01', route: 'chat', model: 'm2' },
        { day: '2026-03-01', route: 'embed', model: 'm1' },
        { day: '2026-03-02', route: 'chat', model: 'm1' },
      ];
      for (const call of calls) await store.settle(settlement(reservationOf(await reserve(store, record.id)), record.id, call));
      await store.settle(settlement(reservationOf(await reserve(store, other.record.id)), other.record.id));

      const rows = await store.usage({ keyId: record.id });
      expect(rows.map((row) => [row.day, row.route, row.model, row.calls, row.errors])).toEqual([
        ['2026-03-01', 'chat', 'm1', 2, 1],
        ['2026-03-01', 'chat', 'm2', 1, 0],
        ['2026-03-01', 'embed', 'm1', 1, 0],
        ['2026-03-02', 'chat', 'm1', 1, 0],
      ]);
      expect(rows[0]).toMatchObject({ inputTokens: 310, outputTokens: 200, cachedTokens: 100, cacheWriteTokens: 50, reasoningTokens: 40, usd: 0.021 });
      expect((await store.usage({ keyId: record.id, from: '2026-03-02' })).map((row) => row.day)).toEqual(['2026-03-02']);
      expect(await store.usage({ keyId: record.id, to: '2026-03-01' })).toHaveLength(3);
      expect(await store.usage({ keyId: other.record.id })).toHaveLength(1);
      expect(await store.usage({ keyId: 'key_none' })).toEqual([]);
    });

    it('keeps a deleted key’s ledger rows', async () => {
      const store = await backend.openFresh();
      const { record } = await store.createKey({ name: 'a', quota: { tokens: 1_000 } });
      const held = reservationOf(await reserve(store, record.id));
      await store.deleteKey(record.id);
      expect(await store.settle(settlement(held, record.id))).toEqual({ charged: true });
      expect(await store.usage({ keyId: record.id })).toMatchObject([{ calls: 1 }]);
    });
  });

  describe('migrations', () => {
    it('applies each migration once, also when instances open the same database at once', async () => {
      const database = backend.freshDatabase();
      const stores = await Promise.all([database.open(), database.open(), database.open()]);
      const { record } = await (stores[0]).createKey({ name: 'kept', quota: 'unlimited' });
      const later = await database.open();

      const rows = await database.query(`SELECT version FROM ${database.tables.migrations} ORDER BY version`);
      expect(rows.map((row) => Number(row.version))).toEqual(MIGRATIONS.map((migration) => migration.version));
      expect((await later.getKey(record.id))?.name).toBe('kept');
    });

    it('upgrades a database at schema version 1 in place: old ledger rows read 0 cache-write and reasoning tokens', async () => {
      const database = backend.freshDatabase();
      const { tables } = database;
      // The database as a Switchyard of schema version 1 left it, written by hand.
      const schema = tables.keys.includes('.') ? tables.keys.slice(0, tables.keys.lastIndexOf('.')) : undefined;
      if (schema !== undefined) await database.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      await database.query(migrationsTableStatement(tables));
      const versionOne = MIGRATIONS.find((migration) => migration.version === 1);
      for (const statement of versionOne?.statements(tables) ?? []) await database.query(statement);
      await database.query(`INSERT INTO ${tables.migrations} (version, name, applied_at) VALUES (1, 'keys, reservations, daily usage', 0)`);
      await database.query(
        `INSERT INTO ${tables.usage} (key_id, day, route, model, calls, errors, unsettled, input_tokens, output_tokens, cached_tokens, unsettled_tokens, usd_nanos) ` +
          "VALUES ('key_old', '2026-03-01', 'chat', 'gpt-4o', 3, 0, 0, 900, 600, 300, 0, 60000000)",
      );

      const store = await database.open();
      const versions = await database.query(`SELECT version FROM ${tables.migrations} ORDER BY version`);
      expect(versions.map((row) => Number(row.version))).toEqual(MIGRATIONS.map((migration) => migration.version));
      expect(await store.usage({ keyId: 'key_old' })).toEqual([
        { day: '2026-03-01', route: 'chat', model: 'gpt-4o', calls: 3, errors: 0, unsettled: 0, inputTokens: 900, outputTokens: 600, cachedTokens: 300, cacheWriteTokens: 0, reasoningTokens: 0, unsettledTokens: 0, usd: 0.06 },
      ]);

      // A call settled after the upgrade adds to the old row, new columns included.
      const { record } = await store.createKey({ name: 'new', quota: { tokens: 10_000 } });
      await store.settle(settlement(reservationOf(await reserve(store, record.id)), 'key_old'));
      expect(await store.usage({ keyId: 'key_old' })).toMatchObject([{ calls: 4, inputTokens: 1_200, cachedTokens: 400, cacheWriteTokens: 50, reasoningTokens: 40 }]);
    });

    it('refuses a database whose schema is newer than it knows', async () => {
      const database = backend.freshDatabase();
      const store = await database.open();
      await store.close();
      await database.query(`INSERT INTO ${database.tables.migrations} (version, name, applied_at) VALUES (9999, 'from the future', 0)`);
      const error = await database.open().then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toMatchObject({ category: 'config', message: expect.stringContaining('version 9999') });
    });
  });

  describe('keys declared in the config', () => {
    const declared = (name: string, hash: string, changes: Record<string, unknown> = {}) => ({ name, tenant: 'config', quota: { tokens: 1_000 }, hash, displayPrefix: 'sy-decl…', ...changes });

    it('upserts them by hash, keeps their usage, and disables the ones no longer declared', async () => {
      const store = await backend.openFresh();
      const manual = await store.createKey({ name: 'manual', quota: 'unlimited' });
      const first = await store.syncConfigKeys([declared('one', 'a'.repeat(64)), declared('two', 'b'.repeat(64))]);
      expect(first).toMatchObject({ created: 2, updated: 0, disabled: 0 });
      const [one, two] = first.records;
      expect(one).toMatchObject({ name: 'one', source: 'config', hash: 'a'.repeat(64), enabled: true });
      await store.settle(settlement(reservationOf(await reserve(store, one?.id ?? '')), one?.id ?? ''));

      const second = await store.syncConfigKeys([declared('one renamed', 'a'.repeat(64), { quota: { tokens: 5_000 }, routes: ['chat'] })]);
      expect(second).toMatchObject({ created: 0, updated: 1, disabled: 1 });
      expect(second.records[0]).toMatchObject({ id: one?.id, name: 'one renamed', quota: { tokens: 5_000 }, routes: ['chat'], used: { tokens: 500, usd: 0.02 } });
      expect((await store.getKey(two?.id ?? ''))?.enabled).toBe(false);
      expect((await store.getKey(manual.record.id))?.enabled).toBe(true);

      const third = await store.syncConfigKeys([declared('one', 'a'.repeat(64)), declared('two', 'b'.repeat(64))]);
      expect(third).toMatchObject({ created: 0, updated: 2, disabled: 0 });
      expect((await store.getKey(two?.id ?? ''))?.enabled).toBe(true);
    });

    it('lets instances starting together upsert the same keys', async () => {
      const database = backend.freshDatabase();
      const [first, second] = await Promise.all([database.open(), database.open()]);
      const keys = [declared('one', 'c'.repeat(64)), declared('two', 'd'.repeat(64))];
      const results = await Promise.all([first.syncConfigKeys(keys), second.syncConfigKeys(keys)]);
      expect(results[0].created + results[1].created).toBe(2);
      expect((await first.listKeys()).map((record) => record.name).sort()).toEqual(['one', 'two']);
    });
  });
}
