import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPooledTransport, type HttpTransport } from '../../src/http/transport.js';
import type { AdapterCall, ProviderSettings } from '../../src/provider-spec.js';
import { createOpenAIAdapter } from './index.js';
import { describeChatCompletionsIntegration } from './integration-suite.js';
import { collect } from './test-helpers.js';

describeChatCompletionsIntegration({
  type: 'openai',
  factory: createOpenAIAdapter,
  baseUrl: (url) => `${url}/v1`,
  format: 'openai',
  path: () => '/v1/chat/completions',
  credential: (key) => ['authorization', `Bearer ${key}`],
  modelInBody: true,
  tokenLimitField: 'max_completion_tokens',
});

/** A scripted upstream: answers each request with the next reply and records what it got. */
describe('openai adapter against a scripted server', () => {
  let server: Server;
  let transport: HttpTransport;
  let baseUrl: string;
  const seen: { headers: IncomingMessage['headers']; body: string }[] = [];
  let reply: (body: string) => { status: number; headers: Record<string, string>; body: string } = () => ({ status: 500, headers: {}, body: '' });

  beforeAll(async () => {
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        seen.push({ headers: request.headers, body });
        const answer = reply(body);
        response.writeHead(answer.status, answer.headers);
        response.end(answer.body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
    transport = createPooledTransport();
  });
  afterAll(async () => {
    await transport.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  function settings(overrides: Partial<ProviderSettings> = {}): ProviderSettings {
    return { id: 'openai', type: 'openai', apiKey: 'sk-test-0123456789abcdefghij', baseUrl, headers: {}, defaultMaxTokens: 256, ...overrides };
  }

  const call: AdapterCall = {
    request: { model: 'route', messages: [{ role: 'user', content: 'hi' }] },
    model: 'gpt-4.1',
    signal: new AbortController().signal,
    firstByteTimeoutMs: 0,
    idleTimeoutMs: 0,
  };

  it('scrubs its key when the upstream echoes it back in a 401', async () => {
    const key = 'custom-gateway-key-0987654321';
    reply = () => ({
      status: 401,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ error: { message: `Incorrect API key provided: ${key}.`, type: 'invalid_request_error', param: null, code: 'invalid_api_key' } }),
    });
    const error = await createOpenAIAdapter({ settings: settings({ apiKey: key }), transport }).doChat(call).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ category: 'auth', providerCode: 'invalid_api_key' });
    expect((error as Error).message).not.toContain(key);
    expect((error as Error).message).toContain('[redacted]');
  });

  it('sends configured headers beside its own credentials', async () => {
    reply = () => ({ status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: 'x', choices: [{ index: 0, message: { content: 'ok' }, finish_reason: 'stop' }] }) });
    await createOpenAIAdapter({ settings: settings({ headers: { 'OpenAI-Organization': 'org-123' } }), transport }).doChat(call);
    const last = seen.at(-1);
    expect(last?.headers['openai-organization']).toBe('org-123');
    expect(last?.headers.authorization).toBe('Bearer sk-test-0123456789abcdefghij');
    expect(JSON.parse(last?.body ?? '{}')).toMatchObject({ model: 'gpt-4.1', max_completion_tokens: 256 });
  });

  it('replays a JSON answer as a stream when the server ignores stream: true', async () => {
    reply = () => ({
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'chatcmpl-j', model: 'gpt-4.1', choices: [{ index: 0, message: { content: 'whole' }, finish_reason: 'stop' }], usage: { prompt_tokens: 1, completion_tokens: 1 } }),
    });
    const parts = await collect(await createOpenAIAdapter({ settings: settings(), transport }).doStream(call));
    expect(parts).toEqual([
      { type: 'response-metadata', id: 'chatcmpl-j', servedModel: 'gpt-4.1', providerMetadata: { openai: { responseId: 'chatcmpl-j', rawFinishReason: 'stop' } } },
      { type: 'text-delta', text: 'whole' },
      { type: 'usage', usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 } },
      { type: 'finish', finishReason: 'stop', rawFinishReason: 'stop' },
    ]);
  });

  it('maps a 200 body that is not JSON to server', async () => {
    reply = () => ({ status: 200, headers: { 'content-type': 'text/html' }, body: '<html>maintenance</html>' });
    await expect(createOpenAIAdapter({ settings: settings(), transport }).doChat(call)).rejects.toMatchObject({ category: 'server', provider: 'openai', model: 'gpt-4.1' });
  });
});
