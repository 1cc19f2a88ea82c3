/**
 * Citations and cache-write lifetimes through the gateway, called with the official
 * `@anthropic-ai/sdk`: `document` blocks with `citations: { enabled: true }`, `title` and `context`
 * reach the (simulated) Anthropic API, which cites the document as the citations guide shows
 * (https://platform.claude.com/docs/en/build-with-claude/citations); answers carry the citations
 * on their text blocks, whole and streamed (`citations_delta`), and a cited turn sent back reaches
 * the upstream with its citations. Usage carries `cache_creation` split by lifetime.
 */
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../../src/gateway/create-gateway.js';
import { startSimulator, type Simulator } from '../../src/testing/simulator.js';
import { simConfig } from '../support/sim-config.js';

// (Key values share no 8-character run with words in error messages: those runs would be redacted.)
const APP_KEY = 'sy-cit0123456789abcdefghijklmnopqrstuvwxyzA';

let simulator: Simulator;
let gateway: Gateway;
let client: Anthropic;

beforeAll(async () => {
  simulator = await startSimulator();
  gateway = await createGateway(
    simConfig(simulator, {
      routes: { claude: { targets: [{ provider: 'anthropic', model: 'claude-sonnet-4-5' }] }, gpt: { targets: [{ provider: 'openai', model: 'gpt-4o' }] } },
      gateway: { store: { url: 'sqlite::memory:' }, port: 0, keys: [{ name: 'app', key: APP_KEY }] },
    }),
    { log: () => undefined },
  );
  client = new Anthropic({ baseURL: await gateway.listen(), apiKey: APP_KEY, maxRetries: 0 });
});

afterAll(async () => {
  await gateway.close();
  await simulator.close();
});

/** The request the simulator received last, as JSON. */
function lastUpstreamBody(): Record<string, unknown> {
  return simulator.requests.at(-1)?.body as Record<string, unknown>;
}

const FACTS = 'The grass is green. The sky is blue.';
const QUESTION = 'What colour is the grass?';
const document: Anthropic.DocumentBlockParam = {
  type: 'document',
  source: { type: 'text', media_type: 'text/plain', data: FACTS },
  title: 'Facts',
  context: 'A field guide',
  citations: { enabled: true },
};
const userTurn: Anthropic.MessageParam = { role: 'user', content: [document, { type: 'text', text: QUESTION }] };

/** The citation the simulator answers with, as the SDK's `CitationCharLocation` has it. */
const CITATION = { type: 'char_location', cited_text: 'The grass is green.', document_index: 0, document_title: 'Facts', start_char_index: 0, end_char_index: 19, file_id: null };
/** The simulator cites from the answer's second word on: the first is a plain block. */
const [PLAIN, CITED] = ['Echo: ', QUESTION];

