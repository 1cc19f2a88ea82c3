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
import type { HttpTransport } from './http/transport.js';
import type { ChatRequest, FinishReason, ToolCall, Usage } from './types.js';

/**
 * The version of this contract. An adapter may declare the version it was written for
 * (`ProviderAdapter.specificationVersion`); the router refuses one written for another version.
 */
export const PROVIDER_SPEC_VERSION = 1;

/** The wire formats Switchyard speaks out of the box; custom adapters add their own types. */
export type ProviderType = 'anthropic' | 'openai' | 'azure-openai' | 'gemini' | 'openai-compatible';

/** A provider's settings after the config was validated and defaults applied. */
export interface ProviderSettings {
  /** The provider id from the config (e.g. `anthropic`, `one-api`). */
  readonly id: string;
  readonly type: ProviderType;
  /** Never logged, never put in an error. May be absent for local servers (Ollama, vLLM). */
  readonly apiKey?: string;
  /** Origin plus optional path prefix, without a trailing slash (e.g. `https://api.anthropic.com`). */
  readonly baseUrl: string;
  /** Azure OpenAI's `api-version` query parameter; Anthropic's `anthropic-version` header. */
  readonly apiVersion?: string;
  /** Extra headers sent with every request (e.g. `anthropic-beta`, `OpenAI-Organization`). */
  readonly headers: Readonly<Record<string, string>>;
  /** `max_tokens` sent when the caller gives none (Anthropic requires one). */
  readonly defaultMaxTokens: number;
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
  readonly finishReason: FinishReason;
  readonly rawFinishReason?: string;
  readonly usage: Usage;
  /** The model the provider says served the call. */
  readonly servedModel?: string;
}

/** One part of an adapter's stream. */
export type AdapterStreamPart =
  | { readonly type: 'response-metadata'; readonly id?: string; readonly servedModel?: string }
  | { readonly type: 'text-delta'; readonly text: string }
  | { readonly type: 'tool-call'; readonly toolCall: ToolCall }
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
}

/** What an adapter factory receives. */
export interface AdapterContext {
  readonly settings: ProviderSettings;
  readonly transport: HttpTransport;
}

/**
 * Builds an adapter for one configured provider, once, when the router is created. It receives the
 * provider's settings and the router's transport; it should send through that transport rather
 * than build connections of its own, so `transport` options and tests reach it.
 */
export type AdapterFactory = (context: AdapterContext) => ProviderAdapter;
