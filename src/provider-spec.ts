/**
 * The contract between the router and a provider adapter: a public, versioned interface. Everything
 * an adapter may see is here; adapters never import the router. The `do` prefix marks methods the
 * router calls, not users. Custom adapters join through `createRouter(config, { providers })`
 * (see docs/extending.md).
 *
 * Versioning: `PROVIDER_SPEC_VERSION` changes only when a change would break an adapter written
 * for the previous version (a new required method, a changed meaning). Additions that existing
 * adapters may ignore (an optional `AdapterCall` field, a new optional capability) keep the
 * version and are listed in the changelog.
 */
import type { KeyPool } from './http/key-pool.js';
import type { HttpTransport } from './http/transport.js';
import type { ProviderApi } from './config/provider-api.js';
import type { BreakerPolicy, LimitSpec } from './config/policy-types.js';
import type { EmbeddingTaskType } from './embedding-types.js';
import type { ChatRequest, Citation, FinishReason, ProviderMetadata, ReasoningPart, TextPart, ToolCall, Usage } from './types.js';

/**
 * The version of this contract. An adapter may declare the version it was written for
 * (`ProviderAdapter.specificationVersion`); the router refuses one written for another version.
 */
export const PROVIDER_SPEC_VERSION = 1;

/** The wire formats Switchyard speaks out of the box; custom adapters add their own types. */
export type ProviderType = 'anthropic' | 'openai' | 'azure-openai' | 'gemini' | 'openai-compatible' | 'bedrock' | 'vertex';

/**
 * A provider's `type` in the config: a built-in wire format (`ProviderType`), or any other name, served
 * by the adapter factory registered under it (`createRouter(config, { providers: { [type]: factory } })`).
 */
export type ProviderTypeName = ProviderType | (string & Record<never, never>);

/** One key of a provider's key pool (`apiKeys`), with its relative share of the calls. */
export interface WeightedApiKey {
  /** Never logged, never put in an error. */
  readonly key: string;
  /** Relative share of the provider's calls (> 0). @default 1 */
  readonly weight: number;
  /** The key's own limits (`apiKeys[i].limits`); absent when it has none. Concurrency is not among them. */
  readonly limits?: Omit<LimitSpec, 'concurrency'>;
}

/** How a provider's key pool treats its keys (`keyPool` in the config). */
export interface KeyPoolSettings {
  /** How long a key answered with 429 is skipped when the provider sent no `retry-after`, ms. */
  readonly cooldownMs: number;
  /** A circuit breaker per key (`keyPool.breaker`); absent when off. */
  readonly breaker?: BreakerPolicy;
}

/** A provider's settings after the config was validated and defaults applied. */
export interface ProviderSettings {
  /** The provider id from the config (e.g. `anthropic`, `one-api`). */
  readonly id: string;
  readonly type: ProviderTypeName;
  /**
   * Never logged, never put in an error. May be absent for local servers (Ollama, vLLM). With a key
   * pool (`apiKeys`), the pool's first key: an adapter that knows nothing of pools still works, with
   * that one key; `AdapterContext.keyPool` spreads calls over all of them.
   */
  readonly apiKey?: string;
  /** The key pool (`apiKeys`), in the order written; absent when the provider has one `apiKey` or none. */
  readonly apiKeys?: readonly WeightedApiKey[];
  /** Present with `apiKeys`. */
  readonly keyPool?: KeyPoolSettings;
  /**
   * Origin plus optional path prefix, without a trailing slash (e.g. `https://api.anthropic.com`).
   * Empty for `bedrock` and `vertex` when the config gives none: their adapters derive it from `region`.
   */
  readonly baseUrl: string;
  /** Azure OpenAI's `api-version` query parameter; Anthropic's `anthropic-version` header. */
  readonly apiVersion?: string;
  /** Extra headers sent with every request (e.g. `anthropic-beta`, `OpenAI-Organization`). */
  readonly headers: Readonly<Record<string, string>>;
  /** `max_tokens` sent when the caller gives none (Anthropic requires one). */
  readonly defaultMaxTokens: number;
  /** Bedrock: the AWS region (else `AWS_REGION`); Vertex AI: the Google Cloud location (`us-east5`, `global`). */
  readonly region?: string;
  /** Vertex AI: the Google Cloud project id. */
  readonly project?: string;
  /** Vertex AI: whose models the provider serves; absent: chosen by model name (`claude-*` is Anthropic). */
  readonly publisher?: 'anthropic' | 'google';
  /** Vertex AI: the path of a service-account JSON key (else `GOOGLE_APPLICATION_CREDENTIALS`, then ADC). */
  readonly credentials?: string;
  /**
   * Which upstream API the adapter calls (`api:` in the config), when the type has several: Bedrock
   * `invoke` | `converse`, OpenAI and Azure OpenAI `chat-completions` | `responses`. Absent: the type's default.
   */
  readonly api?: ProviderApi;
}

