/**
 * Structured output end to end: router → adapter → simulator (which answers JSON following the
 * schema, as each provider's reference describes the request) → `response.object`, for chat and
 * streams, on every provider type; answers that do not parse or validate are `invalid_output`.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { createRouter } from '../../src/create-router.js';
import type { Router } from '../../src/router/router.js';
import type { Simulator } from '../../src/testing/simulator.js';
import type { ChatRequest, ResponseFormat, StreamEvent } from '../../src/types.js';
import { failure } from '../support/failure.js';
import { FAST_POLICIES, nativeProviders } from '../support/sim-config.js';
import { useSimulatorRouter } from '../support/simulator-fixture.js';

let simulator: Simulator;
let router: Router;

const fixture = useSimulatorRouter({ seed: 5 }, ({ url, apiKey: key }) => ({
  providers: {
    ...nativeProviders({ url, apiKey: key }),
    azure: { type: 'azure-openai', apiKey: key, baseUrl: url, apiVersion: '2024-10-21' },
    local: { type: 'openai-compatible', baseUrl: `${url}/v1`, apiKey: key },
  },
  routes: {
    'claude-tool': { targets: [{ provider: 'anthropic', model: 'claude-3-5-haiku-20241022' }] },
    'claude-native': { targets: [{ provider: 'anthropic', model: 'claude-sonnet-4-5-20250929' }] },
    gpt: { targets: [{ provider: 'openai', model: 'gpt-4o' }] },
    gemini: { targets: [{ provider: 'gemini', model: 'gemini-2.5-flash' }] },
    azure: { targets: [{ provider: 'azure', model: 'gpt4o-deployment' }] },
    local: { targets: [{ provider: 'local', model: 'llama3' }] },
  },
  policies: FAST_POLICIES,
}));
beforeEach(() => {
  ({ simulator, router } = fixture);
});

const WEATHER = {
  type: 'object',
  properties: { city: { type: 'string' }, days: { type: 'integer', minimum: 2 } },
  required: ['city', 'days'],
  additionalProperties: false,
};
const FORMAT: ResponseFormat = { type: 'json_schema', name: 'forecast', schema: WEATHER, strict: true };
const EXPECTED = { city: 'Echo: Paris', days: 2 };
const ROUTES = ['claude-tool', 'claude-native', 'gpt', 'gemini', 'azure', 'local'];

const ask = (model: string, responseFormat: ResponseFormat = FORMAT, text = 'Paris'): ChatRequest => ({ model, messages: [{ role: 'user', content: text }], responseFormat });

async function collect(events: AsyncIterable<StreamEvent>): Promise<StreamEvent[]> {
  const all: StreamEvent[] = [];
  for await (const event of events) all.push(event);
  return all;
}

describe('responseFormat json_schema', () => {
  it.each(ROUTES)('%s: chat() answers the JSON as text and its parsed value as object', async (route) => {
    const response = await router.chat(ask(route));
    expect(response.object).toEqual(EXPECTED);
    expect(JSON.parse(response.text)).toEqual(EXPECTED);
    expect(response.toolCalls).toEqual([]);
    expect(response.finishReason).toBe('stop');
  });

  it.each(ROUTES)('%s: stream() sends the JSON as text deltas and the object with finish', async (route) => {
    const events = await collect(router.stream(ask(route)));
    const text = events.flatMap((event) => (event.type === 'text-delta' ? [event.text] : [])).join('');
    expect(JSON.parse(text)).toEqual(EXPECTED);
    expect(events.some((event) => event.type === 'tool-call')).toBe(false);
    const finish = events.at(-1);
    expect(finish?.type).toBe('finish');
    if (finish?.type === 'finish') {
      expect(finish.response.object).toEqual(EXPECTED);
      expect(finish.response.finishReason).toBe('stop');
    }
  });

  it('asks each provider in its own wire format', async () => {
    for (const route of ROUTES) await router.chat(ask(route));
    const bodies = Object.fromEntries(simulator.requests.map((request) => [request.model, request.body as Record<string, unknown>]));
    // Claude 3.5 Haiku: a forced tool named after the schema.
    expect(bodies['claude-3-5-haiku-20241022']).toMatchObject({ tools: [{ name: 'forecast', input_schema: WEATHER }], tool_choice: { type: 'tool', name: 'forecast' } });
    // Claude Sonnet 4.5: native JSON outputs.
    expect(bodies['claude-sonnet-4-5-20250929']).toMatchObject({ output_config: { format: { type: 'json_schema', schema: WEATHER } } });
    expect(bodies['claude-sonnet-4-5-20250929']?.tools).toBeUndefined();
    for (const model of ['gpt-4o', 'gpt4o-deployment', 'llama3']) {
      expect(bodies[model]?.response_format).toEqual({ type: 'json_schema', json_schema: { name: 'forecast', schema: WEATHER, strict: true } });
    }
    expect(bodies['gemini-2.5-flash']?.generationConfig).toMatchObject({ responseMimeType: 'application/json', responseJsonSchema: WEATHER });
  });

  it('method: tool forces the tool on a model that has native JSON outputs', async () => {
    const response = await router.chat(ask('claude-native', { ...FORMAT, method: 'tool' }));
    expect(response.object).toEqual(EXPECTED);
    expect(simulator.requests.at(-1)?.body).toMatchObject({ tool_choice: { type: 'tool', name: 'forecast' } });
  });
});

describe('responseFormat json', () => {
  it.each(['claude-tool', 'claude-native', 'gpt', 'gemini'])('%s: answers a JSON object', async (route) => {
    const response = await router.chat(ask(route, { type: 'json' }, 'Answer in JSON: Paris'));
    expect(response.object).toBeTypeOf('object');
    expect(response.object).toEqual(JSON.parse(response.text));
  });

  it('reaches Anthropic as a forced tool with an object schema, OpenAI as json_object', async () => {
    await router.chat(ask('claude-native', { type: 'json' }, 'JSON: Paris'));
    await router.chat(ask('gpt', { type: 'json' }, 'JSON: Paris'));
    const [claude, gpt] = simulator.requests.map((request) => request.body as Record<string, unknown>);
    expect(claude).toMatchObject({ tools: [{ name: 'response', input_schema: { type: 'object' } }], tool_choice: { type: 'tool', name: 'response' } });
    expect(gpt?.response_format).toEqual({ type: 'json_object' });
  });
});

describe('answers that are not the JSON asked for', () => {
  it('fail with invalid_output.json, tried once, without the answer in the message', async () => {
    simulator.setBehavior('gpt-4o', { reply: () => ({ text: 'Sure! {"city": "Paris"' }) });
    const error = await failure(router.chat(ask('gpt')));
    expect(error).toMatchObject({ category: 'invalid_output', code: 'invalid_output.json', retryable: false, provider: 'openai', model: 'gpt-4o' });
    expect(error.message).not.toContain('Sure!');
    expect(simulator.count('gpt-4o')).toBe(1);
  });

  it('fail with invalid_output.schema when the JSON does not validate', async () => {
    simulator.setBehavior('gemini-2.5-flash', { reply: () => ({ text: '{"city": "Paris", "days": 1}' }) });
    const error = await failure(router.chat(ask('gemini')));
    expect(error).toMatchObject({ category: 'invalid_output', code: 'invalid_output.schema' });
    expect(error.message).toContain('"forecast"');
  });

  it('end a stream with invalid_output after its text, never with a clean finish', async () => {
    simulator.setBehavior('claude-sonnet-4-5-20250929', { reply: () => ({ text: 'not json at all' }) });
    const seen: StreamEvent[] = [];
    const error = await failure(
      (async () => {
        for await (const event of router.stream(ask('claude-native'))) seen.push(event);
      })(),
    );
    expect(error).toMatchObject({ category: 'invalid_output', code: 'invalid_output.json' });
    expect(seen.some((event) => event.type === 'text-delta')).toBe(true);
    expect(seen.some((event) => event.type === 'finish')).toBe(false);
  });
});

describe('request checks', () => {
  it.each([
    [{ type: 'xml' }, 'responseFormat.type'],
    [{ type: 'json_schema' }, 'responseFormat.schema'],
    [{ type: 'json_schema', schema: { type: 'no-such-type' } }, 'responseFormat.schema'],
    [{ type: 'json_schema', schema: WEATHER, name: 'has spaces' }, 'responseFormat.name'],
    [{ type: 'json_schema', schema: WEATHER, method: 'magic' }, 'responseFormat.method'],
  ])('%j is refused naming %s, before any provider is called', async (responseFormat, field) => {
    const error = await failure(router.chat({ ...ask('gpt'), responseFormat } as unknown as ChatRequest));
    expect(error).toMatchObject({ category: 'invalid_request', field });
    expect(simulator.count()).toBe(0);
  });

  it('refuses a user tool that has the answer tool name on the forced-tool path', async () => {
    const error = await failure(router.chat({ ...ask('claude-tool'), tools: [{ name: 'forecast', parameters: { type: 'object' } }] }));
    expect(error).toMatchObject({ category: 'invalid_request', field: 'responseFormat.name' });
  });
});

describe('the response cache', () => {
  it('keys on the format and gives every hit its own object', async () => {
    const cached = createRouter({
      providers: { openai: { type: 'openai', apiKey: simulator.apiKey, baseUrl: `${simulator.url}/v1` } },
      routes: { gpt: { targets: [{ provider: 'openai', model: 'gpt-4o' }], policies: { cache: { ttl: '1m' } } } },
      policies: FAST_POLICIES,
    });
    try {
      const request = { ...ask('gpt'), temperature: 0 };
      const first = await cached.chat(request);
      const hit = await cached.chat(request);
      expect(hit.cached).toBe(true);
      expect(hit.object).toEqual(EXPECTED);
      expect(hit.object).not.toBe(first.object);
      const other = await cached.chat({ ...request, responseFormat: { type: 'json' } , messages: [{ role: 'user', content: 'JSON please: Paris' }] });
      expect(other.cached).toBe(false);
      const otherSchema = await cached.chat({ ...request, responseFormat: { ...FORMAT, name: 'other' } });
      expect(otherSchema.cached).toBe(false);
    } finally {
      await cached.close();
    }
  });
});
