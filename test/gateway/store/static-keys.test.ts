import { describe, expect, it } from 'vitest';
import type { StaticKeyConfig } from '../../../src/config/types.js';
import { SwitchyardError } from '../../../src/errors.js';
import { hashKey } from '../../../src/gateway/store/key-format.js';
import { configKeyInputs, syncStaticKeys } from '../../../src/gateway/store/static-keys.js';
import { sqliteBackend } from './store-backends.js';

const APP_KEY = 'sy-declaredKeyForTheBillingApp0123456789';
const OTHER_KEY = 'sy-declaredKeyForTheSearchApp0123456789';

function declared(key: string, changes: Partial<StaticKeyConfig> = {}): StaticKeyConfig {
  return { name: 'billing', key, tenant: 'billing', routes: [], quota: 'unlimited', limits: {}, subnets: [], metadata: {}, ...changes };
}

function configError(run: () => unknown): SwitchyardError {
  try {
    run();
  } catch (error) {
    if (SwitchyardError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a config error');
}

describe('keys declared in the config', () => {
  it('become store inputs carrying the hash, never the plain value', () => {
    const [input] = configKeyInputs([declared(APP_KEY, { quota: { usd: 20 }, routes: ['chat'], expiresAt: '2027-01-01T00:00:00Z', metadata: { team: 'payments' } })]);
    expect(input).toMatchObject({ name: 'billing', hash: hashKey(APP_KEY), displayPrefix: 'sy-decl…', quota: { usd: 20 }, routes: ['chat'], expiresAt: Date.UTC(2027, 0, 1), metadata: { team: 'payments' } });
    expect(JSON.stringify(input)).not.toContain(APP_KEY.slice(7));
  });

  it('are refused, by YAML path and without the key in the message, when duplicated, short or invalid', () => {
    const duplicate = configError(() => configKeyInputs([declared(APP_KEY), declared(OTHER_KEY), declared(APP_KEY)]));
    expect(duplicate).toMatchObject({ category: 'config', field: 'gateway.keys[2].key', message: expect.stringContaining('gateway.keys[0]') });
    expect(duplicate.message).not.toContain(APP_KEY);
    expect(configError(() => configKeyInputs([declared('sy-short')]))).toMatchObject({ category: 'config', field: 'gateway.keys[0].key' });
    expect(configError(() => configKeyInputs([declared(APP_KEY, { subnets: ['nope'] })]))).toMatchObject({ category: 'config', field: 'gateway.keys[0].subnets[0]' });
    expect(configError(() => configKeyInputs([declared(APP_KEY, { expiresAt: 'soon' })]))).toMatchObject({ category: 'config', field: 'gateway.keys[0].expiresAt' });
  });

  it('are upserted into the store at start, found by the hash of the key callers send', async () => {
    const database = sqliteBackend.freshDatabase();
    const store = await database.open();
    const result = await syncStaticKeys(store, [declared(APP_KEY, { quota: { tokens: 1_000 } }), declared(OTHER_KEY, { name: 'search', tenant: 'search' })]);
    expect(result).toMatchObject({ created: 2, updated: 0, disabled: 0 });
    expect(await store.findByHash(hashKey(APP_KEY))).toMatchObject({ name: 'billing', source: 'config', quota: { tokens: 1_000 }, enabled: true });

    const again = await syncStaticKeys(store, [declared(APP_KEY, { quota: { tokens: 2_000 } })]);
    expect(again).toMatchObject({ created: 0, updated: 1, disabled: 1 });
    expect((await store.findByHash(hashKey(OTHER_KEY)))?.enabled).toBe(false);
    expect(JSON.stringify(await database.query(`SELECT * FROM ${database.tables.keys}`))).not.toContain(APP_KEY.slice(7));
  });
});
