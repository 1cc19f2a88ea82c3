/**
 * The cache for embedding calls, in the `cache` stage's place: `withEmbeddingCache` wraps the chat
 * cache stage, hands it every chat and stream call, and answers embedding calls itself from the
 * same `CacheStore` (in memory or Redis), under the route's cache policy.
 *
 * - Key: the policy's prefix + SHA-256 of the route, the inputs (as sent, after any content-filter
 *   masking), `dimensions`, `taskType` and `title` (vectors differ by task), and with `perUser` the
 *   caller. Embeddings are deterministic, so every call of a cached route is cacheable
 *   (`cacheSampled` does not apply).
 * - Entry: the store holds chat-shaped entries, so the vectors travel in the entry's `text` as
 *   base64 of float64 values (exact: a hit returns the very numbers stored), with their count and
 *   length in `rawFinishReason`. An entry that does not decode is a miss.
 * - Identical embedding calls in flight at the same time are not merged (no single flight).
 * A failing store never fails a call.
 */
import { hash } from 'node:crypto';
import { parseDuration } from '../config/duration.js';
import type { CachePolicy } from '../config/types.js';
import type { EmbedResponse } from '../embedding-types.js';
import { invalidRequest } from '../errors.js';
import type { Mutable } from '../mutable.js';
import type { CachedEntry, CachedResponse, CacheStore } from '../pipeline/cache/store.js';
import { embeddingInputsOf, type CallContext, type CallOutcome } from '../pipeline/context.js';
import type { Stage } from '../pipeline/stage.js';
import { usageOfEmbedding } from '../embedding-types.js';

/** Marks an entry as an embedding entry; bumped when the packing changes. */
const ENTRY_TAG = 'embedding-v1';

/** The cache key of an embedding call. */
export function embeddingCacheKey(context: CallContext, policy: CachePolicy): string {
  const identity = policy.perUser ? [context.options.user ?? null, context.options.tenant ?? null] : null;
  const { dimensions, taskType, title } = context.embedding ?? {};
  const parts: unknown[] = [ENTRY_TAG, context.route.name, embeddingInputsOf(context), dimensions ?? null, identity];
  // Appended only when set, so calls without a task keep the keys they had before tasks existed.
  if (taskType !== undefined || title !== undefined) parts.push({ taskType: taskType ?? null, title: title ?? null });
  const canonical = JSON.stringify(parts);
  return [policy.keyPrefix, hash('sha256', canonical, 'hex')].join('');
}

/** An answer as a store entry; undefined when the vectors are not all of one length (not worth a special case). */
export function packEmbeddingEntry(response: EmbedResponse): CachedResponse | undefined {
  const count = response.embeddings.length;
  const length = response.embeddings[0]?.length ?? 0;
  if (count === 0 || response.embeddings.some((vector) => vector.length !== length)) return undefined;
  const values = new Float64Array(count * length);
  response.embeddings.forEach((vector, index) => values.set(vector, index * length));
  const entry: Mutable<CachedResponse> = {
    id: ENTRY_TAG,
    text: Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64'),
    toolCalls: [],
    finishReason: 'stop',
    rawFinishReason: `${ENTRY_TAG}:${count}x${length}`,
    usage: usageOfEmbedding(response.usage),
    route: response.route,
    target: response.target,
  };
  if (response.servedModel !== undefined) entry.servedModel = response.servedModel;
  return entry;
}

/** The answer an entry holds, served to `context`; undefined for an entry that is not a well-formed embedding entry. */
export function unpackEmbeddingEntry(entry: CachedResponse, context: CallContext): EmbedResponse | undefined {
  const shape = entry.id === ENTRY_TAG ? /^embedding-v1:(\d+)x(\d+)$/.exec(entry.rawFinishReason ?? '') : null;
  if (shape === null) return undefined;
  const count = Number(shape[1]);
  const length = Number(shape[2]);
  const bytes = Buffer.from(entry.text, 'base64');
  if (bytes.byteLength !== count * length * 8) return undefined;
  // Copied into an aligned buffer: a Buffer from base64 may start at any byte offset.
  const values = new Float64Array(count * length);
  new Uint8Array(values.buffer).set(bytes);
  const embeddings: number[][] = [];
  for (let index = 0; index < count; index += 1) embeddings.push(Array.from(values.subarray(index * length, (index + 1) * length)));
  const response: Mutable<EmbedResponse> = {
    embeddings,
    usage: { inputTokens: entry.usage.inputTokens, totalTokens: entry.usage.totalTokens },
    route: entry.route,
    target: entry.target,
    attempts: [],
    latencyMs: Math.max(0, performance.now() - context.startedAt),
    requestId: context.requestId,
    cached: true,
  };
  if (entry.servedModel !== undefined) response.servedModel = entry.servedModel;
  return response;
}

/** The entry lifetime for this call: the caller's `cache.ttl` when given, else the policy's. */
function ttlMsOf(context: CallContext, policy: CachePolicy): number {
  const option = context.options.cache;
  if (option === undefined || option === false || option.ttl === undefined) return policy.ttlMs;
  try {
    return parseDuration(option.ttl);
  } catch (error) {
    throw invalidRequest('options.cache.ttl', error instanceof Error ? error.message : String(error));
  }
}

/** The `cache` stage for every call: `chatCache` for chat and stream calls, the embedding cache for embedding calls. */
export function withEmbeddingCache(chatCache: Stage<CallContext, CallOutcome>, store: CacheStore): Stage<CallContext, CallOutcome> {
  async function lookup(key: string): Promise<CachedEntry | undefined> {
    try {
      return store.getNow === undefined ? await store.get(key) : store.getNow(key);
    } catch {
      return undefined;
    }
  }

  function remember(key: string, response: EmbedResponse, ttlMs: number): void {
    const packed = packEmbeddingEntry(response);
    if (packed === undefined || !(ttlMs > 0)) return;
    try {
      if (store.setNow !== undefined) store.setNow(key, { response: packed, storedAt: Date.now() }, ttlMs);
      else store.set(key, { response: packed, storedAt: Date.now() }, ttlMs).then(undefined, () => undefined);
    } catch {
      // A store that throws is a broken store, not a failed call.
    }
  }

  async function embedCached(context: CallContext, next: (context: CallContext) => Promise<CallOutcome>): Promise<CallOutcome> {
    const policy = context.policies.cache;
    if (policy === undefined || context.options.cache === false) {
      context.notes.cache = 'bypass';
      return next(context);
    }
    const ttlMs = ttlMsOf(context, policy);
    const key = embeddingCacheKey(context, policy);
    const entry = await lookup(key);
    const hit = entry === undefined ? undefined : unpackEmbeddingEntry(entry.response, context);
    if (hit !== undefined) {
      context.notes.cache = 'hit';
      return { kind: 'embedding', response: hit };
    }
    context.notes.cache = 'miss';
    const outcome = await next(context);
    if (outcome.kind === 'embedding') remember(key, outcome.response, ttlMs);
    return outcome;
  }

  return {
    name: chatCache.name,
    execute(context, next) {
      return context.mode === 'embed' ? embedCached(context, next) : chatCache.execute(context, next);
    },
  };
}
