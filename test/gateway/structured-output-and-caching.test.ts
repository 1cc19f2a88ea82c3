/**
 * Structured output and prompt caching through the gateway, with the official SDKs as callers:
 * the `openai` SDK's `response_format: json_schema` reaches every provider type and comes back as
 * JSON content; the `@anthropic-ai/sdk`'s `cache_control` reaches Anthropic as breakpoints, and the
 * cache reads and writes come back in Anthropic's usage fields.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../../src/gateway/create-gateway.js';
import { startSimulator, type Simulator } from '../../src/testing/simulator.js';
import { simConfig } from '../support/sim-config.js';

const APP_KEY = 'sy-structured0123456789abcdefghijklmnopqrs';

let simulator: Simulator;
let gateway: Gateway;
let baseUrl: string;

beforeAll(async () => {
  simulator = await startSimulator();
  gateway = await createGateway(simConfig(simulator, { gateway: { store: { url: 'sqlite::memory:' }, port: 0, keys: [{ name: 'structured', key: APP_KEY }] } }), { log: () => undefined });
  baseUrl = await gateway.listen();
});
afterAll(async () => {
  await gateway.close();
  await simulator.close();
});
afterEach(() => simulator.reset());

const SCHEMA = { type: 'object', properties: { city: { type: 'string' }, days: { type: 'integer', minimum: 3 } }, required: ['city', 'days'], additionalProperties: false };
const RESPONSE_FORMAT = { type: 'json_schema', json_schema: { name: 'forecast', schema: SCHEMA, strict: true } } as const;

describe('the openai SDK with response_format json_schema', () => {
  const client = (): OpenAI => new OpenAI({ baseURL: `${baseUrl}/v1`, apiKey: APP_KEY, maxRetries: 0 });

  it.each(['claude', 'gpt4', 'gemini', 'azure', 'local'])('gets JSON following the schema from route %s', async (model) => {
    const completion = await client().chat.completions.create({ model, messages: [{ role: 'user', content: 'Oslo' }], response_format: RESPONSE_FORMAT });
    expect(JSON.parse(completion.choices[0]?.message.content ?? '')).toEqual({ city: 'Echo: Oslo', days: 3 });
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    expect(completion.choices[0]?.message.tool_calls ?? []).toEqual([]);
  });

  it('streams the JSON as content deltas', async () => {
    const stream = await client().chat.completions.create({ model: 'claude', stream: true, messages: [{ role: 'user', content: 'Oslo' }], response_format: RESPONSE_FORMAT });
    let content = '';
    for await (const chunk of stream) content += chunk.choices[0]?.delta.content ?? '';
    expect(JSON.parse(content)).toEqual({ city: 'Echo: Oslo', days: 3 });
  });

  it('answers a model that does not follow the schema with a 502 naming invalid_output', async () => {
    simulator.setBehavior('gpt-4', { reply: () => ({ text: '{"city": "Oslo"}' }) });
    const error = await client()
      .chat.completions.create({ model: 'gpt4', messages: [{ role: 'user', content: 'Oslo' }], response_format: RESPONSE_FORMAT })
      .then(() => undefined, (failure: unknown) => failure);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(502);
    expect((error as InstanceType<typeof OpenAI.APIError>).code).toBe('invalid_output');
  });
});

describe('the @anthropic-ai/sdk with cache_control', () => {
  const MANUAL = Array.from({ length: 30 }, (_, index) => `clause${index}`).join(' ');
  const ask = (client: Anthropic, question: string) =>
    client.messages.create({
      model: 'anthropic/claude-2.0',
      max_tokens: 64,
      system: [{ type: 'text', text: MANUAL, cache_control: { type: 'ephemeral' } }],
      messages: [{ role: 'user', content: question }],
    });

  it('reaches the upstream as cache_control, and reports cache writes then reads', async () => {
    const client = new Anthropic({ baseURL: baseUrl, apiKey: APP_KEY, maxRetries: 0 });
    const first = await ask(client, 'first');
    expect(simulator.requests.at(-1)?.body).toMatchObject({ system: [{ type: 'text', text: MANUAL, cache_control: { type: 'ephemeral' } }] });
    expect(first.usage.cache_creation_input_tokens).toBe(30);
    expect(first.usage.cache_read_input_tokens ?? 0).toBe(0);
    const second = await ask(client, 'second');
    expect(second.usage.cache_read_input_tokens).toBe(30);
    expect(second.usage.cache_creation_input_tokens).toBe(0);
    // input_tokens is what was neither read nor written, as Anthropic counts it.
    expect(second.usage.input_tokens).toBe(1);
  });
});
