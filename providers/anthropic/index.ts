/**
 * The Anthropic Messages API adapter (`POST {baseUrl}/v1/messages`), streamed and not.
 */
import { registerSecret, type HeaderBag } from '../../src/errors.js';
import { streamProviderMetadata, withProviderMetadata } from '../../src/provider-metadata.js';
import { exchangeJson, jsonEndpoint, pooledKeys, postJson } from '../../src/http/post-json.js';
import type { AdapterCall, AdapterFactory, AdapterResult, AdapterStreamPart, ProviderAdapter } from '../../src/provider-spec.js';
import { mapAnthropicError } from './errors.js';
import { buildAnthropicHeaders, buildAnthropicRequest, type AnthropicRequestBody } from './request.js';
import type { Mutable } from '../../src/mutable.js';
import { applyProviderOptions } from '../../src/provider-options.js';
import { parseAnthropicMessage } from './response.js';
import { streamAnthropicBody } from './stream.js';
import { answerToolAsText, planStructuredOutput } from './structured-output.js';
import { FILES_API_BETA, usesFiles, withBeta } from './document-part.js';

/** Creates the adapter for one configured Anthropic provider. */
export const createAnthropicAdapter: AdapterFactory = ({ settings, transport, keyPool }) => {
  registerSecret(settings.apiKey);
  const url = `${settings.baseUrl}/v1/messages`;
  // With a key pool every request carries the key it was given; the fixed headers carry none.
  const { apiKey: _firstKey, ...keyless } = settings;
  const headers = buildAnthropicHeaders(keyPool === undefined ? settings : keyless);
  const streamHeaders = { ...headers, accept: 'text/event-stream' };
  const keys = pooledKeys(keyPool, (key) => ({ 'x-api-key': key }));

  const chatEndpoint = jsonEndpoint({ transport, headers, mapError: mapAnthropicError, provider: settings.id, ...keys });
  const streamEndpoint = jsonEndpoint({ transport, headers: streamHeaders, mapError: mapAnthropicError, provider: settings.id, ...keys });
  // Requests that refer to uploaded files go out with the Files API beta flag, and only those.
  const filesChatEndpoint = jsonEndpoint({ transport, headers: withBeta(headers, FILES_API_BETA), mapError: mapAnthropicError, provider: settings.id, ...keys });
  const filesStreamEndpoint = jsonEndpoint({ transport, headers: withBeta(streamHeaders, FILES_API_BETA), mapError: mapAnthropicError, provider: settings.id, ...keys });

  function bodyFor(call: AdapterCall, stream: boolean): unknown {
    const body: Mutable<AnthropicRequestBody> = buildAnthropicRequest({ request: call.request, model: call.model, settings });
    // The body is this call's own: the flag is set on it rather than on a spread copy.
    if (stream) body.stream = true;
    return applyProviderOptions(body, call.request.providerOptions, settings.type);
  }

  /** One parser per adapter, handed to every call's exchange. */
  const parseAnswer = (json: unknown, headers: HeaderBag): AdapterResult => withProviderMetadata(parseAnthropicMessage(json, settings.id), settings.type, headers);

  /** The name of the tool that carries a structured answer, when the request asks for one that way. */
  function answerToolOf(call: AdapterCall): string | undefined {
    const plan = planStructuredOutput(call.request.responseFormat, call.model);
    return plan?.kind === 'tool' ? plan.toolName : undefined;
  }

  const adapter: ProviderAdapter = {
    id: settings.id,
    type: 'anthropic',
    // Not async: a suspended async function's frame would stay alive while the upstream answers.
    doChat(call) {
      try {
        const answerTool = answerToolOf(call);
        const parse = answerTool === undefined ? parseAnswer : (json: unknown, headers: HeaderBag): AdapterResult => answerToolAsText(parseAnswer(json, headers), answerTool);
        return exchangeJson(usesFiles(call.request) ? filesChatEndpoint : chatEndpoint, call, url, bodyFor(call, false), parse);
      } catch (error) {
        return Promise.reject(error);
      }
    },
    async doStream(call): Promise<AsyncIterable<AdapterStreamPart>> {
      const response = await postJson(usesFiles(call.request) ? filesStreamEndpoint : streamEndpoint, call, url, bodyFor(call, true));
      const answerTool = answerToolOf(call);
      const providerMetadata = streamProviderMetadata(settings.type, response.headers);
      return streamAnthropicBody(response.body, { provider: settings.id, model: call.model, providerMetadata, ...(answerTool === undefined ? {} : { answerTool }) });
    },
  };
  return adapter;
};
