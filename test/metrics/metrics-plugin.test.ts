import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig, type SwitchyardConfigInput } from '../../src/config/index.js';
import type { SwitchyardConfig } from '../../src/config/types.js';
import { createRouter } from '../../src/create-router.js';
import { RouterEventHub } from '../../src/events.js';
import { createMetricsPlugin, type MetricsPlugin } from '../../src/metrics/metrics-plugin.js';
import type { Router } from '../../src/router/router.js';
import { startSimulator, type Simulator } from '../../src/testing/simulator.js';
import type { ChatRequest } from '../../src/types.js';
import { simConfig } from '../support/sim-config.js';
import { parsePrometheusText, samplesOf, sumOf, type Exposition } from './prometheus-text.js';

let simulator: Simulator;
const routers: Router[] = [];

beforeAll(async () => {
  simulator = await startSimulator({ seed: 11 });
});
afterEach(async () => {
  await Promise.all(routers.splice(0).map((router) => router.close()));
  simulator.reset();
});
afterAll(async () => {
  await simulator.close();
});

/** The simulator config plus a cached route, a rate-limited route, a breaker on `gemini`, prices, intents and flagged words. */
function testConfig(extra: Partial<SwitchyardConfigInput> = {}): SwitchyardConfig {
  const base = simConfig(simulator);
  return resolveConfig({
    ...base,
    routes: {
      ...base.routes,
      cached: { targets: [{ provider: 'openai', model: 'gpt-4o' }], policies: { cache: {} } },
      limited: { targets: [{ provider: 'local', model: 'llama3' }], policies: { rateLimit: { global: { concurrency: 1 } } } },
      gemini: { targets: [{ provider: 'gemini', model: 'gemini-1.5-pro' }], policies: { retry: { attempts: 1 }, breaker: { enabled: true, errorRate: 0.5, minRequests: 2, openFor: '30s' } } },
    },
    pricing: { 'openai/gpt-4': { input: 30, output: 60 }, 'gpt-4o': { input: 2.5, output: 10 } },
    metrics: { intents: ['support', 'sales'] },
    filters: { sensitiveWords: { words: ['secret plan'], action: 'flag' } },
    ...extra,
  });
}

function setup(extra: Partial<SwitchyardConfigInput> = {}, auditQueueDepth?: () => number): { router: Router; metrics: MetricsPlugin; scrape: () => Promise<Exposition> } {
  const config = testConfig(extra);
  const metrics = createMetricsPlugin({ config, ...(auditQueueDepth === undefined ? {} : { auditQueueDepth }) });
  const router = createRouter(config, { plugins: [metrics] }); // the content filter is built in when the config asks
  routers.push(router);
  return { router, metrics, scrape: async () => parsePrometheusText(await metrics.registry.metrics()) };
}

/** A router whose own events are not used: the test drives the plugin through its own hub. */
function detachedRouter(config: SwitchyardConfig): Router {
  const router = createRouter(config);
  routers.push(router);
  return router;
}

const ask = (model: string, text = 'hello there', extra: Partial<ChatRequest> = {}): ChatRequest => ({ model, messages: [{ role: 'user', content: text }], ...extra });

