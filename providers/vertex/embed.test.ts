/**
 * `router.embed()` through Vertex AI's `:predict` over real sockets against the simulator: the wire
 * fields of the Text embeddings API reference, Vertex's token counts in the usage, its per-request
 * instance limits (250; one for `gemini-embedding-001`) and its errors.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createRouter } from '../../src/create-router.js';
import type { Router } from '../../src/router/router-api.js';
import { simulatedEmbedding } from '../../src/testing/formats/embeddings.js';
import { startSimulator, type Simulator } from '../../src/testing/simulator.js';
import { failure } from '../../test/support/failure.js';
import { FAST_POLICIES } from '../../test/support/sim-config.js';
import { parseVertexPredictResponse, vertexEmbeddingInputLimit } from './embed.js';

const PREFIX = '/v1/projects/sim-project/locations/us-central1/publishers/google/models';

let simulator: Simulator;
let router: Router;

beforeAll(async () => {
  simulator = await startSimulator();
  router = createRouter({
    providers: {
      gcp: { type: 'vertex', project: 'sim-project', region: 'us-central1', baseUrl: simulator.url, apiKey: simulator.apiKey },
      claude: { type: 'vertex', project: 'sim-project', region: 'us-central1', baseUrl: simulator.url, apiKey: simulator.apiKey, publisher: 'anthropic' },
    },
    routes: {
      embed: { kind: 'embedding', targets: [{ provider: 'gcp', model: 'text-embedding-005' }] },
      'embed-gemini': { kind: 'embedding', targets: [{ provider: 'gcp', model: 'gemini-embedding-001' }] },
      'embed-claude': { kind: 'embedding', targets: [{ provider: 'claude', model: 'text-embedding-005' }] },
    },
    policies: { ...FAST_POLICIES, retry: { ...FAST_POLICIES.retry, attempts: 1 } },
  });
});
afterAll(async () => {
  await router.close();
  await simulator.close();
});
beforeEach(() => simulator.reset());

describe('Vertex AI embeddings', () => {
  it('sends :predict with instances and parameters, and counts Vertex\'s tokens', async () => {
    const response = await router.embed({ model: 'embed', input: ['the first text', 'a second one here'], dimensions: 16 });
    expect(response.embeddings).toEqual([simulatedEmbedding('the first text', 16), simulatedEmbedding('a second one here', 16)]);
    // statistics.token_count summed (the simulator counts words: 3 + 4), unlike the Gemini API's 0.
    expect(response.usage).toEqual({ inputTokens: 7, totalTokens: 7 });
    const [record] = simulator.requests;
    expect([record?.format, record?.path, record?.headers.authorization]).toEqual(['vertex', `${PREFIX}/text-embedding-005:predict`, `Bearer ${simulator.apiKey}`]);
    expect(record?.body).toEqual({ instances: [{ content: 'the first text' }, { content: 'a second one here' }], parameters: { outputDimensionality: 16, autoTruncate: false } });
    await router.embed({ model: 'embed', input: 'no dimensions' });
    expect(simulator.requests[1]?.body).toEqual({ instances: [{ content: 'no dimensions' }], parameters: { autoTruncate: false } });
  });

  it('splits to 250 instances a request, and to one for gemini-embedding-001', async () => {
    const inputs = Array.from({ length: 260 }, (_, index) => `text number ${index}`);
    const response = await router.embed({ model: 'embed', input: inputs, dimensions: 4 });
    expect(response.embeddings[259]).toEqual(simulatedEmbedding('text number 259', 4));
    expect(simulator.requests.map((request) => (request.body as { instances: unknown[] }).instances.length)).toEqual([250, 10]);
    expect(response.usage.inputTokens).toBe(260 * 3);

    simulator.reset();
    const gemini = await router.embed({ model: 'embed-gemini', input: ['alpha beta', 'gamma', 'delta epsilon zeta'] });
    expect(gemini.embeddings).toEqual([simulatedEmbedding('alpha beta', 3072), simulatedEmbedding('gamma', 3072), simulatedEmbedding('delta epsilon zeta', 3072)]);
    expect(simulator.requests.map((request) => request.path)).toEqual(Array.from({ length: 3 }, () => `${PREFIX}/gemini-embedding-001:predict`));
    expect(gemini.usage.inputTokens).toBe(6);
    expect([vertexEmbeddingInputLimit('gemini-embedding-001'), vertexEmbeddingInputLimit('text-multilingual-embedding-002')]).toEqual([1, 250]);
  });

  it('packs requests under Vertex\'s 20,000 input tokens, the vectors still in input order', async () => {
    // 250 inputs of 200 simulator tokens (words): one request of 250 would be 50,000 tokens, a 400.
    const inputs = Array.from({ length: 250 }, (_, index) => `text ${index} ${'lorem '.repeat(198).trim()}`);
    const response = await router.embed({ model: 'embed', input: inputs, dimensions: 4 });
    expect(response.embeddings).toEqual(inputs.map((input) => simulatedEmbedding(input, 4)));
    expect(response.usage.inputTokens).toBe(250 * 200);
    const sizes = simulator.requests.map((request) => (request.body as { instances: unknown[] }).instances.length);
    expect(sizes.length).toBeGreaterThan(2);
    expect(sizes.reduce((sum, size) => sum + size, 0)).toBe(250);
    for (const size of sizes) expect(size * 200).toBeLessThanOrEqual(20_000);
  });

  it('charges a tpm limit with Vertex\'s token counts (the Gemini API reports none to charge)', async () => {
    const limited = createRouter({
      providers: { gcp: { type: 'vertex', project: 'sim-project', region: 'us-central1', baseUrl: simulator.url, apiKey: simulator.apiKey } },
      routes: { embed: { kind: 'embedding', targets: [{ provider: 'gcp', model: 'text-embedding-005' }] } },
      policies: { ...FAST_POLICIES, retry: { ...FAST_POLICIES.retry, attempts: 1 }, rateLimit: { global: { tpm: 5 }, wait: '0s' } },
    });
    try {
      expect((await limited.embed({ model: 'embed', input: 'one two three four five six' })).usage.inputTokens).toBe(6);
      const refused = await failure(limited.embed({ model: 'embed', input: 'seven' }));
      expect([refused.category, simulator.count('text-embedding-005')]).toEqual(['rate_limit', 1]);
    } finally {
      await limited.close();
    }
  });

  it('an input longer than the model takes is a 400 (autoTruncate: false), not a vector of its start', async () => {
    const error = await failure(router.embed({ model: 'embed', input: Array.from({ length: 2100 }, () => 'word').join(' ') }));
    expect([error.category, error.status, error.providerCode]).toEqual(['invalid_request', 400, 'INVALID_ARGUMENT']);
  });

  it('maps Vertex\'s errors and refuses a provider set to publish Anthropic models', async () => {
    simulator.enqueueFault('text-embedding-005', { kind: 'status', status: 429, retryAfterSeconds: 1 });
    const limited = await failure(router.embed({ model: 'embed', input: 'x' }));
    expect([limited.category, limited.provider, limited.providerCode]).toEqual(['rate_limit', 'gcp', 'RESOURCE_EXHAUSTED']);
    const anthropic = await failure(router.embed({ model: 'embed-claude', input: 'x' }));
    expect(anthropic.category).toBe('config');
    expect(anthropic.message).toContain('providers.claude.publisher');
  });

  it('refuses answers without predictions or values', () => {
    expect(() => parseVertexPredictResponse({}, 'gcp')).toThrow('gcp returned an embeddings answer without a `predictions` list');
    expect(() => parseVertexPredictResponse({ predictions: [{ embeddings: {} }] }, 'gcp')).toThrow('without predictions[0].embeddings.values');
  });
});

describe('the simulator\'s :predict (raw HTTP)', () => {
  async function predict(model: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(`${simulator.url}${PREFIX}/${model}:predict`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${simulator.apiKey}` }, body: JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  it('answers predictions with values and statistics, as the reference shows', async () => {
    const { status, body } = await predict('text-embedding-005', { instances: [{ content: 'hello there', task_type: 'RETRIEVAL_DOCUMENT', title: 'greeting' }], parameters: { outputDimensionality: 3 } });
    expect(status).toBe(200);
    expect(body).toEqual({ predictions: [{ embeddings: { statistics: { truncated: false, token_count: 2 }, values: simulatedEmbedding('hello there', 3, { taskType: 'RETRIEVAL_DOCUMENT', title: 'greeting' }) } }], metadata: { billableCharacterCount: 10 } });
  });

  it.each([
    ['gemini-embedding-001', { instances: [{ content: 'a' }, { content: 'b' }] }, 'gemini-embedding-001 takes at most 1 instance per request; got 2'],
    ['text-embedding-005', { instances: Array.from({ length: 251 }, () => ({ content: 'a' })) }, 'at most 250 instances'],
    ['text-embedding-005', { instances: [{ content: 'a', task_type: 'SUMMARY' }] }, 'instances[0].task_type "SUMMARY" is not valid'],
    ['text-embedding-005', { instances: [{ content: 'a' }], parameters: { autoTruncate: 'no' } }, 'parameters.autoTruncate must be a boolean'],
    ['text-embedding-005', { instances: [] }, 'instances must be a non-empty array'],
  ])('answers 400 to %s with %j', async (model, body, message) => {
    const answer = await predict(model, body);
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatchObject({ code: 400, status: 'INVALID_ARGUMENT' });
    expect((answer.body.error as { message: string }).message).toContain(message);
  });
});
