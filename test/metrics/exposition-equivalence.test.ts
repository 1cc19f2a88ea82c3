/**
 * The metrics plugin on Switchyard's own metric classes must serve exactly what the prom-client
 * implementation it replaced served. Both are fed the same events (a seeded script covering every
 * event type, label folding, canary arms, cache and rate-limit notes, and updates prom-client
 * refuses) and their registries' expositions are compared byte for byte at several points.
 */
import { Registry, type RegistryContentType } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/index.js';
import type { SwitchyardConfig } from '../../src/config/types.js';
import { SwitchyardError } from '../../src/errors.js';
import { RouterEventHub, type RouterEvents } from '../../src/events.js';
import { createMetricsPlugin } from '../../src/metrics/metrics-plugin.js';
import type { RouterPlugin } from '../../src/router/plugin.js';
import type { Router } from '../../src/router/router.js';
import type { Attempt, ChatRequest, ErrorCategoryName, Target } from '../../src/types.js';
import { createLegacyMetricsPlugin } from './fixtures/legacy-metrics-plugin.js';

function equivalenceConfig(prefix = 'switchyard_'): SwitchyardConfig {
  return resolveConfig({
    providers: {
      anthropic: { type: 'anthropic', apiKey: 'test-key', baseUrl: 'http://127.0.0.1:9' },
      openai: { type: 'openai', apiKey: 'test-key', baseUrl: 'http://127.0.0.1:9/v1' },
      // A key pool: its keys' removal series exist at 0 from the start.
      pooled: { type: 'openai', apiKeys: [{ key: 'pool-key-0000000000' }, { key: 'pool-key-1111111111' }, { key: 'pool-key-2222222222' }], baseUrl: 'http://127.0.0.1:9/v1' },
    },
    allowDirect: true,
    routes: {
      claude: {
        canary: {
          baseline: { provider: 'anthropic', model: 'claude-2.0' },
          candidate: { provider: 'anthropic', model: 'claude-2.1' },
          steps: [{ weight: 10 }, { weight: 100 }],
        },
      },
      gpt4: { targets: [{ provider: 'openai', model: 'gpt-4' }], fallbacks: ['claude'] },
      cached: { targets: [{ provider: 'openai', model: 'gpt-4o' }], policies: { cache: {} } },
      limited: { targets: [{ provider: 'openai', model: 'gpt-4o-mini' }], policies: { rateLimit: { global: { concurrency: 1 } } } },
      vectors: { kind: 'embedding', targets: [{ provider: 'pooled', model: 'text-embedding-3-small' }] },
    },
    pricing: {
      'openai/gpt-4': { input: 30, output: 60 },
      'gpt-4o': { input: 2.5, output: 10, cachedInput: 1.25 },
      'claude-2.1': { input: 8, output: 24 },
      'text-embedding-3-small': { input: 0.02, output: 0 },
      // Direct models priced one by one: folded into `other`, their cost still follows their own price.
      ...Object.fromEntries(Array.from({ length: 70 }, (_unused, index) => [`openai/direct-${index}`, { input: index + 1, output: 2 }])),
    },
    metrics: { prefix, intents: ['support', 'sales'] },
    filters: { sensitiveWords: { words: ['secret plan'], action: 'flag' } },
  });
}

