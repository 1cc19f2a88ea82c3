/**
 * The router's extension points over real sockets: custom adapters given by provider `type`
 * (`providers`), and `transport: { dispatcher }` sending every upstream request through an undici
 * dispatcher of the caller's own: an `Agent` with a counting interceptor, and a `ProxyAgent`
 * through a real CONNECT proxy.
 */
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { Agent, ProxyAgent, type Dispatcher } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig, type SwitchyardConfigInput } from '../../src/config/index.js';
import type { ProviderConfig, SwitchyardConfig } from '../../src/config/types.js';
import { createRouter } from '../../src/create-router.js';
import { SwitchyardError } from '../../src/errors.js';
import { PROVIDER_SPEC_VERSION, type AdapterCall, type AdapterFactory } from '../../src/provider-spec.js';
import { ADAPTER_FACTORIES } from '../../src/router/adapters.js';
import { startSimulator, type Simulator } from '../../src/testing/simulator.js';
import type { ChatRequest, StreamEvent } from '../../src/types.js';
import { FAST_POLICIES, simConfig } from '../support/sim-config.js';

let simulator: Simulator;
beforeAll(async () => {
  simulator = await startSimulator({ seed: 23 });
});
afterAll(async () => {
  await simulator.close();
});
afterEach(() => simulator.reset());

const ask = (model: string, text = 'hello'): ChatRequest => ({ model, messages: [{ role: 'user', content: text }] });

async function collect(events: AsyncIterable<StreamEvent>): Promise<StreamEvent[]> {
  const all: StreamEvent[] = [];
  for await (const event of events) all.push(event);
  return all;
}

/** A resolved config whose `local` provider has the given type, set after resolution (YAML custom types: custom-provider-type.test.ts). */
function withProviderType(type: string): SwitchyardConfig {
  const resolved = resolveConfig(simConfig(simulator));
  const local = resolved.providers.local as ProviderConfig;
  return { ...resolved, providers: { ...resolved.providers, local: { ...local, type: type } } };
}

describe('custom adapters (`providers`)', () => {
  it('serve a provider of a type of their own, over the router`s transport, with the attempt stages` headers', async () => {
    const calls: AdapterCall[] = [];
    const built: string[] = [];
    // A custom wire format that happens to speak Chat Completions: it wraps the built-in mapping.
    const createEchoAdapter: AdapterFactory = (context) => {
      built.push(`${context.settings.id}:${context.settings.type}`);
      const inner = ADAPTER_FACTORIES['openai-compatible'](context);
      return {
        id: context.settings.id,
        type: context.settings.type,
        specificationVersion: PROVIDER_SPEC_VERSION,
        doChat(call) {
          calls.push(call);
          return inner.doChat(call);
        },
        doStream(call) {
          calls.push(call);
          return inner.doStream(call);
        },
      };
    };
    const router = createRouter(withProviderType('echo-llm'), {
      tracing: false,
      providers: { 'echo-llm': createEchoAdapter },
      attemptStages: [{ name: 'trace-header', execute: (attempt, next) => next({ ...attempt, headers: { 'x-trace': attempt.call.requestId } }) }],
    });
    expect(built).toEqual(['local:echo-llm']);
    const response = await router.chat(ask('local'), { requestId: 'req-1' });
    expect(response.text).toBe('Echo: hello');
    expect(response.target).toEqual({ provider: 'local', model: 'llama3' });
    const events = await collect(router.stream(ask('local', 'streamed'), { requestId: 'req-2' }));
    expect(events.at(-1)).toMatchObject({ type: 'finish', response: { text: 'Echo: streamed' } });
    expect(calls.map((call) => [call.model, call.headers])).toEqual([
      ['llama3', { 'x-trace': 'req-1' }],
      ['llama3', { 'x-trace': 'req-2' }],
    ]);
    expect(simulator.count('llama3')).toBe(2);
    await router.close();
  });

  it('may replace a built-in type`s adapter', async () => {
    let used = 0;
    const counting: AdapterFactory = (context) => {
      const inner = ADAPTER_FACTORIES.openai(context);
      return { ...inner, id: inner.id, type: inner.type, doChat: (call) => ((used += 1), inner.doChat(call)), doStream: (call) => inner.doStream(call) };
    };
    const router = createRouter(simConfig(simulator), { tracing: false, providers: { openai: counting } });
    expect((await router.chat(ask('gpt4'))).target.model).toBe('gpt-4');
    expect(used).toBe(1);
    await router.close();
  });

  it('a type without an adapter, or an adapter of another spec version, is a config error', () => {
    const thrown = (build: () => unknown): SwitchyardError => {
      try {
        build();
      } catch (error) {
        if (SwitchyardError.isInstance(error)) return error;
        throw error;
      }
      throw new Error('expected createRouter to throw');
    };
    const missing = thrown(() => createRouter(withProviderType('foo'), { tracing: false }));
    expect(missing.category).toBe('config');
    expect(missing.message).toMatch(/^provider 'local' \(providers\.local\.type\): unknown type 'foo'; built-in types are anthropic, openai, azure-openai, gemini, openai-compatible/);
    expect(missing.message).toContain("register a factory with createRouter(config, { providers: { 'foo': … } })");
    const future: AdapterFactory = (context) => ({ ...ADAPTER_FACTORIES['openai-compatible'](context), specificationVersion: 2 as typeof PROVIDER_SPEC_VERSION });
    const versioned = thrown(() => createRouter(withProviderType('future'), { tracing: false, providers: { future } }));
    expect(versioned.message).toMatch(/implements provider spec version 2; this Switchyard speaks version 1/);
  });
});

