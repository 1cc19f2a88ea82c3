/**
 * Gateway fidelity, through the official `openai` and `@anthropic-ai/sdk` clients over real
 * sockets against the simulator: `provider_options` passed to the provider (and what the gateway
 * refuses in it), what served an answer told in headers and on a stream's last event, DeepSeek-style
 * `reasoning_content` on the OpenAI ingress, and quota reservations that count images and PDFs.
 */
import { deflateSync } from 'node:zlib';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../../src/gateway/create-gateway.js';
import { startSimulator, type Simulator } from '../../src/testing/simulator.js';
import { simConfig } from '../support/sim-config.js';

// (Key values share no 8-character run with words in error messages: those runs would be redacted.)
const APP_KEY = 'sy-fid0123456789abcdefghijklmnopqrstuvwxyzA';
/** Room for a short text call or a small image, not for a large image. */
const TIGHT_KEY = 'sy-tgt0123456789abcdefghijklmnopqrstuvwxyzB';
/** Room for a one-page PDF, not for a two-page one. */
const PDF_KEY = 'sy-pdf0123456789abcdefghijklmnopqrstuvwxyzC';
/** A key whose ledger the admin API is asked about. */
const LEDGER_KEY = 'sy-ldg0123456789abcdefghijklmnopqrstuvwxyzD';
const ADMIN_KEY = 'admin-fidelity-0123456789abcdefghijkl';

let simulator: Simulator;
let gateway: Gateway;
let baseUrl: string;

beforeAll(async () => {
  simulator = await startSimulator();
  gateway = await createGateway(
    simConfig(simulator, {
      routes: {
        sonnet: { targets: [{ provider: 'anthropic', model: 'claude-sonnet-4-5' }] },
        gpt: { targets: [{ provider: 'openai', model: 'gpt-4o' }] },
        reasoner: { targets: [{ provider: 'openai', model: 'o3-mini' }] },
      },
      gateway: {
        adminKey: ADMIN_KEY,
        cors: { origins: ['https://app.example'] },
        store: { url: 'sqlite::memory:' },
        port: 0,
        keys: [
          { name: 'app', key: APP_KEY },
          { name: 'tight', key: TIGHT_KEY, quota: { tokens: 1_000 } },
          { name: 'pdf', key: PDF_KEY, quota: { tokens: 6_000 } },
          { name: 'ledger', key: LEDGER_KEY },
        ],
      },
    }),
    { log: () => undefined },
  );
  baseUrl = await gateway.listen();
});

afterAll(async () => {
  await gateway.close();
  await simulator.close();
});

function openai(key = APP_KEY): OpenAI {
  return new OpenAI({ baseURL: `${baseUrl}/v1`, apiKey: key, maxRetries: 0 });
}

function anthropic(key = APP_KEY): Anthropic {
  return new Anthropic({ baseURL: baseUrl, apiKey: key, maxRetries: 0 });
}

/** The body the simulator received last. */
function lastUpstreamBody(): Record<string, unknown> {
  return simulator.requests.at(-1)?.body as Record<string, unknown>;
}

/** The rejection of a promise expected to fail. */
async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (error: unknown) => error,
  );
}

