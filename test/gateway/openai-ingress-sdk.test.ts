/**
 * The decisive check of the OpenAI ingress: the official `openai` client, over real sockets, against
 * a small node:http server that uses only the ingress functions on top of a real router, whose
 * upstreams are the simulator. Answers, streams (with the usage chunk), tool calls, errors before
 * output as HTTP errors, and a stream that fails after output must make the SDK's iteration throw.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRouter } from '../../src/create-router.js';
import { SwitchyardError } from '../../src/errors.js';
import { encodeChatCompletionStream, openAIError, parseChatCompletionRequest, toChatCompletion } from '../../src/gateway/ingress/openai/index.js';
import type { Router } from '../../src/router/router.js';
import { startSimulator, type Simulator } from '../../src/testing/simulator.js';
import { simConfig } from '../support/sim-config.js';

/** The tool the simulator calls when the last user message starts with `!tool`. */
const LOOKUP = {
  type: 'function' as const,
  function: { name: 'lookup', description: 'Look something up', parameters: { type: 'object', properties: { query: { type: 'string' } }, required: ['query'] } },
};

let simulator: Simulator;
let router: Router;
let server: Server;
let client: OpenAI;

function asSwitchyardError(error: unknown): SwitchyardError {
  return SwitchyardError.isInstance(error) ? error : new SwitchyardError({ category: 'unknown', message: 'the test server failed', cause: error });
}

function sendError(response: ServerResponse, error: unknown): void {
  const answer = openAIError(asSwitchyardError(error));
  response.writeHead(answer.status, answer.headers);
  response.end(JSON.stringify(answer.body));
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** What the gateway's server will do, in its smallest form: parse, call the router, answer. */
async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
  if (request.method !== 'POST' || request.url !== '/v1/chat/completions') {
    sendError(response, new SwitchyardError({ category: 'not_found', message: `no route ${request.method} ${request.url}` }));
    return;
  }
  let parsed: ReturnType<typeof parseChatCompletionRequest>;
  try {
    parsed = parseChatCompletionRequest(JSON.parse(await readBody(request)));
  } catch (error) {
    sendError(response, error);
    return;
  }
  const caller = new AbortController();
  response.on('close', () => {
    if (!response.writableFinished) caller.abort();
  });
  const options = parsed.user === undefined ? { signal: caller.signal } : { user: parsed.user, signal: caller.signal };
  if (!parsed.stream) {
    try {
      const completion = toChatCompletion(await router.chat(parsed.request, options), parsed.requestedModel);
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(completion));
    } catch (error) {
      sendError(response, error);
    }
    return;
  }
  const frames = encodeChatCompletionStream(router.stream(parsed.request, options), {
    id: randomUUID(),
    requestedModel: parsed.requestedModel,
    includeUsage: parsed.includeUsage,
    created: Math.floor(Date.now() / 1000),
  })[Symbol.asyncIterator]();
  let step: IteratorResult<string>;
  try {
    step = await frames.next();
  } catch (error) {
    sendError(response, error);
    return;
  }
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  while (step.done !== true) {
    response.write(step.value);
    step = await frames.next();
  }
  response.end();
}

