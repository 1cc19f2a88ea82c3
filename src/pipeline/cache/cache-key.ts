/**
 * The exact-match cache key and the rule for which requests may be cached.
 *
 * A key is `policy.keyPrefix + sha256hex(canonical JSON)`. The canonical JSON is produced by a small
 * hand-written stable stringifier (object keys sorted, `undefined` dropped as `JSON.stringify`
 * does), so two requests that differ only in key order or in absent-versus-`undefined` fields
 * share a key. It runs on every call of a cached route, so it makes one pass over the request,
 * writes the JSON text itself and leaves `JSON.stringify` to the strings that need escaping.
 */
import { hash } from 'node:crypto';
import type { CachePolicy } from '../../config/types.js';
import type { ChatRequest, ContentPart, Message, ToolCall, ToolDefinition } from '../../types.js';

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
  // Known fields in a fixed order, written out as the JSON of an array (see `canonicalText`); only
  // free-form JSON (tool schemas, tool-call arguments) goes through the sorted-key writer. Equal
  // requests give equal text whatever their objects' key order, and absent equals undefined.
  let text = '[' + KEY_FORMAT_VERSION + ',' + jsonOf(input.route) + ',' + jsonOf(request.system) + ',[';
  const { messages } = request;
  for (let index = 0; index < messages.length; index += 1) {
    if (index > 0) text += ',';
    text += canonicalMessage(messages[index] as Message);
  }
  text += '],';
  const { tools, toolChoice } = request;
  if (tools === undefined) text += 'null';
  else {
    text += '[';
    for (let index = 0; index < tools.length; index += 1) {
      const tool = tools[index] as ToolDefinition;
      text += (index > 0 ? ',[' : '[') + jsonOf(tool.name) + ',' + jsonOf(tool.description) + ',' + jsonOf(stableStringify(tool.parameters)) + ']';
    }
    text += ']';
  }
  text += ',' + (toolChoice === undefined || typeof toolChoice === 'string' ? jsonOf(toolChoice) : '["name",' + jsonOf(toolChoice.name) + ']');
  text += ',' + jsonOf(request.maxTokens) + ',' + jsonOf(request.temperature) + ',' + jsonOf(request.topP) + ',' + jsonOf(request.stop) + ',';
  text += policy.perUser ? '[' + jsonOf(input.identity?.user) + ',' + jsonOf(input.identity?.tenant) + ']]' : 'null]';
  return policy.keyPrefix + hash('sha256', text, 'hex');
}

function canonicalPart(part: ContentPart): string {
  return part.type === 'text' ? '["text",' + jsonOf(part.text) + ']' : '[' + jsonOf(part.type) + ',' + jsonOf(part.url) + ',' + jsonOf(part.data) + ',' + jsonOf(part.mediaType) + ']';
}

function canonicalMessage(message: Message): string {
  const { content, toolCalls } = message;
  let text = '[' + jsonOf(message.role) + ',';
  if (typeof content === 'string' || content === undefined) text += jsonOf(content);
  else {
    text += '[';
    for (let index = 0; index < content.length; index += 1) text += (index > 0 ? ',' : '') + canonicalPart(content[index] as ContentPart);
    text += ']';
  }
  text += ',';
  if (toolCalls === undefined) text += 'null';
  else {
    text += '[';
    for (let index = 0; index < toolCalls.length; index += 1) {
      const call = toolCalls[index] as ToolCall;
      text += (index > 0 ? ',[' : '[') + jsonOf(call.id) + ',' + jsonOf(call.name) + ',' + jsonOf(stableStringify(call.arguments)) + ']';
    }
    text += ']';
  }
  return text + ',' + jsonOf(message.toolCallId) + ',' + jsonOf(message.name) + ']';
}

/** Characters `JSON.stringify` escapes in a string (surrogates: it escapes lone ones; any send it the slow way). */
const NEEDS_ESCAPING = /["\\\u0000-\u001f\ud800-\udfff]/;

/**
 * A value as `JSON.stringify` writes it as an element of an array, with `undefined` as `null` (the
 * canonical form's "absent"). Strings that need no escaping, the usual case, are quoted by hand:
 * each `JSON.stringify` call has a fixed cost several times that of the test.
 */
function jsonOf(value: unknown): string {
  if (typeof value === 'string') return NEEDS_ESCAPING.test(value) ? JSON.stringify(value) : '"' + value + '"';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  if (value === undefined || value === null) return 'null';
  return JSON.stringify(value) ?? 'null';
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
      return jsonOf(value);
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
      text += jsonOf(key) + ':' + member;
      first = false;
    }
    text += '}';
  }
  ancestors.pop();
  return text;
}
