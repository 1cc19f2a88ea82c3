/**
 * The Amazon Bedrock adapter, over one of two APIs (`api:` in the config):
 *
 * - `invoke` (the default, for compatibility): InvokeModel with the Anthropic Messages body,
 *   `POST {base}/model/{modelId}/invoke` and `/invoke-with-response-stream`. Its body and events
 *   *are* Anthropic's, so the Anthropic adapter's request, response and stream mapping serve it
 *   unchanged, and whatever that mapping learns (thinking, prompt caching, documents, structured
 *   output) reaches Bedrock too. Anthropic models only.
 * - `converse`: the Converse API, `POST {base}/model/{modelId}/converse` and `/converse-stream`
 *   (converse-request.ts, converse-response.ts, converse-stream.ts): one shape for every chat model
 *   Bedrock serves (Anthropic, Amazon Nova, Meta Llama, Mistral…), with no per-family code.
 *
 * Requests are signed with SigV4 (credentials from code, the environment, or the AWS SDK's default
 * chain: credential-chain.ts), or sent with a Bedrock API key as a bearer token when the config gives
 * `apiKey`. Streams are AWS event-stream framing. The base URL is
 * `https://bedrock-runtime.{region}.amazonaws.com` unless the config gives one.
 */
import { bedrockRuntimeUrl } from '../../src/config/regional-endpoint.js';
import { registerSecret, SwitchyardError, type HeaderBag } from '../../src/errors.js';
import { exchangeJson, jsonEndpoint, postJson, type JsonEndpoint } from '../../src/http/post-json.js';
import type { AdapterCall, AdapterFactory, AdapterResult, AdapterStreamPart, ProviderAdapter, ProviderSettings } from '../../src/provider-spec.js';
import { streamProviderMetadata, withProviderMetadata } from '../../src/provider-metadata.js';
import { parseAnthropicMessage } from '../anthropic/response.js';
import { bedrockRegion, staticAwsCredentials, type AwsCredentials, type Environment } from './aws-credentials.js';
import { buildConverseBody } from './converse-request.js';
import { converseResponseId, parseConverseResponse } from './converse-response.js';
import { streamConverseBody } from './converse-stream.js';
import { credentialChain } from './credential-chain.js';
import { mapBedrockError } from './errors.js';
import { loadEventStreamDecoder, streamBedrockBody } from './event-stream.js';
import { buildBedrockBody } from './request.js';
import { applyProviderOptions } from '../../src/provider-options.js';
import { createRequestSigner, type RequestSigner } from './sigv4.js';

export type { AwsCredentials } from './aws-credentials.js';

/** Options of `createBedrockAdapterFactory`, for code that does not take credentials from the environment. */
export interface BedrockAdapterOptions {
  /**
   * Credentials to sign with. @default AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN;
   * without them, the AWS SDK's default chain (profiles, shared files, container and instance roles)
   * when `@aws-sdk/credential-provider-node` is installed
   */
  readonly credentials?: AwsCredentials;
  /** Where `AWS_*` variables are read. @default process.env */
  readonly environment?: Environment;
}

/** How requests are authorised: SigV4 with AWS credentials, or a Bedrock API key as a bearer token. */
type Authorizer = (url: string, headers: Readonly<Record<string, string>>, body: string) => Promise<Record<string, string>>;

function authorizerFor(settings: ProviderSettings, region: string, options: BedrockAdapterOptions, environment: Environment): Authorizer {
  if (settings.apiKey !== undefined && settings.apiKey !== '') {
    registerSecret(settings.apiKey);
    const bearer = { authorization: `Bearer ${settings.apiKey}` };
    return (_url, headers) => Promise.resolve({ ...headers, ...bearer });
  }
  // Static keys (code, environment) win; without any, the AWS SDK's chain is asked at each signing.
  const sign: RequestSigner = createRequestSigner(staticAwsCredentials(settings, environment, options.credentials) ?? credentialChain(settings, environment), region);
  return async (url, headers, body) => {
    const signed = await sign({ method: 'POST', url: new URL(url), headers, body });
    // undici sends `Host` from the URL: the value signed, so it is not sent twice.
    delete signed.host;
    return signed;
  };
}

/**
 * An adapter factory for Bedrock with options given in code (credentials from a vault, a test's
 * environment); `createBedrockAdapter` is this with the defaults.
 */
