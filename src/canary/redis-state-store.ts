/**
 * The Redis rollout store: every process using the same Redis and key prefix follows the same
 * rollout. Keys (one hash tag per rollout, so one Redis Cluster slot):
 * - `<prefix>canary:{<rollout>}:state`, a hash: `version` and `state` (JSON). Changes go through a
 *   Lua compare-and-set on `version`, so two processes deciding at once cannot both move the
 *   rollout: the second sees the first's state and adopts it. It never expires (it is the record
 *   of the rollout; delete it to start the rollout over).
 * - `<prefix>canary:{<rollout>}:stats:<epoch>`, a hash: one field per process, its statistics of
 *   that step as JSON (counts and sketch bins, a few KiB). Expires 30 days after the last write.
 * Every command gives up after `timeoutMs`, so a slow Redis never holds a call or a sync loop; a
 * client still connecting (the router's, right after start) is waited for within the same time.
 */
import type { Redis } from 'ioredis';
import type { StepStatsData } from './arm-stats.js';
import type { RolloutState } from './rollout-state.js';
import type { CanaryStateStore, CompareAndSetResult } from './state-store.js';

/** Options of `createRedisCanaryStore`. */
export interface RedisCanaryStoreOptions {
  /** A connected (or connecting) client; the store never closes it. */
  readonly redis: Redis;
  /**
   * Prefix of every key.
   * @default 'switchyard:'
   */
  readonly keyPrefix?: string;
  /**
   * How long a command may take before it counts as failed, ms.
   * @default 1000
   */
  readonly timeoutMs?: number;
}

const STATS_TTL_MS = 30 * 24 * 60 * 60 * 1_000;

const COMPARE_AND_SET = `
local version = tonumber(redis.call('HGET', KEYS[1], 'version') or '0')
if version ~= tonumber(ARGV[1]) then
  return {0, redis.call('HGET', KEYS[1], 'state') or ''}
end
redis.call('HSET', KEYS[1], 'version', ARGV[2], 'state', ARGV[3])
return {1, ARGV[3]}
`;

function parseState(text: unknown): RolloutState | undefined {
  if (typeof text !== 'string' || text === '') return undefined;
  const value = JSON.parse(text) as RolloutState;
  return typeof value.version === 'number' && typeof value.state === 'string' ? value : undefined;
}

/** Creates a rollout store in Redis. */
export function createRedisCanaryStore(options: RedisCanaryStoreOptions): CanaryStateStore {
  const { redis } = options;
  const prefix = options.keyPrefix ?? 'switchyard:';
  const timeoutMs = options.timeoutMs ?? 1_000;
  const stateKey = (rollout: string): string => `${prefix}canary:{${rollout}}:state`;
  const statsKey = (rollout: string, epoch: number): string => `${prefix}canary:{${rollout}}:stats:${epoch}`;

  /** Waits (within the timeout) for a client that is still connecting, so start-up does not read as an outage. */
  function connected(): Promise<void> {
    if (redis.status !== 'connecting' && redis.status !== 'connect' && redis.status !== 'reconnecting') return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        redis.off('ready', done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      timer.unref();
      redis.once('ready', done);
    });
  }

  async function within<T>(command: () => Promise<T>): Promise<T> {
    await connected();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Redis gave no answer within ${timeoutMs} ms`)), timeoutMs);
      timer.unref();
    });
    return Promise.race([command(), timeout]).finally(() => clearTimeout(timer));
  }

  return {
    shared: true,
    async read(rollout) {
      return parseState(await within(() => redis.hget(stateKey(rollout), 'state')));
    },
    async compareAndSet(rollout, expectedVersion, next): Promise<CompareAndSetResult> {
      const reply = await within(() => redis.eval(COMPARE_AND_SET, 1, stateKey(rollout), String(expectedVersion), String(next.version), JSON.stringify(next)));
      if (!Array.isArray(reply)) throw new Error(`unexpected canary store reply: ${JSON.stringify(reply)}`);
      return { ok: reply[0] === 1, current: parseState(reply[1]) };
    },
    async writeStats(rollout, epoch, processId, data) {
      const key = statsKey(rollout, epoch);
      await within(() => redis.multi().hset(key, processId, JSON.stringify(data)).pexpire(key, STATS_TTL_MS).exec());
    },
    async readStats(rollout, epoch) {
      const all = await within(() => redis.hgetall(statsKey(rollout, epoch)));
      const result = new Map<string, StepStatsData>();
      for (const [processId, text] of Object.entries(all)) result.set(processId, JSON.parse(text) as StepStatsData);
      return result;
    },
    async claimDecision(rollout, decisionId) {
      const reply = await within(() => redis.set(`${prefix}canary:{${rollout}}:announced:${decisionId}`, '1', 'PX', STATS_TTL_MS, 'NX'));
      return reply === 'OK';
    },
    close() {
      return Promise.resolve();
    },
  };
}
