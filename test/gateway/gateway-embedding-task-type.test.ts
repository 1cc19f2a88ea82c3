/**
 * `POST /v1/embeddings` with the gateway's own `task_type` and `title` fields, called with the
 * official `openai` client (which sends params its types do not know as they are): they reach
 * Gemini as `taskType`/`title` and Vertex AI as `task_type`/`title` (the simulator seeds its vectors
 * with them, so a vector shows what was sent), and bad values get a 400 naming the body's field.
 */
import OpenAI from 'openai';
import type { EmbeddingCreateParams } from 'openai/resources/embeddings';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../../src/gateway/create-gateway.js';
import { simulatedEmbedding } from '../../src/testing/formats/embeddings.js';
import { startSimulator, type Simulator } from '../../src/testing/simulator.js';
import { simConfig } from '../support/sim-config.js';

// (Key values share no 8-character run with words in error messages: those runs would be redacted.)
const APP_KEY = 'sy-tsk0123456789abcdefghijklmnopqrstuvwxyzAB';

let simulator: Simulator;
let gateway: Gateway;
let client: OpenAI;

beforeAll(async () => {
  simulator = await startSimulator();
  const base = simConfig(simulator);
  gateway = await createGateway(
    {
      ...base,
      providers: { ...base.providers, gcp: { type: 'vertex', project: 'sim-project', region: 'us-central1', baseUrl: simulator.url, apiKey: simulator.apiKey } },
      routes: {
        'embed-gemini': { kind: 'embedding', targets: [{ provider: 'gemini', model: 'gemini-embedding-001' }] },
        'embed-vertex': { kind: 'embedding', targets: [{ provider: 'gcp', model: 'text-embedding-005' }] },
      },
      gateway: { store: { url: 'sqlite::memory:' }, port: 0, keys: [{ name: 'app', key: APP_KEY }] },
    },
    { log: () => undefined },
  );
  client = new OpenAI({ baseURL: `${await gateway.listen()}/v1`, apiKey: APP_KEY, maxRetries: 0 });
});

afterAll(async () => {
  await gateway.close();
  await simulator.close();
});

afterEach(() => simulator.reset());

/** The gateway's extension of the SDK's params. */
type TaskParams = EmbeddingCreateParams & { task_type?: unknown; title?: unknown };

function embed(params: TaskParams): Promise<OpenAI.CreateEmbeddingResponse> {
  return client.embeddings.create(params);
}

/** A request the gateway must refuse: its error, which the test expects to be the SDK's 400. */
async function refusal(params: TaskParams): Promise<{ param: unknown; message: string }> {
  const error = await embed(params).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(OpenAI.BadRequestError);
  const { param, message } = error as InstanceType<typeof OpenAI.BadRequestError>;
  return { param, message };
}

describe('POST /v1/embeddings task_type and title', () => {
  it('reach Gemini as taskType and title, and the vectors are the document task’s', async () => {
    const answer = await embed({ model: 'embed-gemini', input: ['the moon pulls', 'the sea rises'], dimensions: 8, encoding_format: 'float', task_type: 'document', title: 'Tides' });
    expect(simulator.requests[0]?.body).toEqual({
      requests: ['the moon pulls', 'the sea rises'].map((text) => ({ model: 'models/gemini-embedding-001', content: { parts: [{ text }] }, taskType: 'RETRIEVAL_DOCUMENT', title: 'Tides', outputDimensionality: 8 })),
    });
    const task = { taskType: 'RETRIEVAL_DOCUMENT', title: 'Tides' };
    expect(answer.data.map((item) => item.embedding)).toEqual([simulatedEmbedding('the moon pulls', 8, task), simulatedEmbedding('the sea rises', 8, task)]);
    expect(answer.data[0]?.embedding).not.toEqual(simulatedEmbedding('the moon pulls', 8));
  });

  it('reach Vertex AI as each instance’s task_type, also in the base64 vectors the SDK decodes', async () => {
    // No encoding_format: the SDK asks for base64 and decodes it (float32, so compared closely).
    const answer = await embed({ model: 'embed-vertex', input: 'why is the sky blue', dimensions: 4, task_type: 'question-answering' });
    expect(simulator.requests[0]?.body).toEqual({ instances: [{ content: 'why is the sky blue', task_type: 'QUESTION_ANSWERING' }], parameters: { outputDimensionality: 4, autoTruncate: false } });
    const expected = simulatedEmbedding('why is the sky blue', 4, { taskType: 'QUESTION_ANSWERING' });
    Array.from(answer.data[0]?.embedding ?? []).forEach((value, index) => expect(value).toBeCloseTo(expected[index] ?? Number.NaN, 6));
  });

  it('without them the model’s default task is used, as before', async () => {
    const answer = await embed({ model: 'embed-gemini', input: 'plain', dimensions: 4, encoding_format: 'float' });
    expect(simulator.requests[0]?.body).toEqual({ requests: [{ model: 'models/gemini-embedding-001', content: { parts: [{ text: 'plain' }] }, outputDimensionality: 4 }] });
    expect(answer.data[0]?.embedding).toEqual(simulatedEmbedding('plain', 4));
  });

  it('refuses bad values with a 400 naming the body’s field, before any upstream request', async () => {
    const unknown = await refusal({ model: 'embed-gemini', input: 'x', encoding_format: 'float', task_type: 'RETRIEVAL_QUERY' });
    expect(unknown.param).toBe('task_type');
    expect(unknown.message).toMatch(/task_type.*'RETRIEVAL_QUERY'.*query, document/);
    expect((await refusal({ model: 'embed-gemini', input: 'x', encoding_format: 'float', task_type: 3 })).param).toBe('task_type');
    const stray = await refusal({ model: 'embed-gemini', input: 'x', encoding_format: 'float', task_type: 'query', title: 'Tides' });
    expect(stray.param).toBe('title');
    expect(stray.message).toMatch(/only with task_type 'document'/);
    expect((await refusal({ model: 'embed-gemini', input: 'x', encoding_format: 'float', task_type: 'document', title: ' ' })).param).toBe('title');
    expect((await refusal({ model: 'embed-gemini', input: 'x', encoding_format: 'float', task_type: 'document', title: ['Tides'] })).param).toBe('title');
    expect(simulator.requests).toHaveLength(0);
  });
});
