/**
 * The record builder on its own: the stage notes (breaker skips, rate-limit waits, retry budget,
 * sensitive-word hits), costs, and the version constant.
 */
import { describe, expect, it } from 'vitest';
import { buildCallRecord, type RecordSettings } from '../../src/audit/build-record.js';
import { costOf } from '../../src/pricing.js';
import { canonicalJson } from '../../src/canonical-json.js';
import { DEFAULT_POLICIES } from '../../src/config/index.js';
import type { RouteConfig } from '../../src/config/types.js';
import { SwitchyardError } from '../../src/errors.js';
import type { CallContext } from '../../src/pipeline/context.js';

const route: RouteConfig = { name: 'main', targets: [{ provider: 'openai', model: 'gpt-4o', weight: 1 }], sticky: 'none', fallbacks: [], policies: DEFAULT_POLICIES };

const settings: RecordSettings = {
  audit: { sink: { type: 'callback' }, content: 'hash', redact: ['email', 'phone', 'card', 'iban', 'cn_id', 'secret'], include: { ip: false } },
  pricing: { 'gpt-4o': { input: 2.5, output: 10, cachedInput: 1.25 } },
  versionHash: 'abc123',
};

function context(overrides: Partial<CallContext> = {}): CallContext {
  return {
    requestId: 'r-1',
    request: { model: 'main', messages: [{ role: 'user', content: 'hi' }] },
    options: {},
    route,
    policies: DEFAULT_POLICIES,
    mode: 'chat',
    startedAt: 1_000,
    signal: new AbortController().signal,
    attempts: [],
    notes: {},
    ...overrides,
  };
}

describe('buildCallRecord', () => {
  it('records breaker, rate-limit, retry-budget and sensitive-word notes', () => {
    const record = buildCallRecord(
      context({
        notes: { cache: 'bypass', breakerSkips: ['openai/gpt-4o'], rateLimitWaitMs: 12.34567, retryBudgetExhausted: true, sensitiveWordHits: 2 },
        attempts: [{ target: { provider: 'openai', model: 'gpt-4o' }, route: 'main', outcome: 'circuit_open', ms: 0.5 }],
      }),
      { error: new SwitchyardError({ category: 'circuit_open', message: 'circuit breaker for openai/gpt-4o is open' }), endedAt: 1_050, startedAtMs: Date.UTC(2025, 0, 2, 3, 4, 5) },
      settings,
    );
    expect(record).toMatchObject({
      ts: '2025-01-02T03:04:05.000Z',
      latencyMs: 50,
      cache: 'bypass',
      breaker: { skipped: ['openai/gpt-4o'] },
      rateLimit: { waitMs: 12.346 },
      retryBudgetExhausted: true,
      sensitiveWordHits: 2,
      outcome: 'error',
      error: { category: 'circuit_open', retryable: true },
      configVersion: 'abc123',
    });
  });

  it('leaves absent notes out rather than writing empty values', () => {
    const record = buildCallRecord(context(), { error: new Error('boom to bob@example.com'), endedAt: 1_001, startedAtMs: 0 }, settings);
    for (const key of ['cache', 'breaker', 'rateLimit', 'retryBudgetExhausted', 'sensitiveWordHits', 'user', 'tenant', 'traceId', 'fields', 'metadata', 'ip', 'target', 'arm', 'canary']) {
      expect(record).not.toHaveProperty(key);
    }
    expect(record.error).toEqual({ category: 'unknown', message: 'boom to [email]', retryable: false });
  });
});

