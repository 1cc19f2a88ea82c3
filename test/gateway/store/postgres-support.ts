/**
 * Real-PostgreSQL test support. With `DATABASE_URL` set, PostgreSQL must answer (a down database
 * fails the suite); without it (a laptop), the PostgreSQL tests skip with a loud message. Every
 * test database is a schema of its own, dropped after the file's tests. Never a mock.
 */
import pg from 'pg';
import { afterAll } from 'vitest';

/** The PostgreSQL URL tests use, or undefined when `DATABASE_URL` is not set. */
export const databaseUrl: string | undefined = process.env.DATABASE_URL === '' ? undefined : process.env.DATABASE_URL;

if (databaseUrl === undefined) {
  console.warn(
    '\n!!! DATABASE_URL is not set: the gateway key store tests against PostgreSQL are SKIPPED. Set DATABASE_URL=postgres://postgres@127.0.0.1:5432/test to run them. !!!\n',
  );
}

/** `describe.skipIf(!hasPostgres)` for suites that need PostgreSQL. */
export const hasPostgres: boolean = databaseUrl !== undefined;

/** Runs SQL on the test database over a connection of its own; throws when the database does not answer. */
export async function queryTestDatabase<R extends Record<string, unknown> = Record<string, unknown>>(sql: string, values: unknown[] = []): Promise<R[]> {
  if (databaseUrl === undefined) throw new Error('DATABASE_URL is not set');
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 3_000 });
  await client.connect();
  try {
    return (await client.query<R>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

/** Fails (the calling hook or test) unless the test database answers. */
export async function expectPostgresAnswers(): Promise<void> {
  const [row] = await queryTestDatabase<{ ok: number }>('SELECT 1 AS ok');
  if (row?.ok !== 1) throw new Error(`PostgreSQL at DATABASE_URL answered ${JSON.stringify(row)}`);
}

const madeSchemas = new Set<string>();
let sequence = 0;

/** A schema name unique to this test (created by the store that opens it, dropped after the file). */
export function uniqueSchema(label: string): string {
  sequence += 1;
  const schema = `sy_${label}_${process.pid}_${Date.now().toString(36)}_${sequence}_${Math.random().toString(36).slice(2, 6)}`;
  madeSchemas.add(schema);
  return schema;
}

afterAll(async () => {
  if (databaseUrl === undefined || madeSchemas.size === 0) return;
  const schemas = [...madeSchemas];
  madeSchemas.clear();
  for (const schema of schemas) await queryTestDatabase(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
});