describe('provider_options', () => {
  it('reaches the provider that serves the call, from the openai client', async () => {
    await openai().chat.completions.create({
      model: 'gpt',
      messages: [{ role: 'user', content: 'hi' }],
      // @ts-expect-error -- the gateway's own field, sent as an undocumented parameter
      provider_options: { openai: { seed: 7, logit_bias: { '50256': -100 } }, anthropic: { top_k: 3 } },
    });
    const body = lastUpstreamBody();
    expect(body['seed']).toBe(7);
    expect(body['logit_bias']).toEqual({ '50256': -100 });
    // Only the serving provider's entry is sent.
    expect(body).not.toHaveProperty('top_k');
  });

  it('reaches the provider that serves the call, from the anthropic client', async () => {
    await anthropic().messages.create({
      model: 'sonnet',
      max_tokens: 50,
      messages: [{ role: 'user', content: 'hi' }],
      // @ts-expect-error -- the gateway's own field, sent as an undocumented parameter
      provider_options: { anthropic: { top_k: 3 } },
    });
    expect(lastUpstreamBody()['top_k']).toBe(3);
  });

  it.each([
    [{ openai: { max_tokens: 100_000 } }, 'provider_options.openai.max_tokens'],
    [{ openai: { n: 4 } }, 'provider_options.openai.n'],
    [{ openai: { service_tier: 'priority' } }, 'provider_options.openai.service_tier'],
    [{ anthropic: { thinking: { type: 'enabled', budget_tokens: 50_000 } } }, 'provider_options.anthropic.thinking'],
    [{ gemini: { generationConfig: { maxOutputTokens: 100_000 } } }, 'provider_options.gemini.generationConfig.maxOutputTokens'],
    [{ bedrock: { inferenceConfig: { maxTokens: 100_000 } } }, 'provider_options.bedrock.inferenceConfig.maxTokens'],
    [{ bedrock: { additionalModelRequestFields: { thinking: { type: 'enabled', budget_tokens: 60_000 } } } }, 'provider_options.bedrock.additionalModelRequestFields.thinking'],
    [{ openai: { background: true } }, 'provider_options.openai.background'],
    [{ openai: { previous_response_id: 'resp_1' } }, 'provider_options.openai.previous_response_id'],
    [{ gemini: { cachedContent: 'cachedContents/abc' } }, 'provider_options.gemini.cachedContent'],
    [{ openai: { stream: true } }, 'provider_options.openai.stream'],
    [{ openai: { messages: [] } }, 'provider_options.openai.messages'],
    [{ openai: 'seed=7' }, 'provider_options.openai'],
    ['everything', 'provider_options'],
  ])('refuses %j with a 400 naming %s', async (options, field) => {
    const error = await failure(
      openai().chat.completions.create({
        model: 'gpt',
        messages: [{ role: 'user', content: 'hi' }],
        // @ts-expect-error -- the gateway's own field, sent as an undocumented parameter
        provider_options: options,
      }),
    );
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).param).toBe(field);
    expect((error as Error).message).toContain(field);
  });

  it('refuses a key that would set a body’s prototype', async () => {
    const response = await fetch(`${baseUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${APP_KEY}`, 'content-type': 'application/json' },
      body: '{"model":"gpt","messages":[{"role":"user","content":"hi"}],"provider_options":{"openai":{"__proto__":{"seed":7}}}}',
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { param: string } }).error.param).toBe('provider_options.openai.__proto__');
  });

  it('refuses gateway-controlled fields from the anthropic client too, in its error shape', async () => {
    const error = await failure(
      anthropic().messages.create({
        model: 'sonnet',
        max_tokens: 50,
        messages: [{ role: 'user', content: 'hi' }],
        // @ts-expect-error -- the gateway's own field, sent as an undocumented parameter
        provider_options: { anthropic: { max_tokens: 64_000 } },
      }),
    );
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect((error as Error).message).toContain('provider_options.anthropic.max_tokens');
  });
});

