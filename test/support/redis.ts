/**
 * Real-Redis test support. With `REDIS_URL` set, Redis must answer (a down Redis fails the suite);
 * without it (a laptop), Redis tests skip with a loud message. Never a mock.
 */
import { Redis } from 'ioredis';
import { afterAll } from 'vitest';

/** The Redis URL tests use, or undefined when `REDIS_URL` is not set. */
export const redisUrl: string | undefined = process.env.REDIS_URL === '' ? undefined : process.env.REDIS_URL;

if (redisUrl === undefined) {
  console.warn('\n!!! REDIS_URL is not set: tests that need Redis are SKIPPED. Set REDIS_URL=redis://127.0.0.1:6379 to run them. !!!\n');
}

/** `describe.skipIf(!hasRedis)` for suites that need Redis. */
export const hasRedis: boolean = redisUrl !== undefined;

/** Connects to the test Redis and checks it answers; throws (failing the test) when it does not. */
export async function connectTestRedis(): Promise<Redis> {
  if (redisUrl === undefined) throw new Error('REDIS_URL is not set');
  const client = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2_000 });
  await client.connect();
  const pong = await client.ping();
  if (pong !== 'PONG') throw new Error(`Redis at ${redisUrl} answered ${String(pong)}`);
  return client;
}

/** The prefixes this test file made; their keys are deleted after the file's last test. */
const madePrefixes = new Set<string>();

/**
 * A key prefix unique to one test, so parallel test files never share keys. Every key under it is
 * deleted after the file's tests (the hook below), so a run leaves nothing behind in Redis.
 */
export function uniquePrefix(name: string): string {
  const prefix = `switchyard-test:${name}:${process.pid}:${Date.now()}:${Math.random().toString(36).slice(2, 8)}:`;
  madePrefixes.add(prefix);
  return prefix;
}

/** A SCAN pattern matching exactly the keys that start with `prefix`. */
function prefixPattern(prefix: string): string {
  return `${prefix.replace(/[*?[\]\\]/g, (character) => `\\${character}`)}*`;
}

/** Deletes every key starting with `prefix` (SCAN, then DEL in batches); returns how many. */
export async function deleteKeysWithPrefix(...prefixes: string[]): Promise<number> {
  if (redisUrl === undefined || prefixes.length === 0) return 0;
  const client = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2_000 });
  let deleted = 0;
  try {
    await client.connect();
    for (const prefix of prefixes) {
      let cursor = '0';
      do {
        const [next, keys] = await client.scan(cursor, 'MATCH', prefixPattern(prefix), 'COUNT', 1_000);
        cursor = next;
        if (keys.length > 0) deleted += await client.del(...keys);
      } while (cursor !== '0');
    }
  } finally {
    client.disconnect();
  }
  return deleted;
}

// Registered when a test file imports this module, so it runs after that file's last test (and
// after the file's own afterAll hooks, which close the routers that wrote the keys).
afterAll(async () => {
  const prefixes = [...madePrefixes];
  madePrefixes.clear();
  await deleteKeysWithPrefix(...prefixes);
});