describe('metrics plugin, scraped as Prometheus text after real calls', () => {
  it('counts a successful call: calls, latency, tokens, cost, intent, attempts', async () => {
    const { router, scrape } = setup();
    const response = await router.chat(ask('gpt4', 'one two three', { metadata: { intent: 'support' } }));
    const exposition = await scrape();
    const call = { route: 'gpt4', arm: 'none', provider: 'openai', model: 'gpt-4', outcome: 'success', category: 'none' };
    expect(samplesOf(exposition, 'switchyard_calls_total', call).map((sample) => sample.value)).toEqual([1]);
    expect(exposition.types.get('switchyard_calls_total')).toBe('counter');
    expect(sumOf(exposition, 'switchyard_call_duration_seconds_count', { route: 'gpt4', provider: 'openai', model: 'gpt-4', outcome: 'success' })).toBe(1);
    expect(sumOf(exposition, 'switchyard_call_duration_seconds_bucket', { route: 'gpt4', le: '+Inf' })).toBe(1);
    expect(sumOf(exposition, 'switchyard_call_duration_seconds_sum', { route: 'gpt4' })).toBeCloseTo(response.latencyMs / 1000, 1);
    expect(sumOf(exposition, 'switchyard_tokens_total', { route: 'gpt4', type: 'input' })).toBe(response.usage.inputTokens);
    expect(sumOf(exposition, 'switchyard_tokens_total', { route: 'gpt4', type: 'output' })).toBe(response.usage.outputTokens);
    const expectedCost = (response.usage.inputTokens * 30 + response.usage.outputTokens * 60) / 1_000_000;
    expect(sumOf(exposition, 'switchyard_cost_usd_total', { route: 'gpt4', provider: 'openai', model: 'gpt-4' })).toBeCloseTo(expectedCost, 12);
    expect(sumOf(exposition, 'switchyard_calls_by_intent_total', { intent: 'support', outcome: 'success' })).toBe(1);
    expect(sumOf(exposition, 'switchyard_attempts_total', { provider: 'openai', model: 'gpt-4', outcome: 'ok' })).toBe(1);
    expect(sumOf(exposition, 'switchyard_calls_in_flight', { route: 'gpt4' })).toBe(0);
    expect(sumOf(exposition, 'switchyard_retries_total')).toBe(0);
  });

  it('counts reasoning tokens and prompt-cache reads and writes, 1-hour writes apart, as token types', async () => {
    const { router, scrape } = setup();
    const manual = Array.from({ length: 30 }, (_, index) => `rule${index}`).join(' ');
    const cached = (question: string): ChatRequest => ({ model: 'anthropic/claude-2.1', system: [{ type: 'text', text: manual, cache: { ttl: '1h' } }], messages: [{ role: 'user', content: question }] });
    const written = await router.chat(cached('first'));
    const read = await router.chat(cached('second'));
    const reasoned = await router.chat(ask('openai/o3-mini', 'think first', { reasoning: { effort: 'low' } }));
    const exposition = await scrape();
    const anthropic = { route: 'direct', provider: 'anthropic', model: 'claude-2.1' };
    expect(written.usage.cacheWrite1hInputTokens).toBeGreaterThanOrEqual(30);
    expect(sumOf(exposition, 'switchyard_tokens_total', { ...anthropic, type: 'cache_write' })).toBe(written.usage.cacheWriteInputTokens);
    expect(sumOf(exposition, 'switchyard_tokens_total', { ...anthropic, type: 'cache_write_1h' })).toBe(written.usage.cacheWrite1hInputTokens);
    expect(sumOf(exposition, 'switchyard_tokens_total', { ...anthropic, type: 'cache_read' })).toBe(read.usage.cacheReadInputTokens);
    expect(reasoned.usage.reasoningTokens).toBeGreaterThan(0);
    const openai = { route: 'direct', provider: 'openai' };
    expect(sumOf(exposition, 'switchyard_tokens_total', { ...openai, type: 'reasoning' })).toBe(reasoned.usage.reasoningTokens);
    expect(sumOf(exposition, 'switchyard_tokens_total', { ...openai, type: 'output' })).toBe(reasoned.usage.outputTokens);
    // Only the types a call reported: no reasoning series for the Anthropic target, no cache series for OpenAI.
    expect(samplesOf(exposition, 'switchyard_tokens_total', { ...anthropic, type: 'reasoning' })).toEqual([]);
    expect(samplesOf(exposition, 'switchyard_tokens_total', { ...openai, type: 'cache_write_1h' })).toEqual([]);
    expect(new Set(samplesOf(exposition, 'switchyard_tokens_total').map((sample) => sample.labels.type))).toEqual(new Set(['input', 'output', 'cache_read', 'cache_write', 'cache_write_1h', 'reasoning']));
  });

  it('counts a failed call by category, without tokens or cost', async () => {
    const { router, scrape } = setup();
    simulator.enqueueFault('gpt-4', { kind: 'status', status: 401 });
    await expect(router.chat(ask('gpt4', 'x', { metadata: { intent: 'unheard-of' } }))).rejects.toMatchObject({ category: 'auth' });
    const exposition = await scrape();
    expect(sumOf(exposition, 'switchyard_calls_total', { route: 'gpt4', provider: 'openai', model: 'gpt-4', outcome: 'error', category: 'auth' })).toBe(1);
    expect(sumOf(exposition, 'switchyard_calls_total', { outcome: 'success' })).toBe(0);
    expect(sumOf(exposition, 'switchyard_attempts_total', { outcome: 'auth' })).toBe(1);
    expect(sumOf(exposition, 'switchyard_tokens_total')).toBe(0);
    expect(sumOf(exposition, 'switchyard_cost_usd_total')).toBe(0);
    expect(sumOf(exposition, 'switchyard_calls_by_intent_total', { intent: 'other', outcome: 'error' })).toBe(1);
    expect(samplesOf(exposition, 'switchyard_calls_by_intent_total').map((sample) => sample.labels.intent)).not.toContain('unheard-of');
  });

  it('counts retries by the category that caused them, and every attempt', async () => {
    const { router, scrape } = setup();
    simulator.enqueueFault('gpt-4', { kind: 'status', status: 500 });
    const response = await router.chat(ask('gpt4'));
    expect(response.attempts.map((attempt) => attempt.outcome)).toEqual(['server', 'ok']);
    const exposition = await scrape();
    expect(sumOf(exposition, 'switchyard_retries_total', { route: 'gpt4', provider: 'openai', model: 'gpt-4', category: 'server' })).toBe(1);
    expect(sumOf(exposition, 'switchyard_attempts_total', { provider: 'openai', model: 'gpt-4', outcome: 'server' })).toBe(1);
    expect(sumOf(exposition, 'switchyard_attempts_total', { provider: 'openai', model: 'gpt-4', outcome: 'ok' })).toBe(1);
    expect(sumOf(exposition, 'switchyard_calls_total', { route: 'gpt4', outcome: 'success' })).toBe(1);
  });

  it('counts cache misses and hits; a hit adds no tokens or cost', async () => {
    const { router, scrape } = setup();
    const first = await router.chat(ask('cached', 'same question', { temperature: 0 }));
    const second = await router.chat(ask('cached', 'same question', { temperature: 0 }));
    expect(second.cached).toBe(true);
    const exposition = await scrape();
    expect(sumOf(exposition, 'switchyard_cache_lookups_total', { route: 'cached', result: 'miss' })).toBe(1);
    expect(sumOf(exposition, 'switchyard_cache_lookups_total', { route: 'cached', result: 'hit' })).toBe(1);
    expect(sumOf(exposition, 'switchyard_calls_total', { route: 'cached', provider: 'openai', model: 'gpt-4o', outcome: 'success' })).toBe(2);
    expect(sumOf(exposition, 'switchyard_tokens_total', { route: 'cached', type: 'input' })).toBe(first.usage.inputTokens);
    const expectedCost = (first.usage.inputTokens * 2.5 + first.usage.outputTokens * 10) / 1_000_000;
    expect(sumOf(exposition, 'switchyard_cost_usd_total', { route: 'cached' })).toBeCloseTo(expectedCost, 12);
    expect(simulator.count()).toBe(1);
  });

  it('observes time to first token for streams', async () => {
    const { router, scrape } = setup();
    simulator.setBehavior('*', { ttftMs: 30 });
    for await (const _event of router.stream(ask('claude', 'a b c'), { user: 'u-1' })) {
      // drain
    }
    const exposition = await scrape();
    expect(sumOf(exposition, 'switchyard_time_to_first_token_seconds_count', { route: 'claude', provider: 'anthropic' })).toBe(1);
    expect(sumOf(exposition, 'switchyard_time_to_first_token_seconds_sum', { route: 'claude' })).toBeGreaterThanOrEqual(0.025);
    expect(sumOf(exposition, 'switchyard_calls_in_flight', { route: 'claude' })).toBe(0);
  });

  it('shows calls in flight while they run', async () => {
    const { router, scrape } = setup();
    simulator.setBehavior('*', { latencyMs: 300 });
    const pending = router.chat(ask('gpt4'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(sumOf(await scrape(), 'switchyard_calls_in_flight', { route: 'gpt4' })).toBe(1);
    await pending;
    expect(sumOf(await scrape(), 'switchyard_calls_in_flight', { route: 'gpt4' })).toBe(0);
  });

  it('counts rate-limit rejections (no provider tried)', async () => {
    const { router, scrape } = setup();
    simulator.setBehavior('llama3', { latencyMs: 200 });
    const first = router.chat(ask('limited'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    await expect(router.chat(ask('limited'))).rejects.toMatchObject({ category: 'rate_limit' });
    await first;
    const exposition = await scrape();
    expect(sumOf(exposition, 'switchyard_rate_limit_rejections_total', { route: 'limited' })).toBe(1);
    expect(sumOf(exposition, 'switchyard_calls_total', { route: 'limited', provider: 'none', model: 'none', outcome: 'error', category: 'rate_limit' })).toBe(1);
    expect(simulator.count()).toBe(1);
  });

  it('tracks breaker state per target: 0 closed, 2 open', async () => {
    const { router, scrape } = setup();
    expect(sumOf(await scrape(), 'switchyard_breaker_state', { target: 'gemini/gemini-1.5-pro' })).toBe(0);
    simulator.enqueueFault('gemini-1.5-pro', { kind: 'status', status: 500 }, 2);
    for (let index = 0; index < 2; index += 1) await expect(router.chat(ask('gemini'))).rejects.toMatchObject({ category: 'server' });
    await expect(router.chat(ask('gemini'))).rejects.toMatchObject({ category: 'circuit_open' });
    const exposition = await scrape();
    expect(sumOf(exposition, 'switchyard_breaker_state', { target: 'gemini/gemini-1.5-pro' })).toBe(2);
    expect(sumOf(exposition, 'switchyard_breaker_transitions_total', { target: 'gemini/gemini-1.5-pro', to: 'open' })).toBe(1);
    expect(sumOf(exposition, 'switchyard_calls_total', { route: 'gemini', category: 'circuit_open' })).toBe(1);
    expect(simulator.count()).toBe(2);
  });

  it('counts sensitive-word hits and the calls that held them', async () => {
    const { router, scrape } = setup();
    await router.chat(ask('gpt4', 'the Secret Plan, the SECRET PLAN'));
    await router.chat(ask('gpt4', 'nothing to see'));
    const exposition = await scrape();
    expect(sumOf(exposition, 'switchyard_sensitive_word_hits_total', { route: 'gpt4', action: 'flag' })).toBe(2);
    expect(sumOf(exposition, 'switchyard_sensitive_word_calls_total', { route: 'gpt4', action: 'flag' })).toBe(1);
  });

  it('has series at 0 for configured routes and intents before any call, with help and types', async () => {
    const { scrape } = setup();
    const exposition = await scrape();
    expect(samplesOf(exposition, 'switchyard_calls_total', { route: 'claude', provider: 'anthropic', model: 'claude-2.1', outcome: 'success' })).toHaveLength(1);
    expect(sumOf(exposition, 'switchyard_calls_total')).toBe(0);
    expect(samplesOf(exposition, 'switchyard_calls_by_intent_total').map((sample) => sample.labels.intent).sort()).toEqual(['none', 'other', 'sales', 'support']);
    expect(exposition.types.get('switchyard_call_duration_seconds')).toBe('histogram');
    expect(exposition.types.get('switchyard_breaker_state')).toBe('gauge');
    expect(exposition.help.get('switchyard_breaker_state')).toContain('0 closed');
    expect(samplesOf(exposition, 'switchyard_call_duration_seconds_bucket', { route: 'gpt4' })).toHaveLength(0);
  });

  it('reads the audit queue depth at scrape time and counts audit sink errors from events', async () => {
    let depth = 7;
    const config = testConfig();
    const metrics = createMetricsPlugin({ config, auditQueueDepth: () => depth });
    const events = new RouterEventHub();
    metrics.attach?.(detachedRouter(config), { events, mirror: () => Promise.reject(new Error('unused')) });
    events.emit('audit-write', { requestId: 'r1', ok: true });
    events.emit('audit-write', { requestId: 'r2', ok: false, error: new Error('disk full') });
    events.emit('audit-write', { requestId: 'r3', ok: false, error: new Error('disk full') });
    let exposition = parsePrometheusText(await metrics.registry.metrics());
    expect(sumOf(exposition, 'switchyard_audit_queue_depth')).toBe(7);
    expect(sumOf(exposition, 'switchyard_audit_records_written_total')).toBe(1);
    expect(sumOf(exposition, 'switchyard_audit_sink_errors_total')).toBe(2);
    depth = 0;
    exposition = parsePrometheusText(await metrics.registry.metrics());
    expect(sumOf(exposition, 'switchyard_audit_queue_depth')).toBe(0);
    await metrics.close?.();
  });

  it('sets canary step and weight from canary-change events and counts decisions', async () => {
    const config = testConfig();
    const metrics = createMetricsPlugin({ config });
    const events = new RouterEventHub();
    metrics.attach?.(detachedRouter(config), { events, mirror: () => Promise.reject(new Error('unused')) });
    events.emit('canary-change', { route: 'claude', state: 'running', step: 1, weight: 25, decision: 'promote', reason: 'step passed' });
    events.emit('canary-change', { route: 'claude', state: 'rolled-back', step: 1, weight: 0, decision: 'rollback', reason: 'error rate' });
    const exposition = parsePrometheusText(await metrics.registry.metrics());
    expect(sumOf(exposition, 'switchyard_canary_step', { route: 'claude' })).toBe(1);
    expect(sumOf(exposition, 'switchyard_canary_weight', { route: 'claude' })).toBe(0);
    expect(sumOf(exposition, 'switchyard_canary_decisions_total', { route: 'claude', decision: 'promote' })).toBe(1);
    expect(sumOf(exposition, 'switchyard_canary_decisions_total', { route: 'claude', decision: 'rollback' })).toBe(1);
    await metrics.close?.();
  });

  it('labels direct provider/model calls as route "direct" and folds unbounded models into "other"', async () => {
    const { router, scrape } = setup({ allowDirect: true });
    for (let index = 0; index < 55; index += 1) await router.chat(ask(`openai/model-${index}`));
    const exposition = await scrape();
    expect(sumOf(exposition, 'switchyard_calls_total', { route: 'direct', outcome: 'success' })).toBe(55);
    expect(sumOf(exposition, 'switchyard_calls_total', { route: 'direct', model: 'other' })).toBe(5);
    const directModels = new Set(samplesOf(exposition, 'switchyard_calls_total', { route: 'direct' }).map((sample) => sample.labels.model));
    expect(directModels.size).toBe(51);
  });

  it('uses the configured prefix, a caller registry, and default process metrics when asked', async () => {
    const registry = new Registry();
    const config = testConfig({ metrics: { prefix: 'llm_', processMetrics: true } });
    const metrics = createMetricsPlugin({ config, registry });
    expect(metrics.registry).toBe(registry);
    const router = createRouter(config, { plugins: [metrics] });
    routers.push(router);
    await router.chat(ask('gpt4'));
    const exposition = parsePrometheusText(await registry.metrics());
    expect(sumOf(exposition, 'llm_calls_total', { route: 'gpt4' })).toBe(1);
    expect(samplesOf(exposition, 'llm_process_cpu_user_seconds_total')).toHaveLength(1);
    expect(samplesOf(exposition, 'llm_nodejs_heap_size_used_bytes')).toHaveLength(1);
    expect(samplesOf(exposition, 'switchyard_calls_total')).toHaveLength(0);
    // A second router on the same registry adds to the same series.
    const again = createMetricsPlugin({ config, registry });
    const second = createRouter(config, { plugins: [again] });
    routers.push(second);
    await second.chat(ask('gpt4'));
    expect(sumOf(parsePrometheusText(await registry.metrics()), 'llm_calls_total', { route: 'gpt4' })).toBe(2);
  });

  it('stops counting after close()', async () => {
    const config = testConfig();
    const metrics = createMetricsPlugin({ config });
    const events = new RouterEventHub();
    metrics.attach?.(detachedRouter(config), { events, mirror: () => Promise.reject(new Error('unused')) });
    events.emit('warning', { code: 'shared-state', message: 'Redis is down' });
    await metrics.close?.();
    events.emit('warning', { code: 'shared-state', message: 'Redis is down' });
    expect(sumOf(parsePrometheusText(await metrics.registry.metrics()), 'switchyard_warnings_total', { code: 'shared-state' })).toBe(1);
  });
});