beforeAll(async () => {
  simulator = await startSimulator({ seed: 5 });
  router = createRouter(simConfig(simulator));
  server = createServer((request, response) => {
    handle(request, response).catch(() => response.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  client = new OpenAI({ baseURL: `http://127.0.0.1:${port}/v1`, apiKey: 'x', maxRetries: 0 });
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await router.close();
  await simulator.close();
});
afterEach(() => simulator.reset());

/** The bodies the simulator received, in order. */
function upstreamBodies(): Record<string, unknown>[] {
  return simulator.requests.map((record) => record.body as Record<string, unknown>);
}

describe('the openai client against the ingress', () => {
  it('gets a chat.completion naming the model it asked for', async () => {
    const completion = await client.chat.completions.create({
      model: 'gpt4',
      messages: [
        { role: 'developer', content: 'Be terse.' },
        { role: 'user', content: 'hello there' },
      ],
      max_completion_tokens: 50,
      temperature: 0.3,
      user: 'user-1',
    });
    expect(completion.object).toBe('chat.completion');
    expect(completion.id).toMatch(/^chatcmpl-/);
    expect(completion.model).toBe('gpt4');
    expect(completion.choices).toHaveLength(1);
    expect(completion.choices[0]?.message).toMatchObject({ role: 'assistant', content: 'Echo: hello there' });
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    expect(completion.usage?.completion_tokens).toBeGreaterThan(0);
    expect(completion.usage?.total_tokens).toBe((completion.usage?.prompt_tokens ?? 0) + (completion.usage?.completion_tokens ?? 0));
    const [upstream] = upstreamBodies();
    expect(upstream).toMatchObject({
      model: 'gpt-4',
      messages: [
        { role: 'system', content: 'Be terse.' },
        { role: 'user', content: 'hello there' },
      ],
      max_completion_tokens: 50,
      temperature: 0.3,
    });
  });

  it('gets an Anthropic upstream answer in the OpenAI shape', async () => {
    const completion = await client.chat.completions.create({ model: 'claude', messages: [{ role: 'user', content: 'hi from openai' }] });
    expect(completion.model).toBe('claude');
    expect(completion.choices[0]?.message.content).toBe('Echo: hi from openai');
    expect(simulator.requests[0]?.format).toBe('anthropic');
  });

  it('streams deltas, the finish and, with include_usage, the usage chunk', async () => {
    const stream = await client.chat.completions.create({
      model: 'gpt4',
      messages: [{ role: 'user', content: 'one two three four' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    const text = chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('');
    expect(text).toBe('Echo: one two three four');
    expect(chunks.filter((chunk) => (chunk.choices[0]?.delta.content ?? '') !== '').length).toBeGreaterThan(1);
    expect(chunks[0]?.choices[0]?.delta.role).toBe('assistant');
    expect(new Set(chunks.map((chunk) => chunk.id)).size).toBe(1);
    expect(chunks.every((chunk) => chunk.model === 'gpt4' && chunk.object === 'chat.completion.chunk')).toBe(true);
    const finish = chunks.filter((chunk) => chunk.choices[0]?.finish_reason != null);
    expect(finish.map((chunk) => chunk.choices[0]?.finish_reason)).toEqual(['stop']);
    const last = chunks.at(-1);
    expect(last?.choices).toEqual([]);
    expect(last?.usage?.completion_tokens).toBeGreaterThan(0);
    expect(chunks.slice(0, -1).every((chunk) => chunk.usage === null)).toBe(true);
  });

  it('streams without usage when the client did not ask for it', async () => {
    const stream = await client.chat.completions.create({ model: 'gemini', messages: [{ role: 'user', content: 'no usage please' }], stream: true });
    const chunks: ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe('Echo: no usage please');
    expect(chunks.every((chunk) => chunk.choices.length === 1 && chunk.usage === undefined)).toBe(true);
  });

  it('answers a tool call, and takes the tool result back in the next turn', async () => {
    const first = await client.chat.completions.create({ model: 'gpt4', messages: [{ role: 'user', content: '!tool weather in Paris' }], tools: [LOOKUP], tool_choice: 'auto' });
    const message = first.choices[0]?.message;
    expect(first.choices[0]?.finish_reason).toBe('tool_calls');
    expect(message?.content).toBeNull();
    const call = message?.tool_calls?.[0];
    expect(call?.type).toBe('function');
    if (call?.type !== 'function') throw new Error('expected a function tool call');
    expect(call.function.name).toBe('lookup');
    expect(JSON.parse(call.function.arguments)).toEqual({ query: 'weather in Paris' });

    const second = await client.chat.completions.create({
      model: 'claude',
      messages: [
        { role: 'user', content: '!tool weather in Paris' },
        { role: 'assistant', content: null, tool_calls: [call] },
        { role: 'tool', tool_call_id: call.id, content: 'sunny, 21 °C' },
        { role: 'user', content: 'thanks' },
      ],
      tools: [LOOKUP],
    });
    expect(second.choices[0]?.message.content).toBe('Echo: thanks');
    // Anthropic got the call as tool_use and the result as tool_result for the same id.
    const sent = JSON.stringify(simulator.requests.at(-1)?.body);
    expect(sent).toContain(`"type":"tool_use","id":"${call.id}","name":"lookup","input":{"query":"weather in Paris"}`);
    expect(sent).toContain(`"type":"tool_result","tool_use_id":"${call.id}"`);
  });

  it('streams a tool call that the SDK assembles into the final completion', async () => {
    const runner = client.chat.completions.stream({ model: 'claude', messages: [{ role: 'user', content: '!tool opening hours' }], tools: [LOOKUP], stream_options: { include_usage: true } });
    const final = await runner.finalChatCompletion();
    expect(final.choices[0]?.finish_reason).toBe('tool_calls');
    const call = final.choices[0]?.message.tool_calls?.[0];
    expect(call?.type === 'function' ? [call.function.name, JSON.parse(call.function.arguments)] : call).toEqual(['lookup', { query: 'opening hours' }]);
    expect(final.usage?.total_tokens).toBeGreaterThan(0);
  });

  it('makes the iteration throw when the upstream is cut after output started', async () => {
    simulator.setBehavior('gpt-4', { interTokenMs: 20 }); // let output reach the router before the cut
    simulator.enqueueFault('gpt-4', { kind: 'cut-stream', afterChunks: 3 });
    const stream = await client.chat.completions.create({ model: 'gpt4', messages: [{ role: 'user', content: 'hello there friend' }], stream: true, stream_options: { include_usage: true } });
    const deltas: string[] = [];
    const iteration = (async () => {
      for await (const chunk of stream) deltas.push(chunk.choices[0]?.delta.content ?? '');
    })();
    const error = await iteration.then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as InstanceType<typeof OpenAI.APIError>).type).toBe('server_error');
    expect((error as Error).message).toMatch(/network/);
    expect(deltas.join('')).toBe('Echo: hello ');
    expect(simulator.count('gpt-4')).toBe(1);
  });

  it('makes the iteration throw on an error event from the upstream after output started', async () => {
    simulator.setBehavior('gpt-4', { interTokenMs: 20 });
    simulator.enqueueFault('gpt-4', { kind: 'stream-error', status: 500, afterChunks: 2 });
    const stream = await client.chat.completions.create({ model: 'gpt4', messages: [{ role: 'user', content: 'hello there friend' }], stream: true });
    const deltas: string[] = [];
    await expect(
      (async () => {
        for await (const chunk of stream) deltas.push(chunk.choices[0]?.delta.content ?? '');
      })(),
    ).rejects.toBeInstanceOf(OpenAI.APIError);
    expect(deltas.join('')).toBe('Echo: ');
    expect(simulator.count('gpt-4')).toBe(1);
  });

  it('gets an ordinary HTTP error when a stream fails before any output', async () => {
    simulator.enqueueFault('gpt-4', { kind: 'status', status: 429, retryAfterMs: 20 }, 3);
    const error = await client.chat.completions
      .create({ model: 'gpt4', messages: [{ role: 'user', content: 'hi' }], stream: true })
      .then(() => undefined, (thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    const limited = error as InstanceType<typeof OpenAI.RateLimitError>;
    expect(limited.status).toBe(429);
    expect(limited.code).toBe('rate_limit_exceeded');
    expect(limited.headers?.get('retry-after')).toBe('1');
    expect(limited.headers?.get('retry-after-ms')).toBe('20');
    expect(limited.message).not.toMatch(/127\.0\.0\.1|http:\/\//);
    expect(simulator.count('gpt-4')).toBe(3);
  });

  it('gets a 400 naming the field for a request the ingress or the router refuses', async () => {
    const unknown = await client.chat.completions.create({ model: 'no-such-route', messages: [{ role: 'user', content: 'hi' }] }).catch((thrown: unknown) => thrown);
    expect(unknown).toBeInstanceOf(OpenAI.BadRequestError);
    expect((unknown as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('model');
    const several = await client.chat.completions.create({ model: 'gpt4', n: 2, messages: [{ role: 'user', content: 'hi' }] }).catch((thrown: unknown) => thrown);
    expect(several).toBeInstanceOf(OpenAI.BadRequestError);
    expect((several as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('n');
    const badArguments = await client.chat.completions
      .create({
        model: 'gpt4',
        messages: [
          { role: 'user', content: 'hi' },
          { role: 'assistant', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'lookup', arguments: '{not json' } }] },
          { role: 'tool', tool_call_id: 'c1', content: 'x' },
        ],
      })
      .catch((thrown: unknown) => thrown);
    expect((badArguments as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('messages[1].tool_calls[0].function.arguments');
    expect(simulator.count()).toBe(0);
  });
});
