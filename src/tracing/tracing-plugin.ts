/**
 * The tracing plugin: one OpenTelemetry span per call, with the GenAI semantic-convention
 * attributes (see `gen-ai-attributes.ts`). Its call stage (`tracing-stage.ts`) starts the span
 * and runs the rest of the call inside its context; the `call-end` event completes and ends it,
 * which for streams is when the stream ends.
 *
 * `@opentelemetry/api` is an optional peer dependency: it is imported once, when the plugin is
 * created, and without it there is no plugin. Without a registered tracer provider the API's
 * tracer does nothing, and neither does the plugin: each call only checks for a provider.
 */
import type { ProviderConfig } from '../config/types.js';
import type { CallNotes } from '../pipeline/context.js';
import type { RouterPlugin } from '../router/plugin.js';
import { endAttributes, spanName } from './gen-ai-attributes.js';
import { loadOpenTelemetryApi, type TracingApi, type TracingSpan } from './otel-api.js';
import { createDeferredTracingStage, createTracingStage, definedAttributes } from './tracing-stage.js';

/** Options of `createTracingPlugin`. */
export interface TracingPluginOptions {
  /**
   * The tracer's (instrumentation scope's) name.
   * @default 'switchyard'
   */
  readonly tracerName?: string;
  /** The tracer's version (e.g. the library's). */
  readonly tracerVersion?: string;
  /**
   * Loads the OpenTelemetry API; resolves `undefined` when it is unavailable.
   * @default a dynamic `import('@opentelemetry/api')`
   */
  readonly loadApi?: () => Promise<TracingApi | undefined>;
}

/**
 * A check for whether a tracer provider is registered. Without one, every span the API hands out is
 * a no-op, and building its attributes and context costs more than the rest of a call's
 * bookkeeping, so the stage skips all of it. Checked on every call: a provider registered after the
 * router was created is picked up at once. An API without the proxy-provider surface is assumed to
 * trace.
 */
function createProviderCheck(api: TracingApi): () => boolean {
  const getTracerProvider = api.trace.getTracerProvider?.bind(api.trace);
  const ProxyProvider = api.ProxyTracerProvider;
  if (getTracerProvider === undefined || typeof ProxyProvider !== 'function') return () => true;
  const noopProvider = new ProxyProvider().getDelegate();
  return () => {
    const provider = getTracerProvider() as { getDelegate?: () => unknown } | undefined;
    return typeof provider?.getDelegate !== 'function' || provider.getDelegate() !== noopProvider;
  };
}

/** Creates the tracing plugin over a loaded API (what `createTracingPlugin` does once the API is there). */
export function createTracingPluginWithApi(api: TracingApi, options: Omit<TracingPluginOptions, 'loadApi'> = {}): RouterPlugin {
  const tracer = api.trace.getTracer(options.tracerName ?? 'switchyard', options.tracerVersion);
  /** Open spans, by the call's notes object (shared by every context of one call, and by its call-end event). */
  const open = new WeakMap<CallNotes, TracingSpan>();
  const providerRegistered = createProviderCheck(api);
  let providers: Readonly<Record<string, ProviderConfig>> = {};
  let unsubscribe: (() => void) | undefined;

  return {
    name: 'tracing',
    outerStages: [createTracingStage({ api, tracer, providerRegistered, open })],
    attach(router, internals) {
      providers = router.config.providers;
      unsubscribe = internals.events.on('call-end', (end) => {
        const span = open.get(end.notes);
        if (span === undefined) return;
        open.delete(end.notes);
        const attributes = definedAttributes(endAttributes(end, providers));
        span.setAttributes(attributes);
        const model = attributes['gen_ai.request.model'];
        if (typeof model === 'string') span.updateName(spanName(model));
        // The category only: error messages can quote the request, and traces leave the process.
        if (end.error !== undefined) span.setStatus({ code: api.SpanStatusCode.ERROR, message: end.error.category });
        span.end();
      });
    },
    async close() {
      unsubscribe?.();
      unsubscribe = undefined;
    },
  };
}

/**
 * Creates the tracing plugin, or resolves `undefined` when `@opentelemetry/api` is not installed.
 * Put it first among the plugins so its span covers the other plugins' stages.
 *
 * @example
 * const tracing = await createTracingPlugin();
 * const router = createRouter(config, { tracing: false, plugins: tracing === undefined ? [] : [tracing] });
 */
export async function createTracingPlugin(options: TracingPluginOptions = {}): Promise<RouterPlugin | undefined> {
  const api = await (options.loadApi ?? loadOpenTelemetryApi)();
  if (api === undefined) return undefined;
  return createTracingPluginWithApi(api, options);
}

/** A tracing plugin created synchronously, tracing once the API has loaded. */
export type DeferredTracingPlugin = RouterPlugin & {
  /** Resolves `true` once spans are being emitted, `false` when the API is unavailable. */
  readonly tracerLoaded: Promise<boolean>;
};

/**
 * Creates the tracing plugin synchronously (for `createRouter`, which is synchronous): it starts
 * loading `@opentelemetry/api` at once and traces every call that starts after it has loaded
 * (calls in the first moments, before the import resolves, get no span). Without the package it
 * stays a pass-through.
 */
export function createDeferredTracingPlugin(options: TracingPluginOptions = {}): DeferredTracingPlugin {
  let inner: RouterPlugin | undefined;
  let attached: Parameters<NonNullable<RouterPlugin['attach']>> | undefined;
  let closed = false;
  const tracerLoaded = createTracingPlugin(options).then(
    (plugin) => {
      if (plugin === undefined || closed) return false;
      inner = plugin;
      if (attached !== undefined) plugin.attach?.(...attached);
      return true;
    },
    () => false,
  );
  return {
    name: 'tracing',
    tracerLoaded,
    outerStages: [createDeferredTracingStage(() => inner?.outerStages?.[0])],
    attach(router, internals) {
      attached = [router, internals];
      inner?.attach?.(router, internals);
    },
    async close() {
      closed = true;
      await inner?.close?.();
    },
  };
}
