/**
 * OpenTelemetry tracing: one span per call with the GenAI semantic-convention attributes, when the
 * optional `@opentelemetry/api` peer dependency is installed.
 */
export { endAttributes, GEN_AI_OPERATION, GEN_AI_PROVIDER_NAMES, spanName, startAttributes } from './gen-ai-attributes.js';
export { isTracingApi, loadOpenTelemetryApi, type SpanAttributes, type SpanAttributeValue, type TracingApi, type TracingContext, type TracingSpan, type TracingTracer } from './otel-api.js';
export { createDeferredTracingPlugin, createTracingPlugin, createTracingPluginWithApi, type DeferredTracingPlugin, type TracingPluginOptions } from './tracing-plugin.js';
