/**
 * The gateway end to end: `createGateway` over a router whose upstreams are the simulator, called
 * the way its users call it — the official `openai` and `@anthropic-ai/sdk` clients, a plain HTTP
 * client doing what the article's Python client does, and curl-like admin calls — over real
 * sockets, with the embedded store.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../../src/gateway/create-gateway.js';
import { openKeyStore } from '../../src/gateway/store/open-key-store.js';
import { startSimulator, type Simulator } from '../../src/testing/simulator.js';
import { simConfig } from '../support/sim-config.js';

const ADMIN_KEY = 'admin-secret-for-tests-0123456789';
const APP_KEY = 'sy-app0123456789abcdefghijklmnopqrstuvwxyzAB';
const LIMITED_KEY = 'sy-limited0123456789abcdefghijklmnopqrstuvw';
const SUBNET_KEY = 'sy-subnet0123456789abcdefghijklmnopqrstuvwx';

let simulator: Simulator;
let gateway: Gateway;
let baseUrl: string;
const logLines: string[] = [];

beforeAll(async () => {
  simulator = await startSimulator();
  gateway = await createGateway(
    simConfig(simulator, {
      pricing: { 'anthropic/claude-2.0': { input: 3, output: 15 }, 'anthropic/claude-2.1': { input: 3, output: 15 }, 'openai/gpt-4': { input: 10, output: 30 } },
      gateway: {
        adminKey: ADMIN_KEY,
        store: { url: 'sqlite::memory:' },
        port: 0,
        bodyLimit: '64KB',
        keys: [
          { name: 'app', key: APP_KEY, tenant: 'team-a' },
          { name: 'limited', key: LIMITED_KEY, routes: ['gpt4'] },
          { name: 'subnet', key: SUBNET_KEY, subnets: ['10.0.0.0/8'] },
        ],
      },
    }),
    { log: (line) => logLines.push(line) },
  );
  baseUrl = await gateway.listen();
});

afterAll(async () => {
  await gateway.close();
  await simulator.close();
});

beforeEach(() => {
  logLines.length = 0;
});

function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
}

function admin(method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_KEY}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

describe('the OpenAI ingress through the gateway', () => {
  it('answers the official client, whole and streamed with usage, and charges the key', async () => {
    const client = new OpenAI({ baseURL: `${baseUrl}/v1`, apiKey: APP_KEY, maxRetries: 0 });
    const completion = await client.chat.completions.create({ model: 'claude', messages: [{ role: 'user', content: 'hello gateway' }], user: 'u-1' });
    expect(completion.choices[0]?.message.content).toBe('Echo: hello gateway');
    expect(completion.model).toBe('claude');
    expect(completion.usage?.completion_tokens).toBeGreaterThan(0);

    const stream = await client.chat.completions.create({ model: 'claude', messages: [{ role: 'user', content: 'one two three' }], stream: true, stream_options: { include_usage: true } });
    let text = '';
    let usage: OpenAI.CompletionUsage | undefined | null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe('Echo: one two three');
    expect(usage?.completion_tokens).toBe(4);

    const access = logLines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line['msg'] === 'request');
    expect(access.map((line) => line['status'])).toEqual([200, 200]);
    expect(access[0]).toMatchObject({ ingress: 'openai', keyName: 'app', route: 'claude', stream: false });
    expect(JSON.stringify(access)).not.toContain(APP_KEY);
    const keys = (await (await admin('GET', '/admin/keys')).json()) as { data: { id: string; name: string }[] };
    const app = keys.data.find((key) => key.name === 'app');
    // Settlements are written after the answer; give the store a moment.
    await expect.poll(async () => ((await (await admin('GET', `/admin/keys/${app?.id}/usage`)).json()) as { totals: { calls: number } }).totals.calls).toBe(2);
  });

  it('answers errors in the OpenAI shape: missing, unknown and forbidden keys, unknown models, bad bodies', async () => {
    const missing = await post('/v1/chat/completions', { model: 'claude', messages: [] });
    expect(missing.status).toBe(401);
    expect(((await missing.json()) as { error: { message: string } }).error.message).toMatch(/missing API key/);

    const unknown = await post('/v1/chat/completions', { model: 'claude', messages: [{ role: 'user', content: 'x' }] }, { authorization: 'Bearer sy-notakey000000000000000000000' });
    expect(unknown.status).toBe(401);
    expect(await unknown.text()).not.toContain('sy-notakey000000000000000000000');

    const forbidden = await post('/v1/chat/completions', { model: 'claude', messages: [{ role: 'user', content: 'x' }] }, { authorization: `Bearer ${LIMITED_KEY}` });
    expect(forbidden.status).toBe(403);
    expect(((await forbidden.json()) as { error: { message: string } }).error.message).toMatch(/may not call "claude"; it may call: gpt4/);

    const subnet = await post('/v1/chat/completions', { model: 'claude', messages: [{ role: 'user', content: 'x' }] }, { authorization: `Bearer ${SUBNET_KEY}` });
    expect(subnet.status).toBe(403);
    expect(((await subnet.json()) as { error: { message: string } }).error.message).toMatch(/key "subnet" is not accepted from /);

    const noModel = await post('/v1/chat/completions', { model: 'nope', messages: [{ role: 'user', content: 'x' }] }, { authorization: `Bearer ${APP_KEY}` });
    expect(noModel.status).toBe(404);
    expect(((await noModel.json()) as { error: { message: string } }).error.message).toMatch(/"nope" does not exist.*routes: claude, gpt4/);

    const malformed = await post('/v1/chat/completions', '{"model": ', { authorization: `Bearer ${APP_KEY}` });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: { message: string } }).error.message).toMatch(/not valid JSON/);

    const wrongType = await post('/v1/chat/completions', { model: 'claude', messages: 'hi' }, { authorization: `Bearer ${APP_KEY}` });
    expect(wrongType.status).toBe(400);
    expect(((await wrongType.json()) as { error: { param: string } }).error.param).toBe('messages');

    const huge = await post('/v1/chat/completions', { model: 'claude', messages: [{ role: 'user', content: 'x'.repeat(100_000) }] }, { authorization: `Bearer ${APP_KEY}` });
    expect(huge.status).toBe(413);
    expect(((await huge.json()) as { error: { message: string } }).error.message).toMatch(/larger than the gateway's limit of 64000 bytes/);

    const notFound = await fetch(`${baseUrl}/v2/other`);
    expect(notFound.status).toBe(404);
    const health = await fetch(`${baseUrl}/healthz`);
    expect(health.status).toBe(200);
  });

  it('lists the models a key may call', async () => {
    const all = await new OpenAI({ baseURL: `${baseUrl}/v1`, apiKey: APP_KEY }).models.list();
    expect(all.data.map((model) => model.id)).toEqual(expect.arrayContaining(['claude', 'gpt4', 'anthropic/claude-2.0']));
    const limited = await new OpenAI({ baseURL: `${baseUrl}/v1`, apiKey: LIMITED_KEY }).models.list();
    expect(limited.data.map((model) => model.id)).toEqual(['gpt4']);
  });
});

describe('the Anthropic ingress through the gateway', () => {
  it('answers the official client with x-api-key, whole and streamed', async () => {
    const client = new Anthropic({ baseURL: baseUrl, apiKey: APP_KEY, maxRetries: 0 });
    const message = await client.messages.create({ model: 'claude', max_tokens: 100, messages: [{ role: 'user', content: 'hi there' }], metadata: { user_id: 'u-2' } });
    expect(message.content[0]).toMatchObject({ type: 'text', text: 'Echo: hi there' });
    const stream = client.messages.stream({ model: 'claude', max_tokens: 100, messages: [{ role: 'user', content: 'streamed words' }] });
    const final = await stream.finalMessage();
    expect(final.content[0]).toMatchObject({ type: 'text', text: 'Echo: streamed words' });
    expect(final.stop_reason).toBe('end_turn');
  });

  it('answers an unknown key with an Anthropic error', async () => {
    const client = new Anthropic({ baseURL: baseUrl, apiKey: 'sy-wrong0000000000000000000000', maxRetries: 0 });
    await expect(client.messages.create({ model: 'claude', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({ status: 401, error: { type: 'error', error: { type: 'authentication_error' } } });
  });
});

describe('the simple endpoint the article calls', () => {
  it('POST /v1/claude/complete with a bearer key answers { text, usage, model, id }', async () => {
    const response = await post('/v1/claude/complete', { prompt: 'What is One API?' }, { authorization: `Bearer ${APP_KEY}` });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toMatch(/^[\w-]+$/);
    const body = (await response.json()) as { text: string; usage: { input_tokens: number }; model: string; id: string };
    expect(body).toMatchObject({ text: 'Echo: What is One API?', model: 'claude' });
    expect(body.usage.input_tokens).toBeGreaterThan(0);
    const missing = await post('/v1/claude/complete', {}, { authorization: `Bearer ${APP_KEY}` });
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { error: { message: string } }).error.message).toMatch(/prompt/);
  });
});

describe('the admin API', () => {
  it('refuses a wrong admin key and never logs it', async () => {
    const wrong = await fetch(`${baseUrl}/admin/keys`, { headers: { authorization: 'Bearer not-the-admin-key' } });
    expect(wrong.status).toBe(401);
    expect(logLines.join('')).not.toContain(ADMIN_KEY);
    expect(logLines.join('')).not.toContain('not-the-admin-key');
  });

  it('creates a key the One API way, and the key works', async () => {
    const created = await admin('POST', '/admin/api/token', { name: 'prod-claude-app', remain_quota: 100000, unlimited: false });
    expect(created.status).toBe(200);
    const body = (await created.json()) as { success: boolean; message: string; data: { id: string; key: string; name: string; remain_quota: number; unlimited_quota: boolean } };
    expect(body).toMatchObject({ success: true, message: '', data: { name: 'prod-claude-app', remain_quota: 100000, unlimited_quota: false } });
    expect(body.data.key).toMatch(/^sy-[A-Za-z0-9]{40,}$/);
    const shown = (await (await admin('GET', `/admin/keys/${body.data.id}`)).json()) as Record<string, unknown>;
    expect(shown).toMatchObject({ name: 'prod-claude-app', quota: { usd: 0.2 } });
    expect(JSON.stringify(shown)).not.toContain(body.data.key);
    const call = await post('/v1/claude/complete', { prompt: 'hi' }, { authorization: `Bearer ${body.data.key}` });
    expect(call.status).toBe(200);
  });

  it('enforces a token quota with 429 insufficient_quota, and a disabled key gets 401', async () => {
    // Each call holds its prompt estimate plus max_tokens (30) and is charged its real use (a few
    // tokens): calls are admitted while used + 31 fits in 100, then refused.
    const created = (await (await admin('POST', '/admin/keys', { name: 'quota-test', quota: { tokens: 100 } })).json()) as { id: string; key: string };
    const client = new OpenAI({ baseURL: `${baseUrl}/v1`, apiKey: created.key, maxRetries: 0 });
    const ask = (): Promise<unknown> => client.chat.completions.create({ model: 'gpt4', max_tokens: 30, messages: [{ role: 'user', content: 'q' }] });
    let answered = 0;
    let refused: unknown;
    for (let call = 0; call < 50 && refused === undefined; call += 1) {
      await ask().then(
        () => (answered += 1),
        (error: unknown) => (refused = error),
      );
      await gateway.keys.flush();
    }
    expect(refused).toBeInstanceOf(OpenAI.APIError);
    expect((refused as InstanceType<typeof OpenAI.APIError>).status).toBe(429);
    expect((refused as InstanceType<typeof OpenAI.APIError>).message).toMatch(/insufficient_quota/);
    const view = (await (await admin('GET', `/admin/keys/${created.id}`)).json()) as { used: { tokens: number }; reserved: { tokens: number } };
    expect(answered).toBeGreaterThan(1);
    expect(view.reserved.tokens).toBe(0);
    expect(view.used.tokens).toBeLessThanOrEqual(100);
    expect(view.used.tokens + 31).toBeGreaterThan(100);

    const patched = await admin('PATCH', `/admin/keys/${created.id}`, { enabled: false, quota: 'unlimited' });
    expect(patched.status).toBe(200);
    const disabled = await ask().catch((error: unknown) => error);
    expect((disabled as InstanceType<typeof OpenAI.APIError>).status).toBe(401);

    const deleted = await admin('DELETE', `/admin/keys/${created.id}`);
    expect(deleted.status).toBe(200);
    expect((await admin('GET', `/admin/keys/${created.id}`)).status).toBe(404);
  });

  it('names a bad field of a new key', async () => {
    const bad = await admin('POST', '/admin/keys', { name: 'x', quota: { tokens: -1 } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/quota\.tokens/);
    const unknown = await admin('POST', '/admin/keys', { name: 'x', colour: 'red' });
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { error: { message: string } }).error.message).toMatch(/colour: unknown field/);
  });
});

describe('operations', () => {
  it('reports readiness and metrics with the gateway\'s HTTP series', async () => {
    expect((await fetch(`${baseUrl}/readyz`)).status).toBe(200);
    const metrics = await (await fetch(`${baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/switchyard_gateway_requests_total\{ingress="openai",status="200",key="key_/);
    expect(metrics).toMatch(/switchyard_gateway_requests_in_flight/);
    // Whole answers (sent with end()) count as well as streamed ones.
    expect(Number(/switchyard_gateway_response_bytes_total\{ingress="complete"\} (\d+)/.exec(metrics)?.[1])).toBeGreaterThan(50);
    expect(metrics).not.toContain(APP_KEY);
  });
});

describe('a store file reopened', () => {
  it('keeps keys across restarts of the embedded store', async () => {
    const store = await openKeyStore('sqlite::memory:');
    const { record } = await store.createKey({ name: 'persist', quota: 'unlimited' });
    expect((await store.getKey(record.id))?.name).toBe('persist');
    await store.close();
  });
});
