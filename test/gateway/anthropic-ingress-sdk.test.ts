/**
 * The decisive test of the Anthropic Messages ingress: the official `@anthropic-ai/sdk` client,
 * pointed at a small node:http server that uses only the ingress's functions in front of a real
 * router, itself in front of the upstream simulator. What the SDK makes of our answers (its
 * typed results, its `MessageStream`, its error classes and retries) is the specification.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRouter } from '../../src/create-router.js';
import { invalidRequest, SwitchyardError } from '../../src/errors.js';
import {
  anthropicError,
  asSwitchyardError,
  encodeMessagesStream,
  newMessageId,
  parseMessagesRequest,
  toMessage,
  type ParsedAnthropicRequest,
} from '../../src/gateway/ingress/anthropic/index.js';
import type { Router } from '../../src/router/router-api.js';
import { startSimulator, type Simulator } from '../../src/testing/simulator.js';
import type { CallOptions } from '../../src/types.js';
import { simConfig } from '../support/sim-config.js';

/** One request the gateway received. */
interface GatewayRequest {
  readonly method: string | undefined;
  readonly url: string | undefined;
  readonly headers: IncomingHttpHeaders;
}

/** The test's gateway: the ingress functions behind node:http. */
interface Gateway {
  readonly url: string;
  readonly requests: GatewayRequest[];
  close(): Promise<void>;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Streams the answer; a failure before the first frame is thrown, to be answered as an HTTP error. */
async function streamAnswer(router: Router, parsed: ParsedAnthropicRequest, options: CallOptions, response: ServerResponse): Promise<void> {
  const frames = encodeMessagesStream(router.stream(parsed.request, options), { id: newMessageId(), requestedModel: parsed.requestedModel, stopSequences: parsed.request.stop });
  const first = await frames.next();
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  // A client that leaves ends the frames, which ends the router's stream and the upstream request.
  response.on('close', () => {
    if (!response.writableFinished) void frames.return();
  });
  if (first.done !== true) response.write(first.value);
  for await (const chunk of frames) {
    if (response.destroyed) break;
    response.write(chunk);
  }
  response.end();
}

/** The test gateway's one key. */
const GATEWAY_KEY = 'x';

/**
 * The key a request carries: `x-api-key`, as the API reference shows it, or `Authorization:
 * Bearer`, which is how SDK 1.14 sends its `apiKey`.
 */
function apiKeyOf(headers: IncomingHttpHeaders): string | undefined {
  const header = headers['x-api-key'];
  if (typeof header === 'string') return header;
  const bearer = /^Bearer (.+)$/.exec(headers.authorization ?? '');
  return bearer?.[1];
}

async function answer(router: Router, request: IncomingMessage, response: ServerResponse): Promise<void> {
  try {
    if (apiKeyOf(request.headers) !== GATEWAY_KEY) throw new SwitchyardError({ category: 'auth', message: 'invalid x-api-key' });
    if (request.method !== 'POST' || request.url?.split('?')[0] !== '/v1/messages') {
      throw new SwitchyardError({ category: 'not_found', message: `no endpoint ${request.method ?? ''} ${request.url ?? ''}` });
    }
    let body: unknown;
    try {
      body = JSON.parse(await readBody(request));
    } catch {
      throw invalidRequest('body', 'not valid JSON');
    }
    const parsed = parseMessagesRequest(body);
    const options: CallOptions = parsed.user === undefined ? {} : { user: parsed.user };
    if (parsed.stream) {
      await streamAnswer(router, parsed, options, response);
      return;
    }
    const message = toMessage(await router.chat(parsed.request, options), parsed.requestedModel, { stopSequences: parsed.request.stop });
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(message));
  } catch (error) {
    if (response.headersSent) {
      response.destroy();
      return;
    }
    const answered = anthropicError(asSwitchyardError(error), { requestId: 'req_gateway_test' });
    response.writeHead(answered.status, answered.headers);
    response.end(JSON.stringify(answered.body));
  }
}

