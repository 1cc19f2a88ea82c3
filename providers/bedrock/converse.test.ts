import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import { createRouter } from '../../src/create-router.js';
import { costOf } from '../../src/pricing.js';
import type { Simulator } from '../../src/testing/simulator.js';
import type { Router } from '../../src/router/router-api.js';
import type { ChatResponse, Message, ToolDefinition } from '../../src/types.js';
import { failure } from '../../test/support/failure.js';
import { useSimulator } from '../../test/support/simulator-fixture.js';

// Bedrock's Converse API through the router, against the simulator's Converse format (SigV4 checked).
const CLAUDE = 'anthropic.claude-sonnet-4-20250514-v1:0';
const NOVA = 'amazon.nova-lite-v1:0';
const SESSION_TOKEN = 'IQoJb3JpZ2luX2VjEJr-converse-session-token-0000';

let simulator: Simulator;
let tests = 0;
let suffix = '';

const fixture = useSimulator({ aws: { accessKeyId: 'AKIASIMCONVERSE00001', secretAccessKey: 'sim/converse+secret+access+key+00000001', sessionToken: SESSION_TOKEN } });
beforeEach(() => {
  ({ simulator } = fixture);
  tests += 1;
  // Faults and prompt-cache entries are per model: models of their own for each test.
  suffix = `-t${tests}`;
  vi.stubEnv('AWS_ACCESS_KEY_ID', simulator.aws.accessKeyId);
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', simulator.aws.secretAccessKey);
  vi.stubEnv('AWS_SESSION_TOKEN', SESSION_TOKEN);
  vi.stubEnv('AWS_REGION', 'us-east-1');
});
afterEach(() => {
  vi.unstubAllEnvs();
});

const claude = (): string => CLAUDE.replace(':0', `${suffix}:0`);
const nova = (): string => NOVA.replace(':0', `${suffix}:0`);

/** A router with one Bedrock provider on the Converse API; routes `claude` and `nova`. */
function converseRouter(): Router {
  const yaml = [
    'providers:',
    '  aws: { type: bedrock, api: converse, region: us-west-2, baseUrl: "${SIM_URL}" }',
    'routes:',
    '  claude: { targets: [{ provider: aws, model: "${CLAUDE}" }] }',
    '  nova: { targets: [{ provider: aws, model: "${NOVA}" }] }',
    'policies:',
    '  retry: { attempts: 1 }',
  ].join('\n');
  return createRouter(parseConfig(yaml, { env: { SIM_URL: simulator.url, CLAUDE: claude(), NOVA: nova() } }));
}

async function streamed(router: Router, request: Parameters<Router['stream']>[0]): Promise<{ text: string; reasoning: string; final: ChatResponse | undefined }> {
  let text = '';
  let reasoning = '';
  let final: ChatResponse | undefined;
  for await (const event of router.stream(request)) {
    if (event.type === 'text-delta') text += event.text;
    if (event.type === 'reasoning-delta') reasoning += event.text;
    if (event.type === 'finish') final = event.response;
  }
  return { text, reasoning, final };
}

const SEARCH: ToolDefinition = { name: 'search', description: 'Searches the web', parameters: { type: 'object', properties: { query: { type: 'string' } }, required: ['query'] } };

