/**
 * Gemini 3 thought signatures end to end: the simulator signs Gemini 3's function calls and, as
 * https://ai.google.dev/gemini-api/docs/thought-signatures describes, answers 400 to a current turn
 * whose function call comes back without its signature or with a changed one (the documented dummy
 * values pass). Tool loops through the router (chat and stream, Gemini API and Vertex AI), and a
 * history made by another provider, must pass that check.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createRouter } from '../../src/create-router.js';
import type { Router } from '../../src/router/router-api.js';
import { startSimulator, type Simulator } from '../../src/testing/simulator.js';
import type { ChatRequest, ChatResponse, Message, ToolDefinition } from '../../src/types.js';
import { failure } from '../../test/support/failure.js';
import { FAST_POLICIES } from '../../test/support/sim-config.js';
import { SKIP_THOUGHT_SIGNATURE } from './request.js';

const GEMINI3 = 'gemini-3-flash-preview';
const WEATHER: ToolDefinition = { name: 'weather', description: 'Current weather', parameters: { type: 'object', properties: { query: { type: 'string' } } } };

let simulator: Simulator;
let router: Router;

beforeAll(async () => {
  simulator = await startSimulator();
  router = createRouter({
    providers: {
      gemini: { type: 'gemini', apiKey: simulator.apiKey, baseUrl: simulator.url },
      gcp: { type: 'vertex', project: 'sim-project', region: 'global', baseUrl: simulator.url, apiKey: simulator.apiKey },
      openai: { type: 'openai', apiKey: simulator.apiKey, baseUrl: `${simulator.url}/v1` },
    },
    routes: {
      gemini3: { targets: [{ provider: 'gemini', model: GEMINI3 }] },
      vertex3: { targets: [{ provider: 'gcp', model: 'gemini-3-pro-preview' }] },
      gpt: { targets: [{ provider: 'openai', model: 'gpt-4o' }] },
    },
    policies: { ...FAST_POLICIES, retry: { ...FAST_POLICIES.retry, attempts: 1 } },
  });
});
afterAll(async () => {
  await router.close();
  await simulator.close();
});
beforeEach(() => simulator.reset());

type Mode = 'chat' | 'stream';

async function call(mode: Mode, request: ChatRequest): Promise<ChatResponse> {
  if (mode === 'chat') return router.chat(request);
  let response: ChatResponse | undefined;
  for await (const event of router.stream(request)) if (event.type === 'finish') response = event.response;
  if (response === undefined) throw new Error('the stream did not finish');
  return response;
}

function resultsFor(response: ChatResponse): Message[] {
  return response.toolCalls.map((toolCall) => ({ role: 'tool', toolCallId: toolCall.id, name: toolCall.name, content: '{"celsius":21}' }));
}

/** The model turns of the last request to `model`, as sent. */
function modelTurns(model: string): Record<string, unknown>[][] {
  const last = simulator.requests.filter((request) => request.model === model).at(-1);
  const contents = (last?.body as { contents: { role: string; parts: Record<string, unknown>[] }[] }).contents;
  return contents.filter((content) => content.role === 'model').map((content) => content.parts);
}

describe.each<[Mode, string, string]>([
  ['chat', 'gemini3', GEMINI3],
  ['stream', 'gemini3', GEMINI3],
  ['chat', 'vertex3', 'gemini-3-pro-preview'],
  ['stream', 'vertex3', 'gemini-3-pro-preview'],
])('a Gemini 3 tool loop (%s, route %s)', (mode, route, model) => {
  it('keeps each step\'s signature, sends it back, and the simulator accepts the loop', async () => {
    let step = 0;
    simulator.setBehavior(model, {
      reply: () => {
        step += 1;
        return step < 3
          ? { text: '', toolCalls: [{ id: `c${step}`, name: 'weather', arguments: { query: `city ${step}` } }], finishReason: 'tool_calls' }
          : { text: 'Warm in both.', toolCalls: [], finishReason: 'stop' };
      },
    });
    // No `reasoning` asked for: Gemini 3 signs its function calls anyway.
    const messages: Message[] = [{ role: 'user', content: 'Weather in two cities?' }];
    const first = await call(mode, { model: route, tools: [WEATHER], messages });
    const firstSignature = first.reasoning[0]?.signature;
    expect(first.reasoning).toEqual([{ type: 'reasoning', text: '', signature: expect.any(String) as unknown, provider: 'gemini' }]);
    messages.push(first.message, ...resultsFor(first));
    const second = await call(mode, { model: route, tools: [WEATHER], messages });
    expect(second.finishReason).toBe('tool_calls');
    messages.push(second.message, ...resultsFor(second));
    const third = await call(mode, { model: route, tools: [WEATHER], messages });
    expect(third.text).toBe('Warm in both.');
    // Both steps of the current turn went back with the signature each was answered with.
    expect(modelTurns(model).map((parts) => parts[0]?.thoughtSignature)).toEqual([firstSignature, second.reasoning[0]?.signature]);
    expect(firstSignature).not.toBe(second.reasoning[0]?.signature);
  });

  it('a changed signature is refused with Gemini\'s 400, mapped to invalid_request', async () => {
    const messages: Message[] = [{ role: 'user', content: '!tool Paris' }];
    const first = await call(mode, { model: route, tools: [WEATHER], messages });
    const changed: Message = { ...first.message, reasoning: first.reasoning.map((part) => ({ ...part, signature: `${part.signature ?? ''}x` })) };
    const error = await failure(call(mode, { model: route, tools: [WEATHER], messages: [...messages, changed, ...resultsFor(first)] }));
    expect([error.category, error.status, error.providerCode]).toEqual(['invalid_request', 400, 'INVALID_ARGUMENT']);
    expect(error.message).toContain('Corrupted thought signature');
  });
});