export function createBedrockAdapterFactory(options: BedrockAdapterOptions = {}): AdapterFactory {
  return ({ settings, transport }) => {
    const environment = options.environment ?? process.env;
    const region = bedrockRegion(settings, environment);
    const root = settings.baseUrl === '' ? bedrockRuntimeUrl(region) : settings.baseUrl;
    const authorize = authorizerFor(settings, region, options, environment);
    // Every header is signed, so the provider's extra headers go into the signature too.
    const baseHeaders: Record<string, string> = {};
    for (const [name, value] of Object.entries(settings.headers)) if (name.toLowerCase() !== 'anthropic-beta') baseHeaders[name.toLowerCase()] = value;
    const chatHeaders = { ...baseHeaders, 'content-type': 'application/json', accept: 'application/json' };
    const converse = settings.api === 'converse';
    // `x-amzn-bedrock-accept` is InvokeModel's: the content type of each chunk's model output.
    const streamHeaders = { ...baseHeaders, 'content-type': 'application/json', accept: 'application/vnd.amazon.eventstream', ...(converse ? {} : { 'x-amzn-bedrock-accept': 'application/json' }) };
    // The credential headers change with every request (the signature covers the body and the time): they travel as the call's headers.
    const endpoint: JsonEndpoint = jsonEndpoint({ transport, headers: {}, mapError: mapBedrockError, provider: settings.id });

    function urlFor(model: string, stream: boolean): string {
      const operation = converse ? (stream ? 'converse-stream' : 'converse') : stream ? 'invoke-with-response-stream' : 'invoke';
      return `${root}/model/${encodeURIComponent(model)}/${operation}`;
    }

    /** The request body: Converse's, or InvokeModel's Anthropic body with the caller's provider options merged in. */
    function bodyFor(call: AdapterCall): object {
      if (converse) return buildConverseBody(call, settings);
      return applyProviderOptions(buildBedrockBody(call, settings), call.request.providerOptions, settings.type);
    }

    /** The call with its signed headers (the adapter's own win over an attempt stage's). */
    async function authorizedCall(call: AdapterCall, url: string, headers: Readonly<Record<string, string>>, body: unknown): Promise<AdapterCall> {
      let authorized: Record<string, string>;
      try {
        authorized = await authorize(url, headers, JSON.stringify(body));
      } catch (error) {
        // A signer that cannot load (the optional package missing) is named by provider and model, like any failure.
        throw SwitchyardError.isInstance(error) ? error.with({ provider: error.provider ?? settings.id, model: error.model ?? call.model }) : new SwitchyardError({ category: 'unknown', message: `${settings.id}: signing failed: ${error instanceof Error ? error.message : String(error)}`, provider: settings.id, model: call.model, cause: error });
      }
      return { ...call, headers: { ...call.headers, ...authorized } };
    }

    // providerMetadata: the answer's id and raw stop reason, and Bedrock's request id (`x-amzn-requestid`).
    const parseAnswer = (json: unknown, headers: HeaderBag): AdapterResult => withProviderMetadata(converse ? parseConverseResponse(json, settings.id, headers) : parseAnthropicMessage(json, settings.id), settings.type, headers);

    const adapter: ProviderAdapter = {
      id: settings.id,
      type: 'bedrock',
      async doChat(call) {
        const url = urlFor(call.model, false);
        const body = bodyFor(call);
        return exchangeJson(endpoint, await authorizedCall(call, url, chatHeaders, body), url, body, parseAnswer);
      },
      async doStream(call): Promise<AsyncIterable<AdapterStreamPart>> {
        const decode = await loadEventStreamDecoder();
        const url = urlFor(call.model, true);
        const body = bodyFor(call);
        const response = await postJson(endpoint, await authorizedCall(call, url, streamHeaders, body), url, body);
        const providerMetadata = streamProviderMetadata(settings.type, response.headers);
        if (converse) return streamConverseBody(response.body, decode, { provider: settings.id, model: call.model, id: converseResponseId(response.headers), providerMetadata });
        return streamBedrockBody(response.body, decode, { provider: settings.id, model: call.model, providerMetadata });
      },
    };
    return adapter;
  };
}

/** Creates the adapter for one configured Bedrock provider, credentials and region from the environment unless configured. */
export const createBedrockAdapter: AdapterFactory = createBedrockAdapterFactory();
