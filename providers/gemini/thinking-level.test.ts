/**
 * Gemini 3's `thinkingLevel`: what the adapter sends for each reasoning option and model, and the
 * simulator's checks of it (spoken to over raw HTTP as well as through the router), which follow
 * the thinking guide (https://ai.google.dev/gemini-api/docs/thinking#thinking-levels).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createRouter } from '../../src/create-router.js';
import type { Router } from '../../src/router/router-api.js';
import { startSimulator, type Simulator } from '../../src/testing/simulator.js';
import type { ReasoningOption } from '../../src/types.js';
import { failure } from '../../test/support/failure.js';
import { FAST_POLICIES } from '../../test/support/sim-config.js';
import { buildGeminiRequest } from './request.js';
import { geminiThinkingConfig, isGemini3OrLater } from './thinking.js';

describe('thinkingConfig per model', () => {
  it.each<[ReasoningOption, string, string]>([
    [{ effort: 'low' }, 'gemini-3-flash-preview', 'low'],
    [{ effort: 'medium' }, 'gemini-3-flash-preview', 'medium'],
    [{ effort: 'high' }, 'gemini-3.1-pro-preview', 'high'],
    [{ budgetTokens: 1024 }, 'gemini-3-flash-preview', 'low'],
    [{ budgetTokens: 2048 }, 'gemini-3-flash-preview', 'low'],
    [{ budgetTokens: 2049 }, 'gemini-3-flash-preview', 'medium'],
    [{ budgetTokens: 8192 }, 'models/gemini-3.5-flash', 'medium'],
    [{ budgetTokens: 8193 }, 'gemini-4-pro', 'high'],
    // Gemini 3 Pro takes only low and high: medium rounds up.
    [{ effort: 'medium' }, 'gemini-3-pro-preview', 'high'],
    [{ budgetTokens: 4000 }, 'gemini-3-pro-preview', 'high'],
    [{ effort: 'medium' }, 'gemini-3.1-pro-preview', 'medium'],
  ])('%j for %s is thinkingLevel %s, with thought summaries and no budget', (option, model, level) => {
    expect(geminiThinkingConfig(option, model)).toEqual({ thinkingLevel: level, includeThoughts: true });
  });

  it('keeps thinkingBudget for Gemini 2.5, and nothing for models without thinking', () => {
    expect(geminiThinkingConfig({ effort: 'medium' }, 'gemini-2.5-pro')).toEqual({ thinkingBudget: 4096, includeThoughts: true });
    expect(geminiThinkingConfig({ budgetTokens: 3000 }, 'gemini-2.5-flash')).toEqual({ thinkingBudget: 3000, includeThoughts: true });
    expect(geminiThinkingConfig({ effort: 'high' }, 'gemini-2.0-flash')).toBeUndefined();
    expect(buildGeminiRequest({ model: 'r', messages: [{ role: 'user', content: 'hi' }], reasoning: { effort: 'low' }, maxTokens: 9 }, 'gemini-3-flash-preview').generationConfig).toEqual({
      maxOutputTokens: 9,
      thinkingConfig: { thinkingLevel: 'low', includeThoughts: true },
    });
  });

  it('tells Gemini 3 and later from earlier models by the version in the name', () => {
    expect(['gemini-3-pro-preview', 'gemini-3.1-flash-lite', 'models/gemini-3-flash', 'gemini-4', 'gemini-10-pro'].map(isGemini3OrLater)).toEqual([true, true, true, true, true]);
    expect(['gemini-2.5-pro', 'gemini-1.5-flash', 'gemini-pro', 'gemini-embedding-001', 'gemma-3-27b'].map(isGemini3OrLater)).toEqual([false, false, false, false, false]);
  });
});

describe('the simulator reads thinkingLevel as the Gemini API does', () => {
  let simulator: Simulator;
  beforeAll(async () => {
    simulator = await startSimulator();
  });
  afterAll(async () => {
    await simulator.close();
  });
  beforeEach(() => simulator.reset());

  async function post(model: string, thinkingConfig: Record<string, unknown>): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(`${simulator.url}/v1beta/models/${model}:generateContent`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-goog-api-key': simulator.apiKey },
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'think' }] }], generationConfig: { thinkingConfig } }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  it('thinks at a level in either case, and shows thoughts only with includeThoughts', async () => {
    const lower = await post('gemini-3-flash-preview', { thinkingLevel: 'medium', includeThoughts: true });
    expect(lower.status).toBe(200);
    expect(JSON.stringify(lower.body)).toContain('"thought":true');
    expect(lower.body.usageMetadata).toMatchObject({ thoughtsTokenCount: expect.any(Number) as unknown });
    const upper = await post('gemini-3-flash-preview', { thinkingLevel: 'HIGH' });
    expect(upper.status).toBe(200);
    expect(JSON.stringify(upper.body)).not.toContain('"thought":true');
  });

  it.each([
    ['gemini-3-flash-preview', { thinkingLevel: 'low', thinkingBudget: 1024 }, 'cannot both be set'],
    ['gemini-2.5-flash', { thinkingLevel: 'low' }, 'thinking_level is not supported by gemini-2.5-flash'],
    ['gemini-3-pro-preview', { thinkingLevel: 'medium' }, 'thinking_level MEDIUM is not supported'],
    ['gemini-3-flash-preview', { thinkingLevel: 'deep' }, 'thinkingLevel: invalid value "deep"'],
  ])('answers 400 INVALID_ARGUMENT to %s with %j', async (model, thinkingConfig, message) => {
    const { status, body } = await post(model, thinkingConfig);
    expect(status).toBe(400);
    expect(body.error).toMatchObject({ code: 400, status: 'INVALID_ARGUMENT' });
    expect((body.error as { message: string }).message).toContain(message);
  });

  it('takes what the router sends for every effort, to Gemini 3 Pro and Flash alike', async () => {
    const router: Router = createRouter({
      providers: { gemini: { type: 'gemini', apiKey: simulator.apiKey, baseUrl: simulator.url } },
      routes: {
        pro: { targets: [{ provider: 'gemini', model: 'gemini-3-pro-preview' }] },
        flash: { targets: [{ provider: 'gemini', model: 'gemini-3-flash-preview' }] },
        old: { targets: [{ provider: 'gemini', model: 'gemini-2.5-flash' }] },
      },
      policies: { ...FAST_POLICIES, retry: { ...FAST_POLICIES.retry, attempts: 1 } },
    });
    try {
      for (const route of ['pro', 'flash', 'old']) {
        for (const reasoning of [{ effort: 'low' }, { effort: 'medium' }, { effort: 'high' }, { budgetTokens: 5000 }] as const) {
          const response = await router.chat({ model: route, reasoning, messages: [{ role: 'user', content: 'Why is the sky blue?' }] });
          expect(response.reasoning[0]?.text).toBe('Thinking about "Why is the sky blue?" before answering.');
        }
      }
      const sent = simulator.requests.map((request) => (request.body as { generationConfig: { thinkingConfig: unknown } }).generationConfig.thinkingConfig);
      expect(sent.slice(0, 4)).toEqual(['low', 'high', 'high', 'high'].map((thinkingLevel) => ({ thinkingLevel, includeThoughts: true })));
      expect(sent.slice(4, 8)).toEqual(['low', 'medium', 'high', 'medium'].map((thinkingLevel) => ({ thinkingLevel, includeThoughts: true })));
      expect(sent.slice(8)).toEqual([1024, 4096, 16384, 5000].map((thinkingBudget) => ({ thinkingBudget, includeThoughts: true })));
      // A level the model does not take fails at the provider, not silently.
      const error = await failure(router.chat({ model: 'pro', messages: [{ role: 'user', content: 'hi' }], providerOptions: { gemini: { generationConfig: { thinkingConfig: { thinkingLevel: 'minimal' } } } } }));
      expect(error.category).toBe('invalid_request');
    } finally {
      await router.close();
    }
  });
});