describe('citations through the Anthropic ingress', () => {
  it('sends title, context and citations.enabled upstream, and answers cited text blocks in Anthropic’s shape', async () => {
    const message = await client.messages.create({ model: 'claude', max_tokens: 200, messages: [userTurn] });
    const upstreamDocument = (lastUpstreamBody()['messages'] as { content: unknown[] }[])[0]?.content[0];
    expect(upstreamDocument).toEqual({ type: 'document', source: { type: 'text', media_type: 'text/plain', data: FACTS }, title: 'Facts', context: 'A field guide', citations: { enabled: true } });
    expect(message.content).toEqual([
      { type: 'text', text: PLAIN },
      { type: 'text', text: CITED, citations: [CITATION] },
    ]);
  });

  it('answers uncited text as one block without citations when the client did not ask for them', async () => {
    const message = await client.messages.create({ model: 'claude', max_tokens: 200, messages: [{ role: 'user', content: [{ ...document, citations: { enabled: false } }, { type: 'text', text: QUESTION }] }] });
    expect(message.content).toEqual([{ type: 'text', text: `Echo: ${QUESTION}` }]);
  });

  it('streams citations_delta after the cited text, which the SDK’s MessageStream assembles', async () => {
    const stream = client.messages.stream({ model: 'claude', max_tokens: 200, messages: [userTurn] });
    const events: string[] = [];
    const cited: unknown[] = [];
    stream.on('streamEvent', (event) => events.push(event.type === 'content_block_delta' ? `delta:${event.delta.type}` : event.type === 'content_block_start' ? `start:${event.content_block.type}` : event.type));
    stream.on('citation', (citation) => cited.push(citation));
    const final = await stream.finalMessage();
    const textDeltas = events.filter((event) => event === 'delta:text_delta').length;
    expect(textDeltas).toBeGreaterThan(1);
    expect(events).toEqual(['message_start', 'start:text', ...Array<string>(textDeltas).fill('delta:text_delta'), 'delta:citations_delta', 'content_block_stop', 'message_delta', 'message_stop']);
    expect(cited).toEqual([CITATION]);
    // The router reports citations when the cited block ends, so the plain opening shares its block (docs/gateway.md).
    expect(final.content).toEqual([{ type: 'text', text: `${PLAIN}${CITED}`, citations: [CITATION] }]);
  });

  it('sends a cited answer back upstream with its citations in the next turn', async () => {
    const first = await client.messages.create({ model: 'claude', max_tokens: 200, messages: [userTurn] });
    const second = await client.messages.create({ model: 'claude', max_tokens: 200, messages: [userTurn, { role: 'assistant', content: first.content }, { role: 'user', content: 'And the sky?' }] });
    expect(second.content.at(-1)).toMatchObject({ type: 'text' });
    const assistantTurn = (lastUpstreamBody()['messages'] as { content: unknown[] }[])[1];
    // The request shape of a citation has no `file_id` (the SDK's `CitationCharLocationParam`).
    const { file_id: _fileId, ...param } = CITATION;
    expect(assistantTurn?.content).toEqual([
      { type: 'text', text: PLAIN },
      { type: 'text', text: CITED, citations: [param] },
    ]);
  });

  it('shows an Anthropic client no citations made by another provider (they have no Messages API shape)', async () => {
    // The simulator's OpenAI endpoint cites a web page when asked for web search.
    const request = {
      model: 'gpt',
      max_tokens: 100,
      messages: [{ role: 'user' as const, content: 'Search the web for it.' }],
      provider_options: { openai: { web_search_options: {} } },
    };
    const message = await client.messages.create({ ...request, stream: false } as unknown as Anthropic.MessageCreateParamsNonStreaming);
    expect(message.content.length).toBeGreaterThan(0);
    for (const block of message.content) expect(block.type === 'text' ? block.citations ?? null : null).toBeNull();
    const streamed = await client.messages.stream(request).finalMessage();
    for (const block of streamed.content) expect(block.type === 'text' ? block.citations ?? null : null).toBeNull();
    // The upstream did cite: the gateway dropped it rather than inventing an Anthropic shape.
    expect(JSON.stringify(simulator.requests.at(-1)?.body)).toContain('web_search_options');
  });

  it('refuses malformed citations on a text block sent back, naming the field', async () => {
    const refused = await client.messages
      .create({ model: 'claude', max_tokens: 200, messages: [userTurn, { role: 'assistant', content: [{ type: 'text', text: 'x', citations: [{ cited_text: 'x' } as unknown as Anthropic.TextCitationParam] }] }, { role: 'user', content: 'more' }] })
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(Anthropic.BadRequestError);
    expect((refused as Error).message).toMatch(/messages\[1\]\.content\[0\]\.citations\[0\]\.type/);
  });
});

describe('cache writes by lifetime', () => {
  const cachedRequest = (stream: boolean): Anthropic.MessageCreateParams => ({
    model: 'claude',
    max_tokens: 50,
    stream,
    system: [{ type: 'text', text: 'You are a careful assistant. '.repeat(40), cache_control: { type: 'ephemeral', ttl: '1h' } }],
    messages: [{ role: 'user', content: `cache me ${String(stream)}` }],
  });

  it('reports cache_creation with the 1-hour writes apart, whole and in the stream’s message_delta', async () => {
    const message = await client.messages.create({ ...cachedRequest(false), stream: false });
    const written = message.usage.cache_creation_input_tokens ?? 0;
    expect(written).toBeGreaterThan(0);
    expect(message.usage.cache_creation).toEqual({ ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: written });

    // A second system prompt, so the stream's call writes rather than reads.
    const stream = client.messages.stream({ ...cachedRequest(true), system: [{ type: 'text', text: 'You are a quick assistant. '.repeat(40), cache_control: { type: 'ephemeral', ttl: '1h' } }] });
    let deltaUsage: Anthropic.MessageDeltaUsage | undefined;
    stream.on('streamEvent', (event) => {
      if (event.type === 'message_delta') deltaUsage = event.usage;
    });
    await stream.finalMessage();
    const streamed = deltaUsage?.cache_creation_input_tokens ?? 0;
    expect(streamed).toBeGreaterThan(0);
    expect((deltaUsage as unknown as { cache_creation?: unknown }).cache_creation).toEqual({ ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: streamed });
  });

  it('leaves cache_creation out when nothing was written, or the upstream does not count writes', async () => {
    const claude = await client.messages.create({ model: 'claude', max_tokens: 50, messages: [{ role: 'user', content: 'no breakpoints' }] });
    expect(claude.usage.cache_creation_input_tokens).toBe(0);
    expect(claude.usage).not.toHaveProperty('cache_creation');
    const gpt = await client.messages.create({ model: 'gpt', max_tokens: 50, messages: [{ role: 'user', content: 'no breakpoints' }] });
    expect(gpt.usage).not.toHaveProperty('cache_creation');
    expect(gpt.usage).not.toHaveProperty('cache_creation_input_tokens');
  });
});
