/**
 * One try of an embedding call at one target: the adapter stage's work for `mode: 'embed'`. The
 * inputs are split into requests of at most the adapter's `maxEmbeddingInputs` and, where it gives
 * one, an estimated `maxEmbeddingTokensFor(model)`, sent a few at a time, and the vectors put back
 * in input order with the usage summed. A failed request fails the whole try (no request after it
 * starts), so every vector of an answer comes from one target.
 */
import { performance } from 'node:perf_hooks';
import type { EmbedResponse } from '../embedding-types.js';
import { SwitchyardError } from '../errors.js';
import type { Mutable } from '../mutable.js';
import { embeddingInputsOf, type AttemptContext, type CallOutcome } from '../pipeline/context.js';
import type { AdapterEmbedCall, AdapterEmbedResult, ProviderAdapter } from '../provider-spec.js';

/** Upstream requests of one try in flight at once: enough to hide latency, few enough to stay polite to rate limits. */
const CONCURRENT_REQUESTS = 4;

/** The error of an embed call to a provider whose adapter has no `doEmbed`. */
export function embeddingsUnsupported(provider: string, type: string, model: string): SwitchyardError {
  return new SwitchyardError({ category: 'config', message: `provider "${provider}" (type ${type}) does not serve embeddings; route embedding calls to openai, azure-openai, gemini, vertex or openai-compatible providers`, provider, model });
}

/**
 * A deliberately high token estimate of one input: UTF-8 bytes / 3. English runs near 4 characters
 * a token, so this over-counts it by about a third; a CJK character (3 bytes) counts as one token.
 * Over-counting only costs an extra request, under-counting a 400 for the whole try.
 */
export function estimateEmbeddingTokens(input: string): number {
  return Math.ceil(Buffer.byteLength(input, 'utf8') / 3);
}

/**
 * `inputs` cut into consecutive pieces of at most `maxInputs` inputs and, packed greedily, at most
 * `maxTokens` estimated tokens; an input estimated over `maxTokens` goes alone (the provider judges it).
 */
export function packInputs(inputs: readonly string[], maxInputs: number, maxTokens: number): (readonly string[])[] {
  const pieces: (readonly string[])[] = [];
  let piece: string[] = [];
  let pieceTokens = 0;
  for (const input of inputs) {
    const tokens = estimateEmbeddingTokens(input);
    if (piece.length > 0 && (piece.length >= maxInputs || pieceTokens + tokens > maxTokens)) {
      pieces.push(piece);
      piece = [];
      pieceTokens = 0;
    }
    piece.push(input);
    pieceTokens += tokens;
  }
  if (piece.length > 0) pieces.push(piece);
  return pieces;
}

/** Runs one try of an embedding call; throws what the adapter throws. */
export async function embedAttempt(adapter: ProviderAdapter, attempt: AttemptContext): Promise<CallOutcome> {
  const doEmbed = adapter.doEmbed?.bind(adapter);
  if (doEmbed === undefined) throw embeddingsUnsupported(adapter.id, adapter.type, attempt.target.model);
  const { dimensions, taskType, title } = attempt.call.embedding ?? {};
  const model = attempt.target.model;
  const maxInputs = adapter.maxEmbeddingInputsFor?.(model) ?? adapter.maxEmbeddingInputs ?? Infinity;
  const pieces = packInputs(embeddingInputsOf(attempt.call), maxInputs, adapter.maxEmbeddingTokensFor?.(model) ?? Infinity);
  const base: Mutable<Omit<AdapterEmbedCall, 'inputs'>> = {
    model: attempt.target.model,
    signal: attempt.call.signal,
    firstByteTimeoutMs: attempt.firstByteTimeoutMs,
    idleTimeoutMs: attempt.idleTimeoutMs,
  };
  if (dimensions !== undefined) base.dimensions = dimensions;
  if (taskType !== undefined) base.taskType = taskType;
  if (title !== undefined) base.title = title;
  if (attempt.headers !== undefined) base.headers = attempt.headers;

  const results: AdapterEmbedResult[] = new Array<AdapterEmbedResult>(pieces.length);
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < pieces.length) {
      const index = next;
      next += 1;
      const inputs = pieces[index] as readonly string[];
      try {
        const result = await doEmbed({ ...base, inputs });
        if (result.embeddings.length !== inputs.length) {
          throw new SwitchyardError({ category: 'server', code: 'server.malformed_response', message: `${adapter.id} returned ${result.embeddings.length} vectors for ${inputs.length} inputs`, provider: adapter.id, model: attempt.target.model });
        }
        results[index] = result;
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENT_REQUESTS, pieces.length) }, worker));

  const embeddings: number[][] = [];
  let inputTokens = 0;
  for (const result of results) {
    for (const vector of result.embeddings) embeddings.push(vector);
    inputTokens += result.inputTokens;
  }
  const context = attempt.call;
  const response: Mutable<EmbedResponse> = {
    embeddings,
    usage: { inputTokens, totalTokens: inputTokens },
    route: attempt.route.name,
    target: attempt.names.resolved,
    attempts: context.attempts,
    latencyMs: performance.now() - context.startedAt,
    requestId: context.requestId,
    cached: false,
  };
  const servedModel = results[0]?.servedModel;
  if (servedModel !== undefined) response.servedModel = servedModel;
  return { kind: 'embedding', response };
}
