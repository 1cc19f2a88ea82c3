import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { AdapterStreamPart, ProviderSettings } from '../../src/provider-spec.js';
import type { ChatRequest, Message, ReasoningPart } from '../../src/types.js';
import { buildAnthropicRequest } from './request.js';
import { parseAnthropicMessage } from './response.js';
import { streamAnthropicBody } from './stream.js';
import { anthropicModelThinks, anthropicThinkingBudget } from './thinking.js';

const settings: ProviderSettings = { id: 'anthropic', type: 'anthropic', apiKey: 'k', baseUrl: 'https://api.anthropic.com', headers: {}, defaultMaxTokens: 4096 };

function fixture(name: string): string {
  return readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8');
}

function body(request: Omit<ChatRequest, 'model'>, model = 'claude-sonnet-4-5'): Record<string, unknown> {
  return buildAnthropicRequest({ request: { model: 'route', ...request }, model, settings }) as unknown as Record<string, unknown>;
}

const ASK: Message = { role: 'user', content: 'What is the GCD of 1071 and 462?' };
const SIGNED: ReasoningPart = { type: 'reasoning', text: 'Use Euclid.', signature: 'EqQBCgIYAhIM', provider: 'anthropic' };
const REDACTED: ReasoningPart = { type: 'reasoning', text: '', redactedData: 'EmwKAhgBEgy3', provider: 'anthropic' };

describe('Anthropic thinking: request', () => {
  it.each([
    [{ effort: 'low' } as const, 1024],
    [{ effort: 'medium' } as const, 4096],
    [{ effort: 'high' } as const, 16384],
    [{ budgetTokens: 2500 }, 2500],
    [{ budgetTokens: 100 }, 1024], // raised to the API's minimum
  ])('maps %j to budget_tokens %i', (reasoning, budget) => {
    expect(anthropicThinkingBudget(reasoning)).toBe(budget);
    expect(body({ messages: [ASK], reasoning, maxTokens: 64_000 }).thinking).toEqual({ type: 'enabled', budget_tokens: budget });
  });

  it('keeps max_tokens above the budget: budget + maxTokens when maxTokens is not above it', () => {
    expect(body({ messages: [ASK], reasoning: { budgetTokens: 8000 }, maxTokens: 1000 }).max_tokens).toBe(9000);
    expect(body({ messages: [ASK], reasoning: { budgetTokens: 8000 }, maxTokens: 20_000 }).max_tokens).toBe(20_000);
    // Without maxTokens the provider's default limit is what the answer gets.
    expect(body({ messages: [ASK], reasoning: { effort: 'high' } }).max_tokens).toBe(16384 + 4096);
  });

  it('drops temperature, and top_p below 0.95, which thinking does not allow', () => {
    const sent = body({ messages: [ASK], reasoning: { effort: 'low' }, temperature: 0.2, topP: 0.5 });
    expect(sent).not.toHaveProperty('temperature');
    expect(sent).not.toHaveProperty('top_p');
    expect(body({ messages: [ASK], reasoning: { effort: 'low' }, topP: 0.97 }).top_p).toBe(0.97);
    // Without reasoning nothing changes.
    expect(body({ messages: [ASK], temperature: 0.2 }).temperature).toBe(0.2);
  });

  it('sends no thinking with a forced tool choice, or to a model without thinking', () => {
    const tools = [{ name: 'verify', parameters: { type: 'object' } }];
    expect(body({ messages: [ASK], tools, toolChoice: 'required', reasoning: { effort: 'low' } })).not.toHaveProperty('thinking');
    expect(body({ messages: [ASK], tools, toolChoice: { name: 'verify' }, reasoning: { effort: 'low' } })).not.toHaveProperty('thinking');
    expect(body({ messages: [ASK], tools, toolChoice: 'auto', reasoning: { effort: 'low' } })).toHaveProperty('thinking');
    expect(body({ messages: [ASK], reasoning: { effort: 'low' } }, 'claude-3-5-sonnet-20241022')).not.toHaveProperty('thinking');
    expect(anthropicModelThinks('claude-3-7-sonnet-20250219')).toBe(true);
    expect(anthropicModelThinks('claude-opus-4-1')).toBe(true);
    expect(anthropicModelThinks('claude-3-haiku-20240307')).toBe(false);
  });

  it('puts Anthropic thinking blocks first in the assistant turn, unchanged, and drops other providers’ reasoning', () => {
    const messages: Message[] = [
      ASK,
      {
        role: 'assistant',
        content: 'Let me verify.',
        toolCalls: [{ id: 'toolu_1', name: 'verify', arguments: { gcd: 21 } }],
        reasoning: [SIGNED, REDACTED, { type: 'reasoning', text: 'from elsewhere', signature: 'sig', provider: 'gemini' }],
      },
      { role: 'tool', toolCallId: 'toolu_1', content: 'ok' },
    ];
    const sent = body({ messages, reasoning: { effort: 'low' } });
    expect((sent.messages as { content: unknown }[])[1]?.content).toEqual([
      { type: 'thinking', thinking: 'Use Euclid.', signature: 'EqQBCgIYAhIM' },
      { type: 'redacted_thinking', data: 'EmwKAhgBEgy3' },
      { type: 'text', text: 'Let me verify.' },
      { type: 'tool_use', id: 'toolu_1', name: 'verify', input: { gcd: 21 } },
    ]);
    expect(sent.thinking).toEqual({ type: 'enabled', budget_tokens: 1024 });
  });

  it('leaves thinking off for a tool loop whose assistant turn has no thinking block (e.g. it came from another provider)', () => {
    const messages: Message[] = [
      ASK,
      { role: 'assistant', content: '', toolCalls: [{ id: 'call_0', name: 'verify', arguments: {} }], reasoning: [{ type: 'reasoning', text: 'x', signature: 's', provider: 'gemini' }] },
      { role: 'tool', toolCallId: 'call_0', content: 'ok' },
    ];
    const sent = body({ messages, reasoning: { effort: 'low' } });
    expect(sent).not.toHaveProperty('thinking');
    expect((sent.messages as { content: unknown }[])[1]?.content).toEqual([{ type: 'tool_use', id: 'call_0', name: 'verify', input: {} }]);
  });
});

