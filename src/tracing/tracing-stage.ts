/**
 * The tracing stage: the outermost call stage. It starts the call's span (dated from when the call
 * entered the router) and runs the rest of the call inside its context, so spans of instrumented
 * HTTP clients nest under it; the tracing plugin's `call-end` subscriber completes and ends it,
 * which for streams is when the stream ends. Without a registered tracer provider it only checks
 * for one and passes the call on.
 */
import { performance } from 'node:perf_hooks';
import type { CallContext, CallNotes, CallOutcome } from '../pipeline/context.js';
import type { Stage } from '../pipeline/stage.js';
import { spanName, startAttributes } from './gen-ai-attributes.js';
import type { SpanAttributes, SpanAttributeValue, TracingApi, TracingSpan, TracingTracer } from './otel-api.js';

/** The stage's name, for placing user stages (`{ after: 'tracing' }`). */
export const TRACING_STAGE = 'tracing';

/** Drops attributes without a value (OpenTelemetry rejects `undefined`). */
export function definedAttributes(attributes: SpanAttributes): Record<string, SpanAttributeValue> {
  const result: Record<string, SpanAttributeValue> = {};
  for (const key in attributes) {
    const value = attributes[key];
    if (value !== undefined) result[key] = value;
  }
  return result;
}

/** What the tracing stage works with. */
export interface TracingStageOptions {
  readonly api: TracingApi;
  readonly tracer: TracingTracer;
  /** Whether a tracer provider is registered; without one every span would be a no-op. */
  readonly providerRegistered: () => boolean;
  /** Open spans, by the call's notes object (shared by every context of one call, and by its call-end event). */
  readonly open: WeakMap<CallNotes, TracingSpan>;
}

/** Creates the tracing stage over a loaded OpenTelemetry API. */
export function createTracingStage(options: TracingStageOptions): Stage<CallContext, CallOutcome> {
  const { api, tracer, providerRegistered, open } = options;
  return {
    name: TRACING_STAGE,
    execute(context, next) {
      if (!providerRegistered()) return next(context);
      const span = tracer.startSpan(
        spanName(context.request.model),
        { kind: api.SpanKind.CLIENT, startTime: performance.timeOrigin + context.startedAt, attributes: definedAttributes(startAttributes(context)) },
        api.context.active(),
      );
      open.set(context.notes, span);
      return api.context.with(api.trace.setSpan(api.context.active(), span), () => next(context));
    },
  };
}

/**
 * The stage of a tracing plugin created before the OpenTelemetry API has loaded: it passes calls on
 * until the loaded plugin's stage exists, then runs that.
 */
export function createDeferredTracingStage(loaded: () => Stage<CallContext, CallOutcome> | undefined): Stage<CallContext, CallOutcome> {
  return {
    name: TRACING_STAGE,
    execute(context, next) {
      const stage = loaded();
      return stage === undefined ? next(context) : stage.execute(context, next);
    },
  };
}
