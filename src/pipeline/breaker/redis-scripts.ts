/**
 * The Lua scripts behind the shared breaker, and how they are run. Each script touches only the
 * keys of one breaker, which share a hash tag (`{target}`) so they also live in one Redis Cluster
 * slot. Times and bucket numbers are computed by the calling process and passed in as strings, so
 * Lua never formats a number (its `%.14g` would turn large ones into exponent notation).
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/** A Lua script with its SHA-1, for `EVALSHA`. */
export interface LuaScript {
  readonly source: string;
  readonly sha: string;
}

function defineScript(source: string): LuaScript {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

/** The Redis keys of one breaker. */
export interface BreakerKeys {
  /** Hash of bucket counters: field `c<bucket>` = calls, `f<bucket>` = failures. */
  readonly window: string;
  /** String: the open-until time; present while the breaker is open or half-open. */
  readonly open: string;
  /** Sorted set of probe slots in use: member = probe id, score = lease expiry. */
  readonly probes: string;
  /** Integer: probes that succeeded in the current half-open period. */
  readonly successes: string;
}

/** The keys of the breaker for `target` under `prefix`. */
export function breakerKeys(prefix: string, target: string): BreakerKeys {
  const base = `${prefix}breaker:{${encodeURIComponent(target)}}`;
  return { window: `${base}:window`, open: `${base}:open`, probes: `${base}:probes`, successes: `${base}:probe-successes` };
}

/** Lua: sums the window's buckets from `oldest` on into `calls` and `failures`; collects older fields in `stale`. */
const SUM_WINDOW = `
local calls, failures, stale = 0, 0, {}
local fields = redis.call('HGETALL', KEYS[1])
for i = 1, #fields, 2 do
  local name = fields[i]
  if tonumber(string.sub(name, 2)) < oldest then
    stale[#stale + 1] = name
  elseif string.sub(name, 1, 1) == 'c' then
    calls = calls + tonumber(fields[i + 1])
  else
    failures = failures + tonumber(fields[i + 1])
  end
end`;

/**
 * Adds a batch of outcomes to the shared window and opens the breaker when the threshold is
 * crossed.
 * KEYS: window, open, probes, successes.
 * ARGV: oldest bucket in the window, window TTL ms, minRequests, errorRate, open-until if this
 * opens, open TTL ms, then triples (bucket, calls, failures).
 * Returns {opened 0|1, open-until or '', calls, failures}.
 */
export const RECORD_SCRIPT = defineScript(`
local oldest = tonumber(ARGV[1])
for i = 7, #ARGV, 3 do
  if tonumber(ARGV[i]) >= oldest then
    local addCalls = tonumber(ARGV[i + 1])
    local addFailures = tonumber(ARGV[i + 2])
    if addCalls > 0 then redis.call('HINCRBY', KEYS[1], 'c' .. ARGV[i], addCalls) end
    if addFailures > 0 then redis.call('HINCRBY', KEYS[1], 'f' .. ARGV[i], addFailures) end
  end
end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
${SUM_WINDOW}
if #stale > 0 then redis.call('HDEL', KEYS[1], unpack(stale)) end
local openUntil = redis.call('GET', KEYS[2])
if openUntil then return {0, openUntil, calls, failures} end
if calls >= tonumber(ARGV[3]) and failures > 0 and failures / calls >= tonumber(ARGV[4]) then
  redis.call('SET', KEYS[2], ARGV[5], 'PX', ARGV[6])
  redis.call('DEL', KEYS[3], KEYS[4])
  return {1, ARGV[5], calls, failures}
end
return {0, '', calls, failures}
`);

/**
 * Reads the shared state without changing it.
 * KEYS: window, open. ARGV: oldest bucket in the window, or '' to skip counting.
 * Returns {open-until or '', calls, failures}.
 */
export const SYNC_SCRIPT = defineScript(`
local openUntil = redis.call('GET', KEYS[2]) or ''
if ARGV[1] == '' then return {openUntil, 0, 0} end
local oldest = tonumber(ARGV[1])
${SUM_WINDOW}
return {openUntil, calls, failures}
`);

/**
 * Takes a half-open probe slot if one is free (the N-slot form of \`SET probe NX PX lease\`).
 * KEYS: open, probes, successes. ARGV: now, probe slots, lease expiry, probe id, TTL ms.
 * Returns {'closed', ''}, {'open', open-until}, {'probe', open-until} or
 * {'busy', open-until, earliest lease expiry or ''}.
 */
export const ADMIT_PROBE_SCRIPT = defineScript(`
local openUntil = redis.call('GET', KEYS[1])
if not openUntil then return {'closed', ''} end
if tonumber(ARGV[1]) < tonumber(openUntil) then return {'open', openUntil} end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[1])
local taken = redis.call('ZCARD', KEYS[2]) + tonumber(redis.call('GET', KEYS[3]) or '0')
if taken < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[2], ARGV[3], ARGV[4])
  redis.call('PEXPIRE', KEYS[2], ARGV[5])
  return {'probe', openUntil}
end
local earliest = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
return {'busy', openUntil, earliest[2] or ''}
`);

/**
 * Records a probe's outcome, if the breaker is still in the open period the probe was admitted
 * under: a failure reopens it, enough successes close it and reset the window.
 * KEYS: window, open, probes, successes.
 * ARGV: 'success'|'failure', open-until at admission, probe id, probe slots, open-until if it
 * reopens, TTL ms.
 * Returns {'closed', ''}, {'open', open-until}, {'half_open', open-until} or {'stale', open-until}.
 */
export const RECORD_PROBE_SCRIPT = defineScript(`
local openUntil = redis.call('GET', KEYS[2])
if not openUntil then return {'closed', ''} end
if openUntil ~= ARGV[2] then return {'stale', openUntil} end
if ARGV[1] == 'failure' then
  redis.call('SET', KEYS[2], ARGV[5], 'PX', ARGV[6])
  redis.call('DEL', KEYS[3], KEYS[4])
  return {'open', ARGV[5]}
end
redis.call('ZREM', KEYS[3], ARGV[3])
local successes = redis.call('INCR', KEYS[4])
redis.call('PEXPIRE', KEYS[4], ARGV[6])
if successes >= tonumber(ARGV[4]) then
  redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4])
  return {'closed', ''}
end
return {'half_open', openUntil}
`);

/** Runs a script by its SHA-1, loading it with `EVAL` when Redis does not know it yet (`NOSCRIPT`). */
export async function runScript(redis: Redis, script: LuaScript, keys: readonly string[], args: readonly string[]): Promise<unknown> {
  try {
    return await redis.evalsha(script.sha, keys.length, ...keys, ...args);
  } catch (error) {
    if (error instanceof Error && error.message.startsWith('NOSCRIPT')) {
      return redis.eval(script.source, keys.length, ...keys, ...args);
    }
    throw error;
  }
}

/**
 * Runs a script and gives its reply as a list of strings (Redis integers become their decimal
 * text); rejects when Redis has not answered within `timeoutMs`.
 */
export function runScriptWithin(timeoutMs: number, redis: Redis, script: LuaScript, keys: readonly string[], args: readonly string[]): Promise<string[]> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([runScript(redis, script, keys, args), timeout])
    .then(replyFields)
    .finally(() => clearTimeout(timer));
}

function replyFields(reply: unknown): string[] {
  if (!Array.isArray(reply)) throw new Error(`unexpected breaker script reply: ${JSON.stringify(reply)}`);
  return reply.map((field: unknown) => (typeof field === 'number' ? String(field) : typeof field === 'string' ? field : ''));
}