describe('history from another provider', () => {
  it('goes to Gemini 3 with the documented placeholder on its function call, and is accepted', async () => {
    const messages: Message[] = [{ role: 'user', content: '!tool Oslo' }];
    const fromOpenAI = await router.chat({ model: 'gpt', tools: [WEATHER], messages });
    expect(fromOpenAI.finishReason).toBe('tool_calls');
    messages.push(fromOpenAI.message, ...resultsFor(fromOpenAI));
    simulator.setBehavior(GEMINI3, { reply: () => ({ text: 'It is 21 degrees in Oslo.', toolCalls: [], finishReason: 'stop' }) });
    const answer = await router.chat({ model: 'gemini3', tools: [WEATHER], messages });
    expect(answer.text).toBe('It is 21 degrees in Oslo.');
    expect(modelTurns(GEMINI3)[0]?.[0]).toEqual({ functionCall: { name: 'weather', args: { query: 'Oslo' } }, thoughtSignature: SKIP_THOUGHT_SIGNATURE });
  });
});

describe('the simulator\'s signature check (raw HTTP)', () => {
  async function post(model: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(`${simulator.url}/v1beta/models/${model}:generateContent`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-goog-api-key': simulator.apiKey },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  const tools = [{ functionDeclarations: [{ name: 'weather', parametersJsonSchema: { type: 'object' } }] }];
  const ask = { role: 'user', parts: [{ text: '!tool Rome' }] };
  const result = { role: 'user', parts: [{ functionResponse: { name: 'weather', response: { celsius: 20 } } }] };

  /** A first turn's answer: its model content, as Gemini sent it. */
  async function firstTurn(model: string): Promise<{ parts: Record<string, unknown>[] }> {
    const answer = await post(model, { contents: [ask], tools });
    expect(answer.status).toBe(200);
    return (answer.body as { candidates: { content: { parts: Record<string, unknown>[] } }[] }).candidates[0]?.content ?? { parts: [] };
  }

  it('signs Gemini 3 function calls without being asked to think, and not those of Gemini 2.5', async () => {
    expect((await firstTurn(GEMINI3)).parts[0]).toEqual({ functionCall: { name: 'weather', args: { query: 'Rome' } }, thoughtSignature: expect.any(String) as unknown });
    expect((await firstTurn('gemini-2.5-flash')).parts[0]).toEqual({ functionCall: { name: 'weather', args: { query: 'Rome' } } });
  });

  it('answers 400 to a current-turn function call without its signature, naming the call', async () => {
    const { parts } = await firstTurn(GEMINI3);
    const bare = parts.map(({ thoughtSignature: _signature, ...part }) => part);
    const answer = await post(GEMINI3, { contents: [ask, { role: 'model', parts: bare }, result], tools });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatchObject({ code: 400, status: 'INVALID_ARGUMENT' });
    expect((answer.body.error as { message: string }).message).toContain('Function call is missing a thought_signature in functionCall parts');
    expect((answer.body.error as { message: string }).message).toContain('default_api:weather');
    // Gemini 2.5 does not check.
    expect((await post('gemini-2.5-flash', { contents: [ask, { role: 'model', parts: bare }, result], tools })).status).toBe(200);
  });

  it('answers 400 to a signature sent back on changed arguments', async () => {
    const { parts } = await firstTurn(GEMINI3);
    const moved = parts.map((part) => ({ ...part, functionCall: { name: 'weather', args: { query: 'Milan' } } }));
    const answer = await post(GEMINI3, { contents: [ask, { role: 'model', parts: moved }, result], tools });
    expect([answer.status, (answer.body.error as { message: string }).message]).toEqual([400, 'Corrupted thought signature.']);
  });

  it.each(['skip_thought_signature_validator', 'context_engineering_is_the_way_to_go'])('accepts the documented dummy %s', async (dummy) => {
    const call = { functionCall: { name: 'weather', args: { query: 'Rome' } }, thoughtSignature: dummy };
    expect((await post(GEMINI3, { contents: [ask, { role: 'model', parts: [call] }, result], tools })).status).toBe(200);
  });

  it('checks only the current turn: an unsigned call before the last user message passes', async () => {
    const oldCall = { role: 'model', parts: [{ functionCall: { name: 'weather', args: { query: 'Rome' } } }] };
    const answer = await post(GEMINI3, { contents: [ask, oldCall, result, { role: 'model', parts: [{ text: 'Mild.' }] }, { role: 'user', parts: [{ text: 'Thanks' }] }], tools });
    expect(answer.status).toBe(200);
  });

  it('answers Vertex AI\'s Gemini 3 models the same way', async () => {
    const response = await fetch(`${simulator.url}/v1/projects/p/locations/global/publishers/google/models/gemini-3-pro-preview:generateContent`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${simulator.apiKey}` },
      body: JSON.stringify({ contents: [ask, { role: 'model', parts: [{ functionCall: { name: 'weather', args: {} } }] }, result], tools }),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { message: string } }).error.message).toContain('missing a thought_signature');
  });
});
