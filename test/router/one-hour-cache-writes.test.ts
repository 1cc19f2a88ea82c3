/**
 * 1-hour prompt-cache writes are counted and priced apart from 5-minute ones: Anthropic reports
 * them in `usage.cache_creation.ephemeral_1h_input_tokens` (https://docs.anthropic.com/en/api/messages),
 * the adapter maps them to `usage.cacheWrite1hInputTokens` (answers and streams, also through
 * Bedrock and Vertex, which reuse the Anthropic mapping), and cost charges them at `cacheWrite1h`
 * (Anthropic: 2× input; 5-minute writes 1.25×: https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching#pricing).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { costOf } from '../../src/pricing.js';
import type { Router } from '../../src/router/router.js';
import type { CacheBreakpoint, ChatRequest, ChatResponse, Usage } from '../../src/types.js';
import { FAST_POLICIES } from '../support/sim-config.js';
import { useSimulatorRouter } from '../support/simulator-fixture.js';

const TOKEN = 'vertex-access-token-sim-0000000000';
let router: Router;

const PRICE = { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75, cacheWrite1h: 6 };

const fixture = useSimulatorRouter({ seed: 11, apiKey: TOKEN }, ({ url }) => ({
  providers: {
    anthropic: { type: 'anthropic', apiKey: TOKEN, baseUrl: url },
    aws: { type: 'bedrock', apiKey: TOKEN, region: 'us-east-1', baseUrl: url },
    gcp: { type: 'vertex', apiKey: TOKEN, project: 'sim-project', region: 'us-east5', baseUrl: url },
  },
  routes: {
    anthropic: { targets: [{ provider: 'anthropic', model: 'claude-sonnet-4-5' }] },
    bedrock: { targets: [{ provider: 'aws', model: 'anthropic.claude-sonnet-4-5-20250929-v1:0' }] },
    vertex: { targets: [{ provider: 'gcp', model: 'claude-sonnet-4-5@20250929' }] },
  },
  pricing: { 'claude-sonnet-4-5': PRICE, 'anthropic.claude-sonnet-4-5-20250929-v1:0': PRICE, 'claude-sonnet-4-5@20250929': PRICE },
  policies: FAST_POLICIES,
}));
beforeEach(() => {
  ({ router } = fixture);
});

/** Two long system parts (the simulator counts a token per word): a 1-hour breakpoint after the first, a 5-minute one after the second. */
const MANUAL = Array.from({ length: 40 }, (_, index) => `rule${index}`).join(' ');
const NOTES = Array.from({ length: 20 }, (_, index) => `note${index}`).join(' ');

function request(route: string, question: string, notesBreakpoint: CacheBreakpoint | false = { ttl: '5m' }): ChatRequest {
  return {
    model: route,
    system: [
      { type: 'text', text: MANUAL, cache: { ttl: '1h' } },
      notesBreakpoint === false ? { type: 'text', text: NOTES } : { type: 'text', text: NOTES, cache: notesBreakpoint },
    ],
    messages: [{ role: 'user', content: question }],
  };
}

async function streamedUsage(chatRequest: ChatRequest): Promise<Usage | undefined> {
  let usage: Usage | undefined;
  for await (const event of router.stream(chatRequest)) if (event.type === 'finish') usage = event.response.usage;
  return usage;
}

function targetOf(response: ChatResponse): { provider: string; model: string } {
  return response.target;
}

describe.each(['anthropic', 'bedrock', 'vertex'])('1-hour cache writes through %s', (route) => {
  it('reports the 1-hour part of the writes, and prices it at cacheWrite1h', async () => {
    const first = await router.chat(request(route, 'what is rule 3?'));
    const { cacheWriteInputTokens: written = 0, cacheWrite1hInputTokens: longLived = 0 } = first.usage;
    // The 1-hour breakpoint covers the manual (40 words); the 5-minute one adds the notes (20).
    expect(longLived).toBeGreaterThanOrEqual(40);
    expect(written - longLived).toBeGreaterThanOrEqual(20);
    const uncached = first.usage.inputTokens - written;
    const expected = (uncached * 3 + (written - longLived) * 3.75 + longLived * 6 + first.usage.outputTokens * 15) / 1e6;
    expect(costOf({ [targetOf(first).model]: PRICE }, targetOf(first), first.usage)).toBeCloseTo(expected, 12);
    // Priced as if every write were a 5-minute one, the call would cost less: the split is what changes it.
    expect(expected).toBeGreaterThan(costOf({ x: { ...PRICE, cacheWrite1h: 3.75 } }, { provider: 'p', model: 'x' }, first.usage) ?? Infinity);

    // The repeat reads the whole prefix and writes nothing.
    const second = await router.chat(request(route, 'and rule 7?'));
    expect(second.usage.cacheReadInputTokens).toBe(written);
    expect(second.usage.cacheWriteInputTokens).toBe(0);
    expect(second.usage.cacheWrite1hInputTokens).toBeUndefined();
  });

  it('reports them in a stream too', async () => {
    const usage = await streamedUsage(request(route, 'streamed question', false));
    expect(usage?.cacheWrite1hInputTokens).toBeGreaterThanOrEqual(40);
    expect(usage?.cacheWrite1hInputTokens).toBe(usage?.cacheWriteInputTokens);
  });

  it('leaves the field out when only 5-minute entries were written', async () => {
    const response = await router.chat({ model: route, system: [{ type: 'text', text: MANUAL, cache: true }], messages: [{ role: 'user', content: 'five minutes only' }] });
    expect(response.usage.cacheWriteInputTokens).toBeGreaterThanOrEqual(40);
    expect(response.usage.cacheWrite1hInputTokens).toBeUndefined();
  });
});
