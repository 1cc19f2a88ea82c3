/**
 * The Amazon Bedrock adapter for Anthropic models, over the InvokeModel API with the Anthropic
 * Messages body: `POST {base}/model/{modelId}/invoke` and `/invoke-with-response-stream` (AWS
 * event-stream framing), signed with SigV4, or sent with a Bedrock API key as a bearer token when
 * the config gives `apiKey`. InvokeModel rather than Converse because its body and events *are*
 * Anthropic's: the Anthropic adapter's request, response and stream mapping serve it unchanged, so
 * whatever that mapping learns (thinking, prompt caching, documents) reaches Bedrock too. The base
 * URL is `https://bedrock-runtime.{region}.amazonaws.com` unless the config gives one.
 */
import { bedrockRuntimeUrl } from '../../src/config/regional-endpoint.js';
import { registerSecret, SwitchyardError } from '../../src/errors.js';
import { exchangeJson, jsonEndpoint, postJson, type JsonEndpoint } from '../../src/http/post-json.js';
import type { AdapterCall, AdapterFactory, AdapterResult, AdapterStreamPart, ProviderAdapter, ProviderSettings } from '../../src/provider-spec.js';
import { parseAnthropicMessage } from '../anthropic/response.js';
import { awsCredentials, bedrockRegion, type AwsCredentials, type Environment } from './aws-credentials.js';
import { mapBedrockError } from './errors.js';
import { loadEventStreamDecoder, streamBedrockBody } from './event-stream.js';
import { buildBedrockBody } from './request.js';
import { applyProviderOptions } from '../../src/provider-options.js';
import { createRequestSigner, type RequestSigner } from './sigv4.js';

export type { AwsCredentials } from './aws-credentials.js';

/** Options of `createBedrockAdapterFactory`, for code that does not take credentials from the environment. */
export interface BedrockAdapterOptions {
  /** Credentials to sign with. @default AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN */
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
  const sign: RequestSigner = createRequestSigner(awsCredentials(settings, environment, options.credentials), region);
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
    const streamHeaders = { ...baseHeaders, 'content-type': 'application/json', accept: 'application/vnd.amazon.eventstream', 'x-amzn-bedrock-accept': 'application/json' };
    // The credential headers change with every request (the signature covers the body and the time): they travel as the call's headers.
    const endpoint: JsonEndpoint = jsonEndpoint({ transport, headers: {}, mapError: mapBedrockError, provider: settings.id });

    function urlFor(model: string, stream: boolean): string {
      return `${root}/model/${encodeURIComponent(model)}/${stream ? 'invoke-with-response-stream' : 'invoke'}`;
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

    const parseAnswer = (json: unknown): AdapterResult => parseAnthropicMessage(json, settings.id);

    const adapter: ProviderAdapter = {
      id: settings.id,
      type: 'bedrock',
      async doChat(call) {
        const url = urlFor(call.model, false);
        const body = applyProviderOptions(buildBedrockBody(call, settings), call.request.providerOptions, settings.type);
        return exchangeJson(endpoint, await authorizedCall(call, url, chatHeaders, body), url, body, parseAnswer);
      },
      async doStream(call): Promise<AsyncIterable<AdapterStreamPart>> {
        const decode = await loadEventStreamDecoder();
        const url = urlFor(call.model, true);
        const body = applyProviderOptions(buildBedrockBody(call, settings), call.request.providerOptions, settings.type);
        const response = await postJson(endpoint, await authorizedCall(call, url, streamHeaders, body), url, body);
        return streamBedrockBody(response.body, decode, { provider: settings.id, model: call.model });
      },
    };
    return adapter;
  };
}

/** Creates the adapter for one configured Bedrock provider, credentials and region from the environment unless configured. */
export const createBedrockAdapter: AdapterFactory = createBedrockAdapterFactory();