describe('the order of a record\'s keys', () => {
  it('is the canonical order at every level, so the record\'s JSON is its canonical JSON (written by the engine in one pass)', () => {
    const full: RecordSettings = { ...settings, audit: { ...settings.audit, content: 'full', include: { ip: true } } };
    const succeeded = buildCallRecord(
      context({
        request: {
          model: 'main',
          system: 'Be brief.',
          messages: [
            { role: 'user', content: [{ type: 'text', text: 'hi' }, { type: 'image', url: 'https://example.com/a.png', mediaType: 'image/png' }] },
            { role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 'lookup', arguments: { city: 'Oslo' } }] },
            { role: 'tool', content: 'sunny', toolCallId: 'c1', name: 'lookup' },
          ],
          temperature: 0,
          maxTokens: 10,
          topP: 1,
          stop: ['x'],
          tools: [{ name: 'lookup', parameters: { type: 'object' } }],
          toolChoice: 'auto',
          metadata: { z: '1', a: '2' },
        },
        options: { user: 'u', tenant: 't', traceId: 'tr', ip: '203.0.113.1', auditFields: { purpose: 'p', case: 'c' } },
        notes: { cache: 'miss', breakerSkips: ['x/y'], rateLimitWaitMs: 1, retryBudgetExhausted: true, sensitiveWordHits: 1, canary: { route: 'main', arm: 'candidate', step: 0, weight: 5 } },
        attempts: [{ target: { provider: 'openai', model: 'gpt-4o' }, route: 'main', outcome: 'ok', status: 200, ms: 1 }],
      }),
      {
        response: {
          id: 'r',
          text: 'ok',
          toolCalls: [{ id: 'c2', name: 'lookup', arguments: { city: 'Bergen' } }],
          reasoning: [],
          message: { role: 'assistant', content: 'ok', toolCalls: [{ id: 'c2', name: 'lookup', arguments: { city: 'Bergen' } }] },
          finishReason: 'tool_calls',
          usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2, cachedInputTokens: 0 },
          route: 'main',
          target: { provider: 'openai', model: 'gpt-4o' },
          servedModel: 'gpt-4o-2024',
          attempts: [],
          latencyMs: 1,
          requestId: 'r-1',
          cached: false,
        },
        endedAt: 1_010,
        firstOutputAt: 1_005,
        startedAtMs: 0,
      },
      full,
    );
    const failed = buildCallRecord(
      context({ attempts: [{ target: { provider: 'openai', model: 'gpt-4o' }, route: 'main', outcome: 'server', status: 500, ms: 1 }] }),
      { error: new SwitchyardError({ category: 'server', message: 'boom', status: 500, provider: 'openai', model: 'gpt-4o', providerCode: 'x' }), endedAt: 1_001, startedAtMs: 0 },
      settings,
    );
    for (const record of [succeeded, failed]) {
      expect(Object.keys(record).length).toBeGreaterThan(15);
      expect(JSON.stringify(record)).toBe(canonicalJson(record));
    }
  });
});

describe('costOf', () => {
  const pricing = { 'openai/gpt-4o': { input: 2.5, output: 10, cachedInput: 1.25 }, 'claude-3-5-sonnet': { input: 3, output: 15 } };

  it('prices input, cached input and output per million tokens', () => {
    expect(costOf(pricing, { provider: 'openai', model: 'gpt-4o' }, { inputTokens: 1_000, outputTokens: 500, totalTokens: 1_500 })).toBe(0.0075);
    expect(costOf(pricing, { provider: 'openai', model: 'gpt-4o' }, { inputTokens: 1_000, outputTokens: 0, totalTokens: 1_000, cachedInputTokens: 400 })).toBe(0.002);
  });

  it('falls back from provider/model to the bare model name, and charges cached input at the input price when no cached price is set', () => {
    expect(costOf(pricing, { provider: 'bedrock', model: 'claude-3-5-sonnet' }, { inputTokens: 1_000_000, outputTokens: 1_000_000, totalTokens: 2_000_000, cachedInputTokens: 10 })).toBe(18);
  });

  it('is undefined for an unpriced model', () => {
    expect(costOf(pricing, { provider: 'openai', model: 'o1' }, { inputTokens: 1, outputTokens: 1, totalTokens: 2 })).toBeUndefined();
  });
});

