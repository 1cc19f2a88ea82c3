/**
 * `gateway.store.url` → a store; and what a user without the optional driver packages sees: the
 * store modules bundled into a folder outside the repository (so `pg` and `better-sqlite3` really
 * cannot be resolved) and opened in a child process.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { openKeyStore } from '../../../src/gateway/store/open-key-store.js';
import { databaseUrl, hasPostgres, uniqueSchema } from './postgres-support.js';

const run = promisify(execFile);
const outside = mkdtempSync(join(tmpdir(), 'switchyard-no-drivers-'));
afterAll(() => rmSync(outside, { recursive: true, force: true }));

describe('openKeyStore', () => {
  it('opens the embedded store for sqlite: URLs', async () => {
    const store = await openKeyStore('sqlite::memory:');
    try {
      expect(store.kind).toBe('sqlite');
      await store.ping();
    } finally {
      await store.close();
    }
  });

  it.skipIf(!hasPostgres)('opens PostgreSQL for postgres:// URLs', async () => {
    const store = await openKeyStore(databaseUrl ?? '', { postgres: { schema: uniqueSchema('open') } });
    try {
      expect(store.kind).toBe('postgres');
      await store.ping();
    } finally {
      await store.close();
    }
  });

  it('refuses other URLs as config errors', async () => {
    await expect(openKeyStore('sqlite:')).rejects.toMatchObject({ category: 'config', field: 'gateway.store.url' });
    await expect(openKeyStore('mysql://db/gateway')).rejects.toMatchObject({ category: 'config', field: 'gateway.store.url' });
  });

  it('says exactly what to install when the driver package is missing', async () => {
    const bundle = join(outside, 'store.mjs');
    await build({
      entryPoints: [resolve(import.meta.dirname, '../../../src/gateway/store/open-key-store.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile: bundle,
      external: ['pg', 'better-sqlite3'],
      logLevel: 'silent',
    });
    const program = `
      const { openKeyStore } = await import(${JSON.stringify(bundle)});
      const results = [];
      for (const url of ['sqlite::memory:', 'postgres://nobody@127.0.0.1:1/none']) {
        try { await openKeyStore(url); results.push('opened'); } catch (error) { results.push({ category: error.category, message: error.message }); }
      }
      console.log(JSON.stringify(results));`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', program], { cwd: outside });
    expect(JSON.parse(stdout)).toEqual([
      { category: 'config', message: expect.stringContaining('`npm i better-sqlite3@12`') },
      { category: 'config', message: expect.stringContaining('`npm i pg`') },
    ]);
  });
});
