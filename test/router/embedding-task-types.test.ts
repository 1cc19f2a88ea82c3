/**
 * `router.embed({ taskType, title })` over real sockets against the simulator: the unified task type
 * reaches Gemini as `taskType`/`title` and Vertex AI as `task_type`/`title` per instance (the
 * simulator seeds its vectors with them, so a vector shows what was sent), OpenAI-format providers
 * get nothing, the cache keys on both, and bad values fail naming the field before any request.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SwitchyardConfigInput } from '../../src/config/index.js';
import { createRouter } from '../../src/create-router.js';
import { EMBEDDING_TASK_TYPES, type EmbedRequest } from '../../src/embedding-types.js';
import type { Router } from '../../src/router/router-api.js';
import { simulatedEmbedding } from '../../src/testing/formats/embeddings.js';
import { startSimulator, type Simulator } from '../../src/testing/simulator.js';
import { failure } from '../support/failure.js';
import { FAST_POLICIES, simConfig } from '../support/sim-config.js';

let simulator: Simulator;
let router: Router;

beforeAll(async () => {
  simulator = await startSimulator();
  const base = simConfig(simulator);
  const config = {
    ...base,
    providers: { ...base.providers, gcp: { type: 'vertex', project: 'sim-project', region: 'us-central1', baseUrl: simulator.url, apiKey: simulator.apiKey } },
    routes: {
      'embed-gemini': { kind: 'embedding', targets: [{ provider: 'gemini', model: 'gemini-embedding-001' }] },
      'embed-vertex': { kind: 'embedding', targets: [{ provider: 'gcp', model: 'text-embedding-005' }] },
      'embed-openai': { kind: 'embedding', targets: [{ provider: 'openai', model: 'text-embedding-3-small' }] },
      'embed-azure': { kind: 'embedding', targets: [{ provider: 'azure', model: 'embed-deployment' }] },
      'embed-cached': { kind: 'embedding', targets: [{ provider: 'gemini', model: 'gemini-embedding-001' }], policies: { cache: { ttl: '1m' } } },
    },
    policies: { ...FAST_POLICIES, retry: { ...FAST_POLICIES.retry, attempts: 1 } },
  } as SwitchyardConfigInput;
  router = createRouter(config);
});
afterAll(async () => {
  await router.close();
  await simulator.close();
});
afterEach(() => simulator.reset());

const DOCUMENT = { taskType: 'RETRIEVAL_DOCUMENT', title: 'Tides' } as const;

describe('embedding task types', () => {
  it('sends Gemini taskType and title on every request of the batch, and gets the task\'s vectors', async () => {
    const response = await router.embed({ model: 'embed-gemini', input: ['the moon pulls', 'the sea rises'], dimensions: 8, taskType: 'document', title: 'Tides' });
    expect(simulator.requests[0]?.body).toEqual({
      requests: ['the moon pulls', 'the sea rises'].map((text) => ({ model: 'models/gemini-embedding-001', content: { parts: [{ text }] }, taskType: 'RETRIEVAL_DOCUMENT', title: 'Tides', outputDimensionality: 8 })),
    });
    expect(response.embeddings).toEqual([simulatedEmbedding('the moon pulls', 8, DOCUMENT), simulatedEmbedding('the sea rises', 8, DOCUMENT)]);
    expect(response.embeddings[0]).not.toEqual(simulatedEmbedding('the moon pulls', 8));
  });

  it('sends Vertex AI task_type and title in each instance', async () => {
    const response = await router.embed({ model: 'embed-vertex', input: ['why is the sky blue'], dimensions: 4, taskType: 'question-answering' });
    expect(simulator.requests[0]?.body).toEqual({ instances: [{ content: 'why is the sky blue', task_type: 'QUESTION_ANSWERING' }], parameters: { outputDimensionality: 4, autoTruncate: false } });
    expect(response.embeddings).toEqual([simulatedEmbedding('why is the sky blue', 4, { taskType: 'QUESTION_ANSWERING' })]);
    await router.embed({ model: 'embed-vertex', input: 'a page', dimensions: 4, taskType: 'document', title: 'Optics' });
    expect((simulator.requests[1]?.body as { instances: unknown[] }).instances).toEqual([{ content: 'a page', task_type: 'RETRIEVAL_DOCUMENT', title: 'Optics' }]);
  });

  it.each(EMBEDDING_TASK_TYPES)('maps %s to a task type both Google APIs accept', async (taskType) => {
    const gemini = await router.embed({ model: 'embed-gemini', input: 'text', dimensions: 2, taskType });
    const vertex = await router.embed({ model: 'embed-vertex', input: 'text', dimensions: 2, taskType });
    const sent = (simulator.requests[0]?.body as { requests: { taskType: string }[] }).requests[0]?.taskType;
    expect((simulator.requests[1]?.body as { instances: { task_type: string }[] }).instances[0]?.task_type).toBe(sent);
    expect(gemini.embeddings).toEqual([simulatedEmbedding('text', 2, { taskType: sent ?? '' })]);
    expect(vertex.embeddings).toEqual(gemini.embeddings);
    expect(simulator.requests.map((request) => request.status)).toEqual([200, 200]);
  });

  it('sends nothing of the task to OpenAI-format providers, which have no such field', async () => {
    for (const model of ['embed-openai', 'embed-azure']) {
      const response = await router.embed({ model, input: 'plain', dimensions: 4, taskType: 'document', title: 'Ignored' });
      expect(response.embeddings).toEqual([simulatedEmbedding('plain', 4)]);
    }
    expect(simulator.requests.map((request) => request.body)).toEqual([
      { input: ['plain'], model: 'text-embedding-3-small', dimensions: 4, encoding_format: 'float' },
      { input: ['plain'], dimensions: 4, encoding_format: 'float' },
    ]);
  });

  it('keys the cache on the task type and the title', async () => {
    const call = (extra: Partial<EmbedRequest>): Promise<{ cached: boolean; embeddings: number[][] }> => router.embed({ model: 'embed-cached', input: 'same text', dimensions: 4, ...extra });
    const none = await call({});
    const query = await call({ taskType: 'query' });
    const document = await call({ taskType: 'document', title: 'One' });
    const otherTitle = await call({ taskType: 'document', title: 'Two' });
    expect([none, query, document, otherTitle].map((response) => response.cached)).toEqual([false, false, false, false]);
    expect(new Set([none, query, document, otherTitle].map((response) => JSON.stringify(response.embeddings))).size).toBe(4);
    const again = await call({ taskType: 'query' });
    expect(again).toMatchObject({ cached: true, embeddings: query.embeddings });
    expect(simulator.count()).toBe(4);
  });

  it.each([
    [{ taskType: 'search' }, 'taskType', 'expected one of query | document'],
    [{ taskType: 'RETRIEVAL_QUERY' }, 'taskType', 'expected one of'],
    [{ title: 'Alone' }, 'title', "only with taskType: 'document'"],
    [{ taskType: 'query', title: 'On a query' }, 'title', "only with taskType: 'document'"],
    [{ taskType: 'document', title: '  ' }, 'title', 'non-empty string'],
    [{ taskType: 'document', title: 7 }, 'title', 'non-empty string'],
  ])('refuses %j naming %s, before any request', async (extra, field, message) => {
    const error = await failure(router.embed({ model: 'embed-gemini', input: 'text', ...(extra as Partial<EmbedRequest>) }));
    expect(error).toMatchObject({ category: 'invalid_request', field });
    expect(error.message).toContain(message);
    expect(simulator.count()).toBe(0);
  });
});

describe('the simulator\'s task checks', () => {
  it('answers an unknown Gemini taskType with a 400 naming the request', async () => {
    const response = await fetch(`${simulator.url}/v1beta/models/gemini-embedding-001:batchEmbedContents`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-goog-api-key': simulator.apiKey },
      body: JSON.stringify({ requests: [{ model: 'models/gemini-embedding-001', content: { parts: [{ text: 'hi' }] }, taskType: 'SEARCH' }] }),
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('requests[0].taskType');
  });
});
