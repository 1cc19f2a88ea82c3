/**
 * The adapter stage: the innermost attempt stage, where a try becomes an upstream request. It
 * calls the target's adapter (`doChat` or `doStream`, see `provider-spec.ts`) with the attempt's
 * timeouts and headers, and builds what the caller gets:
 *
 * - chat: the whole `ChatResponse` (route, target, the call's attempts, latency, request id);
 * - embed: `doEmbed` over the inputs, split to the adapter's batch limit (`router/embed-attempt.ts`);
 * - stream: the adapter's parts are read until the first output part (text or a tool call); any
 *   failure before it is an ordinary failed try, which retry and fallback can still act on. From
 *   that part on the stream is committed (`CommittedStream`): a later error ends the caller's
 *   iteration with a `SwitchyardError`, never a replay on another target.
 *
 * Failures leave this stage mapped and stamped with the try's route and target (`attemptFailure`).
 * It never calls `next`: nothing runs inside the adapter call.
 */
import { performance } from 'node:perf_hooks';
import { SwitchyardError } from '../errors.js';
import { chargeCallTokens } from '../http/key-pool.js';
import type { AdapterCall, AdapterResult, AdapterStreamPart, ProviderAdapter } from '../provider-spec.js';
import { CommittedStream } from '../router/committed-stream.js';
import { embedAttempt } from '../router/embed-attempt.js';
import { buildResponse, isOutputPart } from '../router/response-assembly.js';
import { withStructuredOutput } from '../router/structured-output.js';
import { attemptFailure } from './attempt-failure.js';
import type { AttemptContext, CallOutcome } from './context.js';
import type { Stage } from './stage.js';

/** The stage's name, for placing user stages (`{ before: 'adapter' }`). */
export const ADAPTER_STAGE = 'adapter';

/** Creates the adapter stage over the router's adapters, by provider id. */
export function createAdapterStage(adapterFor: (provider: string) => ProviderAdapter): Stage<AttemptContext, CallOutcome> {
  return {
    name: ADAPTER_STAGE,
    execute(attempt) {
      let adapter: ProviderAdapter;
      let call: AdapterCall;
      try {
        adapter = adapterFor(attempt.target.provider);
        if (attempt.call.mode === 'embed') {
          return embedAttempt(adapter, attempt).catch((error: unknown) => {
            throw attemptFailure(error, attempt);
          });
        }
        call = adapterCallOf(attempt);
      } catch (error) {
        return Promise.reject(attemptFailure(error, attempt));
      }
      return attempt.call.mode === 'chat' ? chat(adapter, call, attempt) : stream(adapter, call, attempt);
    },
  };
}

/**
 * What the adapter sees of a try. The call's own signal: a stream that must stop alone (its
 * consumer stopped reading, or it failed before output) is stopped by returning its iterator,
 * which the adapter contract requires to end the upstream request.
 */
function adapterCallOf(attempt: AttemptContext): AdapterCall {
  const call: AdapterCall = {
    request: attempt.call.request,
    model: attempt.target.model,
    signal: attempt.call.signal,
    firstByteTimeoutMs: attempt.firstByteTimeoutMs,
    idleTimeoutMs: attempt.idleTimeoutMs,
  };
  return attempt.headers === undefined ? call : { ...call, headers: attempt.headers };
}

async function chat(adapter: ProviderAdapter, call: AdapterCall, attempt: AttemptContext): Promise<CallOutcome> {
  let result: AdapterResult;
  try {
    result = await adapter.doChat(call);
  } catch (error) {
    throw attemptFailure(error, attempt);
  }
  // The tokens go to the `tpm` of the pooled key that answered, when it has one.
  chargeCallTokens(call, result.usage.totalTokens);
  const context = attempt.call;
  const response = buildResponse(result, {
    route: attempt.route.name,
    target: attempt.names.resolved,
    attempts: context.attempts,
    latencyMs: performance.now() - context.startedAt,
    requestId: context.requestId,
  });
  // An answer that is not the JSON asked for fails this try (`invalid_output`), as a bad answer.
  try {
    return { kind: 'response', response: withStructuredOutput(response, context.request.responseFormat) };
  } catch (error) {
    throw attemptFailure(error, attempt);
  }
}

async function stream(adapter: ProviderAdapter, call: AdapterCall, attempt: AttemptContext): Promise<CallOutcome> {
  let iterator: AsyncIterator<AdapterStreamPart> | undefined;
  const buffered: AdapterStreamPart[] = [];
  try {
    const parts = await adapter.doStream(call);
    iterator = parts[Symbol.asyncIterator]();
    for (;;) {
      const next = await iterator.next();
      if (next.done === true) break;
      buffered.push(next.value);
      if (isOutputPart(next.value) || next.value.type === 'finish') break;
    }
  } catch (error) {
    void iterator?.return?.();
    throw attemptFailure(error, attempt);
  }
  const firstOutputAt = performance.now();
  const context = attempt.call;
  const events = new CommittedStream(iterator, buffered, {
    finish(accumulator) {
      const result = accumulator.result(context.requestId);
      chargeCallTokens(call, result.usage.totalTokens);
      const response = buildResponse(result, {
        route: attempt.route.name,
        target: attempt.names.resolved,
        attempts: context.attempts,
        latencyMs: performance.now() - context.startedAt,
        requestId: context.requestId,
      });
      // The text already streamed as JSON deltas; the finish carries the parsed value, or fails.
      return withStructuredOutput(response, context.request.responseFormat);
    },
    fail: (error) => attemptFailure(error, attempt).with({ attempts: context.attempts }),
    stopped: () => new SwitchyardError({ category: 'canceled', code: 'canceled.stream_consumer', message: 'the stream consumer stopped reading', route: attempt.route.name }),
  });
  return { kind: 'stream', stream: { events, completion: events.completion, firstOutputAt } };
}
