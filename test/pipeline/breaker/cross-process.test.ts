import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRedisBreakerRegistry } from '../../../src/pipeline/breaker/redis-registry.js';
import { connectTestRedis, hasRedis, redisUrl, uniquePrefix } from '../../support/redis.js';
import { breakerPolicy } from './policy.js';

const run = promisify(execFile);
const FIXTURE = fileURLToPath(new URL('./fixtures/record-failures.ts', import.meta.url));
const KEY = 'anthropic/claude-2.1';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe.skipIf(!hasRedis)('redis breaker: a real second process', () => {
  it('opens the breaker here when another process records the failures', async () => {
    const prefix = uniquePrefix('cross-process');
    const redis = await connectTestRedis();
    const registry = createRedisBreakerRegistry({ redis, keyPrefix: prefix, failMode: 'open', syncIntervalMs: 20, logger: () => undefined });
    const changes: string[] = [];
    registry.onStateChange((change) => changes.push(`${change.from}->${change.to}`));
    cleanups.push(async () => {
      await registry.close();
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    });
    const policy = breakerPolicy({ openForMs: 60_000 });
    await expect(registry.admit(KEY, policy)).resolves.toEqual({ allowed: true, probe: false });

    const { stdout } = await run(process.execPath, ['--import', 'tsx', FIXTURE, redisUrl ?? '', prefix, KEY, '10'], { timeout: 15_000 });
    expect(JSON.parse(stdout)).toEqual({ degraded: false, logs: [] });

    await vi.waitFor(() => expect(registry.state(KEY)).toBe('open'), { timeout: 3_000, interval: 10 });
    const admission = await registry.admit(KEY, policy);
    expect(admission.allowed).toBe(false);
    expect(changes).toEqual(['closed->open']);
  });
});
