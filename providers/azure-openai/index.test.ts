import { beforeEach, describe, expect, it } from 'vitest';
import type { HttpTransport } from '../../src/http/transport.js';
import type { AdapterCall, ProviderSettings } from '../../src/provider-spec.js';
import type { Simulator } from '../../src/testing/simulator.js';
import { useSimulatorWithTransport } from '../../test/support/simulator-fixture.js';
import { describeChatCompletionsIntegration } from '../openai/integration-suite.js';
import { collect } from '../openai/test-helpers.js';
import { AZURE_DEFAULT_API_VERSION, azureChatUrl, azureTokenLimitField, createAzureOpenAIAdapter } from './index.js';

describeChatCompletionsIntegration({
  type: 'azure-openai',
  factory: createAzureOpenAIAdapter,
  baseUrl: (url) => url,
  format: 'azure-openai',
  path: (deployment) => `/openai/deployments/${deployment}/chat/completions`,
  credential: (key) => ['api-key', key],
  modelInBody: false,
  tokenLimitField: 'max_completion_tokens',
});

describe('azureTokenLimitField', () => {
  it.each([
    ['2024-02-01', 'max_tokens'],
    ['2024-06-01', 'max_tokens'],
    ['2024-08-01-preview', 'max_tokens'],
    ['2024-09-01-preview', 'max_completion_tokens'],
    ['2024-10-21', 'max_completion_tokens'],
    ['2025-04-01-preview', 'max_completion_tokens'],
    ['preview', 'max_completion_tokens'],
  ] as const)('%s → %s', (version, field) => {
    expect(azureTokenLimitField(version)).toBe(field);
  });
});

describe('azureChatUrl', () => {
  it('puts the deployment in the path and the version in the query, escaped', () => {
    expect(azureChatUrl('https://res.openai.azure.com', 'gpt 4o/x', '2024-10-21')).toBe(
      'https://res.openai.azure.com/openai/deployments/gpt%204o%2Fx/chat/completions?api-version=2024-10-21',
    );
  });
});

describe('azure-openai specifics against the simulator', () => {
  const fixture = useSimulatorWithTransport({ apiKey: 'azure-key-0123456789' });
  let simulator: Simulator;
  let transport: HttpTransport;
  beforeEach(() => ({ simulator, transport } = fixture));

  function adapter(overrides: Partial<ProviderSettings> = {}) {
    const settings: ProviderSettings = { id: 'azure', type: 'azure-openai', apiKey: simulator.apiKey, baseUrl: simulator.url, headers: {}, defaultMaxTokens: 512, ...overrides };
    return createAzureOpenAIAdapter({ settings, transport });
  }

  function call(deployment: string, content = 'hello'): AdapterCall {
    return { request: { model: 'route', messages: [{ role: 'user', content }] }, model: deployment, signal: new AbortController().signal, firstByteTimeoutMs: 0, idleTimeoutMs: 0 };
  }

  it(`sends api-version ${AZURE_DEFAULT_API_VERSION} by default, or the configured one`, async () => {
    await adapter().doChat(call('dep-default'));
    await adapter({ apiVersion: '2024-06-01' }).doChat(call('dep-old'));
    const [first, second] = simulator.requests;
    expect(first?.path).toBe(`/openai/deployments/dep-default/chat/completions?api-version=${AZURE_DEFAULT_API_VERSION}`);
    expect(second?.path).toBe('/openai/deployments/dep-old/chat/completions?api-version=2024-06-01');
    expect(second?.body).toMatchObject({ max_tokens: 512 });
    expect(second?.body).not.toHaveProperty('max_completion_tokens');
    expect(first?.headers.authorization).toBeUndefined();
  });

  it('maps a prompt stopped by the content filter (400 content_filter) to content_filter, not retryable', async () => {
    simulator.enqueueFault('dep-cf', { kind: 'status', status: 400, message: "The response was filtered due to the prompt triggering Azure OpenAI's content management policy." });
    await expect(adapter().doChat(call('dep-cf'))).rejects.toMatchObject({ category: 'content_filter', retryable: false, status: 400, providerCode: 'content_filter' });
  });

  it('reports a filtered completion as finish reason content_filter, in chat and stream', async () => {
    simulator.setBehavior('dep-filtered', { reply: () => ({ text: 'It began', finishReason: 'content_filter' }) });
    const result = await adapter().doChat(call('dep-filtered'));
    expect(result).toMatchObject({ finishReason: 'content_filter', text: 'It began' });
    const parts = await collect(await adapter().doStream(call('dep-filtered')));
    expect(parts.at(-1)).toEqual({ type: 'finish', finishReason: 'content_filter', rawFinishReason: 'content_filter' });
  });

  it('maps an unknown deployment (DeploymentNotFound) to not_found', async () => {
    simulator.enqueueFault('dep-missing', { kind: 'status', status: 404, message: 'The API deployment for this resource does not exist.' });
    await expect(adapter().doChat(call('dep-missing'))).rejects.toMatchObject({ category: 'not_found', providerCode: 'DeploymentNotFound' });
  });
});
