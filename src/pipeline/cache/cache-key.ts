/**
 * The exact-match cache key and the rule for which requests may be cached.
 *
 * A key is `policy.keyPrefix + sha256hex(canonical JSON)`: the request's known fields in a fixed
 * order, with free-form JSON (tool schemas, tool-call arguments) written by the one canonical JSON
 * function (`src/canonical-json.ts`: object keys sorted, `undefined` dropped as `JSON.stringify`
 * does), so two requests that differ only in key order or in absent-versus-`undefined` fields
 * share a key. It runs on every call of a cached route, so it makes one pass over the request and
 * leans on the engine's own serialiser.
 */
import { hash } from 'node:crypto';
import { canonicalJson } from '../../canonical-json.js';
import type { CachePolicy } from '../../config/types.js';
import type { ChatRequest, ContentPart, Message } from '../../types.js';

/** Who is calling; part of the key only when the policy says `perUser`. */
export interface CacheIdentity {
  readonly user?: string;
  readonly tenant?: string;
}

/** What a cache key is computed from. */
export interface CacheKeyInput {
  /** The requested route's name. */
  readonly route: string;
  readonly request: ChatRequest;
  /** The caller; ignored unless `policy.perUser` is true. */
  readonly identity?: CacheIdentity;
}

/**
 * Bumped whenever the canonical form changes, so entries written by an older Switchyard in a
 * shared Redis are never read as if they answered a differently-shaped key.
 */
const KEY_FORMAT_VERSION = 2;

/**
 * The cache key of a call.
 *
 * The hash covers the route, `system`, `messages`, `tools`, `toolChoice`, `maxTokens`,
 * `temperature`, `topP` and `stop`. It never covers `metadata` (caller bookkeeping that does not
 * change the answer) nor `request.model` (the route already names what is called). With
 * `policy.perUser` it also covers the caller's `user` and `tenant`, so users never see each
 * other's cached answers.
 *
 * Matching is exact: `content: 'hi'` and `content: [{ type: 'text', text: 'hi' }]` are different
 * keys.
 *
 * @throws TypeError when the request holds something JSON cannot represent (a cycle or a BigInt).
 * @example
 * cacheKey({ route: 'chat', request }, policy) // 'swy:cache:3f1c…' (prefix + 64 hex digits)
 */
export function cacheKey(input: CacheKeyInput, policy: CachePolicy): string {
  const { request } = input;
  // Known fields in a fixed order, as arrays serialised natively; only free-form JSON (tool
  // schemas, tool-call arguments) goes through the sorted-key writer. Equal requests give equal
  // text whatever their objects' key order, and absent equals undefined.
  const canonical = JSON.stringify([
    KEY_FORMAT_VERSION,
    input.route,
    request.system ?? null,
    request.messages.map(canonicalMessage),
    request.tools === undefined ? null : request.tools.map((tool) => [tool.name, tool.description ?? null, canonicalJson(tool.parameters)]),
    request.toolChoice === undefined ? null : typeof request.toolChoice === 'string' ? request.toolChoice : ['name', request.toolChoice.name],
    request.maxTokens ?? null,
    request.temperature ?? null,
    request.topP ?? null,
    request.stop ?? null,
    policy.perUser ? [input.identity?.user ?? null, input.identity?.tenant ?? null] : null,
  ]);
  // Joined, not added: `+` makes a cons string (a pair of pointers) that stays a cons in the
  // store's map, so every lookup compares it through the runtime instead of inline. `join` writes
  // one flat string.
  return [policy.keyPrefix, hash('sha256', canonical, 'hex')].join('');
}

function canonicalPart(part: ContentPart): unknown[] {
  return part.type === 'text' ? ['text', part.text] : [part.type, part.url ?? null, part.data ?? null, part.mediaType ?? null];
}

function canonicalMessage(message: Message): unknown[] {
  return [
    message.role,
    typeof message.content === 'string' ? message.content : message.content === undefined ? null : message.content.map(canonicalPart),
    message.toolCalls === undefined ? null : message.toolCalls.map((call) => [call.id, call.name, canonicalJson(call.arguments)]),
    message.toolCallId ?? null,
    message.name ?? null,
  ];
}

/**
 * Whether a request's answer may be served from (and stored in) the cache.
 *
 * A request with `temperature: 0` asks for a deterministic answer and is cacheable. Any other
 * temperature — including none at all, because every supported provider then samples with its
 * default temperature, which is above 0 — asks for a sampled answer and is cacheable only when
 * `policy.cacheSampled` is true.
 *
 * | temperature | cacheSampled: false | cacheSampled: true |
 * |-------------|---------------------|--------------------|
 * | 0           | cacheable           | cacheable          |
 * | > 0         | not cacheable       | cacheable          |
 * | absent      | not cacheable       | cacheable          |
 */
export function isCacheable(request: ChatRequest, policy: CachePolicy): boolean {
  return policy.cacheSampled || request.temperature === 0;
}

/**
 * The canonical JSON of a value: `canonicalJson` of `src/canonical-json.ts`, under the name the cache
 * module has exported it by.
 *
 * @throws TypeError on a cycle or a BigInt, as `JSON.stringify` does.
 */
export const stableStringify: (value: unknown) => string = canonicalJson;
