/**
 * Prompt caching end to end: breakpoints (`cache` on system parts, message parts and tools) reach
 * Anthropic as `cache_control`, the simulator plays Anthropic's cache (the first call writes the
 * prefix, a repeat reads it), usage reports reads and writes apart, and cost prices each.
 * Providers that cache on their own get the same request without breakpoints.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { costOf } from '../../src/pricing.js';
import type { Router } from '../../src/router/router.js';
import type { Simulator } from '../../src/testing/simulator.js';
import type { ChatRequest, StreamEvent } from '../../src/types.js';
import { failure } from '../support/failure.js';
import { FAST_POLICIES, nativeProviders } from '../support/sim-config.js';
import { useSimulatorRouter } from '../support/simulator-fixture.js';

let simulator: Simulator;
let router: Router;

const PRICING = { 'anthropic/claude-sonnet-4-5': { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 } };

const fixture = useSimulatorRouter({ seed: 7 }, (sim) => ({
  providers: nativeProviders(sim),
  routes: {
    claude: { targets: [{ provider: 'anthropic', model: 'claude-sonnet-4-5' }] },
    gpt: { targets: [{ provider: 'openai', model: 'gpt-4o' }] },
    gemini: { targets: [{ provider: 'gemini', model: 'gemini-2.5-flash' }] },
  },
  pricing: PRICING,
  policies: FAST_POLICIES,
}));
beforeEach(() => {
  ({ simulator, router } = fixture);
});

/** A long, stable system prompt (the simulator counts a token per word). */
const MANUAL = Array.from({ length: 40 }, (_, index) => `rule${index}`).join(' ');

const cachedSystem = (model: string, question: string, ttl?: '5m' | '1h'): ChatRequest => ({
  model,
  system: [
    { type: 'text', text: 'You answer questions about the manual.' },
    { type: 'text', text: MANUAL, cache: ttl === undefined ? true : { ttl } },
  ],
  messages: [{ role: 'user', content: question }],
});

describe('Anthropic prompt caching', () => {
  it('sends cache_control where the breakpoints are, and the system prompt as blocks', async () => {
    await router.chat({
      ...cachedSystem('claude', 'first question', '1h'),
      tools: [{ name: 'lookup', parameters: { type: 'object' }, cache: true }],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'long document', cache: true }, { type: 'text', text: 'first question' }] }],
    });
    const body = simulator.requests.at(-1)?.body as Record<string, unknown>;
    expect(body.system).toEqual([
      { type: 'text', text: 'You answer questions about the manual.' },
      { type: 'text', text: MANUAL, cache_control: { type: 'ephemeral', ttl: '1h' } },
    ]);
    expect(body.tools).toEqual([{ name: 'lookup', input_schema: { type: 'object' }, cache_control: { type: 'ephemeral' } }]);
    expect(body.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'long document', cache_control: { type: 'ephemeral' } }, { type: 'text', text: 'first question' }] },
    ]);
  });

  it('writes the prefix on the first call and reads it on the next; usage and cost say so', async () => {
    const first = await router.chat(cachedSystem('claude', 'what is rule 3?'));
    const prefix = first.usage.cacheWriteInputTokens ?? 0;
    expect(prefix).toBeGreaterThanOrEqual(40);
    expect(first.usage.cacheReadInputTokens).toBe(0);
    const second = await router.chat(cachedSystem('claude', 'and rule 7?'));
    expect(second.usage).toMatchObject({ cacheReadInputTokens: prefix, cacheWriteInputTokens: 0, cachedInputTokens: prefix });
    // The input total includes the cached part; the simulator's own numbers, read back from the wire.
    const wire = simulator.requests.length;
    expect(wire).toBe(2);
    const uncached = second.usage.inputTokens - prefix;
    expect(uncached).toBeGreaterThan(0);
    const target = { provider: 'anthropic', model: 'claude-sonnet-4-5' };
    expect(costOf(PRICING, target, second.usage)).toBeCloseTo((uncached * 3 + prefix * 0.3 + second.usage.outputTokens * 15) / 1e6, 12);
    expect(costOf(PRICING, target, first.usage)).toBeCloseTo(((first.usage.inputTokens - prefix) * 3 + prefix * 3.75 + first.usage.outputTokens * 15) / 1e6, 12);
  });

  it('reports cache reads and writes in a stream too', async () => {
    const question = 'streamed question';
    const collect = async (): Promise<StreamEvent[]> => {
      const events: StreamEvent[] = [];
      for await (const event of router.stream(cachedSystem('claude', question, '5m'))) events.push(event);
      return events;
    };
    const usageOf = (events: StreamEvent[]) => (events.at(-1)?.type === 'finish' ? (events.at(-1) as Extract<StreamEvent, { type: 'finish' }>).response.usage : undefined);
    const first = usageOf(await collect());
    const second = usageOf(await collect());
    expect(first?.cacheWriteInputTokens).toBeGreaterThan(0);
    expect(second?.cacheReadInputTokens).toBe(first?.cacheWriteInputTokens);
    expect(second?.cacheWriteInputTokens).toBe(0);
  });

  it('refuses a fifth breakpoint before any provider is called', async () => {
    const part = (text: string) => ({ type: 'text' as const, text, cache: true as const });
    const error = await failure(
      router.chat({ model: 'claude', system: [part('a'), part('b')], messages: [{ role: 'user', content: [part('c'), part('d'), part('e')] }] }),
    );
    expect(error).toMatchObject({ category: 'invalid_request', field: 'messages[0].content[2].cache' });
    expect(error.message).toContain('at most 4 prompt-cache breakpoints');
    expect(simulator.count()).toBe(0);
  });

  it('refuses a malformed breakpoint, naming it', async () => {
    const error = await failure(router.chat({ model: 'claude', messages: [{ role: 'user', content: [{ type: 'text', text: 'x', cache: { ttl: '2h' } }] }] } as unknown as ChatRequest));
    expect(error).toMatchObject({ category: 'invalid_request', field: 'messages[0].content[0].cache.ttl' });
  });
});

describe('providers that cache on their own', () => {
  it('OpenAI gets the system prompt as one text and no breakpoints', async () => {
    const response = await router.chat(cachedSystem('gpt', 'hello'));
    expect(response.usage.cacheWriteInputTokens).toBeUndefined();
    const body = simulator.requests.at(-1)?.body as { messages: unknown[] };
    expect(body.messages[0]).toEqual({ role: 'system', content: `You answer questions about the manual.\n\n${MANUAL}` });
    expect(JSON.stringify(body)).not.toMatch(/cache_control|"cache"/);
  });

  it('Gemini gets the system parts as systemInstruction parts and no breakpoints', async () => {
    await router.chat(cachedSystem('gemini', 'hello'));
    const body = simulator.requests.at(-1)?.body as { systemInstruction: unknown };
    expect(body.systemInstruction).toEqual({ parts: [{ text: 'You answer questions about the manual.' }, { text: MANUAL }] });
    expect(JSON.stringify(body)).not.toMatch(/cache_control|"cache"/);
  });
});