describe('Anthropic thinking: answers', () => {
  it('reads thinking blocks of a complete message as reasoning parts (tool-use fixture)', () => {
    const result = parseAnthropicMessage(JSON.parse(fixture('tool-use.response.json')), 'anthropic');
    expect(result.reasoning).toEqual([
      { type: 'reasoning', text: 'The user wants the weather; call get_weather.', signature: 'EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds', provider: 'anthropic' },
    ]);
    expect(result.text).toBe("I'll check the current weather in San Francisco for you.");
  });

  it('reads redacted_thinking as an opaque part', () => {
    const result = parseAnthropicMessage(
      { id: 'msg_1', content: [{ type: 'redacted_thinking', data: 'EmwKAhgB' }, { type: 'text', text: 'Hi' }], stop_reason: 'end_turn', usage: { input_tokens: 1, output_tokens: 1 } },
      'anthropic',
    );
    expect(result.reasoning).toEqual([{ type: 'reasoning', text: '', redactedData: 'EmwKAhgB', provider: 'anthropic' }]);
  });

  async function* bytesIn(text: string, size: number): AsyncGenerator<Uint8Array> {
    const bytes = new TextEncoder().encode(text);
    for (let index = 0; index < bytes.length; index += size) yield bytes.subarray(index, index + size);
  }

  it.each([1, 7, 1 << 20])('maps the thinking transcript, %i bytes at a time: deltas as they come, the signed part at the block end', async (size) => {
    const parts: AdapterStreamPart[] = [];
    for await (const part of streamAnthropicBody(bytesIn(fixture('thinking.chunks.txt'), size), { provider: 'anthropic', model: 'claude-sonnet-4-5' })) parts.push(part);
    expect(parts.filter((part) => part.type !== 'usage')).toEqual([
      { type: 'response-metadata', id: 'msg_01ThinkStream9A', servedModel: 'claude-sonnet-4-5-20250929' },
      { type: 'reasoning-delta', text: 'I need to find the GCD of 1071 and 462 using the Euclidean algorithm.\n\n1071 = 2 × 462 + 147' },
      { type: 'reasoning-delta', text: '\n462 = 3 × 147 + 21\n147 = 7 × 21 + 0\n\nSo GCD(1071, 462) = 21' },
      {
        type: 'reasoning',
        part: {
          type: 'reasoning',
          text: 'I need to find the GCD of 1071 and 462 using the Euclidean algorithm.\n\n1071 = 2 × 462 + 147\n462 = 3 × 147 + 21\n147 = 7 × 21 + 0\n\nSo GCD(1071, 462) = 21',
          signature: 'EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds',
          provider: 'anthropic',
        },
      },
      { type: 'reasoning', part: { type: 'reasoning', text: '', redactedData: 'EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpP', provider: 'anthropic' } },
      { type: 'text-delta', text: 'The greatest common divisor (GCD) of 1071 and 462 is **21**.' },
      { type: 'tool-call-delta', toolCallId: 'toolu_01GcdCheck7', toolName: 'verify', argumentsDelta: '{"gcd": 21}' },
      { type: 'tool-call', toolCall: { id: 'toolu_01GcdCheck7', name: 'verify', arguments: { gcd: 21 } } },
      { type: 'finish', finishReason: 'tool_calls', rawFinishReason: 'tool_use' },
    ]);
  });
});
