import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RateLimitPolicy } from '../../../src/config/types.js';
import { createRedisRateLimiter } from '../../../src/pipeline/rate-limit/index.js';
import { connectTestRedis, hasRedis, redisUrl, uniquePrefix } from '../../support/redis.js';
import type { WorkerPhase, WorkerReport, WorkerSettings } from './fixtures/limit-worker.js';

const workerPath = fileURLToPath(new URL('./fixtures/limit-worker.ts', import.meta.url));

/** One worker process and a way to read its lines in order. */
interface Worker {
  readonly child: ChildProcessWithoutNullStreams;
  nextLine(): Promise<string>;
  send(line: string): void;
  exited: Promise<number | null>;
}

function startWorker(settings: WorkerSettings): Worker {
  const child = spawn(process.execPath, ['--import', 'tsx', workerPath, JSON.stringify(settings)], { stdio: 'pipe' });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const reader: Interface = createInterface({ input: child.stdout });
  const queued: string[] = [];
  const waiting: ((line: string) => void)[] = [];
  reader.on('line', (line) => {
    const taker = waiting.shift();
    if (taker === undefined) queued.push(line);
    else taker(line);
  });
  return {
    child,
    exited,
    send: (line) => child.stdin.write(`${line}\n`),
    nextLine: () => {
      const line = queued.shift();
      if (line !== undefined) return Promise.resolve(line);
      return new Promise((resolve, reject) => {
        waiting.push(resolve);
        void exited.then((code) => reject(new Error(`worker exited with ${code}: ${stderr}`)));
      });
    },
  };
}

/** Releases every worker at once (a barrier) into its next phase and collects their reports. */
async function runTogether(workers: readonly Worker[]): Promise<WorkerReport[]> {
  for (const worker of workers) worker.send('go');
  return Promise.all(workers.map(async (worker) => JSON.parse(await worker.nextLine()) as WorkerReport));
}

// rpm 6: a burst of 6, then one room every 10 s, far longer than the test.
const windowPolicy: RateLimitPolicy = { perTenant: { rpm: 6 }, waitMs: 0 };
const slotPolicy: RateLimitPolicy = { global: { concurrency: 3 }, waitMs: 0 };
const phases: WorkerPhase[] = [
  { policy: windowPolicy, keys: { tenant: 'shared-tenant' }, attempts: 6, hold: false },
  { policy: slotPolicy, keys: {}, attempts: 3, hold: true },
];

/**
 * Two worker processes (started once: a tsx start costs seconds on a loaded machine) run the
 * phases above; the tests drive one phase each, in order.
 */
describe.skipIf(!hasRedis)('redis rate limiter across OS processes', () => {
  let redis: Redis;
  let prefix: string;
  let workers: Worker[] = [];

  beforeAll(async () => {
    redis = await connectTestRedis();
    prefix = uniquePrefix('rate-limit-processes');
    const settings: WorkerSettings = { redisUrl: redisUrl as string, keyPrefix: prefix, phases };
    workers = [startWorker(settings), startWorker(settings)];
    for (const worker of workers) expect(await worker.nextLine()).toBe('ready');
  });

  afterAll(async () => {
    for (const worker of workers) {
      worker.child.kill('SIGKILL');
      await worker.exited;
    }
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  it('two processes together get exactly the limit within one window', async () => {
    const reports = await runTogether(workers);
    expect(reports.reduce((sum, report) => sum + report.admitted, 0)).toBe(6);
    const retryAfters = reports.flatMap((report) => report.retryAfterMs);
    expect(retryAfters).toHaveLength(6);
    for (const retryAfterMs of retryAfters) {
      expect(retryAfterMs).toBeGreaterThan(0);
      expect(retryAfterMs).toBeLessThanOrEqual(10_000);
    }
  });

  it('two processes share one concurrency limit, and their releases free it for a third', async () => {
    const reports = await runTogether(workers);
    expect(reports.reduce((sum, report) => sum + report.admitted, 0)).toBe(3);

    const limiter = createRedisRateLimiter({ redis, keyPrefix: prefix, failMode: 'closed' });
    await expect(limiter.acquire({}, slotPolicy)).rejects.toMatchObject({ category: 'rate_limit' });
    for (const worker of workers) worker.send('release');
    for (const worker of workers) expect(await worker.nextLine()).toBe('released');
    expect(await Promise.all(workers.map((worker) => worker.exited))).toEqual([0, 0]);
    const leases = [await limiter.acquire({}, slotPolicy), await limiter.acquire({}, slotPolicy), await limiter.acquire({}, slotPolicy)];
    await expect(limiter.acquire({}, slotPolicy)).rejects.toMatchObject({ category: 'rate_limit' });
    for (const lease of leases) lease.release();
    await limiter.close();
  });
});
