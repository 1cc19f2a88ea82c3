/**
 * Audit records of `router.embed()` calls: one record per call, `mode: "embed"`, inputs kept under
 * the same `content:` setting as prompts, usage and cost recorded, the vectors never.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/testing/simulator.js';
import { auditConfig, auditedRouter } from './support.js';

let simulator: Simulator;
beforeAll(async () => {
  simulator = await startSimulator({ seed: 3 });
});
afterAll(async () => {
  await simulator.close();
});

const routes = { embed: { kind: 'embedding' as const, targets: [{ provider: 'openai', model: 'text-embedding-3-small' }] } };
const pricing = { 'openai/text-embedding-3-small': { input: 0.02, output: 0 } };

describe('audit records of embedding calls', () => {
  it.each([
    ['full', true],
    ['hash', false],
  ] as const)('content %s: one record, mode embed, usage and cost, inputs only when content is kept', async (content, kept) => {
    const audited = auditedRouter(auditConfig(simulator, { sink: { type: 'callback' }, content }, { routes, pricing }));
    try {
      const response = await audited.router.embed({ model: 'embed', input: ['secret plans here', 'two'], dimensions: 4 }, { user: 'u1' });
      const record = audited.callOf(response.requestId);
      expect(record.mode).toBe('embed');
      expect(record.outcome).toBe('ok');
      expect(record.target).toEqual({ provider: 'openai', model: 'text-embedding-3-small' });
      expect(record.usage).toEqual({ inputTokens: 4, outputTokens: 0, totalTokens: 4 });
      expect(record.costUsd).toBeCloseTo((4 * 0.02) / 1_000_000, 12);
      expect(record.responseHash).toBeUndefined();
      expect(record.promptHash).toMatch(/^[0-9a-f]{64}$/);
      if (kept) expect(record.content?.messages.map((message) => message.content)).toEqual(['secret plans here', 'two']);
      else expect(record.content).toBeUndefined();
      expect(JSON.stringify(record)).not.toContain(String(response.embeddings[0]?.[0]));
    } finally {
      await audited.router.close();
    }
  });
});
