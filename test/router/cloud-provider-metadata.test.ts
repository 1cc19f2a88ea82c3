/**
 * `providerMetadata` from the cloud adapters, answers and streams: Bedrock's entry holds the answer's
 * id, its raw stop reason and Bedrock's request id (`x-amzn-requestid`); Vertex AI's (Anthropic and
 * Gemini models) the id and raw finish reason, and no headers (Vertex documents no request id of
 * its own). Neither ever carries the credential.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRouter } from '../../src/create-router.js';
import type { Router } from '../../src/router/router.js';
import { startSimulator, type Simulator } from '../../src/testing/simulator.js';
import type { ChatRequest, ChatResponse } from '../../src/types.js';
import { FAST_POLICIES } from '../support/sim-config.js';

const TOKEN = 'cloud-metadata-token-sim-000000000';
let simulator: Simulator;
let router: Router;

beforeAll(async () => {
  simulator = await startSimulator({ seed: 13, apiKey: TOKEN });
  router = createRouter({
    providers: {
      aws: { type: 'bedrock', apiKey: TOKEN, region: 'us-east-1', baseUrl: simulator.url },
      gcp: { type: 'vertex', apiKey: TOKEN, project: 'sim-project', region: 'us-east5', baseUrl: simulator.url },
    },
    routes: {
      bedrock: { targets: [{ provider: 'aws', model: 'anthropic.claude-sonnet-4-5-20250929-v1:0' }] },
      vertexClaude: { targets: [{ provider: 'gcp', model: 'claude-sonnet-4-5@20250929' }] },
      vertexGemini: { targets: [{ provider: 'gcp', model: 'gemini-2.5-pro' }] },
    },
    policies: { ...FAST_POLICIES, retry: { ...FAST_POLICIES.retry, attempts: 1 } },
  });
});
afterAll(async () => {
  await router.close();
  await simulator.close();
});
afterEach(() => simulator.reset());

const ask = (model: string): ChatRequest => ({ model, messages: [{ role: 'user', content: 'hello metadata' }] });

async function answer(mode: 'chat' | 'stream', request: ChatRequest): Promise<ChatResponse> {
  if (mode === 'chat') return router.chat(request);
  for await (const event of router.stream(request)) if (event.type === 'finish') return event.response;
  throw new Error('no finish event');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe.each(['chat', 'stream'] as const)('providerMetadata of the cloud adapters (%s)', (mode) => {
  it('bedrock: response id, raw stop reason and the x-amzn-requestid header', async () => {
    const response = await answer(mode, ask('bedrock'));
    expect(response.providerMetadata).toEqual({
      bedrock: { responseId: response.id, rawFinishReason: 'end_turn', headers: { 'x-amzn-requestid': expect.stringMatching(UUID) as unknown } },
    });
    expect(JSON.stringify(response.providerMetadata)).not.toContain(TOKEN);
  });

  it('vertex, Anthropic model: response id and raw stop reason, no headers', async () => {
    const response = await answer(mode, ask('vertexClaude'));
    expect(response.providerMetadata).toEqual({ vertex: { responseId: response.id, rawFinishReason: 'end_turn' } });
  });

  it('vertex, Gemini model: raw finish reason, no headers', async () => {
    const response = await answer(mode, ask('vertexGemini'));
    expect(response.providerMetadata?.vertex).toMatchObject({ rawFinishReason: 'STOP' });
    expect(response.providerMetadata?.vertex?.headers).toBeUndefined();
    expect(JSON.stringify(response.providerMetadata)).not.toContain(TOKEN);
  });
});
