import { AsyncLocalStorage } from 'node:async_hooks';
import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Context, type ContextManager } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/index.js';
import { createRouter } from '../../src/create-router.js';
import type { RouterPlugin } from '../../src/router/plugin.js';
import type { Router } from '../../src/router/router.js';
import { startSimulator, type Simulator } from '../../src/testing/simulator.js';
import { createDeferredTracingPlugin, createTracingPlugin } from '../../src/tracing/tracing-plugin.js';
import { isTracingApi, loadOpenTelemetryApi } from '../../src/tracing/otel-api.js';
import type { ChatRequest } from '../../src/types.js';
import { simConfig } from '../support/sim-config.js';

/** The smallest context manager on AsyncLocalStorage (what @opentelemetry/context-async-hooks does). */
class TestContextManager implements ContextManager {
  private readonly storage = new AsyncLocalStorage<Context>();
  active(): Context {
    return this.storage.getStore() ?? ROOT_CONTEXT;
  }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(activeContext: Context, run: F, thisArgument?: ThisParameterType<F>, ...args: A): ReturnType<F> {
    return this.storage.run(activeContext, () => run.apply(thisArgument, args));
  }
  bind<T>(_context: Context, target: T): T {
    return target;
  }
  enable(): this {
    return this;
  }
  disable(): this {
    this.storage.disable();
    return this;
  }
}

let simulator: Simulator;
const routers: Router[] = [];
const exporter = new InMemorySpanExporter();

beforeAll(async () => {
  simulator = await startSimulator({ seed: 13 });
});
afterEach(async () => {
  await Promise.all(routers.splice(0).map((router) => router.close()));
  simulator.reset();
  exporter.reset();
  trace.disable();
  context.disable();
});
afterAll(async () => {
  await simulator.close();
});

function registerProvider(): void {
  context.setGlobalContextManager(new TestContextManager());
  trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
}

async function tracedRouter(extraPlugins: readonly RouterPlugin[] = []): Promise<Router> {
  const tracing = await createTracingPlugin();
  if (tracing === undefined) throw new Error('@opentelemetry/api is installed as a dev dependency; the plugin must load');
  const router = createRouter(resolveConfig(simConfig(simulator)), { plugins: [tracing, ...extraPlugins], tracing: false });
  routers.push(router);
  return router;
}

const ask = (model: string, extra: Partial<ChatRequest> = {}): ChatRequest => ({ model, messages: [{ role: 'user', content: 'one two three' }], ...extra });

function onlySpan(): ReadableSpan {
  const spans = exporter.getFinishedSpans();
  expect(spans).toHaveLength(1);
  return spans[0] as ReadableSpan;
}

function milliseconds(time: readonly [number, number]): number {
  return time[0] * 1000 + time[1] / 1e6;
}

