/**
 * The Responses API adapter: `type: openai` with `api: responses` (and `azure-openai`, through its
 * dialect: dialect.ts). Chat calls go to
 * `POST ${baseUrl}/responses` (request.ts, response.ts, stream.ts); embeddings stay on
 * `${baseUrl}/embeddings` (embed.ts). Credentials, key pools, error mapping and provider metadata
 * are the Chat Completions adapter's: only the body and the answer differ. Every request is
 * stateless (`store: false`), so any instance of the router can serve the next turn.
 */
import { registerSecret, SwitchyardError, type HeaderBag } from '../../../src/errors.js';
import { exchangeJson, jsonEndpoint, pooledKeys, postJson, readJson, type FailedResponse } from '../../../src/http/post-json.js';
import { streamProviderMetadata, withProviderMetadata } from '../../../src/provider-metadata.js';
import { applyProviderOptions } from '../../../src/provider-options.js';
import type { AdapterCall, AdapterContext, AdapterResult, ProviderAdapter } from '../../../src/provider-spec.js';
import { mergeHeaders, replay } from '../chat-completions-adapter.js';
import { createOpenAIEmbedder } from '../embed.js';
import { mapOpenAIError } from '../errors.js';
import { buildResponsesBody } from './request.js';
import { parseResponsesAnswer } from './response.js';
import { parseResponsesStream } from './stream.js';
import { openAIResponsesDialect, type ResponsesDialect } from './dialect.js';

/** Builds the Responses API adapter for one provider with `api: responses`; `dialect` defaults to OpenAI's. */
export function createResponsesAdapter({ settings, transport, keyPool }: AdapterContext, dialect: ResponsesDialect = openAIResponsesDialect(settings.baseUrl)): ProviderAdapter {
  registerSecret(settings.apiKey);
  const provider = settings.id;
  const secret = settings.apiKey;
  // With a key pool every request carries the key it was given; the fixed headers carry none.
  const fixedKey = keyPool === undefined && settings.apiKey !== undefined && settings.apiKey !== '' ? settings.apiKey : undefined;
  const headers = mergeHeaders(settings.headers, fixedKey === undefined ? {} : dialect.authHeaders(fixedKey));
  // A credential header the config sets itself wins over the pool's, as with one key.
  const keys = pooledKeys(keyPool, (key) => Object.fromEntries(Object.entries(dialect.authHeaders(key)).filter(([name]) => headers[name.toLowerCase()] === undefined)));
  const mapError = (failure: FailedResponse): SwitchyardError => mapOpenAIError(failure, secret);
  const chatEndpoint = jsonEndpoint({ transport, headers, mapError, provider, ...keys });
  const streamEndpoint = jsonEndpoint({ transport, headers: { ...headers, accept: 'text/event-stream' }, mapError, provider, ...keys });
  const { url } = dialect;
  const parseAnswer = (json: unknown, answerHeaders: HeaderBag): AdapterResult => withProviderMetadata(parseResponsesAnswer(json, provider, secret), settings.type, answerHeaders);
  const embedder = createOpenAIEmbedder({ endpoint: chatEndpoint, url: dialect.embeddingsUrl, modelInBody: dialect.embeddingsModelInBody });

  function body(call: AdapterCall, stream: boolean): unknown {
    const built = buildResponsesBody(call.request, { model: call.model, stream, defaultMaxTokens: settings.defaultMaxTokens });
    return applyProviderOptions(built, call.request.providerOptions, settings.type);
  }

  return {
    id: provider,
    type: settings.type,
    doEmbed: embedder.doEmbed,
    maxEmbeddingInputs: embedder.maxEmbeddingInputs,

    // Not async: a suspended async function's frame would stay alive while the upstream answers.
    doChat(call) {
      try {
        return exchangeJson(chatEndpoint, call, url, body(call, false), parseAnswer);
      } catch (error) {
        return Promise.reject(error);
      }
    },

    async doStream(call) {
      const response = await postJson(streamEndpoint, call, url, body(call, true));
      const contentType = response.headers['content-type'];
      if ((Array.isArray(contentType) ? contentType[0] : contentType)?.includes('application/json') === true) {
        // A proxy that ignored `stream: true` answered in one piece; replay it as a stream.
        try {
          return replay(parseAnswer(await readJson(response, provider), response.headers));
        } catch (error) {
          const base = SwitchyardError.isInstance(error) ? error : new SwitchyardError({ category: 'server', message: String(error), cause: error });
          throw base.with({ provider: base.provider ?? provider, model: base.model ?? call.model });
        }
      }
      return parseResponsesStream(response.body, {
        provider,
        model: call.model,
        providerMetadata: streamProviderMetadata(settings.type, response.headers),
        ...(secret === undefined ? {} : { secret }),
      });
    },
  };
}
