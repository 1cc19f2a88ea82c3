/**
 * Group commit: reservations and settlements written together, one transaction (SQLite) or
 * statement (PostgreSQL) per batch, on both backends, directly and through the resilient store,
 * which batches what is asked for in one turn of the event loop.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createResilientKeyStore, type ResilientKeyStore } from '../../../src/gateway/store/resilient-store.js';
import type { KeyStore, ReserveInput, ReserveResult, SettleInput } from '../../../src/gateway/store/types.js';
import { expectPostgresAnswers, hasPostgres } from './postgres-support.js';
import { postgresBackend, sqliteBackend, type StoreBackend } from './store-backends.js';

const FAR_FUTURE = Date.UTC(2100, 0, 1);

function reservation(keyId: string, tokens: number, usd = 0): ReserveInput {
  return { keyId, requestId: `request-${Math.random()}`, tokens, usd, expiresAt: FAR_FUTURE, route: 'chat', model: 'gpt-4o' };
}

function settlement(reservationId: string, keyId: string, changes: Partial<SettleInput> = {}): SettleInput {
  return { reservationId, keyId, route: 'chat', model: 'gpt-4o', day: '2026-03-01', outcome: 'ok', inputTokens: 30, outputTokens: 20, cachedTokens: 10, cacheWriteTokens: 5, reasoningTokens: 4, usd: 0.01, ...changes };
}

function idOf(result: ReserveResult | undefined): string {
  if (result === undefined || !result.ok) throw new Error(`reservation refused: ${JSON.stringify(result)}`);
  return result.reservationId;
}

/** Counts the store's batch calls. */
function counting(store: KeyStore): { store: KeyStore; calls: { reserveBatch: number[]; settleBatch: number[] } } {
  const calls = { reserveBatch: [] as number[], settleBatch: [] as number[] };
  const wrapped: KeyStore = Object.assign(Object.create(store) as KeyStore, {
    reserveBatch: (inputs: Parameters<KeyStore['reserveBatch']>[0]) => {
      calls.reserveBatch.push(inputs.length);
      return store.reserveBatch(inputs);
    },
    settleBatch: (batch: Parameters<KeyStore['settleBatch']>[0]) => {
      calls.settleBatch.push(batch.settlements.length);
      return store.settleBatch(batch);
    },
  });
  return { store: wrapped, calls };
}

