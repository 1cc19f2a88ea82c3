/**
 * The one Chat Completions adapter behind the `openai`, `azure-openai` and `openai-compatible`
 * provider types. They differ only in the URL, the auth header, whether the body names the
 * model, and which field carries the output limit; everything else (mapping, streaming, errors)
 * is shared.
 */
import { registerSecret, SwitchyardError, type HeaderBag } from '../../src/errors.js';
import type { KeyPool } from '../../src/http/key-pool.js';
import { exchangeJson, jsonEndpoint, pooledKeys, postJson, readJson, type FailedResponse } from '../../src/http/post-json.js';
import type { HttpTransport } from '../../src/http/transport.js';
import { streamProviderMetadata, withProviderMetadata } from '../../src/provider-metadata.js';
import { applyProviderOptions } from '../../src/provider-options.js';
import type { AdapterCall, AdapterResult, AdapterStreamPart, ProviderAdapter, ProviderSettings } from '../../src/provider-spec.js';
import { createOpenAIEmbedder } from './embed.js';
import { mapOpenAIError } from './errors.js';
import { buildChatCompletionsBody, type TokenLimitField } from './request.js';
import { parseChatCompletion } from './response.js';
import { parseChatCompletionStream } from './stream.js';

/** What distinguishes one Chat Completions provider type from another. */
export interface ChatCompletionsDialect {
  /** The endpoint for a model (or Azure deployment). */
  readonly url: (model: string) => string;
  /** The credential headers for a key (`authorization` or `api-key`); not called when the provider has no key. */
  readonly authHeaders: (apiKey: string) => Readonly<Record<string, string>>;
  /** Whether the body carries `model` (Azure names the deployment in the path instead). */
  readonly modelInBody: boolean;
  readonly tokenLimitField: TokenLimitField;
  /** The embeddings URL for a model or deployment; absent: the server serves no embeddings. */
  readonly embeddingsUrl?: (model: string) => string;
  /** Ask streams for a final usage chunk (`stream_options.include_usage`). Default true. */
  readonly streamUsage?: boolean;
}

/** Arguments of `createChatCompletionsAdapter`. */
export interface ChatCompletionsAdapterOptions {
  readonly settings: ProviderSettings;
  readonly transport: HttpTransport;
  readonly dialect: ChatCompletionsDialect;
  /** The provider's key pool (`AdapterContext.keyPool`): each request then carries a key of its own. */
  readonly keyPool?: KeyPool | undefined;
}

