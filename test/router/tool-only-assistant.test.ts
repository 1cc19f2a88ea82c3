import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRouter, type Router } from '../../src/index.js';
import { startSimulator, type Simulator } from '../../src/testing/index.js';
import { simConfig } from '../support/sim-config.js';

/**
 * An assistant message that only calls tools may leave `content` out (validateRequest accepts it,
 * as JavaScript callers write it): every adapter must map it, not throw a TypeError.
 */
describe('an assistant message with tool calls and no content', () => {
  let simulator: Simulator;
  let router: Router;
  beforeAll(async () => {
    simulator = await startSimulator();
    router = createRouter(
      simConfig(simulator, {
        routes: {
          claude: { targets: [{ provider: 'anthropic', model: 'claude-3-5-sonnet' }] },
          gpt: { targets: [{ provider: 'openai', model: 'gpt-4o' }] },
          gem: { targets: [{ provider: 'gemini', model: 'gemini-1.5-pro' }] },
        },
      }),
    );
  });
  afterAll(async () => {
    await router.close();
    await simulator.close();
  });

  for (const model of ['claude', 'gpt', 'gem']) {
    it(`is mapped for ${model}`, async () => {
      const messages = [
        { role: 'user', content: 'weather in Paris?' },
        { role: 'assistant', toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: { city: 'Paris' } }] },
        { role: 'tool', toolCallId: 'call_1', name: 'get_weather', content: '{"temperature":21}' },
      ] as unknown as Parameters<Router['chat']>[0]['messages'];
      const tools = [{ name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } }];
      const response = await router.chat({ model, messages, tools, maxTokens: 32 });
      // Answered on the first try: a mapping that threw would have been retried as a network error.
      expect(response.attempts.map((attempt) => attempt.outcome)).toEqual(['ok']);
    });
  }
});