describe('transport: { dispatcher }', () => {
  it('sends every upstream request, chat and stream, through the given undici dispatcher, and leaves it open on close', async () => {
    const dispatched: string[] = [];
    const agent = new Agent({ connections: 4 });
    const counting: Dispatcher = agent.compose((dispatch) => (options, handler) => {
      dispatched.push(`${options.method} ${String(options.origin)}${options.path}`);
      return dispatch(options, handler);
    });
    const router = createRouter(simConfig(simulator), { tracing: false, transport: { dispatcher: counting } });
    await router.chat(ask('gpt4'));
    await router.chat(ask('claude'), { user: 'u-1' });
    await collect(router.stream(ask('gemini')));
    expect(simulator.count()).toBe(3);
    expect(dispatched).toHaveLength(3);
    expect(dispatched.every((line) => line.startsWith(`POST ${simulator.url}/`))).toBe(true);
    await router.close();
    // The router does not own the dispatcher: it still works after the router closed.
    const response = await counting.request({ origin: simulator.url, path: '/v1/chat/completions', method: 'GET' });
    await response.body.dump();
    expect(dispatched).toHaveLength(4);
    await agent.close();
  });

  it('works with a ProxyAgent: calls tunnel through the proxy', async () => {
    const tunnels: string[] = [];
    const sockets = new Set<Socket>();
    const proxy: Server = createServer();
    proxy.on('connect', (request, client: Socket) => {
      tunnels.push(request.url ?? '');
      const [host, port] = (request.url ?? '').split(':');
      const upstream = connect(Number(port), host, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.pipe(client);
        client.pipe(upstream);
      });
      for (const socket of [client, upstream]) {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
        socket.on('error', () => socket.destroy());
      }
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    const dispatcher = new ProxyAgent(proxyUrl);
    const config = { ...simConfig(simulator), policies: FAST_POLICIES } as SwitchyardConfigInput;
    const router = createRouter(config, { tracing: false, transport: { dispatcher } });
    expect((await router.chat(ask('gpt4'))).text).toBe('Echo: hello');
    expect((await collect(router.stream(ask('claude'), { user: 'u-2' }))).at(-1)?.type).toBe('finish');
    expect(simulator.count()).toBe(2);
    expect(tunnels.length).toBeGreaterThanOrEqual(1);
    expect(tunnels.every((target) => target === new URL(simulator.url).host)).toBe(true);
    await router.close();
    await dispatcher.close();
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => proxy.close(() => resolve()));
  });
});