describe('tracing plugin with a registered tracer provider', () => {
  it('emits one CLIENT span per call with the GenAI attributes', async () => {
    registerProvider();
    const router = await tracedRouter();
    const response = await router.chat(ask('claude', { temperature: 0.2, maxTokens: 50, topP: 0.9, stop: ['END'] }), { user: 'u-1', requestId: 'req-1' });
    const span = onlySpan();
    expect(span.name).toBe(`chat ${response.target.model}`);
    expect(span.kind).toBe(SpanKind.CLIENT);
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    const port = Number(new URL(simulator.url).port);
    expect(span.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.system': 'anthropic',
      'gen_ai.request.model': response.target.model,
      'gen_ai.response.model': response.servedModel ?? response.target.model,
      'gen_ai.response.id': response.id,
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.input_tokens': response.usage.inputTokens,
      'gen_ai.usage.output_tokens': response.usage.outputTokens,
      'gen_ai.request.temperature': 0.2,
      'gen_ai.request.max_tokens': 50,
      'gen_ai.request.top_p': 0.9,
      'gen_ai.request.stop_sequences': ['END'],
      'gen_ai.request.stream': false,
      'server.address': '127.0.0.1',
      'server.port': port,
      'switchyard.route': 'claude',
      'switchyard.response.route': 'claude',
      'switchyard.request_id': 'req-1',
      'switchyard.provider': 'anthropic',
      'switchyard.attempts': 1,
      'switchyard.attempt_outcomes': ['ok'],
      'switchyard.cached': false,
    });
    expect(span.attributes['error.type']).toBeUndefined();
    const duration = milliseconds(span.endTime) - milliseconds(span.startTime);
    expect(duration).toBeGreaterThanOrEqual(0);
    expect(duration).toBeLessThan(response.latencyMs + 1_000);
  });

  it('marks failures with error.type (the category) and an ERROR status without the message', async () => {
    registerProvider();
    const router = await tracedRouter();
    simulator.enqueueFault('gpt-4', { kind: 'status', status: 401, message: 'bad key for user alice@example.com' });
    await expect(router.chat(ask('gpt4'))).rejects.toMatchObject({ category: 'auth' });
    const span = onlySpan();
    expect(span.attributes).toMatchObject({ 'error.type': 'auth', 'http.response.status_code': 401, 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4', 'switchyard.attempts': 1 });
    expect(span.attributes['gen_ai.usage.input_tokens']).toBeUndefined();
    expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: 'auth' });
    expect(JSON.stringify(span.attributes)).not.toContain('alice');
  });

  it('covers retries in one span and records every attempt', async () => {
    registerProvider();
    const router = await tracedRouter();
    simulator.enqueueFault('gpt-4', { kind: 'status', status: 500 });
    await router.chat(ask('gpt4'));
    const span = onlySpan();
    expect(span.attributes['switchyard.attempts']).toBe(2);
    expect(span.attributes['switchyard.attempt_outcomes']).toEqual(['server', 'ok']);
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('ends a stream’s span when the stream ends, with the time to first chunk', async () => {
    registerProvider();
    const router = await tracedRouter();
    simulator.setBehavior('*', { ttftMs: 20 });
    const iterator = router.stream(ask('gemini'))[Symbol.asyncIterator]();
    await iterator.next();
    expect(exporter.getFinishedSpans()).toHaveLength(0);
    while (!(await iterator.next()).done) {
      // drain
    }
    const span = onlySpan();
    expect(span.attributes).toMatchObject({ 'gen_ai.provider.name': 'gcp.gemini', 'gen_ai.request.stream': true, 'gen_ai.request.model': 'gemini-1.5-pro' });
    expect(span.attributes['gen_ai.response.time_to_first_chunk']).toBeGreaterThanOrEqual(0.015);
  });

  it('names Azure OpenAI and OpenAI-compatible providers by the conventions’ values', async () => {
    registerProvider();
    const router = await tracedRouter();
    await router.chat(ask('azure'));
    await router.chat(ask('local'));
    const names = exporter.getFinishedSpans().map((span) => span.attributes['gen_ai.provider.name']);
    expect(names).toEqual(['azure.ai.openai', 'openai']);
  });

  it('makes the call span active for inner stages (so HTTP spans nest) and a child of the caller’s span', async () => {
    registerProvider();
    let innerActive: string | undefined;
    const probe: RouterPlugin = {
      name: 'probe',
      outerStages: [
        {
          name: 'probe',
          execute(callContext, next) {
            innerActive = trace.getActiveSpan()?.spanContext().spanId;
            return next(callContext);
          },
        },
      ],
    };
    const router = await tracedRouter([probe]);
    const parent = trace.getTracer('test').startSpan('incoming request');
    await context.with(trace.setSpan(context.active(), parent), () => router.chat(ask('gpt4')));
    parent.end();
    const call = exporter.getFinishedSpans().find((span) => span.name.startsWith('chat '));
    expect(call?.spanContext().spanId).toBe(innerActive);
    expect(call?.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
    expect(call?.spanContext().traceId).toBe(parent.spanContext().traceId);
  });
});

describe('tracing plugin without a tracer provider', () => {
  it('loads, and calls work as usual with nothing exported', async () => {
    const router = await tracedRouter();
    const response = await router.chat(ask('gpt4'));
    expect(response.text).toBe('Echo: one two three');
    const failed = await router.chat(ask('gpt4', { messages: [] })).catch((error: unknown) => error);
    expect(failed).toMatchObject({ category: 'invalid_request' });
    expect(exporter.getFinishedSpans()).toHaveLength(0);
  });

  it('does no span work while no provider is registered, and traces once one is', async () => {
    const router = await tracedRouter();
    let contextsEntered = 0;
    class CountingContextManager extends TestContextManager {
      override with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(activeContext: Context, run: F, thisArgument?: ThisParameterType<F>, ...args: A): ReturnType<F> {
        contextsEntered += 1;
        return super.with(activeContext, run, thisArgument, ...args);
      }
    }
    context.setGlobalContextManager(new CountingContextManager());
    await router.chat(ask('gpt4'));
    expect(contextsEntered).toBe(0);
    trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
    await router.chat(ask('gpt4'));
    expect(contextsEntered).toBeGreaterThan(0);
    expect(onlySpan().attributes['gen_ai.provider.name']).toBe('openai');
  });
});

describe('deferred tracing plugin (for the synchronous createRouter)', () => {
  it('passes calls through until the API has loaded, then traces them', async () => {
    registerProvider();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const plugin = createDeferredTracingPlugin({ loadApi: async () => gate.then(loadOpenTelemetryApi) });
    const router = createRouter(resolveConfig(simConfig(simulator)), { plugins: [plugin], tracing: false });
    routers.push(router);
    await router.chat(ask('gpt4'));
    expect(exporter.getFinishedSpans()).toHaveLength(0);
    release();
    await expect(plugin.tracerLoaded).resolves.toBe(true);
    await router.chat(ask('gpt4'));
    expect(onlySpan().attributes['gen_ai.provider.name']).toBe('openai');
  });

  it('stays a pass-through when the API is unavailable', async () => {
    const plugin = createDeferredTracingPlugin({ loadApi: async () => undefined });
    const router = createRouter(resolveConfig(simConfig(simulator)), { plugins: [plugin], tracing: false });
    routers.push(router);
    await expect(plugin.tracerLoaded).resolves.toBe(false);
    expect((await router.chat(ask('gpt4'))).text).toBe('Echo: one two three');
  });
});

describe('loading the API', () => {
  it('loads the installed @opentelemetry/api', async () => {
    expect(isTracingApi(await loadOpenTelemetryApi())).toBe(true);
  });

  it('gives no plugin when the API is unavailable', async () => {
    expect(await createTracingPlugin({ loadApi: async () => undefined })).toBeUndefined();
    expect(isTracingApi({ trace: {} })).toBe(false);
    expect(isTracingApi(undefined)).toBe(false);
  });
});
