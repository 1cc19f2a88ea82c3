/**
 * `ChatResponse.providerMetadata`: the provider's own facts about an answer, kept beside the
 * normalized values so a mapping can be debugged or a support ticket filed without a second request.
 * Deliberately small: the response id, the raw finish reason and a few response headers (request
 * ids and rate-limit remainders). No request header is ever read here, so no key can end up in it.
 */
import type { HeaderBag } from './errors.js';
import type { AdapterResult } from './provider-spec.js';
import type { Mutable } from './mutable.js';
import type { ProviderMetadata, ProviderMetadataEntry } from './types.js';

/**
 * The response headers kept, lower-case: request ids (Anthropic `request-id`, OpenAI
 * `x-request-id`, Azure `apim-request-id`, Bedrock `x-amzn-requestid`: the id the AWS SDKs return as
 * `request_id()`, https://docs.rs/aws-sdk-bedrockruntime `InvokeModelOutput`) and what remains of
 * the rate limits (Anthropic `anthropic-ratelimit-*-remaining`, OpenAI `x-ratelimit-remaining-*`).
 * Vertex AI documents no request-id response header of its own: none is kept for it.
 */
const METADATA_HEADERS: readonly string[] = [
  'request-id',
  'x-request-id',
  'apim-request-id',
  'x-amzn-requestid',
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
 * The entry for the `response-metadata` part that opens a stream: the provider type's headers of
 * interest. The stream mappers attach it to that part themselves (the router's accumulator adds the id
 * and raw finish reason once they arrive), so no wrapper sits between the upstream and the caller.
 */
export function streamProviderMetadata(providerType: string, headers: HeaderBag): ProviderMetadata {
  return providerMetadataOf(providerType, undefined, undefined, metadataHeaders(headers));
}
