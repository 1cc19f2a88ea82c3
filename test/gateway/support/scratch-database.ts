/**
 * A PostgreSQL database of its own for one test run (`CREATE DATABASE sy_gw_<random>` on the
 * server `DATABASE_URL` names), so processes that share a store share only this run's keys, and
 * nothing is left behind: `drop()` removes it, closing whatever connections killed processes left.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** A database made for this run. */
export interface ScratchDatabase {
  readonly name: string;
  /** `DATABASE_URL` with the new database in place of its own. */
  readonly url: string;
  drop(): Promise<void>;
}

async function onServer(serverUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 3_000 });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Creates an empty database on the server of `serverUrl`; throws when the server does not answer. */
export async function createScratchDatabase(serverUrl: string): Promise<ScratchDatabase> {
  const name = `sy_gw_${randomBytes(6).toString('hex')}`;
  await onServer(serverUrl, `CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    // FORCE: a SIGKILLed gateway's connections may linger until the server notices they are gone.
    drop: () => onServer(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}
