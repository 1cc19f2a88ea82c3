/**
 * Reasoning through the gateway, called the way its users call it: the official
 * `@anthropic-ai/sdk` with `thinking` (whole and streamed answers, then the thinking block sent back
 * in a tool loop, which the simulated Anthropic API checks as Anthropic does), and the official
 * `openai` client with `reasoning_effort` on a reasoning model; the quota reservation of a
 * thinking call holds its thinking budget.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../../src/gateway/create-gateway.js';
import { startSimulator, type Simulator } from '../../src/testing/simulator.js';
import { simConfig } from '../support/sim-config.js';

// (Key values share no 8-character run with words in error messages: those runs would be redacted.)
const APP_KEY = 'sy-rsn0123456789abcdefghijklmnopqrstuvwxyzA';
/** A key whose quota fits a 100-token answer but not a 1,024-token thinking budget on top. */
const SMALL_KEY = 'sy-sq0123456789abcdefghijklmnopqrstuvwxyzAB';

let simulator: Simulator;
let gateway: Gateway;
let baseUrl: string;

beforeAll(async () => {
  simulator = await startSimulator();
  gateway = await createGateway(
    simConfig(simulator, {
      routes: {
        thinker: { targets: [{ provider: 'anthropic', model: 'claude-sonnet-4-5' }] },
        reasoner: { targets: [{ provider: 'openai', model: 'o3-mini' }] },
      },
      gateway: {
        store: { url: 'sqlite::memory:' },
        port: 0,
        keys: [
          { name: 'app', key: APP_KEY },
          { name: 'small', key: SMALL_KEY, quota: { tokens: 600 } },
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

const weatherTool: Anthropic.Tool = { name: 'weather', description: 'The weather in a city', input_schema: { type: 'object', properties: { query: { type: 'string' } } } };

function anthropicClient(key = APP_KEY): Anthropic {
  return new Anthropic({ baseURL: baseUrl, apiKey: key, maxRetries: 0 });
}

/** The request the simulator received last, as JSON. */
function lastUpstreamBody(): Record<string, unknown> {
  return simulator.requests.at(-1)?.body as Record<string, unknown>;
}

describe('the Anthropic ingress with thinking', () => {
  it('sends thinking upstream and answers a signed thinking block before the text', async () => {
    const message = await anthropicClient().messages.create({
      model: 'thinker',
      max_tokens: 2000,
      thinking: { type: 'enabled', budget_tokens: 1024 },
      messages: [{ role: 'user', content: 'why is the sky blue' }],
    });
    expect(lastUpstreamBody()['thinking']).toEqual({ type: 'enabled', budget_tokens: 1024 });
    expect(message.content.map((block) => block.type)).toEqual(['thinking', 'text']);
    const thinking = message.content[0] as Anthropic.ThinkingBlock;
    expect(thinking.thinking).toBe('Thinking about "why is the sky blue" before answering.');
    expect(thinking.signature).not.toBe('');
    expect((message.content[1] as Anthropic.TextBlock).text).toBe('Echo: why is the sky blue');
  });

  it('sends no thinking upstream when the client asked for none', async () => {
    const message = await anthropicClient().messages.create({ model: 'thinker', max_tokens: 100, messages: [{ role: 'user', content: 'plain' }] });
    expect(lastUpstreamBody()['thinking']).toBeUndefined();
    expect(message.content.map((block) => block.type)).toEqual(['text']);
  });

  it('carries the thinking block back through a tool loop, and a changed one is refused upstream', async () => {
    const client = anthropicClient();
    const first = await client.messages.create({
      model: 'thinker',
      max_tokens: 2000,
      thinking: { type: 'enabled', budget_tokens: 1024 },
      tools: [weatherTool],
      messages: [{ role: 'user', content: '!tool Paris' }],
    });
    expect(first.stop_reason).toBe('tool_use');
    expect(first.content.map((block) => block.type)).toEqual(['thinking', 'tool_use']);
    const toolUse = first.content[1] as Anthropic.ToolUseBlock;
    const history = (content: Anthropic.ContentBlockParam[]): Anthropic.MessageParam[] => [
      { role: 'user', content: '!tool Paris' },
      { role: 'assistant', content },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: toolUse.id, content: 'sunny, 21 °C' }] },
    ];
    const second = await client.messages.create({ model: 'thinker', max_tokens: 2000, thinking: { type: 'enabled', budget_tokens: 1024 }, tools: [weatherTool], messages: history(first.content) });
    expect(second.stop_reason).toBe('end_turn');
    // The upstream got thinking on, and the assistant turn starting with the very block it signed.
    const upstream = lastUpstreamBody();
    expect(upstream['thinking']).toEqual({ type: 'enabled', budget_tokens: 1024 });
    const assistantTurn = (upstream['messages'] as { content: unknown[] }[])[1];
    expect(assistantTurn?.content[0]).toEqual(first.content[0]);

    const thinking = first.content[0] as Anthropic.ThinkingBlock;
    const changed = await client.messages
      .create({ model: 'thinker', max_tokens: 2000, thinking: { type: 'enabled', budget_tokens: 1024 }, tools: [weatherTool], messages: history([{ ...thinking, thinking: 'something else' }, toolUse]) })
      .catch((error: unknown) => error);
    expect(changed).toBeInstanceOf(Anthropic.BadRequestError);
    expect((changed as Error).message).toMatch(/signature/);
  });

  it('streams the thinking block (thinking_delta, signature_delta) before the text, and the stream result loops too', async () => {
    const client = anthropicClient();
    const stream = client.messages.stream({
      model: 'thinker',
      max_tokens: 2000,
      thinking: { type: 'enabled', budget_tokens: 1024 },
      tools: [weatherTool],
      messages: [{ role: 'user', content: '!tool Rome' }],
    });
    const events: string[] = [];
    let thought = '';
    let signature = '';
    // The SDK hands out every event but `ping`.
    stream.on('streamEvent', (event) => events.push(event.type === 'content_block_delta' ? `delta:${event.delta.type}` : event.type === 'content_block_start' ? `start:${event.content_block.type}` : event.type));
    stream.on('thinking', (delta) => (thought += delta));
    stream.on('signature', (value) => (signature = value));
    const final = await stream.finalMessage();
    const deltas = events.filter((event) => event === 'delta:thinking_delta').length;
    expect(deltas).toBeGreaterThan(1);
    // The tool's arguments pass through in the pieces the upstream streamed them in.
    const argumentPieces = events.filter((event) => event === 'delta:input_json_delta').length;
    expect(argumentPieces).toBeGreaterThan(1);
    expect(events).toEqual([
      'message_start',
      'start:thinking',
      ...Array<string>(deltas).fill('delta:thinking_delta'),
      'delta:signature_delta',
      'content_block_stop',
      'start:tool_use',
      ...Array<string>(argumentPieces).fill('delta:input_json_delta'),
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(final.content.map((block) => block.type)).toEqual(['thinking', 'tool_use']);
    const block = final.content[0] as Anthropic.ThinkingBlock;
    expect(block.thinking).toBe(thought);
    expect(block.thinking).toBe('Thinking about "!tool Rome" before answering.');
    expect(block.signature).toBe(signature);

    const toolUse = final.content[1] as Anthropic.ToolUseBlock;
    const next = client.messages.stream({
      model: 'thinker',
      max_tokens: 2000,
      thinking: { type: 'enabled', budget_tokens: 1024 },
      tools: [weatherTool],
      messages: [
        { role: 'user', content: '!tool Rome' },
        { role: 'assistant', content: final.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: toolUse.id, content: 'cloudy' }] },
      ],
    });
    const answer = await next.finalMessage();
    expect(answer.stop_reason).toBe('end_turn');
    expect(answer.content.at(-1)).toMatchObject({ type: 'text' });
    expect(((lastUpstreamBody()['messages'] as { content: unknown[] }[])[1]?.content[0] as { signature?: string }).signature).toBe(signature);
  });

  it('reserves the thinking budget: a key with room for the answer but not for the thinking is refused', async () => {
    const client = anthropicClient(SMALL_KEY);
    const plain = await client.messages.create({ model: 'thinker', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] });
    expect(plain.content[0]).toMatchObject({ type: 'text' });
    await gateway.keys.flush();
    const refused = await client.messages
      .create({ model: 'thinker', max_tokens: 100, thinking: { type: 'enabled', budget_tokens: 1024 }, messages: [{ role: 'user', content: 'hi' }] })
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(Anthropic.RateLimitError);
    // 1,024 thinking + 100 answer + the prompt: more than the 600-token quota.
    expect((refused as Error).message).toMatch(/may need up to 11\d\d tokens.*insufficient_quota/);
  });
});

describe('the OpenAI ingress with reasoning_effort', () => {
  const client = (): OpenAI => new OpenAI({ baseURL: `${baseUrl}/v1`, apiKey: APP_KEY, maxRetries: 0 });

  it('sends reasoning_effort upstream and reports reasoning_tokens in usage', async () => {
    const completion = await client().chat.completions.create({ model: 'reasoner', reasoning_effort: 'low', messages: [{ role: 'user', content: 'think a little' }] });
    expect(lastUpstreamBody()['reasoning_effort']).toBe('low');
    expect(completion.choices[0]?.message.content).toBe('Echo: think a little');
    const reasoningTokens = completion.usage?.completion_tokens_details?.reasoning_tokens ?? 0;
    expect(reasoningTokens).toBeGreaterThan(0);
    expect(completion.usage?.completion_tokens).toBeGreaterThan(reasoningTokens);
  });

  it('reports reasoning_tokens in the include_usage chunk of a stream', async () => {
    const stream = await client().chat.completions.create({
      model: 'reasoner',
      reasoning_effort: 'high',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'think hard' }],
    });
    let usage: OpenAI.CompletionUsage | null | undefined;
    let text = '';
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    expect(lastUpstreamBody()['reasoning_effort']).toBe('high');
    expect(text).toBe('Echo: think hard');
    expect(usage?.completion_tokens_details?.reasoning_tokens).toBeGreaterThan(0);
  });

  it('leaves reasoning out for "none" and refuses an unknown effort naming the field', async () => {
    await client().chat.completions.create({ model: 'reasoner', reasoning_effort: 'none', messages: [{ role: 'user', content: 'no thinking' }] });
    expect(lastUpstreamBody()['reasoning_effort']).toBeUndefined();
    const refused = await client()
      .chat.completions.create({ model: 'reasoner', reasoning_effort: 'enormous' as OpenAI.ReasoningEffort, messages: [{ role: 'user', content: 'x' }] })
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(OpenAI.BadRequestError);
    expect((refused as Error).message).toMatch(/reasoning_effort/);
  });
});