/** A small deterministic generator (mulberry32), so the script is the same on every run. */
function createRandom(seed: number): { below: (limit: number) => number; pick: <T>(items: readonly T[]) => T } {
  let state = seed >>> 0;
  const below = (limit: number): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(state ^ (state >>> 15), state | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return Math.floor((((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296) * limit);
  };
  return { below, pick: (items) => items[below(items.length)] as (typeof items)[number] };
}

/** One scripted event. */
type ScriptedEvent = { [E in keyof RouterEvents]: { readonly name: E; readonly payload: RouterEvents[E] } }[keyof RouterEvents];

const CATEGORIES: readonly ErrorCategoryName[] = ['server', 'rate_limit', 'timeout', 'auth', 'circuit_open', 'overloaded'];

/** An embedding call on the `vectors` route, answered or (as `category`) not, from the cache or not. */
function embeddingCall(requestId: string, random: ReturnType<typeof createRandom>): ScriptedEvent[] {
  const target: Target = { provider: 'pooled', model: 'text-embedding-3-small' };
  const request: ChatRequest = { model: 'vectors', messages: [{ role: 'user', content: 'embed me' }] };
  const outcome = random.below(4) === 0 ? random.pick(CATEGORIES) : 'ok';
  const attempts: Attempt[] = [{ target, route: 'vectors', outcome, status: outcome === 'ok' ? 200 : 500, ms: random.below(300) }];
  const latencyMs = random.pick([3, 80, 700]) + random.below(100) / 7;
  const base = { requestId, route: 'vectors', mode: 'embed', request, options: {}, latencyMs, attempts, notes: {} } as const;
  const inputTokens = random.below(2000);
  const ended: ScriptedEvent =
    outcome === 'ok'
      ? { name: 'call-end', payload: { ...base, embedding: { embeddings: [[0.1, 0.2]], usage: { inputTokens, totalTokens: inputTokens }, route: 'vectors', target, attempts, latencyMs, requestId, cached: random.below(3) === 0 } } }
      : { name: 'call-end', payload: { ...base, error: new SwitchyardError({ category: outcome, message: 'embedding failed' }) } };
  return [{ name: 'call-start', payload: { requestId, route: 'vectors', mode: 'embed', request, options: {} } }, { name: 'attempt', payload: { requestId, attempt: attempts[0] as Attempt } }, ended];
}

/** A key of a pool removed or cooling down (now and then of a provider the config does not name). */
function keyPoolChange(random: ReturnType<typeof createRandom>): ScriptedEvent {
  const change = random.pick(['removed', 'cooling'] as const);
  const provider = random.below(6) === 0 ? `ghost-${random.below(4)}` : 'pooled';
  return {
    name: 'provider-key',
    payload: { provider, index: random.below(3), change, status: change === 'removed' ? 401 : 429, category: change === 'removed' ? 'auth' : 'rate_limit', ...(change === 'cooling' ? { cooldownMs: 10_000 } : {}), remaining: 2, size: 3 },
  };
}

/** `count` calls' worth of events (with retries, breaker and canary changes, audit writes, warnings), from `seed`. */
function scriptOf(seed: number, count: number): ScriptedEvent[] {
  const random = createRandom(seed);
  const events: ScriptedEvent[] = [];
  const configured: Record<string, readonly Target[]> = {
    claude: [{ provider: 'anthropic', model: 'claude-2.0' }, { provider: 'anthropic', model: 'claude-2.1' }],
    gpt4: [{ provider: 'openai', model: 'gpt-4' }],
    cached: [{ provider: 'openai', model: 'gpt-4o' }],
    limited: [{ provider: 'openai', model: 'gpt-4o-mini' }],
  };
  for (let index = 0; index < count; index += 1) {
    const requestId = `r${index}`;
    const direct = random.below(4) === 0;
    const route = direct ? `openai/direct-${random.below(70)}` : random.pick(Object.keys(configured));
    const target: Target = direct ? { provider: 'openai', model: route.slice('openai/'.length) } : random.pick(configured[route] ?? []);
    const intent = random.pick([undefined, '', 'support', 'sales', 'billing', `tag-${random.below(9)}`]);
    const request: ChatRequest = { model: route, messages: [{ role: 'user', content: 'hello' }], ...(intent === undefined ? {} : { metadata: { intent } }) };
    const mode = random.below(3) === 0 ? 'stream' : 'chat';
    events.push({ name: 'call-start', payload: { requestId, route, mode, request, options: {} } });

    const rejected = route === 'limited' && random.below(3) === 0;
    const attempts: Attempt[] = [];
    if (!rejected) {
      const failures = random.below(3);
      for (let tried = 0; tried <= failures; tried += 1) {
        const last = tried === failures;
        const outcome = last && random.below(4) !== 0 ? 'ok' : random.pick(CATEGORIES);
        const attempt: Attempt = { target, route, outcome, status: outcome === 'ok' ? 200 : 500, ms: random.below(900) };
        attempts.push(attempt);
        events.push({ name: 'attempt', payload: { requestId, attempt } });
        if (!last && outcome !== 'ok') {
          events.push({ name: 'retry', payload: { requestId, target, route, delayMs: 5, after: new SwitchyardError({ category: outcome, message: 'upstream failed' }) } });
        }
      }
    }
    const answered = attempts.at(-1)?.outcome === 'ok';
    const cached = route === 'cached' && random.below(2) === 0;
    const latencyMs = random.pick([3, 49.9, 50, 51, 250, 999, 4_000, 61_000, 400_000]) + random.below(1000) / 7;
    const notes: RouterEvents['call-end']['notes'] = {
      ...(route === 'cached' ? { cache: cached ? 'hit' : random.pick(['miss', 'shared', 'bypass'] as const) } : {}),
      ...(route === 'limited' && random.below(2) === 0 ? { rateLimitWaitMs: random.pick([0, 2, 40, 700, 45_000]) } : {}),
      ...(random.below(5) === 0 ? { sensitiveWordHits: random.below(3) } : {}),
      ...(route === 'claude' ? { canary: { route: 'claude', arm: target.model === 'claude-2.1' ? ('candidate' as const) : ('baseline' as const), step: random.below(2), weight: random.pick([10, 100]) } } : {}),
    };
    const usage = { inputTokens: random.below(4000), outputTokens: random.below(800), totalTokens: 0, ...(random.below(3) === 0 ? cacheUsage(random.below(500), random.below(300)) : {}) };
    const base = { requestId, route, mode, request, options: {}, latencyMs, attempts, notes, ...(mode === 'stream' && answered ? { timeToFirstTokenMs: latencyMs / 3 } : {}) } as const;
    if (answered || cached) {
      const response = { id: requestId, text: 'ok', toolCalls: [], reasoning: [], message: { role: 'assistant' as const, content: 'ok' }, finishReason: 'stop' as const, usage, route, target, attempts, latencyMs, requestId, cached };
      events.push({ name: 'call-end', payload: { ...base, response } });
    } else {
      const category = rejected ? 'rate_limit' : (attempts.at(-1)?.outcome ?? 'unknown');
      events.push({ name: 'call-end', payload: { ...base, error: new SwitchyardError({ category: category === 'ok' ? 'unknown' : category, message: 'call failed' }) } });
    }

    if (random.below(6) === 0) {
      const key = direct ? `openai/${target.model}` : `${target.provider}/${target.model}`;
      events.push({ name: 'breaker-change', payload: { target: key, from: 'closed', to: random.pick(['open', 'half_open', 'half-open', 'closed', 'melted']) } });
    }
    if (random.below(8) === 0) {
      events.push({ name: 'canary-change', payload: { route: random.pick(['claude', 'gpt4', 'nowhere']), state: 'running', step: random.below(3), weight: random.pick([0, 10, 100]), decision: random.pick(['promote', 'hold', 'rollback'] as const), reason: 'scripted' } });
    }
    if (random.below(4) === 0) events.push({ name: 'audit-write', payload: { requestId, ok: random.below(5) !== 0 } });
    if (random.below(5) === 0) events.push({ name: 'warning', payload: { code: `code-${random.below(70)}`, message: 'scripted' } });
    if (random.below(7) === 0) events.push(...embeddingCall(`e${index}`, random));
    if (random.below(9) === 0) events.push(keyPoolChange(random));
  }
  return events;
}

/** Calls-ends the prom-client implementation refuses part-way (negative or infinite tokens, NaN latency, negative sensitive-word counts). */
function refusedUpdates(): ScriptedEvent[] {
  const target: Target = { provider: 'openai', model: 'gpt-4' };
  const attempts: Attempt[] = [{ target, route: 'gpt4', outcome: 'ok', ms: 1 }];
  const request: ChatRequest = { model: 'gpt4', messages: [{ role: 'user', content: 'x' }] };
  const end = (latencyMs: number, inputTokens: number, notes: RouterEvents['call-end']['notes'] = {}): ScriptedEvent => ({
    name: 'call-end',
    payload: {
      requestId: 'odd',
      route: 'gpt4',
      mode: 'chat',
      request,
      options: {},
      latencyMs,
      attempts,
      notes,
      response: { id: 'odd', text: '', toolCalls: [], reasoning: [], message: { role: 'assistant', content: '' }, finishReason: 'stop', usage: { inputTokens, outputTokens: 1, totalTokens: 0 }, route: 'gpt4', target, attempts, latencyMs, requestId: 'odd', cached: false },
    },
  });
  return [end(Number.NaN, 5), end(10, -3), end(10, Number.POSITIVE_INFINITY), end(10, Number.NaN), end(Number.POSITIVE_INFINITY, 1), end(10, 1, { sensitiveWordHits: -1 })];
}

/** A hub with `plugins` attached, and the listener errors it reported. */
function hubWith(plugins: readonly RouterPlugin[]): { events: RouterEventHub; errors: string[] } {
  const events = new RouterEventHub();
  const errors: string[] = [];
  events.on('listener-error', ({ event, error }) => errors.push(`${event}: ${error instanceof Error ? `${error.constructor.name} ${error.message}` : String(error)}`));
  for (const plugin of plugins) plugin.attach?.({} as Router, { events, mirror: () => Promise.reject(new Error('unused')) });
  return { events, errors };
}

function emitAll(events: RouterEventHub, script: readonly ScriptedEvent[]): void {
  for (const { name, payload } of script) events.emit(name, payload);
}

/** Metrics added after the prom-client implementation was frozen: left out of the comparison. */
const NEWER_METRICS: readonly string[] = ['auth_fallbacks_total'];

/** An exposition without the families of `NEWER_METRICS`: their HELP, TYPE and samples, and the blank line before them. */
function withoutNewerMetrics(text: string): string {
  const patterns = NEWER_METRICS.map((name) => new RegExp(`^(# [A-Z]+ )?[A-Za-z_:]*${name.replace(/_total$/, '')}(_total|_created)?[ {]`));
  const kept: string[] = [];
  for (const line of text.split('\n')) {
    if (!patterns.some((pattern) => pattern.test(line))) kept.push(line);
    else if (line.startsWith('# HELP ') && kept.at(-1) === '') kept.pop();
  }
  return kept.join('\n');
}

/** The legacy and the new plugin, each on its own registry of `contentType`, each with `copies` plugins sharing it. */
function pair(config: SwitchyardConfig, copies = 1, contentType: RegistryContentType = Registry.PROMETHEUS_CONTENT_TYPE) {
  // prom-client's types only let a registry change content type when declared with both.
  const oldRegistry = new Registry<RegistryContentType>();
  const newRegistry = new Registry<RegistryContentType>();
  oldRegistry.setContentType(contentType);
  newRegistry.setContentType(contentType);
  let depth = 3;
  const auditQueueDepth = (): number => depth;
  const old = Array.from({ length: copies }, () => hubWith([createLegacyMetricsPlugin({ config, registry: oldRegistry as Registry, auditQueueDepth })]));
  const current = Array.from({ length: copies }, () => hubWith([createMetricsPlugin({ config, registry: newRegistry as Registry, auditQueueDepth })]));
  return {
    oldRegistry,
    newRegistry,
    setDepth: (value: number) => {
      depth = value;
    },
    emit(script: readonly ScriptedEvent[], copy = 0) {
      const oldHub = old[copy];
      const newHub = current[copy];
      if (oldHub === undefined || newHub === undefined) throw new Error(`no copy ${copy}`);
      emitAll(oldHub.events, script);
      emitAll(newHub.events, script);
    },
    errors: () => ({ old: old.flatMap((hub) => hub.errors), current: current.flatMap((hub) => hub.errors) }),
    async expectSameExposition() {
      const [oldText, newText] = await Promise.all([oldRegistry.metrics(), newRegistry.metrics()]);
      expect(withoutNewerMetrics(newText)).toBe(oldText);
      return newText;
    },
  };
}

/**
 * Prompt-cache counts as adapters report them (the read count also under its deprecated name), a
 * third of the writes to 1-hour entries and reasoning worth a tenth of the reads (derived, so that
 * the script's random draws stay as they were).
 */
const cacheUsage = (read: number, write: number) => ({ cacheReadInputTokens: read, cachedInputTokens: read, cacheWriteInputTokens: write, cacheWrite1hInputTokens: Math.floor(write / 3), reasoningTokens: Math.floor(read / 10) });

describe('exposition of the new metrics against the prom-client implementation', () => {
  it('is byte-identical before any event (pre-created series at 0)', async () => {
    const text = await pair(equivalenceConfig()).expectSameExposition();
    expect(text).toContain('switchyard_calls_total{route="claude",arm="candidate",provider="anthropic",model="claude-2.1",outcome="success",category="none"} 0');
    expect(text).toContain('switchyard_key_pool_changes_total{provider="pooled",key_index="2",change="removed"} 0');
  });

  it('is byte-identical after every batch of a long seeded event script', async () => {
    const metrics = pair(equivalenceConfig());
    const script = scriptOf(7, 1_500);
    for (let start = 0; start < script.length; start += 500) {
      metrics.emit(script.slice(start, start + 500));
      await metrics.expectSameExposition();
    }
    const text = await metrics.expectSameExposition();
    // The script reached what it means to cover: folded models and warnings, every histogram, canary arms.
    expect(text).toContain('model="other"');
    expect(text).toContain('switchyard_warnings_total{code="other"}');
    expect(text).toContain('switchyard_time_to_first_token_seconds_bucket{le="0.05"');
    expect(text).toContain('switchyard_rate_limit_wait_seconds_sum{route="limited"}');
    expect(text).toContain('arm="candidate"');
    expect(text).toMatch(/switchyard_cost_usd_total\{route="direct",provider="openai",model="direct-\d+"\} \d/);
    expect(text).toMatch(/switchyard_cost_usd_total\{route="direct",provider="openai",model="other"\} \d/);
    expect(text).toMatch(/switchyard_tokens_total\{route="[a-z0-9]+",provider="[a-z]+",model="[a-z0-9.-]+",type="cache_read"\} [1-9]/);
    expect(text).toMatch(/switchyard_tokens_total\{route="[a-z0-9]+",provider="[a-z]+",model="[a-z0-9.-]+",type="cache_write"\} [1-9]/);
    expect(text).toMatch(/switchyard_tokens_total\{route="[a-z0-9]+",provider="[a-z]+",model="[a-z0-9.-]+",type="cache_write_1h"\} [1-9]/);
    expect(text).toMatch(/switchyard_tokens_total\{route="[a-z0-9]+",provider="[a-z]+",model="[a-z0-9.-]+",type="reasoning"\} [1-9]/);
    expect(text).toMatch(/switchyard_tokens_total\{route="vectors",provider="pooled",model="text-embedding-3-small",type="input"\} [1-9]/);
    expect(text).toMatch(/switchyard_cost_usd_total\{route="vectors",provider="pooled",model="text-embedding-3-small"\} [0-9.e-]+\n/);
    expect(text).toMatch(/switchyard_key_pool_changes_total\{provider="pooled",key_index="\d",change="cooling"\} [1-9]/);
    expect(text).toMatch(/switchyard_key_pool_changes_total\{provider="ghost-\d",key_index="\d",change="removed"\} [1-9]/);
    expect(metrics.errors()).toEqual({ old: [], current: [] });
  });

  it('refuses the same updates at the same point (listener errors) and exports the same partial state', async () => {
    const metrics = pair(equivalenceConfig());
    metrics.emit(scriptOf(3, 50));
    metrics.emit(refusedUpdates());
    await metrics.expectSameExposition();
    const { old, current } = metrics.errors();
    // NaN tokens and negative word counts pass in prom-client (NaN is added; counts <= 0 are skipped).
    expect(old).toHaveLength(4);
    expect(current).toEqual(old);
    expect(await metrics.newRegistry.metrics()).toContain('switchyard_tokens_total{route="gpt4",provider="openai",model="gpt-4",type="input"} Nan');
  });

  it('is byte-identical with two plugins adding to one registry', async () => {
    const metrics = pair(equivalenceConfig(), 2);
    metrics.emit(scriptOf(11, 300), 0);
    metrics.emit(scriptOf(12, 300), 1);
    await metrics.expectSameExposition();
  });

  it('is byte-identical after registry.resetMetrics() and more events, and reads the audit queue depth at scrape time', async () => {
    const metrics = pair(equivalenceConfig('llm_'));
    metrics.emit(scriptOf(5, 200));
    metrics.setDepth(9);
    await metrics.expectSameExposition();
    metrics.oldRegistry.resetMetrics();
    metrics.newRegistry.resetMetrics();
    const afterReset = await metrics.expectSameExposition();
    expect(afterReset).toContain('llm_audit_records_written_total 0');
    expect(afterReset).not.toContain('llm_calls_total{');
    metrics.emit(scriptOf(6, 200));
    metrics.setDepth(Number.NaN);
    expect(await metrics.expectSameExposition()).toContain('llm_audit_queue_depth 9');
  });

  it('is byte-identical on an OpenMetrics registry, scraped twice (counter names lose and regain _total)', async () => {
    const metrics = pair(equivalenceConfig(), 1, Registry.OPENMETRICS_CONTENT_TYPE);
    metrics.emit(scriptOf(21, 300));
    await metrics.expectSameExposition();
    metrics.emit(scriptOf(22, 100));
    expect(await metrics.expectSameExposition()).toContain('# TYPE switchyard_calls counter');
  });

  it('gives the same getMetricsAsJSON() (histogram samples with all their labels)', async () => {
    const metrics = pair(equivalenceConfig());
    metrics.emit(scriptOf(31, 200));
    const [oldJson, newJson] = await Promise.all([metrics.oldRegistry.getMetricsAsJSON(), metrics.newRegistry.getMetricsAsJSON()]);
    const newer = (metric: { name: string }): boolean => NEWER_METRICS.some((name) => metric.name.endsWith(name));
    expect(JSON.parse(JSON.stringify(newJson.filter((metric) => !newer(metric))))).toEqual(JSON.parse(JSON.stringify(oldJson)));
  });
});
