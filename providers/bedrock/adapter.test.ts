import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import { createRouter } from '../../src/create-router.js';
import type { HttpTransport } from '../../src/http/transport.js';
import type { AdapterCall, AdapterStreamPart, ProviderSettings } from '../../src/provider-spec.js';
import type { Simulator } from '../../src/testing/simulator.js';
import type { Router } from '../../src/router/router-api.js';
import type { ChatResponse } from '../../src/types.js';
import { failure } from '../../test/support/failure.js';
import { useSimulatorWithTransport } from '../../test/support/simulator-fixture.js';
import { createBedrockAdapterFactory } from './index.js';

const MODEL = 'anthropic.claude-3-5-sonnet-20240620-v1:0';
const SESSION_TOKEN = 'IQoJb3JpZ2luX2VjEJr-sim-session-token-000000000000';

let simulator: Simulator;
let transport: HttpTransport;
let model = MODEL;
let tests = 0;

const fixture = useSimulatorWithTransport({ apiKey: 'bedrock-api-key-sim-000000000000', aws: { accessKeyId: 'AKIASIMULATOR0000001', secretAccessKey: 'sim/aws+secret+access+key+0000000000001', sessionToken: SESSION_TOKEN } });
beforeEach(() => {
  ({ simulator, transport } = fixture);
  tests += 1;
  // Faults are queued per model: a model of its own for each test.
  model = `${MODEL.replace(':0', '')}-${tests}:0`;
  vi.stubEnv('AWS_ACCESS_KEY_ID', simulator.aws.accessKeyId);
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', simulator.aws.secretAccessKey);
  vi.stubEnv('AWS_SESSION_TOKEN', SESSION_TOKEN);
  vi.stubEnv('AWS_REGION', 'us-east-1');
});
afterEach(() => {
  vi.unstubAllEnvs();
});

/** A router with one Bedrock provider from YAML, the simulator as its endpoint. */
function routerFromYaml(extra = ''): Router {
  const yaml = [
    'providers:',
    '  aws:',
    '    type: bedrock',
    '    region: us-west-2',
    '    baseUrl: ${SIM_URL}',
    ...(extra === '' ? [] : [extra]),
    'routes:',
    '  claude:',
    '    targets: [{ provider: aws, model: "${MODEL}" }]',
    'policies:',
    '  retry: { attempts: 1 }',
  ].join('\n');
  return createRouter(parseConfig(yaml, { env: { SIM_URL: simulator.url, MODEL: model } }));
}

function settings(overrides: Partial<ProviderSettings> = {}): ProviderSettings {
  return { id: 'aws', type: 'bedrock', baseUrl: simulator.url, region: 'us-east-1', headers: {}, defaultMaxTokens: 256, ...overrides };
}

function call(content = 'hello there friend'): AdapterCall {
  return { request: { model: 'claude', messages: [{ role: 'user', content }] }, model, signal: new AbortController().signal, firstByteTimeoutMs: 0, idleTimeoutMs: 0 };
}

async function collect(stream: AsyncIterable<AdapterStreamPart>): Promise<AdapterStreamPart[]> {
  const parts: AdapterStreamPart[] = [];
  for await (const part of stream) parts.push(part);
  return parts;
}

