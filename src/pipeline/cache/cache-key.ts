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
const KEY_FORMAT_VERSION = 3;

/**
 * The cache key of a call.
 *
 * The hash covers the route, `system`, `messages`, `tools`, `toolChoice`, `maxTokens`,
 * `temperature`, `topP`, `stop`, `reasoning` (and each assistant message's reasoning parts),
 * `responseFormat`, `parallelToolCalls` and `providerOptions` (as canonical JSON), and of each part
 * its uploaded `file`, a document's `context` and `citations` switch, a text part's citations; not prompt-cache breakpoints (`cache`), which change the bill, not the answer. It never covers `metadata` (caller bookkeeping that does not
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
  const fields: unknown[] = [
    KEY_FORMAT_VERSION,
    input.route,
    canonicalSystem(request.system),
    request.messages.map(canonicalMessage),
    request.tools === undefined ? null : request.tools.map((tool) => [tool.name, tool.description ?? null, canonicalJson(tool.parameters)]),
    request.toolChoice === undefined ? null : typeof request.toolChoice === 'string' ? request.toolChoice : ['name', request.toolChoice.name],
    request.maxTokens ?? null,
    request.temperature ?? null,
    request.topP ?? null,
    request.stop ?? null,
    canonicalReasoningOption(request.reasoning),
    canonicalResponseFormat(request.responseFormat),
    policy.perUser ? [input.identity?.user ?? null, input.identity?.tenant ?? null] : null,
  ];
  // Appended only when present, so every other request keeps the key it had before they existed
  // (entries in a shared Redis stay found); with them the array is longer, so keys never collide.
  if (request.parallelToolCalls !== undefined || request.providerOptions !== undefined) {
    fields.push(request.parallelToolCalls ?? null, request.providerOptions === undefined ? null : canonicalJson(request.providerOptions));
  }
  const canonical = JSON.stringify(fields);
  // Joined, not added: `+` makes a cons string (a pair of pointers) that stays a cons in the
  // store's map, so every lookup compares it through the runtime instead of inline. `join` writes
  // one flat string.
  return [policy.keyPrefix, hash('sha256', canonical, 'hex')].join('');
}

function canonicalPart(part: ContentPart): unknown[] {
  if (part.type === 'text') {
    // Citations sent back in history change what the provider reads; keyed only when present.
    return part.citations === undefined || part.citations.length === 0 ? ['text', part.text] : ['text', part.text, canonicalJson(part.citations)];
  }
  const canonical: unknown[] = [part.type, part.url ?? null, part.data ?? null, part.mediaType ?? null];
  // An image's `detail` and a document's title change what the model sees; appended only when set,
  // so parts without them keep the keys they had (entries in a shared Redis stay found).
  const extra = part.type === 'image' ? part.detail : part.title;
  if (extra !== undefined) canonical.push(extra);
  // Uploaded files, document context and citations likewise, tagged so they never read as a title.
  if (part.file !== undefined) canonical.push(['file', part.file.provider, part.file.id]);
  if (part.type === 'document') {
    if (part.context !== undefined) canonical.push(['context', part.context]);
    if (part.citations !== undefined) canonical.push(['citations', part.citations]);
  }
  return canonical;
}

/**
 * A message's content in the key. Typed as always present, but the router also accepts an assistant
 * message of tool calls only without any (validate-request.ts), so absent content is keyed as `null`.
 */
function canonicalContent(content: unknown): unknown {
  if (typeof content === 'string') return content;
  return Array.isArray(content) ? (content as readonly ContentPart[]).map(canonicalPart) : null;
}

function canonicalMessage(message: Message): unknown[] {
  const canonical: unknown[] = [
    message.role,
    canonicalContent(message.content),
    message.toolCalls === undefined ? null : message.toolCalls.map((call) => [call.id, call.name, canonicalJson(call.arguments)]),
    message.toolCallId ?? null,
    message.name ?? null,
    // Signed reasoning changes what the provider accepts, so it is part of the key.
    message.reasoning === undefined || message.reasoning.length === 0 ? null : message.reasoning.map((part) => [part.provider, part.text, part.signature ?? null, part.redactedData ?? null]),
  ];
  // A failed tool result reads differently to the model; appended only then (older keys unchanged).
  if (message.isError === true) canonical.push('error');
  return canonical;
}

/**
 * `system`: the string, or the texts of its parts. Prompt-cache breakpoints (`cache` on parts and
 * tools) are left out of the key everywhere: they change what the provider bills, not the answer.
 */
function canonicalSystem(system: ChatRequest['system']): unknown {
  if (system === undefined) return null;
  return typeof system === 'string' ? system : ['parts', system.map((part) => part.text)];
}

/** `responseFormat`: `['json']`, or the schema's fields with the schema as canonical JSON. */
function canonicalResponseFormat(format: ChatRequest['responseFormat']): unknown[] | null {
  if (format === undefined) return null;
  if (format.type === 'json') return ['json'];
  return ['json_schema', canonicalJson(format.schema), format.name ?? null, format.strict ?? null, format.method ?? null];
}

/** `reasoning` of a request: `['effort', level]`, `['budget', tokens]` or null. */
function canonicalReasoningOption(option: ChatRequest['reasoning']): unknown[] | null {
  if (option === undefined) return null;
  return 'effort' in option ? ['effort', option.effort] : ['budget', option.budgetTokens];
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