async function startGateway(router: Router): Promise<Gateway> {
  const requests: GatewayRequest[] = [];
  const server = createServer((request, response) => {
    requests.push({ method: request.method, url: request.url, headers: request.headers });
    void answer(router, request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

let simulator: Simulator;
let router: Router;
let gateway: Gateway;

beforeAll(async () => {
  simulator = await startSimulator({ seed: 11 });
  router = createRouter(simConfig(simulator));
  gateway = await startGateway(router);
});
afterAll(async () => {
  await gateway.close();
  await router.close();
  await simulator.close();
});
afterEach(() => {
  simulator.reset();
  gateway.requests.length = 0;
});

/** The official client against the gateway; no retries unless a test asks for them. */
function client(options: { maxRetries?: number; apiKey?: string } = {}): Anthropic {
  return new Anthropic({ baseURL: gateway.url, apiKey: options.apiKey ?? GATEWAY_KEY, maxRetries: options.maxRetries ?? 0 });
}

const lookupTool = {
  name: 'lookup',
  description: 'Look something up',
  input_schema: { type: 'object' as const, properties: { query: { type: 'string' } }, required: ['query'] },
};

/** A message as plain JSON, without the `parsed_output` the SDK's parser adds to streamed ones. */
function plain(message: object): Record<string, unknown> {
  const { parsed_output: _parsedOutput, ...rest } = JSON.parse(JSON.stringify(message)) as Record<string, unknown>;
  return rest;
}

describe('messages.create through the gateway', () => {
  it('answers with a message the SDK reads, from the route the caller named', async () => {
    const message = await client().messages.create({
      model: 'claude',
      max_tokens: 100,
      system: 'Be terse.',
      messages: [{ role: 'user', content: 'hello there' }],
      metadata: { user_id: 'u-sdk-1' },
    });
    expect(message).toStrictEqual({
      id: expect.stringMatching(/^msg_/),
      type: 'message',
      role: 'assistant',
      model: 'claude',
      content: [{ type: 'text', text: 'Echo: hello there' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: expect.any(Number), output_tokens: 3, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 },
    });
    expect(message.usage.input_tokens).toBeGreaterThan(0);
    // The SDK's own headers arrived and were accepted: its key (SDK 1.14 sends it as a bearer
    // token, the reference shows `x-api-key`) and its `anthropic-version`.
    expect(gateway.requests).toHaveLength(1);
    expect(apiKeyOf(gateway.requests[0]?.headers ?? {})).toBe(GATEWAY_KEY);
    expect(gateway.requests[0]?.headers['anthropic-version']).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    // metadata.user_id became the router's user: the sticky choice for that user served it.
    expect(simulator.requests[0]?.model).toBe(router.explain('claude', { user: 'u-sdk-1' }).target?.model);
    expect(simulator.requests[0]?.body).toMatchObject({ system: 'Be terse.', max_tokens: 100 });
  });

  it.each(['gpt4', 'gemini', 'openai/gpt-4o-mini'])('answers in the Messages shape from a route served by another provider (%s)', async (model) => {
    const message = await client().messages.create({ model, max_tokens: 50, messages: [{ role: 'user', content: 'good morning' }] });
    expect(message.model).toBe(model);
    expect(message.content).toStrictEqual([{ type: 'text', text: 'Echo: good morning' }]);
    expect(message.stop_reason).toBe('end_turn');
  });

  it('says max_tokens when the upstream stopped on the limit', async () => {
    const message = await client().messages.create({ model: 'claude', max_tokens: 2, messages: [{ role: 'user', content: 'one two three four' }] });
    expect(message.stop_reason).toBe('max_tokens');
  });

  it('carries a tool call out and its result back in (tool_use round trip)', async () => {
    const question = { role: 'user' as const, content: '!tool weather in Paris' };
    const first = await client().messages.create({ model: 'claude', max_tokens: 100, tools: [lookupTool], messages: [question], metadata: { user_id: 'u-tools' } });
    expect(first.stop_reason).toBe('tool_use');
    const call = first.content.find((block) => block.type === 'tool_use');
    expect(call).toStrictEqual({ type: 'tool_use', id: expect.any(String), name: 'lookup', input: { query: 'weather in Paris' } });
    if (call?.type !== 'tool_use') return;

    const second = await client().messages.create({
      model: 'claude',
      max_tokens: 100,
      tools: [lookupTool],
      metadata: { user_id: 'u-tools' },
      messages: [question, { role: 'assistant', content: first.content }, { role: 'user', content: [{ type: 'tool_result', tool_use_id: call.id, content: [{ type: 'text', text: 'sunny, 24 °C' }] }] }],
    });
    // The simulator echoes the last user turn's text: the tool result reached the upstream.
    expect(second.content).toStrictEqual([{ type: 'text', text: 'Echo: sunny, 24 °C' }]);
    expect(second.stop_reason).toBe('end_turn');
    const upstreamMessages = (simulator.requests[1]?.body as { messages: unknown[] }).messages;
    expect(upstreamMessages).toEqual([
      { role: 'user', content: [{ type: 'text', text: '!tool weather in Paris' }] },
      { role: 'assistant', content: [{ type: 'tool_use', id: call.id, name: 'lookup', input: { query: 'weather in Paris' } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: call.id, content: 'sunny, 24 °C' }] },
    ]);
  });

  it('forces a named tool through tool_choice, from an OpenAI upstream', async () => {
    const message = await client().messages.create({ model: 'gpt4', max_tokens: 100, tools: [lookupTool], tool_choice: { type: 'tool', name: 'lookup' }, messages: [{ role: 'user', content: '!tool news' }] });
    expect(message.stop_reason).toBe('tool_use');
    expect(message.content).toStrictEqual([{ type: 'tool_use', id: expect.any(String), name: 'lookup', input: { query: 'news' } }]);
    expect(simulator.requests[0]?.body).toMatchObject({ tool_choice: { type: 'function', function: { name: 'lookup' } } });
  });
});

describe('messages.stream through the gateway', () => {
  it.each(['claude', 'gpt4', 'gemini'])('(%s) streams text events, and finalMessage() is the message create() gives', async (model) => {
    const request = { model, max_tokens: 100, messages: [{ role: 'user' as const, content: 'one two three four five six' }], metadata: { user_id: 'u-stream' } };
    const whole = await client().messages.create(request);
    const stream = client().messages.stream(request);
    const texts: string[] = [];
    stream.on('text', (delta) => texts.push(delta));
    const final = await stream.finalMessage();
    expect(texts.length).toBeGreaterThan(1);
    expect(texts.join('')).toBe('Echo: one two three four five six');
    expect(plain(final)).toStrictEqual({ ...plain(whole), id: expect.stringMatching(/^msg_[0-9a-f]{32}$/) });
  });

  it.each(['claude', 'gpt4'])('(%s) streams a tool call the SDK assembles into a tool_use block', async (model) => {
    const stream = client().messages.stream({ model, max_tokens: 100, tools: [lookupTool], messages: [{ role: 'user', content: '!tool stock price' }] });
    const blocks: string[] = [];
    stream.on('contentBlock', (block) => blocks.push(block.type));
    const final = await stream.finalMessage();
    expect(final.stop_reason).toBe('tool_use');
    expect(final.content).toStrictEqual([{ type: 'tool_use', id: expect.any(String), name: 'lookup', input: { query: 'stock price' } }]);
    expect(blocks).toEqual(['tool_use']);
  });

  it('throws in the SDK when the upstream fails after output started, with the error type Anthropic would send', async () => {
    simulator.setBehavior('*', { interTokenMs: 10 }); // let output reach the client before the failure
    simulator.enqueueFault('*', { kind: 'stream-error', status: 529, afterChunks: 5 });
    const stream = client({ maxRetries: 2 }).messages.stream({ model: 'claude', max_tokens: 100, messages: [{ role: 'user', content: 'a b c d e f g h i j' }] });
    const texts: string[] = [];
    stream.on('text', (delta) => texts.push(delta));
    const error: unknown = await stream.finalMessage().then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect((error as InstanceType<typeof Anthropic.APIError>).type).toBe('overloaded_error');
    expect(texts.length).toBeGreaterThan(0);
    expect(simulator.count()).toBe(1); // a started stream is never replayed
    expect(gateway.requests).toHaveLength(1); // nor retried by the SDK
  });

  it('throws in the SDK when the upstream connection is cut after output', async () => {
    simulator.setBehavior('*', { interTokenMs: 10 });
    simulator.enqueueFault('*', { kind: 'cut-stream', afterChunks: 4 });
    const stream = client().messages.stream({ model: 'claude', max_tokens: 100, messages: [{ role: 'user', content: 'a b c d e f g h i j' }] });
    const error: unknown = await stream.finalMessage().then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect((error as InstanceType<typeof Anthropic.APIError>).type).toBe('api_error');
    expect((error as Error).message).not.toContain(simulator.url);
  });

  it('answers a failure before any output with an HTTP error status the SDK raises', async () => {
    simulator.enqueueFault('*', { kind: 'status', status: 400, message: 'messages.0.content: bad content' });
    const stream = client().messages.stream({ model: 'claude', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] });
    const error: unknown = await stream.finalMessage().then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect((error as InstanceType<typeof Anthropic.BadRequestError>).status).toBe(400);
    expect((error as InstanceType<typeof Anthropic.BadRequestError>).requestID).toBe('req_gateway_test');
  });

  it('ends the upstream request when the SDK stops reading', async () => {
    simulator.setBehavior('*', { interTokenMs: 20 });
    const stream = client().messages.stream({ model: 'claude', max_tokens: 100, messages: [{ role: 'user', content: 'a b c d e f g h i j k l m n o p q r s t' }] });
    stream.on('text', () => stream.abort());
    await stream.done().catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(simulator.requests).toHaveLength(1);
    expect(simulator.requests[0]?.aborted).toBe(true);
  });
});

describe('errors the SDK raises from the gateway’s answers', () => {
  it('answers a wrong key with a 401 the SDK raises as AuthenticationError', async () => {
    const error: unknown = await client({ apiKey: 'wrong', maxRetries: 2 })
      .messages.create({ model: 'claude', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] })
      .then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
    expect(error).toBeInstanceOf(Anthropic.AuthenticationError);
    expect((error as InstanceType<typeof Anthropic.AuthenticationError>).type).toBe('authentication_error');
    expect(gateway.requests).toHaveLength(1);
    expect(simulator.count()).toBe(0);
  });

  it('names the missing max_tokens in a 400 invalid_request_error, before any upstream call', async () => {
    const error: unknown = await client()
      .messages.create({ model: 'claude', messages: [{ role: 'user', content: 'hi' }] } as unknown as Anthropic.MessageCreateParamsNonStreaming)
      .then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    const apiError = error as InstanceType<typeof Anthropic.BadRequestError>;
    expect(apiError.type).toBe('invalid_request_error');
    expect(apiError.apiMessage).toContain('max_tokens');
    expect(simulator.count()).toBe(0);
  });

  it('has the SDK retry an overload (529) as it retries Anthropic’s', async () => {
    simulator.setBehavior('*', { errorRate: 1, errorStatuses: [529] });
    const error: unknown = await client({ maxRetries: 1 })
      .messages.create({ model: 'gpt4', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] })
      .then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
    expect(error).toBeInstanceOf(Anthropic.OverloadedError);
    expect((error as InstanceType<typeof Anthropic.OverloadedError>).type).toBe('overloaded_error');
    expect(gateway.requests).toHaveLength(2);
  });

  it('stops the SDK from retrying a spent quota, which it raises as a spend limit', async () => {
    simulator.setBehavior('*', { errorRate: 1, errorStatuses: [402] });
    const error: unknown = await client({ maxRetries: 2 })
      .messages.create({ model: 'claude', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] })
      .then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
    expect(error).toBeInstanceOf(Anthropic.RateLimitError);
    const apiError = error as InstanceType<typeof Anthropic.RateLimitError>;
    expect(apiError.errorCode).toBe('enforced_spend_limit_reached');
    expect(apiError.apiMessage).toMatch(/^quota exhausted: .*Retrying will not help/);
    expect(gateway.requests).toHaveLength(1);
  });

  it('answers an unknown route with invalid_request_error naming the model', async () => {
    const error: unknown = await client()
      .messages.create({ model: 'no-such-route', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] })
      .then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect((error as InstanceType<typeof Anthropic.BadRequestError>).apiMessage).toContain('model');
  });
});
