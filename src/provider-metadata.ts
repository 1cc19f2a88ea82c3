/**
 * `ChatResponse.providerMetadata`: the provider's own facts about an answer, kept beside the
 * normalized values so a mapping can be debugged or a support ticket filed without a second request.
 * Deliberately small: the response id, the raw finish reason and a few response headers (request
 * ids and rate-limit remainders). No request header is ever read here, so no key can end up in it.
 */
import type { HeaderBag } from './errors.js';
import type { AdapterResult, AdapterStreamPart } from './provider-spec.js';
import type { Mutable } from './mutable.js';
import type { ProviderMetadata, ProviderMetadataEntry } from './types.js';

/**
 * The response headers kept, lower-case: request ids (Anthropic `request-id`, OpenAI
 * `x-request-id`, Azure `apim-request-id`) and what remains of the rate limits (Anthropic
 * `anthropic-ratelimit-*-remaining`, OpenAI `x-ratelimit-remaining-*`).
 */
const METADATA_HEADERS: readonly string[] = [
  'request-id',
  'x-request-id',
  'apim-request-id',
  'anthropic-ratelimit-requests-remaining',
  'anthropic-ratelimit-tokens-remaining',
  'anthropic-ratelimit-input-tokens-remaining',
  'anthropic-ratelimit-output-tokens-remaining',
  'x-ratelimit-remaining-requests',
  'x-ratelimit-remaining-tokens',
];

/** The headers of interest found in a response's headers (first value of a repeated one); undefined when none. */
function metadataHeaders(headers: HeaderBag): Readonly<Record<string, string>> | undefined {
  let kept: Record<string, string> | undefined;
  for (const name of METADATA_HEADERS) {
    const raw = headers[name];
    const value = Array.isArray(raw) ? raw[0] : raw;
    if (value === undefined) continue;
    kept ??= {};
    kept[name] = value;
  }
  return kept;
}

/** One provider type's entry from its parts; the fields left out when absent. */
export function providerMetadataOf(
  providerType: string,
  responseId: string | undefined,
  rawFinishReason: string | undefined,
  headers: Readonly<Record<string, string>> | undefined,
): ProviderMetadata {
  const entry: Mutable<ProviderMetadataEntry> = {};
  if (responseId !== undefined) entry.responseId = responseId;
  if (rawFinishReason !== undefined) entry.rawFinishReason = rawFinishReason;
  if (headers !== undefined) entry.headers = headers;
  return { [providerType]: entry };
}

/** `result` with its `providerMetadata` for `providerType`: its id, raw finish reason and the headers of interest. */
export function withProviderMetadata(result: AdapterResult, providerType: string, headers: HeaderBag): AdapterResult {
  return { ...result, providerMetadata: providerMetadataOf(providerType, result.id, result.rawFinishReason, metadataHeaders(headers)) };
}

/**
 * The `response-metadata` part that opens a stream: its provider type's entry with the headers of
 * interest (the router's accumulator adds the id and raw finish reason once they arrive).
 */
export function metadataPart(providerType: string, headers: HeaderBag): AdapterStreamPart {
  return { type: 'response-metadata', providerMetadata: providerMetadataOf(providerType, undefined, undefined, metadataHeaders(headers)) };
}

/**
 * `parts` with `metadata` (a `response-metadata` part) merged into the stream's first part when that
 * is a `response-metadata` part too (the usual case: providers open a stream with the message's id),
 * else sent before it. Hand-written rather than an async generator: `return()` reaches the inner
 * iterator at once, so stopping the stream still frees the upstream connection, and no generator
 * frame is kept per stream.
 */
export function prependPart(metadata: AdapterStreamPart, parts: AsyncIterable<AdapterStreamPart>): AsyncIterable<AdapterStreamPart> {
  return {
    [Symbol.asyncIterator](): AsyncIterator<AdapterStreamPart> {
      const inner = parts[Symbol.asyncIterator]();
      let started = false;
      let held: IteratorResult<AdapterStreamPart> | undefined;
      return {
        async next(): Promise<IteratorResult<AdapterStreamPart>> {
          if (held !== undefined) {
            const result = held;
            held = undefined;
            return result;
          }
          if (started) return inner.next();
          started = true;
          const first = await inner.next();
          if (first.done !== true && first.value.type === 'response-metadata' && metadata.type === 'response-metadata') {
            return { done: false, value: { ...first.value, ...(metadata.providerMetadata === undefined ? {} : { providerMetadata: metadata.providerMetadata }) } };
          }
          held = first;
          return { done: false, value: metadata };
        },
        return(value?: unknown): Promise<IteratorResult<AdapterStreamPart>> {
          started = true;
          held = undefined;
          return inner.return === undefined ? Promise.resolve({ done: true, value: undefined }) : inner.return(value);
        },
      };
    },
  };
}