describe('what served the answer', () => {
  it('is in the headers of a whole answer, with the upstream request and response ids', async () => {
    const { data, response } = await openai().chat.completions.create({ model: 'sonnet', messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    expect(data.choices[0]?.message.content).toBe('Echo: hi');
    expect(response.headers.get('x-switchyard-route')).toBe('sonnet');
    expect(response.headers.get('x-switchyard-provider')).toBe('anthropic');
    expect(response.headers.get('x-switchyard-model')).toBe('claude-sonnet-4-5');
    expect(response.headers.get('x-switchyard-upstream-request-id')).toMatch(/^req_/);
    expect(response.headers.get('x-switchyard-upstream-response-id')).toMatch(/^msg_/);
    expect(response.headers.get('x-switchyard-upstream-finish-reason')).toBe('end_turn');
    // The upstream's rate-limit headers are the gateway's business, not its clients'.
    expect([...response.headers.keys()].filter((name) => name.includes('ratelimit'))).toEqual([]);
  });

  it('is readable by a browser’s script: the headers are exposed to CORS callers', async () => {
    const response = await fetch(`${baseUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${APP_KEY}`, 'content-type': 'application/json', origin: 'https://app.example' },
      body: JSON.stringify({ model: 'gpt', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(response.status).toBe(200);
    const exposed = (response.headers.get('access-control-expose-headers') ?? '').split(', ');
    expect(exposed).toEqual(expect.arrayContaining(['x-switchyard-provider', 'x-switchyard-model', 'x-switchyard-upstream-request-id', 'x-request-id']));
    expect(response.headers.get('x-switchyard-provider')).toBe('openai');
  });

  it('is in the anthropic client’s headers too', async () => {
    const { response } = await anthropic().messages.create({ model: 'gpt', max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    expect(response.headers.get('x-switchyard-provider')).toBe('openai');
    expect(response.headers.get('x-switchyard-upstream-request-id')).toMatch(/^req_/);
    expect(response.headers.get('x-switchyard-upstream-finish-reason')).toBe('stop');
  });

  it('is the switchyard field of an openai stream’s finish chunk, which the SDK passes through', async () => {
    const stream = await openai().chat.completions.create({ model: 'sonnet', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'hi' }] });
    const chunks: ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    const finish: (ChatCompletionChunk & { switchyard?: unknown }) | undefined = chunks.find((chunk) => chunk.choices[0]?.finish_reason !== null && chunk.choices[0]?.finish_reason !== undefined);
    expect(finish?.switchyard).toMatchObject({ route: 'sonnet', provider: 'anthropic', model: 'claude-sonnet-4-5', upstream_request_id: expect.stringMatching(/^req_/), upstream_finish_reason: 'end_turn' });
    expect(chunks.at(-1)?.usage?.total_tokens).toBeGreaterThan(0);
  });

  it('is the switchyard field of an anthropic stream’s message_delta, and MessageStream still assembles the message', async () => {
    const stream = anthropic().messages.stream({ model: 'gpt', max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] });
    let facts: unknown;
    stream.on('streamEvent', (event) => {
      if (event.type === 'message_delta') facts = (event as typeof event & { switchyard?: unknown }).switchyard;
    });
    const message = await stream.finalMessage();
    expect(message.content).toMatchObject([{ type: 'text', text: 'Echo: hi' }]);
    expect(message.stop_reason).toBe('end_turn');
    expect(facts).toMatchObject({ route: 'gpt', provider: 'openai', model: 'gpt-4o', upstream_request_id: expect.stringMatching(/^req_/) });
  });
});

describe('reasoning on the OpenAI ingress', () => {
  it('answers the reasoning text as message.reasoning_content, which the openai client keeps', async () => {
    const completion = await openai().chat.completions.create({ model: 'sonnet', reasoning_effort: 'low', messages: [{ role: 'user', content: 'why' }] });
    const message: { content: string | null; reasoning_content?: string } | undefined = completion.choices[0]?.message;
    expect(message?.reasoning_content).toBe('Thinking about "why" before answering.');
    expect(message?.content).toBe('Echo: why');
  });

  it('streams it as delta.reasoning_content, and the SDK’s stream helper still assembles the answer', async () => {
    const stream = openai().chat.completions.stream({ model: 'sonnet', reasoning_effort: 'low', messages: [{ role: 'user', content: 'why' }] });
    let reasoning = '';
    stream.on('chunk', (chunk) => {
      reasoning += (chunk.choices[0]?.delta as { reasoning_content?: string } | undefined)?.reasoning_content ?? '';
    });
    const completion = await stream.finalChatCompletion();
    expect(reasoning).toBe('Thinking about "why" before answering.');
    expect(completion.choices[0]?.message.content).toBe('Echo: why');
  });
});

/** A real PNG of `width` × `height` black pixels (grayscale), so its header says its size. */
function png(width: number, height: number): string {
  const chunk = (type: string, data: Buffer): Buffer => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    return Buffer.concat([length, Buffer.from(type, 'latin1'), data, Buffer.alloc(4)]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 0; // grayscale
  const rows = Buffer.alloc((width + 1) * height); // a filter byte and the pixels, per row
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0))]).toString('base64');
}

/** A PDF with `pages` empty pages. */
function pdf(pages: number): string {
  const kids = Array.from({ length: pages }, (_, index) => `${index + 3} 0 R`).join(' ');
  const pageObjects = Array.from({ length: pages }, (_, index) => `${index + 3} 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >> endobj\n`).join('');
  return Buffer.from(`%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [${kids}] /Count ${pages} >> endobj\n${pageObjects}trailer << /Root 1 0 R >>\n%%EOF\n`).toString('base64');
}

