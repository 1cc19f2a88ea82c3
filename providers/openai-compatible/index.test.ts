import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPooledTransport, type HttpTransport } from '../../src/http/transport.js';
import type { AdapterCall, ProviderSettings } from '../../src/provider-spec.js';
import { describeChatCompletionsIntegration } from '../openai/integration-suite.js';
import { collect, collectUntilError, loadChunks, toSse } from '../openai/test-helpers.js';
import { createOpenAICompatibleAdapter } from './index.js';

describeChatCompletionsIntegration({
  type: 'openai-compatible',
  factory: createOpenAICompatibleAdapter,
  baseUrl: (url) => `${url}/v1`,
  format: 'openai',
  path: () => '/v1/chat/completions',
  credential: (key) => ['authorization', `Bearer ${key}`],
  modelInBody: true,
  tokenLimitField: 'max_tokens',
});

interface Reply {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

/** Compatible servers as they really behave, scripted: what they send and what they were sent. */
describe('openai-compatible against scripted servers', () => {
  let server: Server;
  let transport: HttpTransport;
  let origin: string;
  let reply: Reply = { status: 500, contentType: 'text/plain', body: '' };
  const seen: { url: string; headers: IncomingMessage['headers']; body: Record<string, unknown> }[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        seen.push({ url: request.url ?? '', headers: request.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> });
        response.writeHead(reply.status, { 'content-type': reply.contentType });
        response.end(reply.body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    transport = createPooledTransport();
  });
  afterAll(async () => {
    await transport.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  function adapter(overrides: Partial<ProviderSettings> = {}) {
    const settings: ProviderSettings = { id: 'local', type: 'openai-compatible', baseUrl: `${origin}/v1`, headers: {}, defaultMaxTokens: 300, ...overrides };
    return createOpenAICompatibleAdapter({ settings, transport });
  }

  const call: AdapterCall = {
    request: { model: 'route', messages: [{ role: 'user', content: 'hi' }], maxTokens: 20 },
    model: 'llama3.1:8b',
    signal: new AbortController().signal,
    firstByteTimeoutMs: 0,
    idleTimeoutMs: 0,
  };

  it('sends no Authorization without a key (Ollama, vLLM), max_tokens, and the model', async () => {
    reply = { status: 200, contentType: 'application/json', body: JSON.stringify({ choices: [{ message: { content: 'hello' }, finish_reason: 'stop' }] }) };
    const result = await adapter().doChat(call);
    const last = seen.at(-1);
    expect(last?.url).toBe('/v1/chat/completions');
    expect(last?.headers.authorization).toBeUndefined();
    expect(last?.body).toMatchObject({ model: 'llama3.1:8b', max_tokens: 20 });
    expect(last?.body).not.toHaveProperty('max_completion_tokens');
    expect(result).toMatchObject({ text: 'hello', finishReason: 'stop', usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0 } });
    expect(result.id).toMatch(/^chatcmpl-/);
  });

  it('sends Authorization: Bearer when a key is configured (DeepSeek, One API)', async () => {
    await adapter({ apiKey: 'sk-deepseek-0123456789abcdef' }).doChat(call);
    expect(seen.at(-1)?.headers.authorization).toBe('Bearer sk-deepseek-0123456789abcdef');
  });

  it('streams a bare server (no ids, no usage, no finish_reason, [DONE]) to a finish', async () => {
    reply = { status: 200, contentType: 'text/event-stream', body: toSse(loadChunks('compatible-bare.chunks.txt')) };
    const parts = await collect(await adapter().doStream(call));
    expect(parts.map((part) => (part.type === 'text-delta' ? part.text : '')).join('')).toBe('Hello world');
    expect(parts.at(-1)).toEqual({ type: 'finish', finishReason: 'stop' });
  });

  it('streams DeepSeek reasoning without putting it in the text', async () => {
    reply = { status: 200, contentType: 'text/event-stream; charset=utf-8', body: toSse(loadChunks('deepseek-reasoning.chunks.txt'), { comments: true }) };
    const parts = await collect(await adapter().doStream(call));
    expect(parts.filter((part) => part.type === 'text-delta')).toEqual([{ type: 'text-delta', text: '4' }]);
  });

  it('throws network for a stream that closes without finish_reason or [DONE]', async () => {
    reply = { status: 200, contentType: 'text/event-stream', body: toSse(loadChunks('compatible-bare.chunks.txt').slice(0, 2)) };
    const { error } = await collectUntilError(await adapter().doStream(call));
    expect(error).toMatchObject({ category: 'network', provider: 'local', model: 'llama3.1:8b' });
  });

  it.each<[string, Reply, string]>([
    ['Ollama { error: string } 404', { status: 404, contentType: 'application/json', body: JSON.stringify({ error: 'model "llama9" not found, try pulling it first' }) }, 'not_found'],
    ['vLLM { object: error } 400', { status: 400, contentType: 'application/json', body: JSON.stringify({ object: 'error', message: 'bad', type: 'BadRequestError', param: null, code: 400 }) }, 'invalid_request'],
    ['FastAPI { detail } 422', { status: 422, contentType: 'application/json', body: JSON.stringify({ detail: [{ loc: ['body', 'messages'], msg: 'field required' }] }) }, 'invalid_request'],
    ['DeepSeek 402 Insufficient Balance', { status: 402, contentType: 'application/json', body: JSON.stringify({ error: { message: 'Insufficient Balance', type: 'unknown_error', param: null, code: 'invalid_request_error' } }) }, 'quota'],
    ['One API 503 no channel', { status: 503, contentType: 'application/json', body: JSON.stringify({ error: { message: '无可用渠道', type: 'one_api_error', param: '', code: '' } }) }, 'overloaded'],
    ['plain text 502 from a proxy', { status: 502, contentType: 'text/plain', body: 'Bad Gateway' }, 'server'],
  ])('maps %s', async (_name, answer, category) => {
    reply = answer;
    const error = await adapter().doChat(call).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ category, status: answer.status, provider: 'local' });
    expect((error as Error).message.length).toBeGreaterThan(10);
  });
});
