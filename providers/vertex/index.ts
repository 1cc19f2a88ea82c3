/**
 * The Google Vertex AI adapter: Anthropic models through `publishers/anthropic/models/{m}:rawPredict`
 * and `:streamRawPredict` (the Anthropic Messages body without `model`, with
 * `anthropic_version: "vertex-2023-10-16"`; answers and SSE exactly Anthropic's), and Gemini models
 * through `publishers/google/models/{m}:generateContent` and `:streamGenerateContent?alt=sse` (the
 * Gemini API's body and answers), and Google's embedding models through `:predict` (embed.ts).
 * Both chat paths reuse the Anthropic and Gemini adapters' mapping. The URL is
 * `https://{region}-aiplatform.googleapis.com/v1/projects/{project}/locations/{region}/…`
 * (`aiplatform.googleapis.com` for `global`), or the config's `baseUrl` in front of `/v1/…`.
 * Requests carry `Authorization: Bearer <token>`: `apiKey` when the config gives one (a ready
 * access token), else a token from google-auth-library (service-account key, ADC), cached.
 */
import { vertexOrigin } from '../../src/config/regional-endpoint.js';
import { exchangeJson, jsonEndpoint, postJson, type UpstreamCall } from '../../src/http/post-json.js';
import { registerSecret, SwitchyardError, type HeaderBag } from '../../src/errors.js';
import { streamProviderMetadata, withProviderMetadata } from '../../src/provider-metadata.js';
import type { Mutable } from '../../src/mutable.js';
import type { AdapterCall, AdapterEmbedResult, AdapterFactory, AdapterResult, AdapterStreamPart, ProviderAdapter, ProviderSettings } from '../../src/provider-spec.js';
import { buildAnthropicRequest, type AnthropicRequestBody } from '../anthropic/request.js';
import { parseAnthropicMessage } from '../anthropic/response.js';
import { streamAnthropicBody } from '../anthropic/stream.js';
import { applyProviderOptions } from '../../src/provider-options.js';
import { buildGeminiRequest } from '../gemini/request.js';
import { parseGeminiResponse } from '../gemini/response.js';
import { streamGeminiBody } from '../gemini/stream.js';
import { cachedTokenProvider, createGoogleAuthTokenProvider, staticTokenProvider, type AccessTokenProvider } from './access-token.js';
import { buildVertexPredictBody, parseVertexPredictResponse, VERTEX_MAX_EMBEDDING_INPUTS, VERTEX_MAX_EMBEDDING_REQUEST_TOKENS, vertexEmbeddingInputLimit } from './embed.js';
import { mapVertexError } from './errors.js';

export { cachedTokenProvider } from './access-token.js';
export type { AccessToken, AccessTokenProvider } from './access-token.js';

/** The `anthropic_version` Vertex AI requires in an Anthropic model's body. */
export const VERTEX_ANTHROPIC_VERSION = 'vertex-2023-10-16';

/** Whose models a Vertex AI request calls. */
export type VertexPublisher = 'anthropic' | 'google';

/** Options of `createVertexAdapterFactory`, for code that supplies tokens itself. */
export interface VertexAdapterOptions {
  /** Where tokens come from. @default `apiKey` as a fixed token, else google-auth-library */
  readonly tokenProvider?: AccessTokenProvider;
  /** More `GoogleAuth` options for the default provider (e.g. `clientOptions`). */
  readonly googleAuthOptions?: Readonly<Record<string, unknown>>;
}

/** The publisher of a model: the configured one, else Anthropic for `claude-*` and Google for the rest. */
export function vertexPublisher(settings: ProviderSettings, model: string): VertexPublisher {
  return settings.publisher ?? (/^claude/i.test(model) ? 'anthropic' : 'google');
}

/** The Anthropic body for Vertex: no `model` (it is in the URL), the Vertex `anthropic_version`. */
export function buildVertexAnthropicBody(call: AdapterCall, settings: ProviderSettings, stream: boolean): Omit<AnthropicRequestBody, 'model'> & { readonly anthropic_version: string } {
  const { model: _model, ...messages } = buildAnthropicRequest({ request: call.request, model: call.model, settings });
  const body: Mutable<Omit<AnthropicRequestBody, 'model'> & { anthropic_version: string }> = { anthropic_version: VERTEX_ANTHROPIC_VERSION, ...messages };
  if (stream) body.stream = true;
  return body;
}

function configError(settings: ProviderSettings, field: string, problem: string): SwitchyardError {
  return new SwitchyardError({ category: 'config', code: 'config.invalid', message: `providers.${settings.id}.${field}: ${problem}`, provider: settings.id });
}

