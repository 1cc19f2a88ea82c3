/**
 * The Google Gemini API adapter: `POST {baseUrl}/v1beta/models/{model}:generateContent` and
 * `:streamGenerateContent?alt=sse`. The key travels in the `x-goog-api-key` header, never in the
 * URL, so it cannot leak through logged URLs.
 */
import { registerSecret, type HeaderBag } from '../../src/errors.js';
import { streamProviderMetadata, withProviderMetadata } from '../../src/provider-metadata.js';
import { exchangeJson, jsonEndpoint, pooledKeys, postJson } from '../../src/http/post-json.js';
import type { HttpResponse } from '../../src/http/transport.js';
import type { AdapterCall, AdapterFactory, AdapterResult, ProviderSettings } from '../../src/provider-spec.js';
import { applyProviderOptions } from '../../src/provider-options.js';
import { createGeminiEmbedder } from './embed.js';
import { mapGeminiError } from './errors.js';
import { buildGeminiRequest } from './request.js';
import { parseGeminiResponse } from './response.js';
import { stampGeminiError, streamGeminiBody } from './stream.js';

/** The Gemini API origin used when the config names none. */
export const GEMINI_DEFAULT_BASE_URL = 'https://generativelanguage.googleapis.com';

/** The API version path segment used unless the config's `apiVersion` names one (e.g. `v1`). */
const DEFAULT_API_VERSION = 'v1beta';

/** The versioned API root: the base URL as given when it already ends in a version segment. */
function apiRoot(settings: ProviderSettings): string {
  const base = (settings.baseUrl === '' ? GEMINI_DEFAULT_BASE_URL : settings.baseUrl).replace(/\/+$/, '');
  if (/\/v\d+(?:alpha|beta)?\d*$/.test(base)) return base;
  const version = settings.apiVersion !== undefined && /^v\d+(?:alpha|beta)?\d*$/.test(settings.apiVersion) ? settings.apiVersion : DEFAULT_API_VERSION;
  return `${base}/${version}`;
}

/** Creates the adapter for one configured Gemini provider. */
export const createGeminiAdapter: AdapterFactory = ({ settings, transport, keyPool }) => {
  registerSecret(settings.apiKey);
  const root = apiRoot(settings);
  // With a key pool every request carries the key it was given; the fixed headers carry none.
  const headers: Record<string, string> = {
    ...settings.headers,
    ...(settings.apiKey === undefined || keyPool !== undefined ? {} : { 'x-goog-api-key': settings.apiKey }),
  };
  const keys = pooledKeys(keyPool, (key) => ({ 'x-goog-api-key': key }));
  const streamHeaders = { ...headers, accept: 'text/event-stream' };

  function urlFor(model: string, stream: boolean): string {
    const name = encodeURIComponent(model.replace(/^models\//, ''));
    return stream ? `${root}/models/${name}:streamGenerateContent?alt=sse` : `${root}/models/${name}:generateContent`;
  }

  /** The request body, the caller's `providerOptions.gemini` merged in. */
  function bodyFor(call: AdapterCall): unknown {
    return applyProviderOptions(buildGeminiRequest(call.request, call.model), call.request.providerOptions, settings.type);
  }

  /** One parser per adapter, handed to every call's exchange (which stamps what it throws). */
  const parseAnswer = (json: unknown, headers: HeaderBag): AdapterResult => withProviderMetadata(parseGeminiResponse(json, settings.id), settings.type, headers);

  const chatEndpoint = jsonEndpoint({ transport, headers, mapError: mapGeminiError, provider: settings.id, ...keys });
  const streamEndpoint = jsonEndpoint({ transport, headers: streamHeaders, mapError: mapGeminiError, provider: settings.id, ...keys });

  const embedder = createGeminiEmbedder(chatEndpoint, (model) => `${root}/models/${encodeURIComponent(model.replace(/^models\//, ''))}:batchEmbedContents`);

  return {
    id: settings.id,
    type: 'gemini',
    doEmbed: embedder.doEmbed,
    maxEmbeddingInputs: embedder.maxEmbeddingInputs,

    // Not async: a suspended async function's frame would stay alive while the upstream answers.
    doChat(call) {
      try {
        return exchangeJson(chatEndpoint, call, urlFor(call.model, false), bodyFor(call), parseAnswer);
      } catch (error) {
        return Promise.reject(stampGeminiError(error, settings.id, call.model));
      }
    },

    async doStream(call) {
      let response: HttpResponse;
      try {
        response = await postJson(streamEndpoint, call, urlFor(call.model, true), bodyFor(call));
      } catch (error) {
        throw stampGeminiError(error, settings.id, call.model);
      }
      return streamGeminiBody(response.body, { provider: settings.id, model: call.model, providerMetadata: streamProviderMetadata(settings.type, response.headers) });
    },
  };
};
