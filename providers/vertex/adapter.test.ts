import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import { createRouter } from '../../src/create-router.js';
import type { HttpTransport } from '../../src/http/transport.js';
import type { AdapterCall, AdapterStreamPart, ProviderSettings } from '../../src/provider-spec.js';
import type { Simulator } from '../../src/testing/simulator.js';
import type { ChatResponse } from '../../src/types.js';
import { failure } from '../../test/support/failure.js';
import { useSimulatorWithTransport } from '../../test/support/simulator-fixture.js';
import { cachedTokenProvider, createVertexAdapterFactory, type AccessTokenProvider } from './index.js';

const TOKEN = 'ya29.sim-vertex-access-token-0000000000000000';
const CLAUDE = 'claude-sonnet-4-5@20250929';
const GEMINI = 'gemini-2.5-pro';
const SERVICE_ACCOUNT = 'switchyard-test@sim-project.iam.gserviceaccount.com';
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });

let simulator: Simulator;
let transport: HttpTransport;

const fixture = useSimulatorWithTransport({ apiKey: TOKEN, googleServiceAccount: { clientEmail: SERVICE_ACCOUNT, publicKey } });
beforeEach(() => {
  ({ simulator, transport } = fixture);
});

const YAML = [
  'providers:',
  '  gcp:',
  '    type: vertex',
  '    project: sim-project',
  '    region: us-east5',
  '    baseUrl: ${SIM_URL}',
  '    apiKey: ${VERTEX_TOKEN}',
  'routes:',
  '  claude: { targets: [{ provider: gcp, model: "claude-sonnet-4-5@20250929" }] }',
  '  gemini: { targets: [{ provider: gcp, model: gemini-2.5-pro }] }',
  'policies:',
  '  retry: { attempts: 1 }',
].join('\n');

function settings(overrides: Partial<ProviderSettings> = {}): ProviderSettings {
  return { id: 'gcp', type: 'vertex', baseUrl: simulator.url, project: 'sim-project', region: 'us-east5', headers: {}, defaultMaxTokens: 256, ...overrides };
}

function call(model: string, content = 'hello there friend'): AdapterCall {
  return { request: { model: 'x', messages: [{ role: 'user', content }] }, model, signal: new AbortController().signal, firstByteTimeoutMs: 0, idleTimeoutMs: 0 };
}

async function streamed(router: ReturnType<typeof createRouter>, model: string, content: string): Promise<{ text: string; final: ChatResponse | undefined }> {
  let text = '';
  let final: ChatResponse | undefined;
  for await (const event of router.stream({ model, messages: [{ role: 'user', content }] })) {
    if (event.type === 'text-delta') text += event.text;
    if (event.type === 'finish') final = event.response;
  }
  return { text, final };
}

