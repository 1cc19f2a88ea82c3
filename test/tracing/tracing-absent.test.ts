import { describe, expect, it, vi } from 'vitest';

// As if the optional peer dependency were not installed: importing it fails.
vi.mock('@opentelemetry/api', () => {
  throw new Error("Cannot find package '@opentelemetry/api'");
});

const { createTracingPlugin } = await import('../../src/tracing/tracing-plugin.js');
const { loadOpenTelemetryApi } = await import('../../src/tracing/otel-api.js');

describe('tracing without @opentelemetry/api installed', () => {
  it('loads nothing and creates no plugin, without throwing', async () => {
    await expect(loadOpenTelemetryApi()).resolves.toBeUndefined();
    await expect(createTracingPlugin()).resolves.toBeUndefined();
  });
});
