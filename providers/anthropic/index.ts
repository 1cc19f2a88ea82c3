/**
 * The Anthropic Messages API adapter (`POST {baseUrl}/v1/messages`), streamed and not.
 */
import { registerSecret } from '../../src/errors.js';
import { exchangeJson, jsonEndpoint, postJson } from '../../src/http/post-json.js';
import type { AdapterCall, AdapterFactory, AdapterResult, AdapterStreamPart, ProviderAdapter } from '../../src/provider-spec.js';
import { mapAnthropicError } from './errors.js';
import { buildAnthropicHeaders, buildAnthropicRequest, type AnthropicRequestBody } from './request.js';
import type { Mutable } from '../../src/mutable.js';
import { parseAnthropicMessage } from './response.js';
import { streamAnthropicBody } from './stream.js';

export { ANTHROPIC_ERROR_CATEGORIES, mapAnthropicError, mapAnthropicStreamError } from './errors.js';
export { buildAnthropicHeaders, buildAnthropicRequest, DEFAULT_ANTHROPIC_VERSION } from './request.js';
export { mapStopReason, mapUsage, parseAnthropicMessage } from './response.js';
export { AnthropicStreamMapper, streamAnthropicBody } from './stream.js';

/** Creates the adapter for one configured Anthropic provider. */
export const createAnthropicAdapter: AdapterFactory = ({ settings, transport }) => {
  registerSecret(settings.apiKey);
  const url = `${settings.baseUrl}/v1/messages`;
  const headers = buildAnthropicHeaders(settings);
  const streamHeaders = { ...headers, accept: 'text/event-stream' };

  const chatEndpoint = jsonEndpoint({ transport, headers, mapError: mapAnthropicError, provider: settings.id });
  const streamEndpoint = jsonEndpoint({ transport, headers: streamHeaders, mapError: mapAnthropicError, provider: settings.id });

  function bodyFor(call: AdapterCall, stream: boolean): unknown {
    const body: Mutable<AnthropicRequestBody> = buildAnthropicRequest({ request: call.request, model: call.model, settings });
    // The body is this call's own: the flag is set on it rather than on a spread copy.
    if (stream) body.stream = true;
    return body;
  }

  /** One parser per adapter, handed to every call's exchange. */
  const parseAnswer = (json: unknown): AdapterResult => parseAnthropicMessage(json, settings.id);

  const adapter: ProviderAdapter = {
    id: settings.id,
    type: 'anthropic',
    // Not async: a suspended async function's frame would stay alive while the upstream answers.
    doChat(call) {
      try {
        return exchangeJson(chatEndpoint, call, url, bodyFor(call, false), parseAnswer);
      } catch (error) {
        return Promise.reject(error);
      }
    },
    async doStream(call): Promise<AsyncIterable<AdapterStreamPart>> {
      const response = await postJson(streamEndpoint, call, url, bodyFor(call, true));
      return streamAnthropicBody(response.body, { provider: settings.id, model: call.model });
    },
  };
  return adapter;
};
