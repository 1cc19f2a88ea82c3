import { describe, expect, it } from 'vitest';
import { mapOpenAIFinishReason, parseChatCompletion, parseOpenAIUsage } from './response.js';
import { readJsonFixture } from './test-helpers.js';

const responses = readJsonFixture('responses.json') as Record<string, unknown>;

function caught(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

describe('parseChatCompletion', () => {
  it('reads a text answer with usage and cached tokens', () => {
    expect(parseChatCompletion(responses['openai-text'], 'openai')).toEqual({
      id: 'chatcmpl-Rs1',
      text: 'Paris is the capital of France.',
      toolCalls: [],
      finishReason: 'stop',
      rawFinishReason: 'stop',
      usage: { inputTokens: 24, outputTokens: 8, totalTokens: 32, cacheReadInputTokens: 16, cachedInputTokens: 16 },
      servedModel: 'gpt-4.1-2025-04-14',
    });
  });

  it('reads parallel tool calls with their arguments parsed', () => {
    const result = parseChatCompletion(responses['openai-tool-calls'], 'openai');
    expect(result.text).toBe('');
    expect(result.toolCalls).toEqual([
      { id: 'call_a1', name: 'get_weather', arguments: { city: 'Paris', unit: 'celsius' } },
      { id: 'call_b2', name: 'get_time', arguments: {} },
    ]);
    expect(result.finishReason).toBe('tool_calls');
  });

  it('maps length and content_filter finishes (Azure filtered completion)', () => {
    expect(parseChatCompletion(responses['openai-length'], 'openai').finishReason).toBe('length');
    const filtered = parseChatCompletion(responses['azure-content-filter-finish'], 'azure');
    expect(filtered).toMatchObject({ text: '', finishReason: 'content_filter', rawFinishReason: 'content_filter' });
  });

  it('leaves DeepSeek reasoning out of the text and reads its cache hits', () => {
    const result = parseChatCompletion(responses['deepseek-reasoner'], 'deepseek');
    expect(result.text).toBe('4');
    expect(result.usage).toEqual({ inputTokens: 12, outputTokens: 9, totalTokens: 21, cacheReadInputTokens: 8, cachedInputTokens: 8 });
  });

  it('calls an answer with tool calls tool_calls even when the server says stop (Ollama)', () => {
    const result = parseChatCompletion(responses['ollama-tool-call-with-stop'], 'ollama');
    expect(result).toMatchObject({ finishReason: 'tool_calls', rawFinishReason: 'stop' });
    expect(result.toolCalls).toEqual([{ id: 'call_x8k2', name: 'get_weather', arguments: { city: 'Oslo' } }]);
  });

  it('tolerates a bare compatible answer: generated id, zero usage, no served model', () => {
    const result = parseChatCompletion(responses['bare-compatible'], 'local');
    expect(result.id).toMatch(/^chatcmpl-[0-9a-f]{32}$/);
    expect(result).toMatchObject({ text: 'hi', finishReason: 'other', usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0 } });
    expect(result.servedModel).toBeUndefined();
    expect(result.rawFinishReason).toBeUndefined();
  });

  it('generates ids for tool calls that have none and reads arguments sent as objects', () => {
    const result = parseChatCompletion(
      { choices: [{ message: { tool_calls: [{ type: 'function', function: { name: 'f', arguments: { a: 1 } } }] }, finish_reason: 'tool_calls' }] },
      'local',
    );
    expect(result.toolCalls[0]).toMatchObject({ name: 'f', arguments: { a: 1 } });
    expect(result.toolCalls[0]?.id).toMatch(/^call_/);
  });

  it('reads content given as parts', () => {
    expect(parseChatCompletion({ choices: [{ message: { content: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }] }, finish_reason: 'stop' }] }, 'x').text).toBe('ab');
  });

  it.each([
    ['a body that is not an object', [1, 2], 'server'],
    ['a body without choices', { id: 'x', choices: [] }, 'server'],
    ['malformed tool arguments', { choices: [{ message: { tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{"a":' } }] } }] }, 'server'],
    ['a tool call without a name', { choices: [{ message: { tool_calls: [{ id: 'c', type: 'function', function: { arguments: '{}' } }] } }] }, 'server'],
    ['a 200 body that holds a rate-limit error', { error: { message: 'Rate limit reached', code: 'rate_limit_exceeded' } }, 'rate_limit'],
    ['a 200 body that holds an unlabelled error', { error: { message: 'channel failed' } }, 'server'],
  ])('rejects %s', (_name, body, category) => {
    expect(caught(() => parseChatCompletion(body, 'openai'))).toMatchObject({ category });
  });
});

describe('mapOpenAIFinishReason', () => {
  it.each([
    ['stop', false, 'stop'],
    ['length', false, 'length'],
    ['tool_calls', true, 'tool_calls'],
    ['function_call', true, 'tool_calls'],
    ['content_filter', false, 'content_filter'],
    ['eos', false, 'stop'],
    ['max_tokens', false, 'length'],
    ['something_new', false, 'other'],
    [null, false, 'other'],
    [null, true, 'tool_calls'],
    ['stop', true, 'tool_calls'],
    ['length', true, 'length'],
  ] as const)('%s (tool calls: %s) → %s', (raw, hasToolCalls, expected) => {
    expect(mapOpenAIFinishReason(raw, hasToolCalls)).toBe(expected);
  });
});

describe('parseOpenAIUsage', () => {
  it('computes a missing total and ignores junk', () => {
    expect(parseOpenAIUsage({ prompt_tokens: 3, completion_tokens: 4 })).toEqual({ inputTokens: 3, outputTokens: 4, totalTokens: 7 });
    expect(parseOpenAIUsage({ prompt_tokens: 'x', completion_tokens: -1 })).toEqual({ inputTokens: 0, outputTokens: 0, totalTokens: 0 });
    expect(parseOpenAIUsage(null)).toBeUndefined();
  });
});
