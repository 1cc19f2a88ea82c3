/**
 * `npx tsx bench/cache-miss-cost.ts [--calls 100000] [--rounds 5]`: what the cache stage costs on a
 * miss, with nothing else around it — the stage runs around a `next` that answers at once, each call
 * with a new question, against a memory store of 10,000 entries (full after the warm-up, so every
 * insert also evicts). The baseline builds the same context and calls `next` without the stage.
 * Also times the pieces of a miss on their own: the key (canonical JSON + SHA-256), the store's
 * insert (copy + LRU), the copies in and out alone, and the lookup.
 *
 * Sources are measured through tsx (which adds a little per named closure); the figures are for
 * comparing changes on one machine, not for quoting.
 */
import { parseArgs } from 'node:util';
import { cacheKey } from '../src/pipeline/cache/cache-key.js';
import { createCacheStage } from '../src/pipeline/cache/cache-stage.js';
import { packEntry, unpackEntry } from '../src/pipeline/cache/copy-entry.js';
import { createMemoryCacheStore } from '../src/pipeline/cache/memory-cache-store.js';
import type { CachedEntry } from '../src/pipeline/cache/store.js';
import type { CallContext, CallOutcome } from '../src/pipeline/context.js';
import type { ChatRequest } from '../src/types.js';
import { callContext, policy as testPolicy, upstreamResponse } from '../test/pipeline/cache/call-context.js';
import { median } from './support.js';

const { values } = parseArgs({ options: { calls: { type: 'string', default: '100000' }, rounds: { type: 'string', default: '5' } } });
const calls = Number(values.calls);
const rounds = Number(values.rounds);
const policy = { ...testPolicy, ttlMs: 600_000, keyPrefix: 'claude:', maxEntries: 10_000 };

let sequence = 0;
const newRequest = (): ChatRequest => ({ model: 'claude', system: 'Be terse.', messages: [{ role: 'user', content: `question ${(sequence += 1)}` }], maxTokens: 256, temperature: 0 });
const answer = upstreamResponse({ text: 'Echo: a question', target: { provider: 'anthropic', model: 'claude-2.0' }, route: 'claude' });
const next = (context: CallContext): Promise<CallOutcome> => Promise.resolve({ kind: 'response', response: { ...answer, requestId: context.requestId } });

/** Median over rounds of ns per call of `run` (which makes `calls` calls). */
async function nsPerCall(run: () => Promise<void> | void): Promise<number> {
  await run(); // warm-up
  const samples: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    const started = process.hrtime.bigint();
    await run();
    samples.push(Number(process.hrtime.bigint() - started) / calls);
  }
  return median(samples);
}

const stage = createCacheStage(createMemoryCacheStore({ maxEntries: policy.maxEntries }));
const stageMiss = await nsPerCall(async () => {
  for (let index = 0; index < calls; index += 1) await stage.execute(callContext({ request: newRequest(), cache: policy }), next);
});
const baseline = await nsPerCall(async () => {
  for (let index = 0; index < calls; index += 1) await next(callContext({ request: newRequest(), cache: policy }));
});

const store = createMemoryCacheStore({ maxEntries: policy.maxEntries });
// What the stage stores: the answer without its per-call fields.
const { attempts: _attempts, latencyMs: _latencyMs, requestId: _requestId, cached: _cached, ...stored } = answer;
const entry: CachedEntry = { response: stored, storedAt: 0 };
const keys = Array.from({ length: calls }, () => cacheKey({ route: 'claude', request: newRequest() }, policy));
/** Where the pieces' results go, so that the engine cannot drop the work as unused. */
let sink: unknown;
const pieces: [string, () => Promise<void> | void][] = [
  ['key: canonical JSON + SHA-256', () => {
    for (let index = 0; index < calls; index += 1) cacheKey({ route: 'claude', request: newRequest() }, policy);
  }],
  ['store insert (copy + LRU), new key', async () => {
    for (const key of keys) await store.set(`${key}${sequence}`, entry, policy.ttlMs);
    sequence += 1;
  }],
  ['packing the answer alone (the copy in)', () => {
    for (let index = 0; index < calls; index += 1) sink = packEntry(entry, index);
  }],
  ['unpacking it (the copy out, on a hit)', () => {
    const packed = packEntry(entry, 0);
    for (let index = 0; index < calls; index += 1) sink = unpackEntry(packed);
  }],
  ['lookup of an absent key (getNow)', () => {
    for (const key of keys) store.getNow?.(`${key}-absent`);
  }],
];

console.log(`cache stage, miss, around an instant next: ${((stageMiss - baseline) / 1000).toFixed(2)} µs per call (${(stageMiss / 1000).toFixed(2)} with the context and next, ${(baseline / 1000).toFixed(2)} without the stage)`);
for (const [name, run] of pieces) console.log(`  ${name.padEnd(38)} ${((await nsPerCall(run)) / 1000).toFixed(2)} µs`);
if (sink === undefined) throw new Error('no piece ran');
