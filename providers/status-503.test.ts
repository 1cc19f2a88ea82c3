/**
 * One rule for HTTP 503 in every adapter, as the README's error table says: `overloaded`,
 * retryable, with the provider's `retry-after`. A provider's generic server-failure label
 * (Anthropic `api_error`, OpenAI `server_error`, Gemini `INTERNAL`) does not override it.
 */
import { readFileSync } from 'node:fs';
import { beforeEach, describe, expect, it } from 'vitest';
import { SwitchyardError } from '../src/errors.js';
import type { FailedResponse } from '../src/http/post-json.js';
import type { HttpTransport } from '../src/http/transport.js';
import type { AdapterCall, AdapterFactory, ProviderAdapter, ProviderType } from '../src/provider-spec.js';
import { anthropicFormat } from '../src/testing/formats/anthropic.js';
import { azureOpenAIFormat } from '../src/testing/formats/azure-openai.js';
import { geminiFormat } from '../src/testing/formats/gemini.js';
import { openAIFormat } from '../src/testing/formats/openai.js';
import type { Simulator } from '../src/testing/simulator.js';
import type { WireFormat } from '../src/testing/wire-format.js';
import { useSimulatorWithTransport } from '../test/support/simulator-fixture.js';
import { createAnthropicAdapter } from './anthropic/index.js';
import { mapAnthropicError } from './anthropic/errors.js';
import { createAzureOpenAIAdapter } from './azure-openai/index.js';
import { createGeminiAdapter } from './gemini/index.js';
import { mapGeminiError } from './gemini/errors.js';
import { createOpenAIAdapter } from './openai/index.js';
import { mapOpenAIError } from './openai/errors.js';

type Tested = Extract<ProviderType, 'anthropic' | 'openai' | 'gemini' | 'azure-openai'>;

interface Provider {
  readonly factory: AdapterFactory;
  readonly baseUrl: (simulatorUrl: string) => string;
  readonly format: WireFormat;
  readonly mapError: (failure: FailedResponse) => SwitchyardError;
}

const PROVIDERS: Readonly<Record<Tested, Provider>> = {
  anthropic: { factory: createAnthropicAdapter, baseUrl: (url) => url, format: anthropicFormat, mapError: mapAnthropicError },
  openai: { factory: createOpenAIAdapter, baseUrl: (url) => `${url}/v1`, format: openAIFormat, mapError: (failure) => mapOpenAIError(failure) },
  gemini: { factory: createGeminiAdapter, baseUrl: (url) => url, format: geminiFormat, mapError: mapGeminiError },
  'azure-openai': { factory: createAzureOpenAIAdapter, baseUrl: (url) => url, format: azureOpenAIFormat, mapError: (failure) => mapOpenAIError(failure) },
};

const TYPES = Object.keys(PROVIDERS) as Tested[];

interface Case {
  readonly type: Tested;
  readonly name: string;
  readonly body: unknown;
  readonly providerCode: string;
}

const { cases } = JSON.parse(readFileSync(new URL('./__fixtures__/status-503.json', import.meta.url), 'utf8')) as { cases: Case[] };

/** The body with every string replaced by its type, so two bodies compare by shape and labels only. */
function shape(value: unknown, keep: ReadonlySet<string>, key = ''): unknown {
  if (Array.isArray(value)) return value.map((item) => shape(item, keep));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([name, item]) => [name, shape(item, keep, name)]));
  }
  return typeof value === 'string' && !keep.has(key) ? 'string' : value;
}

describe('503 from every provider type, through the simulator', () => {
  const fixture = useSimulatorWithTransport({ apiKey: 'sim-key-503-0123456789' });
  let simulator: Simulator;
  let transport: HttpTransport;
  let model: string;
  beforeEach(() => ({ simulator, transport, model } = fixture));

  function adapter(type: Tested): ProviderAdapter {
    const provider = PROVIDERS[type];
    return provider.factory({
      settings: { id: `${type}-503`, type, apiKey: simulator.apiKey, baseUrl: provider.baseUrl(simulator.url), headers: {}, defaultMaxTokens: 256 },
      transport,
    });
  }

  function call(): AdapterCall {
    return { request: { model: 'route', messages: [{ role: 'user', content: 'hello' }] }, model, signal: new AbortController().signal, firstByteTimeoutMs: 0, idleTimeoutMs: 0 };
  }

  it.each(TYPES)('%s: chat and stream answered 503 are overloaded, retryable, with retry-after', async (type) => {
    simulator.enqueueFault(model, { kind: 'status', status: 503, retryAfterSeconds: 2, message: 'service unavailable' }, 2);
    const expected = { category: 'overloaded', retryable: true, status: 503, retryAfterMs: 2_000, provider: `${type}-503`, model };
    const chat = await adapter(type).doChat(call()).catch((error: unknown) => error);
    expect(SwitchyardError.isInstance(chat)).toBe(true);
    expect(chat).toMatchObject(expected);
    await expect(adapter(type).doStream(call())).rejects.toMatchObject(expected);
    expect(simulator.requests.map((request) => [request.format, request.status])).toEqual([
      [PROVIDERS[type].format.name, 503],
      [PROVIDERS[type].format.name, 503],
    ]);
  });

  it.each(TYPES)('%s: the simulator answers 503 with a body shaped like the provider’s own', (type) => {
    const rendered = PROVIDERS[type].format.renderError(503, 'service unavailable').body;
    const labels = new Set(['type', 'status', 'code']);
    // The first fixture of each type is the body the provider documents for a plain 503.
    const real = cases.find((item) => item.type === type)?.body;
    expect(shape(rendered, labels)).toEqual(shape(real, labels));
  });
});

describe('503 bodies the providers really send', () => {
  it.each(cases.map((item) => [item.type, item.name, item] as const))('%s %s → overloaded', (type, _name, item) => {
    const bodyText = JSON.stringify(item.body);
    const error = PROVIDERS[type].mapError({ status: 503, headers: {}, bodyText, body: item.body, retryAfterMs: 5_000 });
    expect(error).toMatchObject({ category: 'overloaded', retryable: true, status: 503, retryAfterMs: 5_000, providerCode: item.providerCode });
  });

  it('keeps the generic server label apart from the status it came with', () => {
    const failure = (status: number, body: unknown): FailedResponse => ({ status, headers: {}, bodyText: JSON.stringify(body), body, retryAfterMs: undefined });
    const anthropic = (status: number) => mapAnthropicError(failure(status, { type: 'error', error: { type: 'api_error', message: 'x' } })).category;
    const gemini = (status: number) => mapGeminiError(failure(status, { error: { code: status, message: 'x', status: 'INTERNAL' } })).category;
    const openai = (status: number) => mapOpenAIError(failure(status, { error: { message: 'x', type: 'server_error', param: null, code: null } })).category;
    for (const map of [anthropic, gemini, openai]) {
      expect([500, 502, 503, 504, 529].map(map)).toEqual(['server', 'server', 'overloaded', 'timeout', 'overloaded']);
    }
  });
});
