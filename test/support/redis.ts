/**
 * Real-Redis test support. With `REDIS_URL` set, Redis must answer (a down Redis fails the suite);
 * without it (a laptop), Redis tests skip with a loud message. Never a mock.
 */
import { Redis } from 'ioredis';

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
  if (pong !== 'PONG') throw new Error(`Redis at ${redisUrl} answered ${pong}`);
  return client;
}

/** A key prefix unique to one test, so parallel test files never share keys. */
export function uniquePrefix(name: string): string {
  return `switchyard-test:${name}:${process.pid}:${Date.now()}:${Math.random().toString(36).slice(2, 8)}:`;
}
