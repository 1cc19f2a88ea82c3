/**
 * A DeepSeek thinking-mode tool loop through the gateway's OpenAI ingress, called with the official
 * `openai` client: the answer's `reasoning_content` (DeepSeek's field, which the gateway answers
 * with) sent back on the assistant tool-call turn reaches the upstream again, as DeepSeek requires
 * (https://api-docs.deepseek.com/guides/thinking_mode, "Tool calls"); the simulated DeepSeek
 * refuses the turn without it, as the real one does.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../../src/gateway/create-gateway.js';
import { startSimulator, type Simulator } from '../../src/testing/simulator.js';
import { simConfig } from '../support/sim-config.js';

// (Key values share no 8-character run with words in error messages: those runs would be redacted.)
const APP_KEY = 'sy-dsk0123456789abcdefghijklmnopqrstuvwxyzA';

let simulator: Simulator;
let gateway: Gateway;
let client: OpenAI;

beforeAll(async () => {
  simulator = await startSimulator();
  const config = simConfig(simulator);
  gateway = await createGateway(
    {
      ...config,
      providers: { ...config.providers, deepseek: { type: 'openai-compatible', apiKey: simulator.apiKey, baseUrl: `${simulator.url}/v1` } },
      routes: { deepseek: { targets: [{ provider: 'deepseek', model: 'deepseek-chat' }] } },
      gateway: { store: { url: 'sqlite::memory:' }, port: 0, keys: [{ name: 'app', key: APP_KEY }] },
    },
    { log: () => undefined },
  );
  client = new OpenAI({ baseURL: `${await gateway.listen()}/v1`, apiKey: APP_KEY, maxRetries: 0 });
});

afterAll(async () => {
  await gateway.close();
  await simulator.close();
});

/** The request the simulator received last, as JSON. */
function lastUpstreamBody(): Record<string, unknown> {
  return simulator.requests.at(-1)?.body as Record<string, unknown>;
}

const weather: OpenAI.ChatCompletionTool = { type: 'function', function: { name: 'weather', description: 'Current weather', parameters: { type: 'object', properties: { query: { type: 'string' } } } } };

/** The gateway's assistant message carries DeepSeek's extra field, which the client keeps. */
type WithReasoning<T> = T & { reasoning_content?: string };

describe('DeepSeek reasoning_content through the OpenAI ingress', () => {
  it('goes back upstream on the tool-call turn, so the thinking-mode loop completes', async () => {
    let calls = 0;
    simulator.setBehavior('deepseek-chat', {
      reply: () => {
        calls += 1;
        return calls === 1 ? { text: '', toolCalls: [{ id: 'call_ds1', name: 'weather', arguments: { query: 'Lima' } }], finishReason: 'tool_calls' } : { text: 'It is 21 degrees in Lima.', toolCalls: [], finishReason: 'stop' };
      },
    });
    const question: OpenAI.ChatCompletionMessageParam = { role: 'user', content: 'Weather in Lima?' };
    const first = await client.chat.completions.create({ model: 'deepseek', reasoning_effort: 'high', tools: [weather], messages: [question] });
    const assistant = first.choices[0]?.message as WithReasoning<OpenAI.ChatCompletionMessage>;
    expect(assistant.tool_calls?.[0]).toMatchObject({ id: 'call_ds1', function: { name: 'weather' } });
    expect(assistant.reasoning_content).toBe('Thinking about "Weather in Lima?" before answering.');

    const result: OpenAI.ChatCompletionMessageParam = { role: 'tool', tool_call_id: 'call_ds1', content: '21 degrees' };
    // The assistant message exactly as the client got it, `reasoning_content` and all.
    const second = await client.chat.completions.create({ model: 'deepseek', reasoning_effort: 'high', tools: [weather], messages: [question, assistant, result] });
    expect(second.choices[0]?.message.content).toBe('It is 21 degrees in Lima.');
    const upstreamAssistant = (lastUpstreamBody()['messages'] as Record<string, unknown>[])[1];
    expect(upstreamAssistant?.reasoning_content).toBe(assistant.reasoning_content);

    // Without it the (simulated) DeepSeek refuses the turn: the check above could fail.
    const { reasoning_content: _reasoning, ...bare } = assistant;
    const refused = await client.chat.completions
      .create({ model: 'deepseek', reasoning_effort: 'high', tools: [weather], messages: [question, bare as OpenAI.ChatCompletionAssistantMessageParam, result] })
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(OpenAI.APIError);
    expect((refused as Error).message).toMatch(/reasoning_content/);
  });

  it('refuses a reasoning_content that is not a string, naming the field', async () => {
    const refused = await client.chat.completions
      .create({ model: 'deepseek', messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'hello', reasoning_content: 42 } as OpenAI.ChatCompletionAssistantMessageParam, { role: 'user', content: 'again' }] })
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(OpenAI.BadRequestError);
    expect((refused as Error).message).toMatch(/messages\[1\]\.reasoning_content/);
  });
});
