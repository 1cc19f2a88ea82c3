/**
 * The exact-match cache key and the rule for which requests may be cached.
 *
 * A key is `policy.keyPrefix + sha256hex(canonical JSON)`. The canonical JSON is produced by a small
 * hand-written stable stringifier (object keys sorted, `undefined` dropped as `JSON.stringify`
 * does), so two requests that differ only in key order or in absent-versus-`undefined` fields
 * share a key. It runs on every call of a cached route, so it makes one pass over the request and
 * leans on the engine's own string escaping.
 */
import { hash } from 'node:crypto';
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
    request.tools === undefined ? null : request.tools.map((tool) => [tool.name, tool.description ?? null, stableStringify(tool.parameters)]),
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
    message.toolCalls === undefined ? null : message.toolCalls.map((call) => [call.id, call.name, stableStringify(call.arguments)]),
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
 * JSON with object keys sorted, so equal values always serialise to the same text. Follows
 * `JSON.stringify` otherwise: `undefined`, functions and symbols are dropped from objects and
 * become `null` in arrays, non-finite numbers become `null`, `toJSON()` is honoured.
 *
 * @throws TypeError on a cycle or a BigInt, as `JSON.stringify` does.
 */
export function stableStringify(value: unknown): string {
  return write(value, []) ?? 'null';
}

/** Serialises one value; `undefined` means "omit" (as `JSON.stringify` does for object members). */
function write(value: unknown, ancestors: object[]): string | undefined {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
    case 'bigint':
      throw new TypeError('cache key: a BigInt cannot be serialised');
    default:
      break;
  }
  if (value === null) return 'null';
  const object = value as object;
  const toJson = (object as { toJSON?: unknown }).toJSON;
  if (typeof toJson === 'function') return write(toJson.call(object), ancestors);
  if (ancestors.includes(object)) throw new TypeError('cache key: the request contains a cycle');
  ancestors.push(object);
  let text: string;
  if (Array.isArray(object)) {
    text = '[';
    for (let index = 0; index < object.length; index += 1) {
      if (index > 0) text += ',';
      text += write(object[index], ancestors) ?? 'null';
    }
    text += ']';
  } else {
    const record = object as Record<string, unknown>;
    const keys = Object.keys(record).sort();
    text = '{';
    let first = true;
    for (const key of keys) {
      const member = write(record[key], ancestors);
      if (member === undefined) continue;
      text += first ? '' : ',';
      text += JSON.stringify(key) + ':' + member;
      first = false;
    }
    text += '}';
  }
  ancestors.pop();
  return text;
}