describe('vertex through the router', () => {
  it('calls an Anthropic model with rawPredict and streamRawPredict', async () => {
    const router = createRouter(parseConfig(YAML, { env: { SIM_URL: simulator.url, VERTEX_TOKEN: TOKEN } }));
    try {
      const response = await router.chat({ model: 'claude', messages: [{ role: 'user', content: 'hello there friend' }], maxTokens: 50 });
      expect(response.text).toBe('Echo: hello there friend');
      expect(response.finishReason).toBe('stop');
      const [record] = simulator.requests;
      expect(record?.format).toBe('vertex');
      expect(record?.path).toBe(`/v1/projects/sim-project/locations/us-east5/publishers/anthropic/models/${CLAUDE}:rawPredict`);
      expect(record?.headers.authorization).toBe(`Bearer ${TOKEN}`);
      expect(record?.body).toEqual({ anthropic_version: 'vertex-2023-10-16', max_tokens: 50, messages: [{ role: 'user', content: [{ type: 'text', text: 'hello there friend' }] }] });

      const { text, final } = await streamed(router, 'claude', 'one two three');
      expect(text).toBe('Echo: one two three');
      expect(final?.finishReason).toBe('stop');
      expect(simulator.requests[1]?.path).toBe(`/v1/projects/sim-project/locations/us-east5/publishers/anthropic/models/${CLAUDE}:streamRawPredict`);
      expect(simulator.requests[1]?.body).toMatchObject({ anthropic_version: 'vertex-2023-10-16', stream: true });
    } finally {
      await router.close();
    }
  });

  it('calls a Gemini model with generateContent and streamGenerateContent?alt=sse', async () => {
    const router = createRouter(parseConfig(YAML, { env: { SIM_URL: simulator.url, VERTEX_TOKEN: TOKEN } }));
    try {
      const response = await router.chat({ model: 'gemini', messages: [{ role: 'user', content: 'hi gemini' }] });
      expect(response.text).toBe('Echo: hi gemini');
      expect(simulator.requests[0]?.path).toBe(`/v1/projects/sim-project/locations/us-east5/publishers/google/models/${GEMINI}:generateContent`);
      expect(simulator.requests[0]?.body).toMatchObject({ contents: [{ role: 'user', parts: [{ text: 'hi gemini' }] }] });
      const { text, final } = await streamed(router, 'gemini', 'stream me');
      expect(text).toBe('Echo: stream me');
      expect(final?.usage.outputTokens).toBe(3);
      expect(simulator.requests[1]?.path).toBe(`/v1/projects/sim-project/locations/us-east5/publishers/google/models/${GEMINI}:streamGenerateContent?alt=sse`);
    } finally {
      await router.close();
    }
  });

  it('`publisher` overrides the choice by model name', async () => {
    const adapter = createVertexAdapterFactory({ tokenProvider: () => Promise.resolve({ token: TOKEN }) })({ settings: settings({ publisher: 'anthropic' }), transport });
    const result = await adapter.doChat(call('my-tuned-claude'));
    expect(result.text).toBe('Echo: hello there friend');
    expect(simulator.requests[0]?.path).toContain('/publishers/anthropic/models/my-tuned-claude:rawPredict');
  });

  it('a wrong token is an auth error that never shows the token, and the next call gets a new one', async () => {
    const issued = ['ya29.wrong-token-1111111111111111', TOKEN];
    let calls = 0;
    const tokenProvider: AccessTokenProvider = () => Promise.resolve({ token: issued[calls++] ?? TOKEN, expiresAt: Date.now() + 3_600_000 });
    const adapter = createVertexAdapterFactory({ tokenProvider })({ settings: settings(), transport });
    const error = await failure(adapter.doChat(call(GEMINI)));
    expect([error.category, error.status, error.providerCode]).toEqual(['auth', 401, 'UNAUTHENTICATED']);
    expect(JSON.stringify({ error, message: error.message })).not.toContain('ya29.wrong-token');
    const result = await adapter.doChat(call(GEMINI));
    expect(result.text).toBe('Echo: hello there friend');
    expect(calls).toBe(2);
  });

  it.each([
    [429, 'rate_limit', 'RESOURCE_EXHAUSTED'],
    [503, 'overloaded', 'UNAVAILABLE'],
    [403, 'permission', 'PERMISSION_DENIED'],
    [404, 'not_found', 'NOT_FOUND'],
  ] as const)('maps Vertex\'s %i (Google error body) to %s, for an Anthropic model too', async (status, category, code) => {
    simulator.enqueueFault(CLAUDE, { kind: 'status', status });
    const adapter = createVertexAdapterFactory({ tokenProvider: () => Promise.resolve({ token: TOKEN }) })({ settings: settings(), transport });
    const error = await failure(adapter.doChat(call(CLAUDE)));
    expect([error.category, error.providerCode, error.provider, error.model]).toEqual([category, code, 'gcp', CLAUDE]);
    expect(error.message).toMatch(/^vertex gemini \d{3}/);
  });

  it('an Anthropic overloaded_error inside a stream is thrown after the output', async () => {
    simulator.enqueueFault(CLAUDE, { kind: 'stream-error', status: 529, afterChunks: 4 });
    const adapter = createVertexAdapterFactory({ tokenProvider: () => Promise.resolve({ token: TOKEN }) })({ settings: settings(), transport });
    const parts: AdapterStreamPart[] = [];
    const error = await failure(
      (async () => {
        for await (const part of await adapter.doStream(call(CLAUDE))) parts.push(part);
      })(),
    );
    expect(parts.some((part) => part.type === 'text-delta')).toBe(true);
    expect(error.category).toBe('overloaded');
  });

  it('gets its token from google-auth-library with a service-account key (JWT signed, exchanged at the token endpoint)', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'switchyard-vertex-'));
    try {
      const keyFile = join(directory, 'service-account.json');
      writeFileSync(keyFile, JSON.stringify({ type: 'service_account', project_id: 'sim-project', private_key_id: 'sim-key-1', private_key: privateKey, client_email: SERVICE_ACCOUNT, client_id: '1', token_uri: 'https://oauth2.googleapis.com/token' }));
      // google-auth-library posts to Google's fixed token URL; its fetch is pointed at the simulator.
      const redirected: string[] = [];
      const fetchImplementation = (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
        const url = String(input instanceof Request ? input.url : input);
        redirected.push(url);
        return fetch(url.replace('https://oauth2.googleapis.com', simulator.url), init);
      };
      const factory = createVertexAdapterFactory({ googleAuthOptions: { clientOptions: { transporterOptions: { fetchImplementation } } } });
      const adapter = factory({ settings: settings({ credentials: keyFile }), transport });
      const first = await adapter.doChat(call(GEMINI));
      const second = await adapter.doChat(call(GEMINI, 'again'));
      expect([first.text, second.text]).toEqual(['Echo: hello there friend', 'Echo: again']);
      expect(simulator.requests.map((record) => record.headers.authorization)).toEqual([`Bearer ${TOKEN}`, `Bearer ${TOKEN}`]);
      expect(redirected).toEqual(['https://oauth2.googleapis.com/token']); // one token, cached
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('a key the token endpoint refuses is an auth error naming the provider', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'switchyard-vertex-'));
    try {
      const other = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
      const keyFile = join(directory, 'service-account.json');
      writeFileSync(keyFile, JSON.stringify({ type: 'service_account', project_id: 'sim-project', private_key_id: 'k2', private_key: other.privateKey, client_email: SERVICE_ACCOUNT, client_id: '1' }));
      const fetchImplementation = (input: string | URL | Request, init?: RequestInit): Promise<Response> => fetch(String(input instanceof Request ? input.url : input).replace('https://oauth2.googleapis.com', simulator.url), init);
      const adapter = createVertexAdapterFactory({ googleAuthOptions: { clientOptions: { transporterOptions: { fetchImplementation } } } })({ settings: settings({ credentials: keyFile }), transport });
      const error = await failure(adapter.doChat(call(GEMINI)));
      expect(error.category).toBe('auth');
      expect(error.message).toMatch(/^gcp: could not get a Google access token/);
      expect(error.message).not.toContain('PRIVATE KEY');
      expect(simulator.requests).toHaveLength(0);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});