/** Everything one upstream attempt needs. */
export interface AdapterCall {
  /** The validated unified request. `request.model` is the route name; use `model` upstream. */
  readonly request: ChatRequest;
  /** The upstream model id (for Azure OpenAI: the deployment name). */
  readonly model: string;
  /** Aborted by the caller, by a timeout (reason: `TimeoutReason`) or by the pipeline. */
  readonly signal: AbortSignal;
  /** Time allowed until response headers, in ms (0 = no limit). */
  readonly firstByteTimeoutMs: number;
  /** Longest gap between two body chunks, in ms (0 = no limit). */
  readonly idleTimeoutMs: number;
  /**
   * Extra request headers for this try, set by attempt stages; an adapter sends them along with
   * its own (which win for credentials). Absent when no stage set any.
   */
  readonly headers?: Readonly<Record<string, string>>;
}

/** A complete answer as an adapter reports it; the router adds route, target, attempts and timing. */
export interface AdapterResult {
  readonly id: string;
  readonly text: string;
  readonly toolCalls: readonly ToolCall[];
  /** The reasoning parts, in order (`provider` set to the adapter's type); absent or empty when none. */
  readonly reasoning?: readonly ReasoningPart[];
  readonly finishReason: FinishReason;
  readonly rawFinishReason?: string;
  readonly usage: Usage;
  /** The model the provider says served the call. */
  readonly servedModel?: string;
  /** The provider's own facts about the answer (response id, raw finish reason, headers of interest), by provider type. */
  readonly providerMetadata?: ProviderMetadata;
  /** The text as the provider split it, when some piece carries `citations`; joined, the parts are `text`. */
  readonly textParts?: readonly TextPart[];
}

/**
 * One upstream embedding request. The router has already split the call's inputs to at most the
 * adapter's `maxEmbeddingInputsFor(model)` or `maxEmbeddingInputs` (and, estimated,
 * `maxEmbeddingTokensFor(model)`); the adapter sends them as one request.
 */
