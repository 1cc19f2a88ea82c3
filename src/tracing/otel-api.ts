/**
 * The small part of `@opentelemetry/api` the tracing plugin uses, described structurally so that
 * Switchyard's own types never require the package: it is an optional peer dependency, loaded
 * with a dynamic `import()` only when tracing is asked for.
 */

/** An attribute value, as OpenTelemetry accepts it. */
export type SpanAttributeValue = string | number | boolean | readonly string[] | readonly number[] | readonly boolean[];

/** Attributes of a span. */
export type SpanAttributes = Readonly<Record<string, SpanAttributeValue | undefined>>;

/** An opaque OpenTelemetry context. */
export type TracingContext = object;

/** The span methods Switchyard calls. */
export interface TracingSpan {
  setAttributes(attributes: SpanAttributes): unknown;
  setStatus(status: { code: number; message?: string }): unknown;
  updateName(name: string): unknown;
  end(endTime?: number): void;
}

/** A tracer: starts spans. */
export interface TracingTracer {
  startSpan(name: string, options?: { kind?: number; startTime?: number; attributes?: SpanAttributes }, context?: TracingContext): TracingSpan;
}

/** What the plugin needs from `@opentelemetry/api`. */
export interface TracingApi {
  readonly trace: {
    getTracer(name: string, version?: string): TracingTracer;
    setSpan(context: TracingContext, span: TracingSpan): TracingContext;
    /** The global tracer provider (a proxy that forwards to the registered one, if any). */
    getTracerProvider?(): unknown;
  };
  readonly context: {
    active(): TracingContext;
    with<R>(context: TracingContext, run: () => R): R;
  };
  /** `SpanKind.CLIENT`. */
  readonly SpanKind: { readonly CLIENT: number };
  /** `SpanStatusCode.ERROR`. */
  readonly SpanStatusCode: { readonly ERROR: number };
  /** The proxy provider class, whose `getDelegate()` gives the no-op provider until one is registered. */
  readonly ProxyTracerProvider?: new () => { getDelegate(): unknown };
}

/**
 * Loads `@opentelemetry/api`, or resolves `undefined` when it is not installed (or cannot be
 * loaded), so callers never need it.
 */
export async function loadOpenTelemetryApi(): Promise<TracingApi | undefined> {
  try {
    const module: unknown = await import('@opentelemetry/api');
    if (isTracingApi(module)) return module;
    // Loaded as CommonJS through a bundler's interop: the API is the default export.
    const fallback = (module as { default?: unknown }).default;
    return isTracingApi(fallback) ? fallback : undefined;
  } catch {
    return undefined;
  }
}

/** Checks the shape of a loaded module (another major version, or a stub, is treated as absent). */
export function isTracingApi(value: unknown): value is TracingApi {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<Record<keyof TracingApi, unknown>>;
  const trace = candidate.trace as Partial<TracingApi['trace']> | undefined;
  const context = candidate.context as Partial<TracingApi['context']> | undefined;
  return (
    typeof trace?.getTracer === 'function' &&
    typeof trace.setSpan === 'function' &&
    typeof context?.active === 'function' &&
    typeof context.with === 'function' &&
    typeof (candidate.SpanKind as { CLIENT?: unknown } | undefined)?.CLIENT === 'number' &&
    typeof (candidate.SpanStatusCode as { ERROR?: unknown } | undefined)?.ERROR === 'number'
  );
}
