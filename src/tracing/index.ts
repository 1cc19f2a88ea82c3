/**
 * OpenTelemetry tracing: one span per call with the GenAI semantic-convention attributes, when the
 * optional `@opentelemetry/api` peer dependency is installed.
 */
export { createDeferredTracingPlugin, createTracingPlugin, type DeferredTracingPlugin, type TracingPluginOptions } from './tracing-plugin.js';