export interface AdapterEmbedCall {
  /** The texts to embed, in order; never empty. */
  readonly inputs: readonly string[];
  /** The upstream model id (for Azure OpenAI: the deployment name). */
  readonly model: string;
  /** The vector length asked for, when the caller gave one. */
  readonly dimensions?: number;
  /** What the vectors are for, when the caller said; adapters without such a field ignore it. */
  readonly taskType?: EmbeddingTaskType;
  /** The documents' title (only with `taskType: 'document'`). */
  readonly title?: string;
  /** Aborted by the caller, by a timeout or by the pipeline. */
  readonly signal: AbortSignal;
  /** Time allowed until response headers, in ms (0 = no limit). */
  readonly firstByteTimeoutMs: number;
  /** Longest gap between two body chunks, in ms (0 = no limit). */
  readonly idleTimeoutMs: number;
  /** Extra request headers for this try, set by attempt stages. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** The vectors of one upstream embedding request, one per input, in input order. */
export interface AdapterEmbedResult {
  readonly embeddings: number[][];
  /** Input tokens as the provider counted them (0 when it reports none). */
  readonly inputTokens: number;
  /** The model the provider says served the request. */
  readonly servedModel?: string;
}

/** One part of an adapter's stream. */
export type AdapterStreamPart =
  /** `providerMetadata`: the response's headers of interest by provider type; the router adds the id and raw finish reason. */
  | { readonly type: 'response-metadata'; readonly id?: string; readonly servedModel?: string; readonly providerMetadata?: ProviderMetadata }
  | { readonly type: 'text-delta'; readonly text: string }
  /** Reasoning text as it streams; shown to the caller, not accumulated (the `reasoning` part is). */
  | { readonly type: 'reasoning-delta'; readonly text: string }
  /** A complete reasoning part (text, signature), once the provider closed it; what the final message keeps. */
  | { readonly type: 'reasoning'; readonly part: ReasoningPart }
  /**
   * A piece of a tool call's arguments JSON as it streams, before that call's `tool-call` part (same
   * id and name); shown to the caller, not accumulated (the `tool-call` part is). Optional.
   */
  | { readonly type: 'tool-call-delta'; readonly toolCallId: string; readonly toolName: string; readonly argumentsDelta: string }
  | { readonly type: 'tool-call'; readonly toolCall: ToolCall }
  /** At the end of a text block that cites sources: the block's whole text (already sent as `text-delta`s) and its citations. */
  | { readonly type: 'citations'; readonly text: string; readonly citations: readonly Citation[] }
  | { readonly type: 'usage'; readonly usage: Usage }
  | { readonly type: 'finish'; readonly finishReason: FinishReason; readonly rawFinishReason?: string };

/**
 * A provider adapter. What every adapter must guarantee:
 *
 * - both methods fail with `SwitchyardError` only, its category taken from the provider's error
 *   type or code and the HTTP status (never from message text), with `retryAfterMs` when the
 *   provider said how long to wait; the router's retries, fallbacks and breakers act on these;
 * - every upstream request carries `call.signal` and honours the call's timeouts;
 * - messages and fields of errors never contain the provider's key.
 *
 * Both methods throw `SwitchyardError` only. `doStream` resolves once the
 * upstream answered with a success status (an HTTP error rejects it); errors found later (an
 * `error` SSE event, a cut connection, a stream that ends without its terminal event) are thrown
 * from the iterator. The router decides whether output had already reached the caller.
 *
 * Ending a stream early is done by returning its iterator (`return()`, as `break` in a
 * `for await` loop does): that must stop the upstream request and free its connection. The router
 * relies on it when a caller stops reading, and when an attempt fails before any output; async
 * generators over the transport's body (`for await` chains down to `HttpResponse.body`) do it
 * already. The call's `signal` aborts the request for the call as a whole (caller, total timeout).
 */
export interface ProviderAdapter {
  /** The provider id from the config. */
  readonly id: string;
  /** The provider's `type` from the config: a built-in wire format or a custom adapter's type. */
  readonly type: string;
  /** The `PROVIDER_SPEC_VERSION` the adapter was written for; checked when the router is created. */
  readonly specificationVersion?: typeof PROVIDER_SPEC_VERSION;
  doChat(call: AdapterCall): Promise<AdapterResult>;
  doStream(call: AdapterCall): Promise<AsyncIterable<AdapterStreamPart>>;
  /**
   * Optional: embeds texts (`router.embed()`). Adapters without it answer embed calls with a
   * `config` error naming the provider. Same guarantees as `doChat`: `SwitchyardError` only, the
   * call's signal and timeouts honoured, and exactly one vector per input, in input order.
   */
  doEmbed?(call: AdapterEmbedCall): Promise<AdapterEmbedResult>;
  /**
   * The most inputs one `doEmbed` request may carry (OpenAI: 2,048; Gemini: 100). The router splits
   * larger calls and reassembles the vectors in input order. Absent: no limit.
   */
  readonly maxEmbeddingInputs?: number;
  /**
   * Optional: the limit for one model, where it differs by model (Vertex AI: 250, but one for
   * `gemini-embedding-001`). Wins over `maxEmbeddingInputs` when present.
   */
  maxEmbeddingInputsFor?(model: string): number;
  /**
   * Optional: the most input tokens one `doEmbed` request to `model` may carry (Vertex AI: 20,000).
   * The router cannot tokenize, so it packs requests by a high estimate (UTF-8 bytes / 3 per input).
   */
  maxEmbeddingTokensFor?(model: string): number;
}

/** What an adapter factory receives. */
export interface AdapterContext {
  readonly settings: ProviderSettings;
  readonly transport: HttpTransport;
  /**
   * The provider's key pool when the config gives `apiKeys` (absent otherwise): take a key per
   * request (`keyPool.take()`) and report how it fared (`keyPool.report(lease, error)`), or let
   * `jsonEndpoint({ keys: { pool, headersFor } })` of `src/http/post-json.ts` do both. Its removals
   * (401/403) and cooldowns (429) reach the router's `warning` and `provider-key` events and metrics.
   * With per-key limits in Redis (`keyPool.shared`) take keys with `await keyPool.acquire(signal)`.
   * An adapter that ignores it sends `settings.apiKey`, the pool's first key.
   */
  readonly keyPool?: KeyPool;
}

/**
 * Builds an adapter for one configured provider, once, when the router is created. It receives the
 * provider's settings and the router's transport; it should send through that transport rather
 * than build connections of its own, so `transport` options and tests reach it.
 */
export type AdapterFactory = (context: AdapterContext) => ProviderAdapter;