function describeGroupCommit(backend: StoreBackend): void {
  it('answers a batch of two keys, one over quota, as one reservation after another would', async () => {
    const database = backend.freshDatabase();
    const store = await database.open();
    const roomy = await store.createKey({ name: 'roomy', quota: { tokens: 300 } });
    const tight = await store.createKey({ name: 'tight', quota: { tokens: 250 } });
    const unlimited = await store.createKey({ name: 'unlimited', quota: 'unlimited' });
    const disabled = await store.createKey({ name: 'disabled', quota: { tokens: 1_000 }, enabled: false });

    const results = await store.reserveBatch([
      reservation(roomy.record.id, 100),
      reservation(tight.record.id, 100),
      reservation(roomy.record.id, 100),
      reservation(tight.record.id, 100),
      reservation(unlimited.record.id, 1_000_000),
      reservation(tight.record.id, 100),
      reservation(roomy.record.id, 100),
      reservation(disabled.record.id, 1),
      reservation('key_unknown', 1),
      reservation(tight.record.id, 50),
    ]);

    expect(results.map((result) => (result.ok ? result.reservationId.slice(0, 4) : result.reason))).toEqual([
      'rsv_',
      'rsv_',
      'rsv_',
      'rsv_',
      'rsu_',
      'insufficient_quota',
      'rsv_',
      'disabled',
      'unknown',
      'rsv_',
    ]);
    expect((await store.getKey(roomy.record.id))?.reserved).toEqual({ tokens: 300, usd: 0 });
    expect((await store.getKey(tight.record.id))?.reserved).toEqual({ tokens: 250, usd: 0 });
    const [open] = await database.query(`SELECT count(*) AS n FROM ${database.tables.reservations} WHERE state = 'open'`);
    expect(Number(open?.n)).toBe(6);
  });

  it('settles a batch in one go: one charge per key, folded ledger rows, one record for the unlimited calls, and a retried batch charges nothing', async () => {
    const database = backend.freshDatabase();
    const store = await database.open();
    const first = await store.createKey({ name: 'first', quota: { tokens: 10_000, usd: 10 } });
    const second = await store.createKey({ name: 'second', quota: { tokens: 10_000 } });
    const unlimited = await store.createKey({ name: 'unlimited', quota: 'unlimited' });
    const held = await store.reserveBatch([reservation(first.record.id, 1_000, 0.5), reservation(first.record.id, 1_000, 0.5), reservation(second.record.id, 500)]);
    const [one, two, three] = held.map(idOf);
    const unheld = (await store.reserveBatch([reservation(unlimited.record.id, 1), reservation(unlimited.record.id, 1)])).map(idOf);
    const settlements = [
      settlement(one as string, first.record.id),
      settlement(two as string, first.record.id, { outcome: 'error', model: 'gpt-4o-mini' }),
      settlement(three as string, second.record.id),
      settlement(unheld[0] as string, unlimited.record.id),
      settlement(unheld[1] as string, unlimited.record.id),
      settlement(one as string, first.record.id),
    ];
    const batch = { id: 'rsb_test-batch-0000000001', settlements };

    expect((await store.settleBatch(batch)).map((result) => result.charged)).toEqual([true, true, true, true, true, false]);
    expect(await store.getKey(first.record.id)).toMatchObject({ used: { tokens: 100, usd: 0.02 }, reserved: { tokens: 0, usd: 0 } });
    expect(await store.getKey(second.record.id)).toMatchObject({ used: { tokens: 50, usd: 0.01 }, reserved: { tokens: 0, usd: 0 } });
    expect((await store.getKey(unlimited.record.id))?.used).toEqual({ tokens: 100, usd: 0.02 });
    expect(await store.usage({ keyId: first.record.id })).toMatchObject([
      { model: 'gpt-4o', calls: 1, errors: 0, inputTokens: 30 },
      { model: 'gpt-4o-mini', calls: 1, errors: 1 },
    ]);
    expect(await store.usage({ keyId: unlimited.record.id })).toMatchObject([{ calls: 2, inputTokens: 60, outputTokens: 40, cachedTokens: 20, cacheWriteTokens: 10, reasoningTokens: 8, usd: 0.02 }]);
    // The two unlimited calls left one record (the batch's), not a row each.
    const rows = await database.query(`SELECT id FROM ${database.tables.reservations}`);
    expect(rows.map((row) => row.id)).toEqual([batch.id]);

    // The same batch again (a retry after its reply was lost): nothing more is charged.
    expect((await store.settleBatch(batch)).map((result) => result.charged)).toEqual([false, false, false, false, false, false]);
    expect((await store.getKey(unlimited.record.id))?.used).toEqual({ tokens: 100, usd: 0.02 });
    expect(await store.usage({ keyId: unlimited.record.id })).toMatchObject([{ calls: 2 }]);
  });

  it('answers a reservation batch and a settlement batch asked for together (one transaction on SQLite) each as if alone', async () => {
    const database = backend.freshDatabase();
    const store = await database.open();
    const { record } = await store.createKey({ name: 'k', quota: { tokens: 1_000 } });
    const [held] = (await store.reserveBatch([reservation(record.id, 600)])).map(idOf);
    const [reserved, settled] = await Promise.all([
      store.reserveBatch([reservation(record.id, 300), reservation(record.id, 300)]),
      store.settleBatch({ id: 'rsb_test-batch-0000000002', settlements: [settlement(held as string, record.id), settlement('rsv_unknown', record.id)] }),
    ]);
    expect(settled.map((result) => result.charged)).toEqual([true, false]);
    const admitted = reserved.filter((result) => result.ok).length;
    expect(await store.getKey(record.id)).toMatchObject({ used: { tokens: 50 }, reserved: { tokens: admitted * 300 } });
    // SQLite runs them in order in one transaction: the reservations were answered before the
    // settlement released its 600, so one of the two 300s fit. (PostgreSQL runs them on two
    // connections at once: either order.)
    if (backend.name === 'sqlite') expect(reserved.map((result) => result.ok)).toEqual([true, false]);
    else expect(admitted).toBeGreaterThanOrEqual(1);
  });

  it('batches what the resilient store is asked in one turn: exact across two instances, and settled in one batch per turn', async () => {
    const database = backend.freshDatabase();
    const [mine, theirs] = await Promise.all([database.open(), database.open()]);
    const counted = counting(mine);
    const instances: ResilientKeyStore[] = [createResilientKeyStore(counted.store, { sweepIntervalMs: 0 }), createResilientKeyStore(theirs, { sweepIntervalMs: 0 })];
    try {
      const calls = 6;
      const a = await mine.createKey({ name: 'a', quota: { tokens: calls * 100 } });
      const b = await mine.createKey({ name: 'b', quota: { tokens: 10_000 } });
      // 5×N calls of key a and some of key b at once, from both instances, in one turn each.
      const asked = Array.from({ length: 5 * calls }, (_, index) => ({ instance: instances[index % 2] as ResilientKeyStore, keyId: index % 3 === 0 ? b.record.id : a.record.id }));
      const results = await Promise.all(asked.map(({ instance, keyId }) => instance.reserve(reservation(keyId, 100))));
      const ofA = results.filter((_, index) => asked[index]?.keyId === a.record.id);
      const ofB = results.filter((_, index) => asked[index]?.keyId === b.record.id);
      expect(ofA.filter((result) => result.ok)).toHaveLength(calls);
      expect(new Set(ofA.map((result) => (result.ok ? 'admitted' : result.reason)))).toEqual(new Set(['admitted', 'insufficient_quota']));
      expect(ofB.every((result) => result.ok)).toBe(true);
      expect(counted.calls.reserveBatch).toEqual([asked.filter((_, index) => index % 2 === 0).length]);

      const mineAdmitted = results.flatMap((result, index) => (result.ok && asked[index]?.instance === instances[0] ? [{ id: result.reservationId, keyId: asked[index]?.keyId as string }] : []));
      const fates = await Promise.all(mineAdmitted.map(({ id, keyId }) => (instances[0] as ResilientKeyStore).settle(settlement(id, keyId))));
      expect(fates.every((fate) => fate === 'written')).toBe(true);
      expect(counted.calls.settleBatch).toEqual([mineAdmitted.length]);
      const charged = mineAdmitted.filter(({ keyId }) => keyId === a.record.id).length;
      expect((await theirs.getKey(a.record.id))?.used.tokens).toBe(charged * 50);
      expect((await theirs.getKey(a.record.id))?.reserved.tokens).toBe((calls - charged) * 100);
    } finally {
      await Promise.all(instances.map((instance) => instance.close({ flushTimeoutMs: 100 })));
    }
  });
}

describe('group commit on the embedded SQLite store', () => {
  describeGroupCommit(sqliteBackend);
});

describe.skipIf(!hasPostgres)('group commit on the PostgreSQL store (DATABASE_URL)', () => {
  beforeAll(expectPostgresAnswers);
  describeGroupCommit(postgresBackend);
});
