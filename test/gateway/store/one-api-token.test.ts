import { describe, expect, it } from 'vitest';
import { keyInputFromOneApiToken, ONE_API_QUOTA_PER_USD, oneApiTokenOf } from '../../../src/gateway/store/one-api-token.js';
import { sqliteBackend } from './store-backends.js';

describe("One API's token shape", () => {
  it('reads remain_quota in One API units (500,000 = 1 USD), unlimited, expiry, models and subnets', () => {
    expect(ONE_API_QUOTA_PER_USD).toBe(500_000);
    expect(keyInputFromOneApiToken({ name: 'app', remain_quota: 1_250_000, expired_time: -1, models: 'gpt-4o, claude-sonnet', subnet: '10.0.0.0/8,192.168.1.1' })).toEqual({
      name: 'app',
      quota: { usd: 2.5 },
      routes: ['gpt-4o', 'claude-sonnet'],
      subnets: ['10.0.0.0/8', '192.168.1.1'],
    });
    expect(keyInputFromOneApiToken({ name: 'app', unlimited_quota: true, expired_time: 1_900_000_000 })).toMatchObject({ quota: 'unlimited', expiresAt: 1_900_000_000_000 });
    expect(keyInputFromOneApiToken({ name: 'app', unlimited: true })).toMatchObject({ quota: 'unlimited' });
    expect(keyInputFromOneApiToken({})).toMatchObject({ quota: { usd: 0 } });
  });

  it('refuses malformed fields, naming them', () => {
    expect(() => keyInputFromOneApiToken({ remain_quota: -5 })).toThrow(expect.objectContaining({ category: 'invalid_request', field: 'remain_quota' }));
    expect(() => keyInputFromOneApiToken({ remain_quota: 1.5 })).toThrow(expect.objectContaining({ field: 'remain_quota' }));
    expect(() => keyInputFromOneApiToken({ unlimited_quota: 'yes' })).toThrow(expect.objectContaining({ field: 'unlimited_quota' }));
    expect(() => keyInputFromOneApiToken([])).toThrow(expect.objectContaining({ field: 'body' }));
  });

  it('answers a key in One API’s shape: the quota left in its units, and its status', async () => {
    const store = await sqliteBackend.openFresh();
    const { record, plainKey } = await store.createKey(keyInputFromOneApiToken({ name: 'app', remain_quota: 500_000, models: 'chat' }));
    const reservation = await store.reserve({ keyId: record.id, requestId: 'r', tokens: 10, usd: 0.25, expiresAt: Date.now() + 60_000 });
    if (!reservation.ok) throw new Error(reservation.reason);
    await store.settle({ reservationId: reservation.reservationId, keyId: record.id, route: 'chat', model: 'm', day: '2026-03-01', outcome: 'ok', inputTokens: 5, outputTokens: 5, cachedTokens: 0, usd: 0.25 });
    const used = await store.getKey(record.id);
    if (used === undefined) throw new Error('gone');
    const now = Date.now();
    expect(oneApiTokenOf(used, { plainKey, now })).toMatchObject({ id: record.id, name: 'app', key: plainKey, status: 1, remain_quota: 375_000, used_quota: 125_000, unlimited_quota: false, expired_time: -1, models: 'chat' });
    expect(oneApiTokenOf(used, { now }).key).toBe('');
    expect(oneApiTokenOf({ ...used, enabled: false }, { now }).status).toBe(2);
    expect(oneApiTokenOf({ ...used, expiresAt: now - 1 }, { now }).status).toBe(3);
    expect(oneApiTokenOf({ ...used, used: { tokens: 0, usd: 1 } }, { now }).status).toBe(4);
    expect(oneApiTokenOf({ ...used, quota: 'unlimited' }, { now })).toMatchObject({ status: 1, unlimited_quota: true });
  });
});
