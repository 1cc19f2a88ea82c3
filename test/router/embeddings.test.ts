/**
 * `router.embed()` over real sockets against the simulator's embedding endpoints: wire formats of
 * every provider type, batching to each provider's limit, the shared pipeline (retry, fallback,
 * cache, audit via events) and the config rules of embedding routes.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/config-error.js';
import { parseConfig } from '../../src/config/load.js';
import type { SwitchyardConfigInput } from '../../src/config/index.js';
import { createRouter } from '../../src/create-router.js';
import type { RouterEvents } from '../../src/events.js';
import { simulatedEmbedding } from '../../src/testing/formats/embeddings.js';
import { startSimulator, type Simulator } from '../../src/testing/simulator.js';
import { failure } from '../support/failure.js';
import { FAST_POLICIES, simConfig } from '../support/sim-config.js';

let simulator: Simulator;
beforeAll(async () => {
  simulator = await startSimulator({ seed: 5 });
});
afterAll(async () => {
  await simulator.close();
});
afterEach(() => simulator.reset());

function embedConfig(routes: Record<string, unknown>, policies: Record<string, unknown> = {}): SwitchyardConfigInput {
  const base = simConfig(simulator);
  return { ...base, routes: { ...base.routes, ...routes }, policies: { ...FAST_POLICIES, ...policies } } as SwitchyardConfigInput;
}

const embedRoutes = {
  embed: { kind: 'embedding', targets: [{ provider: 'openai', model: 'text-embedding-3-small' }] },
  'embed-gemini': { kind: 'embedding', targets: [{ provider: 'gemini', model: 'text-embedding-004' }] },
  'embed-azure': { kind: 'embedding', targets: [{ provider: 'azure', model: 'embed-deployment' }] },
  'embed-local': { kind: 'embedding', targets: [{ provider: 'local', model: 'nomic-embed-text' }] },
};

describe('router.embed()', () => {
  it.each([
    ['embed', '/v1/embeddings', 'openai'],
    ['embed-gemini', '/v1beta/models/text-embedding-004:batchEmbedContents', 'gemini'],
    ['embed-azure', '/openai/deployments/embed-deployment/embeddings?api-version=2024-10-21', 'azure-openai'],
    ['embed-local', '/v1/embeddings', 'openai'],
  ])('answers route %s with one vector per input, in order, over %s', async (route, path, format) => {
    const router = createRouter(embedConfig(embedRoutes));
    try {
      const response = await router.embed({ model: route, input: ['the first text', 'a second one'], dimensions: 8 });
      expect(response.embeddings).toEqual([simulatedEmbedding('the first text', 8), simulatedEmbedding('a second one', 8)]);
      expect(response.route).toBe(route);
      expect(response.cached).toBe(false);
      expect(response.attempts.map((attempt) => attempt.outcome)).toEqual(['ok']);
      expect(simulator.requests).toHaveLength(1);
      expect(simulator.requests[0]?.path).toBe(path);
      expect(simulator.requests[0]?.format).toBe(format);
      // Gemini reports no token counts; the OpenAI formats count words (3 + 3).
      expect(response.usage).toEqual(format === 'gemini' ? { inputTokens: 0, totalTokens: 0 } : { inputTokens: 6, totalTokens: 6 });
    } finally {
      await router.close();
    }
  });

  it('sends the wire fields of the API references', async () => {
    const router = createRouter(embedConfig(embedRoutes));
    try {
      await router.embed({ model: 'embed', input: 'one', dimensions: 4 });
      await router.embed({ model: 'embed-gemini', input: 'two', dimensions: 4 });
      await router.embed({ model: 'embed-azure', input: 'three' });
      expect(simulator.requests.map((request) => request.body)).toEqual([
        { input: ['one'], model: 'text-embedding-3-small', dimensions: 4, encoding_format: 'float' },
        { requests: [{ model: 'models/text-embedding-004', content: { parts: [{ text: 'two' }] }, outputDimensionality: 4 }] },
        { input: ['three'], encoding_format: 'float' },
      ]);
      expect(simulator.requests[1]?.headers['x-goog-api-key']).toBe(simulator.apiKey);
      expect(simulator.requests[2]?.headers['api-key']).toBe(simulator.apiKey);
    } finally {
      await router.close();
    }
  });

  it('splits inputs to the provider limit and reassembles them in order, usage summed', async () => {
    const router = createRouter(embedConfig(embedRoutes));
    try {
      const inputs = Array.from({ length: 250 }, (_, index) => `text number ${index}`);
      const gemini = await router.embed({ model: 'embed-gemini', input: inputs, dimensions: 3 });
      expect(simulator.requests.map((request) => (request.body as { requests: unknown[] }).requests.length)).toEqual([100, 100, 50]);
      expect(gemini.embeddings).toEqual(inputs.map((text) => simulatedEmbedding(text, 3)));
      simulator.reset();
      const many = Array.from({ length: 2049 }, (_, index) => `w${index}`);
      const openai = await router.embed({ model: 'embed', input: many, dimensions: 2 });
      expect(simulator.requests.map((request) => (request.body as { input: unknown[] }).input.length)).toEqual([2048, 1]);
      expect(openai.embeddings[2048]).toEqual(simulatedEmbedding('w2048', 2));
      expect(openai.usage).toEqual({ inputTokens: 2049, totalTokens: 2049 });
    } finally {
      await router.close();
    }
  });

  it('retries a 429 and falls back to a route of the same family', async () => {
    const router = createRouter(
      embedConfig({
        embed: { kind: 'embedding', targets: [{ provider: 'openai', model: 'text-embedding-3-small' }], fallbacks: ['embed-backup'], policies: { retry: { attempts: 2 } } },
        'embed-backup': { kind: 'embedding', targets: [{ provider: 'azure', model: 'te3-small', embeddingFamily: 'text-embedding-3-small' }] },
      }),
    );
    try {
      simulator.enqueueFault('text-embedding-3-small', { kind: 'status', status: 429 }, 1);
      const retried = await router.embed({ model: 'embed', input: 'hello' });
      expect(retried.attempts.map((attempt) => attempt.outcome)).toEqual(['rate_limit', 'ok']);
      simulator.enqueueFault('text-embedding-3-small', { kind: 'status', status: 500 }, 2);
      const fallen = await router.embed({ model: 'embed', input: 'hello' });
      expect(fallen.route).toBe('embed-backup');
      expect(fallen.target).toEqual({ provider: 'azure', model: 'te3-small' });
      expect(fallen.embeddings[0]).toHaveLength(1536);
    } finally {
      await router.close();
    }
  });

  it('answers a repeated call from the cache, keyed on inputs and dimensions', async () => {
    const router = createRouter(embedConfig({ embed: { ...embedRoutes.embed, policies: { cache: { ttl: '1m' } } } }));
    const ends: RouterEvents['call-end'][] = [];
    router.on('call-end', (end) => ends.push(end));
    try {
      const first = await router.embed({ model: 'embed', input: ['a b', 'c'], dimensions: 16 });
      const again = await router.embed({ model: 'embed', input: ['a b', 'c'], dimensions: 16 });
      expect(again.cached).toBe(true);
      expect(again.embeddings).toEqual(first.embeddings);
      expect(again.usage).toEqual(first.usage);
      expect(again.attempts).toEqual([]);
      await router.embed({ model: 'embed', input: ['a b', 'c'], dimensions: 8 });
      await router.embed({ model: 'embed', input: ['a b'], dimensions: 16 });
      expect(simulator.count()).toBe(3);
      expect(ends.map((end) => [end.mode, end.notes.cache, end.embedding?.cached])).toEqual([
        ['embed', 'miss', false],
        ['embed', 'hit', true],
        ['embed', 'miss', false],
        ['embed', 'miss', false],
      ]);
    } finally {
      await router.close();
    }
  });

  it('refuses chat on an embedding route, embed on a chat route, and an adapter without embeddings', async () => {
    const router = createRouter(embedConfig({ ...embedRoutes, 'embed-claude': { kind: 'embedding', targets: [{ provider: 'anthropic', model: 'claude-2.0' }] } }));
    try {
      const chat = await failure(router.chat({ model: 'embed', messages: [{ role: 'user', content: 'hi' }] }));
      expect(chat.category).toBe('invalid_request');
      expect(chat.message).toContain('embedding route');
      const embed = await failure(router.embed({ model: 'gpt4', input: 'hi' }));
      expect(embed.category).toBe('invalid_request');
      expect(embed.message).toContain('chat route');
      const anthropic = await failure(router.embed({ model: 'embed-claude', input: 'hi' }));
      expect(anthropic.category).toBe('config');
      expect(anthropic.message).toContain('provider "anthropic"');
      const empty = await failure(router.embed({ model: 'embed', input: ['ok', ''] }));
      expect(empty.message).toContain('input[1]');
      expect(simulator.count()).toBe(0);
    } finally {
      await router.close();
    }
  });
});

describe('embedding route config', () => {
  const providers = `providers:
  openai: { type: openai, apiKey: k }
  azure: { type: azure-openai, apiKey: k, baseUrl: "https://x.openai.azure.com" }
`;

  function problems(yaml: string): { path: string; line?: number; message: string }[] {
    try {
      parseConfig(yaml);
    } catch (error) {
      if (error instanceof ConfigError) return error.problems.map((problem) => ({ path: problem.path, message: problem.message, ...(problem.line === undefined ? {} : { line: problem.line }) }));
      throw error;
    }
    return [];
  }

  it('accepts targets of one family, declared or by model id', () => {
    expect(
      problems(`${providers}routes:
  embed:
    kind: embedding
    targets:
      - { provider: openai, model: text-embedding-3-small }
      - { provider: azure, model: my-deployment, embeddingFamily: text-embedding-3-small }
`),
    ).toEqual([]);
  });

  it('reports a route mixing vector spaces with its YAML path and line', () => {
    const found = problems(`${providers}routes:
  embed:
    kind: embedding
    targets:
      - { provider: openai, model: text-embedding-3-small }
      - { provider: openai, model: text-embedding-3-large }
    fallbacks: [other]
  other:
    kind: embedding
    targets: [{ provider: azure, model: ada, embeddingFamily: text-embedding-ada-002 }]
  chat:
    targets: [{ provider: openai, model: gpt-4o }]
    fallbacks: [other]
`);
    expect(found).toEqual([
      expect.objectContaining({ path: 'routes.embed.targets[1].model', line: 9 }),
      expect.objectContaining({ path: 'routes.embed.fallbacks[0]', line: 10 }),
      expect.objectContaining({ path: 'routes.chat.fallbacks[0]', line: 16 }),
    ]);
    expect(found[0]?.message).toContain('text-embedding-3-large');
    expect(found[2]?.message).toContain('embedding route');
  });
});