describe('vertex token failures', () => {
  it('a token endpoint that cannot be reached is a network error (retryable), not auth', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const directory = mkdtempSync(join(tmpdir(), 'switchyard-vertex-'));
    try {
      const keyFile = join(directory, 'service-account.json');
      writeFileSync(keyFile, JSON.stringify({ type: 'service_account', project_id: 'sim-project', private_key_id: 'k3', private_key: privateKey, client_email: SERVICE_ACCOUNT, client_id: '1' }));
      const fetchImplementation = (input: string | URL | Request, init?: RequestInit): Promise<Response> => fetch(String(input instanceof Request ? input.url : input).replace('https://oauth2.googleapis.com', `http://127.0.0.1:${port}`), init);
      const adapter = createVertexAdapterFactory({ googleAuthOptions: { clientOptions: { transporterOptions: { fetchImplementation, retry: false } } } })({ settings: settings({ credentials: keyFile }), transport });
      const error = await failure(adapter.doChat(call(GEMINI)));
      expect([error.category, error.retryable, error.provider]).toEqual(['network', true, 'gcp']);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});

describe('vertex config', () => {
  it('reports a missing project and region at the provider\'s line, and cloud fields on other types', () => {
    const yaml = ['providers:', '  gcp:', '    type: vertex', '  claude:', '    type: anthropic', '    project: oops'].join('\n');
    expect(() => parseConfig(yaml)).toThrow(/providers\.gcp\.project: required for type vertex[^\n]*\(line 3\)/);
    expect(() => parseConfig(yaml)).toThrow(/providers\.gcp\.region: required for type vertex[^\n]*\(line 3\)/);
    expect(() => parseConfig(yaml)).toThrow(/providers\.claude\.project: only for type vertex \(this provider is type anthropic\) \(line 6\)/);
  });

  it('derives the endpoint from the region (global has no regional prefix)', () => {
    const config = parseConfig(['providers:', '  a: { type: vertex, project: my-project-1, region: europe-west1 }', '  b: { type: vertex, project: my-project-1, region: global }'].join('\n'));
    expect(config.providers.a?.baseUrl).toBe('https://europe-west1-aiplatform.googleapis.com');
    expect(config.providers.b?.baseUrl).toBe('https://aiplatform.googleapis.com');
  });
});

describe('vertex token cache', () => {
  it('keeps a token until shortly before it expires, and shares one refresh', async () => {
    let now = 1_000_000;
    let issued = 0;
    const cache = cachedTokenProvider(() => Promise.resolve({ token: `token-number-${++issued}`, expiresAt: now + 3_600_000 }), 'gcp', () => now, 300_000);
    expect(await Promise.all([cache.token(), cache.token()])).toEqual(['token-number-1', 'token-number-1']);
    now += 3_600_000 - 300_001;
    expect(await cache.token()).toBe('token-number-1');
    now += 2;
    expect(await cache.token()).toBe('token-number-2');
    cache.invalidate();
    expect(await cache.token()).toBe('token-number-3');
  });
});