/** An adapter factory for Vertex AI with options given in code; `createVertexAdapter` is this with the defaults. */
export function createVertexAdapterFactory(options: VertexAdapterOptions = {}): AdapterFactory {
  return ({ settings, transport }) => {
    const { project, region } = settings;
    if (project === undefined || project === '') throw configError(settings, 'project', 'required for type vertex');
    if (region === undefined || region === '') throw configError(settings, 'region', 'required for type vertex');
    registerSecret(settings.apiKey);
    const source =
      options.tokenProvider ??
      (settings.apiKey !== undefined && settings.apiKey !== ''
        ? staticTokenProvider(settings.apiKey)
        : createGoogleAuthTokenProvider({ ...(settings.credentials === undefined ? {} : { keyFile: settings.credentials }), ...(options.googleAuthOptions === undefined ? {} : { googleAuthOptions: options.googleAuthOptions }) }));
    const tokens = cachedTokenProvider(source, settings.id);
    const root = `${settings.baseUrl === '' ? vertexOrigin(region) : settings.baseUrl}/v1/projects/${encodeURIComponent(project)}/locations/${encodeURIComponent(region)}/publishers`;

    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(settings.headers)) headers[name.toLowerCase()] = value;
    const chatEndpoint = jsonEndpoint({ transport, headers, mapError: mapVertexError, provider: settings.id });
    const streamEndpoint = jsonEndpoint({ transport, headers: { ...headers, accept: 'text/event-stream' }, mapError: mapVertexError, provider: settings.id });

    function urlFor(publisher: VertexPublisher, model: string, stream: boolean): string {
      // `@` separates a Claude model from its version (`claude-sonnet-4-5@20250929`) and stays as it is.
      const name = encodeURIComponent(model.replace(/^models\//, '')).replace(/%40/g, '@');
      const method = publisher === 'anthropic' ? (stream ? 'streamRawPredict' : 'rawPredict') : stream ? 'streamGenerateContent?alt=sse' : 'generateContent';
      return `${root}/${publisher}/models/${name}:${method}`;
    }

    function bodyFor(publisher: VertexPublisher, call: AdapterCall, stream: boolean): unknown {
      const body = publisher === 'anthropic' ? buildVertexAnthropicBody(call, settings, stream) : buildGeminiRequest(call.request, call.model, { vertex: true });
      return applyProviderOptions(body, call.request.providerOptions, settings.type);
    }

    /** The call with its bearer token (the adapter's own header wins over an attempt stage's). */
    async function authorizedCall<Call extends UpstreamCall>(call: Call): Promise<Call> {
      const token = await tokens.token();
      return { ...call, headers: { ...call.headers, authorization: `Bearer ${token}` } };
    }

    /** A rejected token is not reused: the next call gets a new one. */
    function forgetTokenOn(error: unknown): never {
      if (SwitchyardError.isInstance(error) && error.category === 'auth') tokens.invalidate();
      throw error;
    }

    // providerMetadata: the answer's id and raw finish reason (Vertex AI documents no request-id header to keep).
    const parseAnthropic = (json: unknown, headers: HeaderBag): AdapterResult => withProviderMetadata(parseAnthropicMessage(json, settings.id), settings.type, headers);
    const parseGemini = (json: unknown, headers: HeaderBag): AdapterResult => withProviderMetadata(parseGeminiResponse(json, settings.id), settings.type, headers);
    const parseEmbeddings = (json: unknown): AdapterEmbedResult => parseVertexPredictResponse(json, settings.id);

    const adapter: ProviderAdapter = {
      id: settings.id,
      type: 'vertex',
      async doChat(call) {
        const publisher = vertexPublisher(settings, call.model);
        const url = urlFor(publisher, call.model, false);
        const authorized = await authorizedCall(call);
        return exchangeJson(chatEndpoint, authorized, url, bodyFor(publisher, call, false), publisher === 'anthropic' ? parseAnthropic : parseGemini).catch(forgetTokenOn);
      },
      async doEmbed(call) {
        // Only Google publishes embedding models on Vertex AI.
        if (settings.publisher === 'anthropic') throw configError(settings, 'publisher', 'anthropic models have no embeddings; embed through a vertex provider without publisher: anthropic');
        const url = `${root}/google/models/${encodeURIComponent(call.model.replace(/^models\//, ''))}:predict`;
        const authorized = await authorizedCall(call);
        return exchangeJson(chatEndpoint, authorized, url, buildVertexPredictBody(call), parseEmbeddings).catch(forgetTokenOn);
      },
      maxEmbeddingInputs: VERTEX_MAX_EMBEDDING_INPUTS,
      maxEmbeddingInputsFor: vertexEmbeddingInputLimit,
      maxEmbeddingTokensFor: () => VERTEX_MAX_EMBEDDING_REQUEST_TOKENS,
      async doStream(call): Promise<AsyncIterable<AdapterStreamPart>> {
        const publisher = vertexPublisher(settings, call.model);
        const url = urlFor(publisher, call.model, true);
        const authorized = await authorizedCall(call);
        const response = await postJson(streamEndpoint, authorized, url, bodyFor(publisher, call, true)).catch(forgetTokenOn);
        const context = { provider: settings.id, model: call.model, providerMetadata: streamProviderMetadata(settings.type, response.headers) };
        return publisher === 'anthropic' ? streamAnthropicBody(response.body, context) : streamGeminiBody(response.body, context);
      },
    };
    return adapter;
  };
}

/** Creates the adapter for one configured Vertex AI provider. */
export const createVertexAdapter: AdapterFactory = createVertexAdapterFactory();