function headerValue(headers: HeaderBag, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Configured headers, lower-cased, with the credentials added unless the configuration already
 * sets that header itself (e.g. a gateway that wants its own `Authorization`).
 */
export function mergeHeaders(configured: Readonly<Record<string, string>>, auth: Readonly<Record<string, string>>): Record<string, string> {
  const merged: Record<string, string> = {};
  for (const [name, value] of Object.entries(configured)) merged[name.toLowerCase()] = value;
  for (const [name, value] of Object.entries(auth)) if (merged[name.toLowerCase()] === undefined) merged[name.toLowerCase()] = value;
  return merged;
}

/** A complete answer replayed as stream parts (for servers that ignore `stream: true`). */
export async function* replay(result: AdapterResult): AsyncGenerator<AdapterStreamPart> {
  yield {
    type: 'response-metadata',
    id: result.id,
    ...(result.servedModel === undefined ? {} : { servedModel: result.servedModel }),
    ...(result.providerMetadata === undefined ? {} : { providerMetadata: result.providerMetadata }),
  };
  for (const part of result.reasoning ?? []) {
    yield { type: 'reasoning-delta', text: part.text };
    yield { type: 'reasoning', part };
  }
  if (result.textParts === undefined) {
    if (result.text !== '') yield { type: 'text-delta', text: result.text };
  } else {
    // A cited answer: each piece, and its citations once it is sent, as a provider's stream gives them.
    for (const piece of result.textParts) {
      if (piece.text !== '') yield { type: 'text-delta', text: piece.text };
      if (piece.citations !== undefined && piece.citations.length > 0) yield { type: 'citations', text: piece.text, citations: piece.citations };
    }
  }
  for (const toolCall of result.toolCalls) {
    yield { type: 'tool-call-delta', toolCallId: toolCall.id, toolName: toolCall.name, argumentsDelta: JSON.stringify(toolCall.arguments) };
    yield { type: 'tool-call', toolCall };
  }
  yield { type: 'usage', usage: result.usage };
  yield { type: 'finish', finishReason: result.finishReason, ...(result.rawFinishReason === undefined ? {} : { rawFinishReason: result.rawFinishReason }) };
}

/** Builds a Chat Completions adapter for one configured provider. */
export function createChatCompletionsAdapter(options: ChatCompletionsAdapterOptions): ProviderAdapter {
  const { settings, transport, dialect, keyPool } = options;
  registerSecret(settings.apiKey);
  const provider = settings.id;
  // With a key pool every request carries the key it was given; the fixed headers carry none.
  const fixedKey = keyPool === undefined && settings.apiKey !== undefined && settings.apiKey !== '' ? settings.apiKey : undefined;
  const headers = mergeHeaders(settings.headers, fixedKey === undefined ? {} : dialect.authHeaders(fixedKey));
  // As with one key, a credential header the config sets itself wins over the pool's.
  const keys = pooledKeys(keyPool, (key) => {
    const auth: Record<string, string> = {};
    for (const [name, value] of Object.entries(dialect.authHeaders(key))) if (headers[name.toLowerCase()] === undefined) auth[name.toLowerCase()] = value;
    return auth;
  });
  const streamHeaders = { ...headers, accept: 'text/event-stream' };
  const mapError = (failure: FailedResponse): SwitchyardError => mapOpenAIError(failure, settings.apiKey);
  /** One parser per adapter, handed to every call's exchange (which stamps what it throws). */
  const parseAnswer = (json: unknown, answerHeaders: HeaderBag): AdapterResult => withProviderMetadata(parseChatCompletion(json, provider, settings.type), settings.type, answerHeaders);
  // Compatible servers get `reasoning_effort` whenever asked and their `reasoning_content` back on
  // tool-call turns; OpenAI and Azure only the effort, and only for reasoning models (reasoning.ts).
  const compatible = settings.type === 'openai-compatible';
  const chatEndpoint = jsonEndpoint({ transport, headers, mapError, provider, ...keys });
  const streamEndpoint = jsonEndpoint({ transport, headers: streamHeaders, mapError, provider, ...keys });

  function body(call: AdapterCall, stream: boolean): unknown {
    const built = buildChatCompletionsBody(call.request, {
      model: dialect.modelInBody ? call.model : undefined,
      stream,
      tokenLimitField: dialect.tokenLimitField,
      defaultMaxTokens: settings.defaultMaxTokens,
      streamUsage: dialect.streamUsage ?? true,
      reasoning: compatible ? { model: call.model, effort: 'always', sendBack: settings.type } : { model: call.model, effort: 'reasoning-models' },
    });
    return applyProviderOptions(built, call.request.providerOptions, settings.type);
  }

  function stampError(error: unknown, call: AdapterCall): SwitchyardError {
    const base = SwitchyardError.isInstance(error)
      ? error
      : new SwitchyardError({ category: 'unknown', message: error instanceof Error ? error.message : String(error), cause: error });
    return base.with({ provider: base.provider ?? provider, model: base.model ?? call.model });
  }

  const embedder = dialect.embeddingsUrl === undefined ? undefined : createOpenAIEmbedder({ endpoint: chatEndpoint, url: dialect.embeddingsUrl, modelInBody: dialect.modelInBody });

  return {
    id: provider,
    type: settings.type,
    ...(embedder === undefined ? {} : { doEmbed: embedder.doEmbed, maxEmbeddingInputs: embedder.maxEmbeddingInputs }),

    // Not async: a suspended async function's frame would stay alive while the upstream answers.
    doChat(call) {
      try {
        return exchangeJson(chatEndpoint, call, dialect.url(call.model), body(call, false), parseAnswer);
      } catch (error) {
        return Promise.reject(error);
      }
    },

    async doStream(call) {
      const requestBody = body(call, true);
      const response = await postJson(streamEndpoint, call, dialect.url(call.model), requestBody);
      const contentType = headerValue(response.headers, 'content-type') ?? '';
      if (contentType.includes('application/json')) {
        // A server that ignored `stream: true` answered in one piece; replay it as a stream.
        let result: AdapterResult;
        try {
          result = parseAnswer(await readJson(response, provider), response.headers);
        } catch (error) {
          throw stampError(error, call);
        }
        return replay(result);
      }
      return parseChatCompletionStream(response.body, {
        provider,
        model: call.model,
        reasoningProvider: settings.type,
        providerMetadata: streamProviderMetadata(settings.type, response.headers),
        ...(settings.apiKey === undefined ? {} : { secret: settings.apiKey }),
      });
    },
  };
}
