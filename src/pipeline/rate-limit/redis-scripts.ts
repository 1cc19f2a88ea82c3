/**
 * The Lua scripts that make shared limits atomic in Redis: one script takes room under every
 * limit of a call (all or nothing), one gives it back. Both read the clock from Redis (`TIME`),
 * so processes on machines with skewed clocks still agree. The arithmetic mirrors `gcra.ts`.
 *
 * Keys: one per limit, `<keyPrefix>{rate-limit}:<scope>:<kind>[:<user or tenant>]`. Rates and
 * tokens keep one string (the TAT, ms) that expires once it is in the past; concurrency keeps a
 * sorted set of lease ids scored by their expiry (now + lease TTL), so the slots of a crashed
 * process free themselves. The `{rate-limit}` hash tag puts all of a call's keys in one slot,
 * which a multi-key script needs on Redis Cluster.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/** A script and its SHA-1, for `EVALSHA`. */
export interface LuaScript {
  readonly source: string;
  readonly sha: string;
}

function script(source: string): LuaScript {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

const CLOCK = `
if redis.replicate_commands then redis.replicate_commands() end
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + tonumber(clock[2]) / 1000
`;

/**
 * Takes room. KEYS: one per limit. ARGV: lease id, lease TTL ms, then per limit its algorithm
 * (`rate`, `slot`, `tokens`), limit and period ms. Returns `{1}` when admitted, otherwise
 * `{0, index, retryAfterMs, ...}` for every refusing limit (index 1-based; -1 = unknown, a slot).
 */
export const ACQUIRE_SCRIPT: LuaScript = script(`${CLOCK}
local leaseId = ARGV[1]
local leaseTtl = tonumber(ARGV[2])
local refusals = {}
local nextTats = {}
for i = 1, #KEYS do
  local algorithm = ARGV[3 * i]
  local limit = tonumber(ARGV[3 * i + 1])
  local period = tonumber(ARGV[3 * i + 2])
  if algorithm == 'slot' then
    redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now)
    if redis.call('ZCARD', KEYS[i]) >= limit then
      refusals[#refusals + 1] = i
      refusals[#refusals + 1] = -1
    end
  else
    local emission = period / limit
    local capacity = math.max(period, emission)
    local tat = tonumber(redis.call('GET', KEYS[i]) or now)
    if tat < now then tat = now end
    local wait = 0
    if algorithm == 'rate' then
      nextTats[i] = tat + emission
      -- Relative to now, so a fractional clock cannot make a fresh limit refuse by rounding.
      wait = (tat - now) + (emission - capacity)
    else
      wait = (tat - now) - (capacity - emission)
    end
    if wait > 1e-6 then
      refusals[#refusals + 1] = i
      refusals[#refusals + 1] = math.ceil(wait)
    end
  end
end
if #refusals > 0 then
  local reply = {0}
  for j = 1, #refusals do reply[j + 1] = refusals[j] end
  return reply
end
for i = 1, #KEYS do
  local algorithm = ARGV[3 * i]
  if algorithm == 'slot' then
    redis.call('ZADD', KEYS[i], now + leaseTtl, leaseId)
    redis.call('PEXPIRE', KEYS[i], leaseTtl)
  elseif algorithm == 'rate' then
    redis.call('SET', KEYS[i], string.format('%.3f', nextTats[i]), 'PX', math.ceil(nextTats[i] - now) + 1)
  end
end
return {1}
`);

/**
 * Gives room back. KEYS: the call's concurrency keys, then its token keys. ARGV: lease id, the
 * number of concurrency keys, tokens used, then per token key its limit and period ms.
 */
export const RELEASE_SCRIPT: LuaScript = script(`${CLOCK}
local leaseId = ARGV[1]
local slotCount = tonumber(ARGV[2])
local tokens = tonumber(ARGV[3])
for i = 1, slotCount do
  redis.call('ZREM', KEYS[i], leaseId)
end
if tokens > 0 then
  local argument = 4
  for i = slotCount + 1, #KEYS do
    local limit = tonumber(ARGV[argument])
    local period = tonumber(ARGV[argument + 1])
    argument = argument + 2
    local tat = tonumber(redis.call('GET', KEYS[i]) or now)
    if tat < now then tat = now end
    tat = tat + tokens * period / limit
    redis.call('SET', KEYS[i], string.format('%.3f', tat), 'PX', math.ceil(tat - now) + 1)
  end
end
return 1
`);

/** Runs a script by SHA, loading it with `EVAL` when Redis does not know it yet (`NOSCRIPT`). */
export async function runScript(redis: Redis, lua: LuaScript, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
  try {
    return await redis.evalsha(lua.sha, keys.length, ...keys, ...args);
  } catch (error) {
    if (error instanceof Error && error.message.startsWith('NOSCRIPT')) return await redis.eval(lua.source, keys.length, ...keys, ...args);
    throw error;
  }
}
