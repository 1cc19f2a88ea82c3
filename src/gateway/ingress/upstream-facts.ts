/**
 * What served an answer, told to gateway clients without breaking their SDKs' parsing: response
 * headers on a whole answer (`x-switchyard-provider`, …), and on a stream, whose headers leave
 * before the answer is known, one body field (`switchyard`) on its last event, which both SDKs
 * pass through untouched. Built from `ChatResponse.target`, `.route` and `.providerMetadata`; only
 * the upstream's request and response ids and raw finish reason are told, never its rate-limit
 * headers (the gateway's upstream account is not its clients' business).
 */
import type { ChatResponse, ProviderMetadataEntry } from '../../types.js';

/** The facts, keyed as the `switchyard` body field carries them (header `x-switchyard-<key with ->`). */
export interface UpstreamFacts {
  /** The route that answered (the one asked for, or a fallback). */
  readonly route: string;
  /** The provider (its name in the config) and model that answered. */
  readonly provider: string;
  readonly model: string;
  /** The provider's request id (Anthropic `request-id`, OpenAI `x-request-id`, Azure `apim-request-id`, Bedrock `x-amzn-requestid`). */
  readonly upstream_request_id?: string;
  /** The provider's response id (`msg_…`, `chatcmpl-…`). */
  readonly upstream_response_id?: string;
  /** The provider's own finish reason (`end_turn`, `STOP`, …). */
  readonly upstream_finish_reason?: string;
}

/** Request-id headers of interest, in order of preference (those `provider-metadata.ts` keeps). */
const REQUEST_ID_HEADERS = ['request-id', 'x-request-id', 'apim-request-id', 'x-amzn-requestid'] as const;

/** What a header may carry as is: printable ASCII, bounded (an upstream's value is not trusted to be a valid header). */
const HEADER_SAFE = /^[\x20-\x7e]{1,256}$/;

function safe(value: string | undefined): string | undefined {
  return value !== undefined && HEADER_SAFE.test(value) ? value : undefined;
}

/** The one entry of `providerMetadata` (an answer has a single serving provider type). */
function metadataEntry(response: ChatResponse): ProviderMetadataEntry | undefined {
  const metadata = response.providerMetadata;
  if (metadata === undefined) return undefined;
  for (const type in metadata) return metadata[type];
  return undefined;
}

function upstreamRequestId(entry: ProviderMetadataEntry | undefined): string | undefined {
  const headers = entry?.headers;
  if (headers === undefined) return undefined;
  for (const name of REQUEST_ID_HEADERS) {
    const value = safe(headers[name]);
    if (value !== undefined) return value;
  }
  return undefined;
}

/** The facts of an answer; values that could not travel in a header are left out. */
export function upstreamFactsOf(response: ChatResponse): UpstreamFacts {
  const entry = metadataEntry(response);
  const facts: { -readonly [K in keyof UpstreamFacts]: UpstreamFacts[K] } = { route: response.route, provider: response.target.provider, model: response.target.model };
  const requestId = upstreamRequestId(entry);
  if (requestId !== undefined) facts.upstream_request_id = requestId;
  const responseId = safe(entry?.responseId);
  if (responseId !== undefined) facts.upstream_response_id = responseId;
  const finishReason = safe(entry?.rawFinishReason ?? response.rawFinishReason);
  if (finishReason !== undefined) facts.upstream_finish_reason = finishReason;
  return facts;
}

/**
 * The response headers for a whole answer: each fact as `x-switchyard-<key>` (`-route`, `-provider`,
 * `-model`, `-upstream-request-id`, `-upstream-response-id`, `-upstream-finish-reason`), when known
 * and header-safe.
 */
export function upstreamHeaders(response: ChatResponse): Record<string, string> {
  const headers: Record<string, string> = {};
  // Route, provider and model come from the config; still checked, in case a name is not header-safe.
  const facts: Readonly<Record<string, string | undefined>> = { ...upstreamFactsOf(response) };
  for (const [key, value] of Object.entries(facts)) {
    const header = safe(value);
    if (header !== undefined) headers[`x-switchyard-${key.replaceAll('_', '-')}`] = header;
  }
  return headers;
}
