/**
 * `POST /v1/embeddings` through the gateway, called with the official `openai` client over the
 * simulator: float and base64 vectors, the key's route permissions, quota reservation and
 * settlement, the usage ledger and the access log.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../../src/gateway/create-gateway.js';
import { simulatedEmbedding } from '../../src/testing/formats/embeddings.js';
import { startSimulator, type Simulator } from '../../src/testing/simulator.js';
import { simConfig } from '../support/sim-config.js';

const ADMIN_KEY = 'admin-secret-for-embedding-tests-0123';
const APP_KEY = 'sy-emb0123456789abcdefghijklmnopqrstuvwxyzAB';
const CHAT_ONLY_KEY = 'sy-cht0123456789abcdefghijklmnopqrstuvwxyzAB';
const SMALL_KEY = 'sy-sml0123456789abcdefghijklmnopqrstuvwxyzAB';

let simulator: Simulator;
let gateway: Gateway;
let baseUrl: string;
const logLines: string[] = [];

beforeAll(async () => {
  simulator = await startSimulator();
  gateway = await createGateway(
    simConfig(simulator, {
      routes: {
        gpt4: { targets: [{ provider: 'openai', model: 'gpt-4' }] },
        embed: { kind: 'embedding', targets: [{ provider: 'openai', model: 'text-embedding-3-small' }] },
      },
      pricing: { 'openai/text-embedding-3-small': { input: 0.02, output: 0 } },
      gateway: {
        adminKey: ADMIN_KEY,
        store: { url: 'sqlite::memory:' },
        port: 0,
        keys: [
          { name: 'app', key: APP_KEY },
          { name: 'chat-only', key: CHAT_ONLY_KEY, routes: ['gpt4'] },
          { name: 'small', key: SMALL_KEY, quota: { tokens: 5 } },
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

function client(key = APP_KEY): OpenAI {
  return new OpenAI({ baseURL: `${baseUrl}/v1`, apiKey: key, maxRetries: 0 });
}

async function adminGet(path: string): Promise<unknown> {
  return (await fetch(`${baseUrl}${path}`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } })).json();
}

async function keyId(name: string): Promise<string> {
  const keys = (await adminGet('/admin/keys')) as { data: { id: string; name: string }[] };
  const found = keys.data.find((key) => key.name === name);
  if (found === undefined) throw new Error(`no key ${name}`);
  return found.id;
}

function float32(base64: string): number[] {
  const bytes = Buffer.from(base64, 'base64');
  return Array.from({ length: bytes.length / 4 }, (_, index) => bytes.readFloatLE(index * 4));
}

describe('POST /v1/embeddings', () => {
  it('answers float vectors in input order, with usage, naming the model asked for', async () => {
    const answer = await client().embeddings.create({ model: 'embed', input: ['first text', 'the second text'], dimensions: 8, encoding_format: 'float' });
    expect(answer.object).toBe('list');
    expect(answer.model).toBe('embed');
    expect(answer.data.map((item) => [item.object, item.index])).toEqual([
      ['embedding', 0],
      ['embedding', 1],
    ]);
    expect(answer.data[0]?.embedding).toEqual(simulatedEmbedding('first text', 8));
    expect(answer.data[1]?.embedding).toEqual(simulatedEmbedding('the second text', 8));
    expect(answer.usage).toEqual({ prompt_tokens: 5, total_tokens: 5 });
    expect((simulator.requests.at(-1)?.body as { dimensions?: number }).dimensions).toBe(8);
  });

  it('answers base64 (float32, little-endian) as OpenAI does, which the SDK decodes by default', async () => {
    const expected = simulatedEmbedding('a single text', 16);
    const explicit = await client().embeddings.create({ model: 'embed', input: 'a single text', dimensions: 16, encoding_format: 'base64' });
    const encoded = explicit.data[0]?.embedding as unknown as string;
    expect(typeof encoded).toBe('string');
    expect(Buffer.from(encoded, 'base64').length).toBe(16 * 4);
    float32(encoded).forEach((value, index) => expect(value).toBeCloseTo(expected[index] ?? Number.NaN, 6));

    // No format named: the SDK asks for base64 and decodes it into numbers.
    const decoded = await client().embeddings.create({ model: 'embed', input: 'a single text', dimensions: 16 });
    expect((simulator.requests.at(-1)?.body as { encoding_format?: string }).encoding_format).toBe('float');
    const vector = Array.from(decoded.data[0]?.embedding ?? []);
    expect(vector).toHaveLength(16);
    vector.forEach((value, index) => expect(value).toBeCloseTo(expected[index] ?? Number.NaN, 6));
  });

  it('charges the key the call: settled usage and cost in its ledger, and an access-log line', async () => {
    const id = await keyId('app');
    const before = (await adminGet(`/admin/keys/${id}`)) as { used: { tokens: number } };
    await client().embeddings.create({ model: 'embed', input: ['one two three', 'four five'], encoding_format: 'float' });
    await gateway.keys.flush();
    const after = (await adminGet(`/admin/keys/${id}`)) as { used: { tokens: number; usd: number }; reserved: { tokens: number } };
    expect(after.used.tokens - before.used.tokens).toBe(5);
    expect(after.reserved.tokens).toBe(0);
    expect(after.used.usd).toBeGreaterThan(0);
    const access = logLines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line['msg'] === 'request' && line['path'] === '/v1/embeddings');
    expect(access).toHaveLength(1);
    expect(access[0]).toMatchObject({ status: 200, ingress: 'openai', keyName: 'app', route: 'embed', target: 'openai/text-embedding-3-small', inputTokens: 5, outputTokens: 0 });
    const usage = (await adminGet(`/admin/keys/${id}/usage`)) as { totals: { calls: number } };
    expect(usage.totals.calls).toBeGreaterThan(0);
  });

  it('refuses a route the key may not call with 403, and a chat route with 400', async () => {
    const forbidden = await client(CHAT_ONLY_KEY)
      .embeddings.create({ model: 'embed', input: 'x', encoding_format: 'float' })
      .catch((error: unknown) => error);
    expect(forbidden).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect((forbidden as Error).message).toMatch(/may not call "embed"; it may call: gpt4/);

    const chatRoute = await client()
      .embeddings.create({ model: 'gpt4', input: 'x', encoding_format: 'float' })
      .catch((error: unknown) => error);
    expect(chatRoute).toBeInstanceOf(OpenAI.BadRequestError);
  });

  it('refuses a call its quota cannot hold with 429 insufficient_quota', async () => {
    const small = client(SMALL_KEY);
    const fits = await small.embeddings.create({ model: 'embed', input: 'tiny', encoding_format: 'float' });
    expect(fits.data).toHaveLength(1);
    await gateway.keys.flush();
    const refused = await small.embeddings.create({ model: 'embed', input: 'a much longer input than five tokens can ever hold', encoding_format: 'float' }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(OpenAI.RateLimitError);
    expect((refused as Error).message).toMatch(/insufficient_quota/);
  });

  it('names the field of a bad body', async () => {
    const response = await fetch(`${baseUrl}/v1/embeddings`, {
      method: 'POST',
      headers: { authorization: `Bearer ${APP_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'embed', input: ['ok', ''], encoding_format: 'float' }),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { param: string | null; message: string } }).error).toMatchObject({ param: 'input[1]' });
    const tokens = await fetch(`${baseUrl}/v1/embeddings`, {
      method: 'POST',
      headers: { authorization: `Bearer ${APP_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'embed', input: [1, 2, 3], encoding_format: 'float' }),
    });
    expect(tokens.status).toBe(400);
    expect(((await tokens.json()) as { error: { message: string } }).error.message).toMatch(/token arrays are not supported/);
  });
});
