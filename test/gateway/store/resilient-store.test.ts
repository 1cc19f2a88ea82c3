/**
 * The call path's view of the store: the key cache, and a real PostgreSQL outage made by cutting a
 * TCP proxy between the store and the database (stopped and resumed by the test).
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SwitchyardError } from '../../../src/errors.js';
import { openPostgresKeyStore } from '../../../src/gateway/store/postgres-store.js';
import { createResilientKeyStore, type ResilientKeyStore } from '../../../src/gateway/store/resilient-store.js';
import type { KeyStore, ReserveResult, SettleInput } from '../../../src/gateway/store/types.js';
import { databaseUrl, expectPostgresAnswers, hasPostgres, uniqueSchema } from './postgres-support.js';
import { sqliteBackend, type StoreBackend } from './store-backends.js';
import { TcpProxy } from './tcp-proxy.js';

const FAR_FUTURE = Date.UTC(2100, 0, 1);
const started: ResilientKeyStore[] = [];
const proxies: TcpProxy[] = [];

afterEach(async () => {
  for (const keys of started.splice(0)) await keys.close({ flushTimeoutMs: 100 }).catch(() => undefined);
  for (const proxy of proxies.splice(0)) await proxy.stop();
});

function settlement(reservationId: string, keyId: string, changes: Partial<SettleInput> = {}): SettleInput {
  return { reservationId, keyId, route: 'chat', model: 'gpt-4o', day: '2026-03-01', outcome: 'ok', inputTokens: 300, outputTokens: 200, cachedTokens: 0, usd: 0.02, ...changes };
}

function reservationOf(result: ReserveResult): string {
  if (!result.ok) throw new Error(`reservation refused: ${result.reason}`);
  return result.reservationId;
}

async function caught(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

function expectStoreUnavailable(error: unknown): void {
  expect(SwitchyardError.isInstance(error), `expected a SwitchyardError, got ${String(error)}`).toBe(true);
  expect(error).toMatchObject({ category: 'server', status: 503, message: expect.stringMatching(/^key store unavailable/) });
}

function track(keys: ResilientKeyStore): ResilientKeyStore {
  started.push(keys);
  return keys;
}

/** Polls `check` until it holds (or fails the test after `timeoutMs`). */
async function eventually(check: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('the resilient key store’s cache', () => {
  const backend: StoreBackend = sqliteBackend;

  it('serves a key from memory for the TTL, then sees another instance disable it', async () => {
    let now = Date.UTC(2026, 2, 1);
    const database = backend.freshDatabase();
    const [mine, admin] = await Promise.all([database.open(), database.open()]);
    const keys = track(createResilientKeyStore(mine, { now: () => now, cacheTtlMs: 5_000, sweepIntervalMs: 0 }));
    const { record, plainKey } = await admin.createKey({ name: 'a', quota: { tokens: 1_000 } });

    expect(await keys.authenticate(plainKey)).toEqual({ ok: true, record, stale: false });
    await admin.updateKey(record.id, { enabled: false });
    now += 4_999;
    expect(await keys.authenticate(plainKey)).toMatchObject({ ok: true });
    now += 1;
    expect(await keys.authenticate(plainKey)).toEqual({ ok: false, reason: 'disabled' });
    expect(await keys.authenticate('sy-not-a-key')).toEqual({ ok: false, reason: 'unknown' });
    expect(await keys.authenticate('')).toEqual({ ok: false, reason: 'unknown' });
  });

  it('reads the store once for callers arriving together, and again after forget()', async () => {
    const database = backend.freshDatabase();
    const store = await database.open();
    let reads = 0;
    const counting: KeyStore = Object.assign(Object.create(store) as KeyStore, {
      findByHash: (hash: string) => {
        reads += 1;
        return store.findByHash(hash);
      },
    });
    const keys = track(createResilientKeyStore(counting, { sweepIntervalMs: 0 }));
    const { record, plainKey } = await store.createKey({ name: 'a', quota: 'unlimited' });
    const answers = await Promise.all(Array.from({ length: 10 }, () => keys.authenticate(plainKey)));
    expect(answers.every((answer) => answer.ok)).toBe(true);
    expect(reads).toBe(1);
    keys.forget(record.id);
    await keys.authenticate(plainKey);
    expect(reads).toBe(2);
  });

  it('admits unlimited keys without a store round trip, and refuses them once disabled', async () => {
    let now = Date.UTC(2026, 2, 1);
    const database = backend.freshDatabase();
    const [mine, admin] = await Promise.all([database.open(), database.open()]);
    let reserves = 0;
    const counting: KeyStore = Object.assign(Object.create(mine) as KeyStore, {
      reserve: (input: Parameters<KeyStore['reserve']>[0]) => {
        reserves += 1;
        return mine.reserve(input);
      },
      reserveBatch: (inputs: Parameters<KeyStore['reserveBatch']>[0]) => {
        reserves += inputs.length;
        return mine.reserveBatch(inputs);
      },
    });
    const keys = track(createResilientKeyStore(counting, { now: () => now, sweepIntervalMs: 0 }));
    const unlimited = await admin.createKey({ name: 'u', quota: 'unlimited' });
    const finite = await admin.createKey({ name: 'f', quota: { tokens: 100 } });
    await keys.authenticate(unlimited.plainKey);
    await keys.authenticate(finite.plainKey);

    const reservation = reservationOf(await keys.reserve({ keyId: unlimited.record.id, requestId: 'r', tokens: 10, usd: 0, expiresAt: FAR_FUTURE }));
    expect(reservation).toMatch(/^rsu_/);
    expect(reserves).toBe(0);
    expect(await keys.settle(settlement(reservation, unlimited.record.id))).toBe('written');
    expect((await admin.getKey(unlimited.record.id))?.used.tokens).toBe(500);

    expect((await keys.reserve({ keyId: finite.record.id, requestId: 'r', tokens: 100, usd: 0, expiresAt: FAR_FUTURE })).ok).toBe(true);
    expect(await keys.reserve({ keyId: finite.record.id, requestId: 'r', tokens: 1, usd: 0, expiresAt: FAR_FUTURE })).toEqual({ ok: false, reason: 'insufficient_quota' });
    expect(reserves).toBe(2);

    await admin.updateKey(unlimited.record.id, { enabled: false });
    now += 5_000;
    expect(await keys.authenticate(unlimited.plainKey)).toEqual({ ok: false, reason: 'disabled' });
    expect(await keys.reserve({ keyId: unlimited.record.id, requestId: 'r', tokens: 10, usd: 0, expiresAt: FAR_FUTURE })).toEqual({ ok: false, reason: 'disabled' });
  });
});

describe.skipIf(!hasPostgres)('the resilient key store when PostgreSQL goes away (a real outage through a TCP proxy)', () => {
  beforeAll(expectPostgresAnswers);

  /** A store reaching PostgreSQL through a proxy the test cuts, and one reaching it directly. */
  async function setUp(options: { maxPendingSettlements?: number } = {}) {
    if (databaseUrl === undefined) throw new Error('DATABASE_URL is not set');
    const target = new URL(databaseUrl);
    const proxy = await TcpProxy.start({ host: target.hostname, port: Number(target.port || 5432) });
    proxies.push(proxy);
    const proxiedUrl = new URL(databaseUrl);
    proxiedUrl.hostname = '127.0.0.1';
    proxiedUrl.port = String(proxy.port);
    const schema = uniqueSchema('outage');
    const logs: string[] = [];
    const logger = (message: string): void => void logs.push(message);
    const direct = await openPostgresKeyStore({ url: databaseUrl, schema });
    const proxied = await openPostgresKeyStore({ url: proxiedUrl.toString(), schema, connectTimeoutMs: 1_000, logger });
    const clock = { now: Date.UTC(2026, 2, 1, 12) };
    const keys = track(
      createResilientKeyStore(proxied, {
        now: () => clock.now,
        cacheTtlMs: 5_000,
        staleForMs: 600_000,
        probeIntervalMs: 0,
        retryMinDelayMs: 20,
        retryMaxDelayMs: 200,
        sweepIntervalMs: 0,
        logger,
        ...options,
      }),
    );
    return { proxy, direct, keys, clock, logs };
  }

  it('keeps verified keys working until staleFor, fails unseen keys and finite quotas closed, and writes every queued settlement once', async () => {
    const { proxy, direct, keys, clock, logs } = await setUp();
    try {
      const finite = await direct.createKey({ name: 'finite', quota: { tokens: 100_000 } });
      const unlimited = await direct.createKey({ name: 'unlimited', quota: 'unlimited' });
      const unseen = await direct.createKey({ name: 'unseen', quota: 'unlimited' });
      expect(await keys.authenticate(finite.plainKey)).toMatchObject({ ok: true, stale: false });
      expect(await keys.authenticate(unlimited.plainKey)).toMatchObject({ ok: true, stale: false });
      const held = reservationOf(await keys.reserve({ keyId: finite.record.id, requestId: 'before', tokens: 1_000, usd: 0, expiresAt: FAR_FUTURE }));
      const unheldBefore = reservationOf(await keys.reserve({ keyId: unlimited.record.id, requestId: 'before', tokens: 1_000, usd: 0, expiresAt: FAR_FUTURE }));

      await proxy.stop();
      clock.now += 6_000; // past the cache TTL: the store is asked, and cannot answer

      expect(await keys.authenticate(finite.plainKey)).toMatchObject({ ok: true, stale: true, record: { id: finite.record.id } });
      expectStoreUnavailable(await caught(keys.authenticate(unseen.plainKey)));
      expect(keys.storeAvailable).toBe(false);
      expectStoreUnavailable(await caught(keys.reserve({ keyId: finite.record.id, requestId: 'during', tokens: 1, usd: 0, expiresAt: FAR_FUTURE })));
      const unheldDuring = reservationOf(await keys.reserve({ keyId: unlimited.record.id, requestId: 'during', tokens: 1_000, usd: 0, expiresAt: FAR_FUTURE }));

      expect(await keys.settle(settlement(held, finite.record.id))).toBe('queued');
      expect(await keys.settle(settlement(unheldBefore, unlimited.record.id))).toBe('queued');
      expect(await keys.settle(settlement(unheldDuring, unlimited.record.id, { outcome: 'error' }))).toBe('queued');
      expect(keys.pendingSettlements).toBe(3);
      expect(await keys.flush({ timeoutMs: 200 })).toBe(3);
      expect((await direct.getKey(finite.record.id))?.used.tokens).toBe(0);
      expect(await direct.usage({ keyId: unlimited.record.id })).toEqual([]);

      clock.now += 600_000; // more than staleFor since the key was last read
      expectStoreUnavailable(await caught(keys.authenticate(finite.plainKey)));

      await proxy.resume();
      expect(await keys.flush({ timeoutMs: 10_000 })).toBe(0);
      expect(keys.droppedSettlements).toBe(0);

      const stored = await direct.getKey(finite.record.id);
      expect(stored?.used).toEqual({ tokens: 500, usd: 0.02 });
      expect(stored?.reserved).toEqual({ tokens: 0, usd: 0 });
      expect(await direct.usage({ keyId: finite.record.id })).toMatchObject([{ calls: 1, errors: 0, inputTokens: 300, outputTokens: 200 }]);
      expect(await direct.usage({ keyId: unlimited.record.id })).toMatchObject([{ calls: 2, errors: 1, inputTokens: 600, outputTokens: 400, usd: 0.04 }]);
      expect((await direct.getKey(unlimited.record.id))?.used).toEqual({ tokens: 1_000, usd: 0.04 });

      // Settling again (a caller's retry) charges nothing; the keys work from the store again.
      expect(await keys.settle(settlement(held, finite.record.id))).toBe('written');
      expect((await direct.getKey(finite.record.id))?.used.tokens).toBe(500);
      expect(await keys.authenticate(finite.plainKey)).toMatchObject({ ok: true, stale: false });
      expect(await keys.authenticate(unseen.plainKey)).toMatchObject({ ok: true, stale: false });
      expect(keys.storeAvailable).toBe(true);
      expect(logs.some((line) => line.includes('keys verified in the last 10 min keep working'))).toBe(true);
      expect(logs.some((line) => line.includes('the store answers again'))).toBe(true);
    } finally {
      await direct.close();
    }
  });

  it('charges once a settlement whose commit happened but whose reply was lost', async () => {
    const { proxy, direct, keys } = await setUp();
    try {
      const finite = await direct.createKey({ name: 'finite', quota: { tokens: 100_000 } });
      const unlimited = await direct.createKey({ name: 'unlimited', quota: 'unlimited' });
      await keys.authenticate(finite.plainKey);
      await keys.authenticate(unlimited.plainKey);
      const held = reservationOf(await keys.reserve({ keyId: finite.record.id, requestId: 'r', tokens: 1_000, usd: 0, expiresAt: FAR_FUTURE }));
      const unheld = reservationOf(await keys.reserve({ keyId: unlimited.record.id, requestId: 'r', tokens: 1_000, usd: 0, expiresAt: FAR_FUTURE }));

      // Two connections open before the replies stop: a new one could not even finish its handshake.
      await Promise.all([keys.store.ping(), keys.store.ping()]);
      proxy.dropReplies();
      const fates = Promise.all([keys.settle(settlement(held, finite.record.id)), keys.settle(settlement(unheld, unlimited.record.id))]);
      // Both statements reach PostgreSQL and commit; their answers never come back.
      await eventually(async () => (await direct.usage({ keyId: finite.record.id })).length === 1 && (await direct.usage({ keyId: unlimited.record.id })).length === 1);
      await proxy.stop();
      expect(await fates).toEqual(['queued', 'queued']);
      expect(keys.pendingSettlements).toBe(2);

      await proxy.resume();
      expect(await keys.flush({ timeoutMs: 10_000 })).toBe(0);
      expect((await direct.getKey(finite.record.id))?.used.tokens).toBe(500);
      expect((await direct.getKey(unlimited.record.id))?.used.tokens).toBe(500);
      expect(await direct.usage({ keyId: finite.record.id })).toMatchObject([{ calls: 1 }]);
      expect(await direct.usage({ keyId: unlimited.record.id })).toMatchObject([{ calls: 1 }]);
    } finally {
      await direct.close();
    }
  });

  it('drops and counts settlements beyond its bound, and then refuses unlimited keys', async () => {
    const { proxy, direct, keys, logs } = await setUp({ maxPendingSettlements: 2 });
    try {
      const unlimited = await direct.createKey({ name: 'unlimited', quota: 'unlimited' });
      await keys.authenticate(unlimited.plainKey);
      const reservations = await Promise.all(Array.from({ length: 3 }, () => keys.reserve({ keyId: unlimited.record.id, requestId: 'r', tokens: 1, usd: 0, expiresAt: FAR_FUTURE })));
      await proxy.stop();
      const fates = [];
      for (const reservation of reservations) fates.push(await keys.settle(settlement(reservationOf(reservation), unlimited.record.id)));
      expect(fates).toEqual(['queued', 'queued', 'dropped']);
      expect(keys.droppedSettlements).toBe(1);
      expect(logs.some((line) => line.includes('the settlement queue is full (2)'))).toBe(true);
      expectStoreUnavailable(await caught(keys.reserve({ keyId: unlimited.record.id, requestId: 'r', tokens: 1, usd: 0, expiresAt: FAR_FUTURE })));

      await proxy.resume();
      expect(await keys.flush({ timeoutMs: 10_000 })).toBe(0);
      expect(await direct.usage({ keyId: unlimited.record.id })).toMatchObject([{ calls: 2 }]);
      expect((await keys.reserve({ keyId: unlimited.record.id, requestId: 'r', tokens: 1, usd: 0, expiresAt: FAR_FUTURE })).ok).toBe(true);
    } finally {
      await direct.close();
    }
  });
});
