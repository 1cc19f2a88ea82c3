/**
 * A config pointing every provider type at one simulator, for router tests.
 */
import type { SwitchyardConfigInput } from '../../src/config/index.js';
import type { Simulator } from '../../src/testing/simulator.js';

/** Fast policies for tests: short backoff, breaker off unless a test turns it on. */
export const FAST_POLICIES = {
  timeout: { connect: '2s', firstByte: '5s', idle: '5s', total: '10s' },
  retry: { attempts: 3, minDelay: '5ms', maxDelay: '20ms', factor: 2, jitter: 'full' as const, budget: 1 },
  breaker: { enabled: false },
};

/** The Anthropic, OpenAI and Gemini providers on the simulator, each named after its type. */
export function nativeProviders({ url, apiKey }: Pick<Simulator, 'url' | 'apiKey'>): NonNullable<SwitchyardConfigInput['providers']> {
  return {
    anthropic: { type: 'anthropic', apiKey, baseUrl: url },
    openai: { type: 'openai', apiKey, baseUrl: `${url}/v1` },
    gemini: { type: 'gemini', apiKey, baseUrl: url },
  };
}

/** Providers of every type on the simulator, plus routes `claude` (90/10, sticky user, falls back to `gpt4`), `gpt4`, `gemini`, `azure`. */
export function simConfig(simulator: Simulator, extra: Partial<SwitchyardConfigInput> = {}): SwitchyardConfigInput {
  const key = simulator.apiKey;
  return {
    providers: {
      ...nativeProviders(simulator),
      azure: { type: 'azure-openai', apiKey: key, baseUrl: simulator.url, apiVersion: '2024-10-21' },
      local: { type: 'openai-compatible', baseUrl: `${simulator.url}/v1`, apiKey: key },
    },
    routes: {
      claude: {
        targets: [
          { provider: 'anthropic', model: 'claude-2.0', weight: 90 },
          { provider: 'anthropic', model: 'claude-2.1', weight: 10 },
        ],
        sticky: 'user',
        fallbacks: ['gpt4'],
      },
      gpt4: { targets: [{ provider: 'openai', model: 'gpt-4' }] },
      gemini: { targets: [{ provider: 'gemini', model: 'gemini-1.5-pro' }] },
      azure: { targets: [{ provider: 'azure', model: 'gpt4-deployment' }] },
      local: { targets: [{ provider: 'local', model: 'llama3' }] },
    },
    policies: FAST_POLICIES,
    ...extra,
  };
}