describe('quota reservations for images and documents', () => {
  const imageCall = (data: string): Anthropic.MessageCreateParamsNonStreaming => ({
    model: 'sonnet',
    max_tokens: 50,
    messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data } }, { type: 'text', text: 'what is it' }] }],
  });
  const pdfCall = (data: string): Anthropic.MessageCreateParamsNonStreaming => ({
    model: 'sonnet',
    max_tokens: 50,
    messages: [{ role: 'user', content: [{ type: 'document', source: { type: 'base64', media_type: 'application/pdf', data } }, { type: 'text', text: 'summarise' }] }],
  });

  it('admits a short text call and a small image (a 64×64 image is ~6 tokens on Claude) under a tight quota', async () => {
    await anthropic(TIGHT_KEY).messages.create({ model: 'sonnet', max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] });
    const answer = await anthropic(TIGHT_KEY).messages.create(imageCall(png(64, 64)));
    expect(answer.content[0]).toMatchObject({ type: 'text' });
  });

  it('refuses a large image the quota cannot hold (4000×3000: ~1,600 tokens on Claude)', async () => {
    const error = await failure(anthropic(TIGHT_KEY).messages.create(imageCall(png(4_000, 3_000))));
    expect(error).toBeInstanceOf(Anthropic.RateLimitError);
    expect((error as Error).message).toContain('insufficient_quota');
  });

  it('counts a PDF by its pages: one page fits a 6,000-token quota, two pages do not', async () => {
    const answer = await anthropic(PDF_KEY).messages.create(pdfCall(pdf(1)));
    expect(answer.content[0]).toMatchObject({ type: 'text' });
    const error = await failure(anthropic(PDF_KEY).messages.create(pdfCall(pdf(2))));
    expect(error).toBeInstanceOf(Anthropic.RateLimitError);
    expect((error as Error).message).toMatch(/it may need up to \d{4,} tokens/);
  });
});

describe('the ledger', () => {
  interface UsageTotals {
    readonly calls: number;
    readonly cachedTokens: number;
    readonly cacheWriteTokens: number;
    readonly reasoningTokens: number;
  }

  async function usageOf(name: string): Promise<{ rows: (UsageTotals & { model: string })[]; totals: UsageTotals }> {
    const headers = { authorization: `Bearer ${ADMIN_KEY}` };
    const keys = (await (await fetch(`${baseUrl}/admin/keys`, { headers })).json()) as { data: { id: string; name: string }[] };
    const id = keys.data.find((key) => key.name === name)?.id ?? '';
    return (await (await fetch(`${baseUrl}/admin/keys/${id}/usage`, { headers })).json()) as { rows: (UsageTotals & { model: string })[]; totals: UsageTotals };
  }

  it('records cache writes, cache reads and reasoning tokens, and the admin API reports them', async () => {
    const manual = Array.from({ length: 40 }, (_, index) => `article${index}`).join(' ');
    const ask = (question: string): Promise<Anthropic.Message> =>
      anthropic(LEDGER_KEY).messages.create({ model: 'sonnet', max_tokens: 64, system: [{ type: 'text', text: manual, cache_control: { type: 'ephemeral' } }], messages: [{ role: 'user', content: question }] });
    expect((await ask('first')).usage.cache_creation_input_tokens).toBe(40);
    expect((await ask('second')).usage.cache_read_input_tokens).toBe(40);
    const reasoned = await openai(LEDGER_KEY).chat.completions.create({ model: 'reasoner', reasoning_effort: 'low', messages: [{ role: 'user', content: 'why is the sky blue' }] });
    const reasoningTokens = reasoned.usage?.completion_tokens_details?.reasoning_tokens ?? 0;
    expect(reasoningTokens).toBeGreaterThan(0);

    // Settlements are written after the answers: wait for all three.
    await expect.poll(async () => (await usageOf('ledger')).totals.calls).toBe(3);
    const { rows, totals } = await usageOf('ledger');
    expect(totals).toMatchObject({ cacheWriteTokens: 40, cachedTokens: 40, reasoningTokens });
    expect(rows.find((row) => row.model === 'anthropic/claude-sonnet-4-5')).toMatchObject({ calls: 2, cacheWriteTokens: 40, cachedTokens: 40, reasoningTokens: 0 });
    expect(rows.find((row) => row.model === 'openai/o3-mini')).toMatchObject({ calls: 1, cacheWriteTokens: 0, reasoningTokens });
  });
});