describe('bedrock through the router (InvokeModel, SigV4 checked by the simulator)', () => {
  it('answers a chat signed with the environment credentials', async () => {
    const router = routerFromYaml();
    try {
      const response = await router.chat({ model: 'claude', messages: [{ role: 'user', content: 'hello there friend' }], maxTokens: 64 });
      expect(response.text).toBe('Echo: hello there friend');
      expect(response.finishReason).toBe('stop');
      expect(response.usage.outputTokens).toBe(4);
      expect(response.target).toEqual({ provider: 'aws', model });
      const [record] = simulator.requests;
      expect(record?.format).toBe('bedrock');
      expect(record?.path).toBe(`/model/${encodeURIComponent(model)}/invoke`);
      expect(record?.body).toEqual({ anthropic_version: 'bedrock-2023-05-31', max_tokens: 64, messages: [{ role: 'user', content: [{ type: 'text', text: 'hello there friend' }] }] });
      // The config's region wins over AWS_REGION; the session token travels and is signed.
      expect(record?.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIASIMULATOR0000001\/\d{8}\/us-west-2\/bedrock\/aws4_request, SignedHeaders=[a-z0-9;-]*x-amz-security-token/);
      expect(record?.headers['x-amz-security-token']).toBe(SESSION_TOKEN);
    } finally {
      await router.close();
    }
  });

  it('streams text from the AWS event stream', async () => {
    const router = routerFromYaml();
    try {
      const stream = router.stream({ model: 'claude', messages: [{ role: 'user', content: 'one two three four' }] });
      let text = '';
      let final: ChatResponse | undefined;
      for await (const event of stream) {
        if (event.type === 'text-delta') text += event.text;
        if (event.type === 'finish') final = event.response;
      }
      expect(text).toBe('Echo: one two three four');
      expect(final?.finishReason).toBe('stop');
      expect(final?.usage.outputTokens).toBe(5);
      expect(simulator.requests[0]?.path).toBe(`/model/${encodeURIComponent(model)}/invoke-with-response-stream`);
      expect(simulator.requests[0]?.headers.accept).toBe('application/vnd.amazon.eventstream');
    } finally {
      await router.close();
    }
  });

  it('streams a tool call, its input collected from the input_json deltas', async () => {
    const adapter = createBedrockAdapterFactory()({ settings: settings(), transport });
    const parts = await collect(await adapter.doStream({ ...call('!tool weather in Paris'), request: { model: 'claude', messages: [{ role: 'user', content: '!tool weather in Paris' }], tools: [{ name: 'search', parameters: { type: 'object' } }] } }));
    const toolCall = parts.find((part) => part.type === 'tool-call');
    expect(toolCall).toMatchObject({ toolCall: { name: 'search', arguments: { query: 'weather in Paris' } } });
    expect(parts.at(-1)).toEqual({ type: 'finish', finishReason: 'tool_calls', rawFinishReason: 'tool_use' });
  });

  it('a wrong secret key is refused by the signature check: an auth error that never shows the secret', async () => {
    const wrongSecret = 'wrong/secret+access+key+99999999999999';
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', wrongSecret);
    const router = routerFromYaml();
    try {
      const error = await failure(router.chat({ model: 'claude', messages: [{ role: 'user', content: 'hi' }] }));
      expect(error.category).toBe('auth');
      expect(error.status).toBe(403);
      expect(error.message).toContain('InvalidSignatureException');
      const everything = JSON.stringify({ error, message: error.message, attempts: error.attempts, stack: error.stack });
      expect(everything).not.toContain(wrongSecret);
      expect(everything).not.toContain(simulator.aws.secretAccessKey);
      expect(simulator.requests).toHaveLength(0); // refused before it counted as a call
    } finally {
      await router.close();
    }
  });

  it('an unknown access key id is UnrecognizedClientException (auth)', async () => {
    const adapter = createBedrockAdapterFactory({ credentials: { accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: simulator.aws.secretAccessKey, sessionToken: SESSION_TOKEN } })({ settings: settings(), transport });
    const error = await failure(adapter.doChat(call()));
    expect([error.category, error.providerCode]).toEqual(['auth', 'UnrecognizedClientException']);
  });

  it('redacts the secret key and session token an upstream error echoes', async () => {
    simulator.enqueueFault(model, { kind: 'status', status: 400, message: `bad request signed by ${simulator.aws.secretAccessKey} with ${SESSION_TOKEN}` });
    const adapter = createBedrockAdapterFactory()({ settings: settings(), transport });
    const error = await failure(adapter.doChat(call()));
    expect(error.category).toBe('invalid_request');
    expect(error.message).toContain('[redacted]');
    expect(error.message).not.toContain(simulator.aws.secretAccessKey);
    expect(error.message).not.toContain(SESSION_TOKEN);
  });

  it.each([
    [429, 'rate_limit', 'ThrottlingException'],
    [503, 'overloaded', 'ServiceUnavailableException'],
    [403, 'permission', 'AccessDeniedException'],
    [404, 'not_found', 'ResourceNotFoundException'],
    [408, 'timeout', 'ModelTimeoutException'],
    [500, 'server', 'InternalServerException'],
  ] as const)('maps the simulator\'s %i to %s', async (status, category, type) => {
    simulator.enqueueFault(model, { kind: 'status', status, retryAfterSeconds: 2 });
    const adapter = createBedrockAdapterFactory()({ settings: settings(), transport });
    const error = await failure(adapter.doChat(call()));
    expect([error.category, error.providerCode, error.provider, error.model]).toEqual([category, type, 'aws', model]);
    expect(error.retryAfterMs).toBe(2000);
  });

  it('an exception inside the stream after output is thrown, mapped, after the output', async () => {
    simulator.enqueueFault(model, { kind: 'stream-error', status: 429, afterChunks: 3 });
    const adapter = createBedrockAdapterFactory()({ settings: settings(), transport });
    const parts: AdapterStreamPart[] = [];
    const error = await failure(
      (async () => {
        for await (const part of await adapter.doStream(call())) parts.push(part);
      })(),
    );
    expect(parts.some((part) => part.type === 'text-delta')).toBe(true);
    expect([error.category, error.providerCode, error.provider]).toEqual(['rate_limit', 'ThrottlingException', 'aws']);
  });

  it('a stream cut in the middle is a network error, never a clean finish', async () => {
    simulator.enqueueFault(model, { kind: 'cut-stream', afterChunks: 2 });
    const adapter = createBedrockAdapterFactory()({ settings: settings(), transport });
    const error = await failure(collect(await adapter.doStream(call())));
    expect(error.category).toBe('network');
  });

  it('sends a Bedrock API key (apiKey) as a bearer token instead of signing', async () => {
    const config = parseConfig(['providers:', '  aws: { type: bedrock, region: us-east-1, baseUrl: "${SIM_URL}", apiKey: "${BEDROCK_KEY}" }'].join('\n'), { env: { SIM_URL: simulator.url, BEDROCK_KEY: simulator.apiKey } });
    const direct = createRouter(config);
    try {
      const response = await direct.chat({ model: `aws/${model}`, messages: [{ role: 'user', content: 'keyed' }] });
      expect(response.text).toBe('Echo: keyed');
      expect(simulator.requests[0]?.headers.authorization).toBe(`Bearer ${simulator.apiKey}`);
    } finally {
      await direct.close();
    }
  });

  it('without a region anywhere, the config is refused at the provider\'s line', () => {
    vi.stubEnv('AWS_REGION', '');
    vi.stubEnv('AWS_DEFAULT_REGION', '');
    expect(() => parseConfig(['providers:', '  aws: { type: bedrock }'].join('\n'))).toThrow(/providers\.aws\.region: required: set region, or AWS_REGION in the environment \(line 2\)/);
  });

  it('takes the region from AWS_REGION when the config names none', () => {
    vi.stubEnv('AWS_REGION', 'eu-central-1');
    const config = parseConfig(['providers:', '  aws: { type: bedrock }'].join('\n'));
    expect(config.providers.aws).toMatchObject({ region: 'eu-central-1', baseUrl: 'https://bedrock-runtime.eu-central-1.amazonaws.com' });
  });

  it('without credentials anywhere, the first call is an auth error from the AWS default chain, sent nowhere', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', '');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', '');
    vi.stubEnv('AWS_SESSION_TOKEN', '');
    vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', '/nonexistent/switchyard/credentials');
    vi.stubEnv('AWS_CONFIG_FILE', '/nonexistent/switchyard/config');
    vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true');
    const router = routerFromYaml();
    try {
      const error = await failure(router.chat({ model: 'claude', messages: [{ role: 'user', content: 'hi' }] }));
      expect([error.category, error.provider]).toEqual(['auth', 'aws']);
      expect(error.message).toContain('providers.aws: no AWS credentials found');
      expect(simulator.requests).toHaveLength(0);
    } finally {
      await router.close();
    }
  });
});