describe('bedrock api: converse, through the router', () => {
  it('answers a chat at /converse, signed, with the Converse body', async () => {
    const router = converseRouter();
    try {
      const response = await router.chat({ model: 'claude', system: 'Be brief.', messages: [{ role: 'user', content: 'hello there friend' }], maxTokens: 64, temperature: 0.2, stop: ['END'] });
      expect(response.text).toBe('Echo: hello there friend');
      expect(response.finishReason).toBe('stop');
      expect(response.rawFinishReason).toBe('end_turn');
      expect(response.usage).toMatchObject({ inputTokens: 5, outputTokens: 4, totalTokens: 9 });
      const [record] = simulator.requests;
      expect(record?.format).toBe('bedrock-converse');
      expect(record?.path).toBe(`/model/${encodeURIComponent(claude())}/converse`);
      expect(record?.body).toEqual({
        messages: [{ role: 'user', content: [{ text: 'hello there friend' }] }],
        system: [{ text: 'Be brief.' }],
        inferenceConfig: { maxTokens: 64, temperature: 0.2, stopSequences: ['END'] },
      });
      expect(record?.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIASIMCONVERSE00001\/\d{8}\/us-west-2\/bedrock\/aws4_request/);
      // The response id is Bedrock's request id.
      expect(response.id).toMatch(/^[0-9a-f-]{36}$/);
    } finally {
      await router.close();
    }
  });

  it('serves a non-Anthropic model (Amazon Nova) with the same code, streamed and not', async () => {
    const router = converseRouter();
    try {
      const answer = await router.chat({ model: 'nova', messages: [{ role: 'user', content: 'ping from nova' }] });
      expect(answer.text).toBe('Echo: ping from nova');
      expect(answer.target).toEqual({ provider: 'aws', model: nova() });
      const { text, final } = await streamed(router, { model: 'nova', messages: [{ role: 'user', content: 'one two three' }] });
      expect(text).toBe('Echo: one two three');
      expect(final?.finishReason).toBe('stop');
      expect(final?.usage).toMatchObject({ inputTokens: 3, outputTokens: 4 });
      expect(simulator.requests.map((request) => request.path)).toEqual([`/model/${encodeURIComponent(nova())}/converse`, `/model/${encodeURIComponent(nova())}/converse-stream`]);
      expect(simulator.requests[1]?.headers.accept).toBe('application/vnd.amazon.eventstream');
    } finally {
      await router.close();
    }
  });

  it('runs a tool loop: toolUse streamed in pieces, the result sent back as toolResult, then the answer', async () => {
    const router = converseRouter();
    try {
      const first = await streamed(router, { model: 'claude', messages: [{ role: 'user', content: '!tool weather in Paris' }], tools: [SEARCH], toolChoice: 'required' });
      expect(first.final?.finishReason).toBe('tool_calls');
      const call = first.final?.toolCalls[0];
      expect(call).toMatchObject({ name: 'search', arguments: { query: 'weather in Paris' } });
      expect((simulator.requests[0]?.body as { toolConfig?: unknown }).toolConfig).toEqual({
        tools: [{ toolSpec: { name: 'search', description: 'Searches the web', inputSchema: { json: SEARCH.parameters } } }],
        toolChoice: { any: {} },
      });
      const history: Message[] = [
        { role: 'user', content: '!tool weather in Paris' },
        first.final?.message as Message,
        { role: 'tool', toolCallId: call?.id ?? '', content: 'upstream weather service is down', isError: true },
      ];
      const second = await router.chat({ model: 'claude', messages: history, tools: [SEARCH] });
      expect(second.text).toBe('Echo: upstream weather service is down');
      const sent = simulator.requests[1]?.body as { messages: unknown[] };
      expect(sent.messages[1]).toEqual({ role: 'assistant', content: [{ toolUse: { toolUseId: call?.id, name: 'search', input: { query: 'weather in Paris' } } }] });
      expect(sent.messages[2]).toEqual({ role: 'user', content: [{ toolResult: { toolUseId: call?.id, content: [{ text: 'upstream weather service is down' }], status: 'error' } }] });
    } finally {
      await router.close();
    }
  });

  it('reports prompt-cache reads and writes from cachePoint blocks, and prices them', async () => {
    const router = converseRouter();
    const request = { model: 'claude', system: [{ type: 'text' as const, text: 'A long and stable system prompt with many words in it', cache: true as const }], messages: [{ role: 'user' as const, content: 'first question' }] };
    try {
      const first = await router.chat(request);
      const second = await streamed(router, { ...request, messages: [{ role: 'user', content: 'second question' }] });
      expect((simulator.requests[0]?.body as { system: unknown }).system).toEqual([{ text: 'A long and stable system prompt with many words in it' }, { cachePoint: { type: 'default' } }]);
      // The unified inputTokens count all input: Bedrock's own inputTokens leave the cache out.
      expect(first.usage).toMatchObject({ inputTokens: 13, cacheWriteInputTokens: 11, cacheReadInputTokens: 0 });
      expect(second.final?.usage).toMatchObject({ inputTokens: 13, cacheReadInputTokens: 11, cacheWriteInputTokens: 0 });
      const price = { [`aws/${claude()}`]: { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 } };
      const cost = costOf(price, { provider: 'aws', model: claude() }, second.final?.usage ?? first.usage);
      expect(cost).toBeCloseTo((2 * 3 + 11 * 0.3 + (second.final?.usage.outputTokens ?? 0) * 15) / 1e6, 12);
    } finally {
      await router.close();
    }
  });

  it('asks an Anthropic model for thinking, streams it, and sends the signed reasoning back in a tool loop', async () => {
    const router = converseRouter();
    try {
      const first = await streamed(router, { model: 'claude', messages: [{ role: 'user', content: '!tool rain in Oslo' }], tools: [SEARCH], reasoning: { effort: 'low' }, maxTokens: 500 });
      const sent = simulator.requests[0]?.body as { additionalModelRequestFields?: unknown; inferenceConfig: unknown };
      expect(sent.additionalModelRequestFields).toEqual({ thinking: { type: 'enabled', budget_tokens: 1024 } });
      expect(sent.inferenceConfig).toEqual({ maxTokens: 1524 });
      expect(first.reasoning).toContain('Thinking about');
      const reasoning = first.final?.reasoning ?? [];
      expect(reasoning).toHaveLength(1);
      expect(reasoning[0]).toMatchObject({ provider: 'bedrock', signature: expect.any(String) as string });
      const call = first.final?.toolCalls[0];
      // The simulator refuses reasoning whose signature it did not issue: this passes only if it came back unchanged.
      const second = await router.chat({
        model: 'claude',
        messages: [{ role: 'user', content: '!tool rain in Oslo' }, first.final?.message as Message, { role: 'tool', toolCallId: call?.id ?? '', content: 'light rain' }],
        tools: [SEARCH],
        reasoning: { effort: 'low' },
        maxTokens: 500,
      });
      expect(second.text).toBe('Echo: light rain');
      const history = (simulator.requests[1]?.body as { messages: { content: unknown[] }[] }).messages[1]?.content[0];
      expect(history).toEqual({ reasoningContent: { reasoningText: { text: reasoning[0]?.text, signature: reasoning[0]?.signature } } });
      expect(second.reasoning[0]?.provider).toBe('bedrock');
    } finally {
      await router.close();
    }
  });

  it('returns structured output the schema asked for, parsed into object, streamed and not', async () => {
    const router = converseRouter();
    const schema = { type: 'object', properties: { city: { type: 'string' }, days: { type: 'integer', minimum: 2 } }, required: ['city', 'days'], additionalProperties: false };
    try {
      const answer = await router.chat({ model: 'nova', messages: [{ role: 'user', content: 'plan a trip' }], responseFormat: { type: 'json_schema', schema, name: 'trip' } });
      expect(answer.object).toEqual({ city: expect.any(String) as string, days: 2 });
      expect((simulator.requests[0]?.body as { outputConfig?: unknown }).outputConfig).toEqual({ textFormat: { type: 'json_schema', structure: { jsonSchema: { schema: JSON.stringify(schema), name: 'trip' } } } });
      const { final } = await streamed(router, { model: 'nova', messages: [{ role: 'user', content: 'plan a trip' }], responseFormat: { type: 'json_schema', schema } });
      expect(final?.object).toEqual(answer.object);
    } finally {
      await router.close();
    }
  });

  it.each([
    [429, 'rate_limit', 'ThrottlingException'],
    [503, 'overloaded', 'ServiceUnavailableException'],
    [400, 'invalid_request', 'ValidationException'],
    [403, 'permission', 'AccessDeniedException'],
    [404, 'not_found', 'ResourceNotFoundException'],
    [424, 'server', 'ModelErrorException'],
  ] as const)('maps a %i %s answer (%s)', async (status, category, type) => {
    simulator.enqueueFault(claude(), { kind: 'status', status, retryAfterSeconds: 3 });
    const router = converseRouter();
    try {
      const error = await failure(router.chat({ model: 'claude', messages: [{ role: 'user', content: 'hi' }] }));
      expect([error.category, error.providerCode, error.status]).toEqual([category, type, status]);
    } finally {
      await router.close();
    }
  });

  it('maps an exception inside the stream, after the text that came before it', async () => {
    simulator.enqueueFault(claude(), { kind: 'stream-error', status: 429, afterChunks: 3 });
    const router = converseRouter();
    try {
      let text = '';
      const error = await failure(
        (async () => {
          for await (const event of router.stream({ model: 'claude', messages: [{ role: 'user', content: 'a b c d e f' }] })) if (event.type === 'text-delta') text += event.text;
        })(),
      );
      expect(text).not.toBe('');
      expect([error.category, error.providerCode]).toEqual(['rate_limit', 'ThrottlingException']);
    } finally {
      await router.close();
    }
  });

  it('a cut stream is a network error, never a clean finish', async () => {
    simulator.enqueueFault(claude(), { kind: 'cut-stream', afterChunks: 2 });
    const router = converseRouter();
    try {
      const error = await failure(streamed(router, { model: 'claude', messages: [{ role: 'user', content: 'a b c d e f' }] }));
      expect(error.category).toBe('network');
    } finally {
      await router.close();
    }
  });

  it('refuses an api value of another provider type at its YAML path', () => {
    expect(() => parseConfig(['providers:', '  aws: { type: bedrock, region: us-east-1, api: responses }'].join('\n'))).toThrow(/providers\.aws\.api: "responses" is not an API of type bedrock: expected invoke \| converse \(line 2\)/);
    expect(() => parseConfig(['providers:', '  claude: { type: anthropic, apiKey: k, api: converse }'].join('\n'))).toThrow(/providers\.claude\.api: only for type bedrock or openai/);
    expect(() => parseConfig(['providers:', '  aws: { type: bedrock, region: us-east-1, api: conversation }'].join('\n'))).toThrow(/providers\.aws\.api/);
  });
});
