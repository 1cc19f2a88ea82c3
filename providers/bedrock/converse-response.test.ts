import { describe, expect, it } from 'vitest';
import { mapConverseStopReason, parseConverseResponse } from './converse-response.js';

// The Converse response syntax: https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html
// (output.message.content blocks, stopReason, usage as TokenUsage, metrics.latencyMs); stop reasons as
// the StopReason enum lists them (aws/aws-sdk-js-v3 clients/client-bedrock-runtime/src/models/enums.ts).
describe('Converse answers', () => {
  it('reads text, tool calls and reasoning, with the request id as the response id', () => {
    const result = parseConverseResponse(
      {
        output: {
          message: {
            role: 'assistant',
            content: [
              { reasoningContent: { reasoningText: { text: 'The user wants a song.', signature: 'EqoBsig' } } },
              { text: 'Let me look that up.' },
              { toolUse: { toolUseId: 'tooluse_kZJMlvQmRJ6eAyJE5GIl7Q', name: 'top_song', input: { sign: 'WZPZ' } } },
            ],
          },
        },
        stopReason: 'tool_use',
        usage: { inputTokens: 375, outputTokens: 61, totalTokens: 436 },
        metrics: { latencyMs: 1139 },
      },
      'aws',
      { 'x-amzn-requestid': '0b7ae1d5-9d0f-4a8c-9d29-3a6f4f8a1b2c' },
    );
    expect(result).toEqual({
      id: '0b7ae1d5-9d0f-4a8c-9d29-3a6f4f8a1b2c',
      text: 'Let me look that up.',
      toolCalls: [{ id: 'tooluse_kZJMlvQmRJ6eAyJE5GIl7Q', name: 'top_song', arguments: { sign: 'WZPZ' } }],
      reasoning: [{ type: 'reasoning', text: 'The user wants a song.', signature: 'EqoBsig', provider: 'bedrock' }],
      finishReason: 'tool_calls',
      rawFinishReason: 'tool_use',
      usage: { inputTokens: 375, outputTokens: 61, totalTokens: 436 },
    });
  });

  it('counts cache reads and writes as input (Bedrock leaves them out of inputTokens)', () => {
    const { usage } = parseConverseResponse({ output: { message: { role: 'assistant', content: [{ text: 'ok' }] } }, stopReason: 'end_turn', usage: { inputTokens: 4, outputTokens: 2, totalTokens: 1506, cacheReadInputTokens: 1200, cacheWriteInputTokens: 300 } }, 'aws');
    expect(usage).toEqual({ inputTokens: 1504, outputTokens: 2, totalTokens: 1506, cacheReadInputTokens: 1200, cachedInputTokens: 1200, cacheWriteInputTokens: 300 });
  });

  it('reads the one-hour share of the cache writes from cacheDetails', () => {
    const { usage } = parseConverseResponse({
      output: { message: { role: 'assistant', content: [{ text: 'ok' }] } },
      stopReason: 'end_turn',
      usage: { inputTokens: 4, outputTokens: 2, totalTokens: 506, cacheWriteInputTokens: 500, cacheDetails: [{ ttl: '1h', inputTokens: 400 }, { ttl: '5m', inputTokens: 100 }] },
    }, 'aws');
    expect(usage).toMatchObject({ cacheWriteInputTokens: 500, cacheWrite1hInputTokens: 400 });
  });

  it('takes null blocks for malformed answers, not for a crash', () => {
    const answer = (content: unknown[]): unknown => ({ output: { message: { role: 'assistant', content } }, stopReason: 'end_turn', usage: { inputTokens: 1, outputTokens: 1 } });
    expect(() => parseConverseResponse(answer([{ toolUse: null }]), 'aws')).toThrow(expect.objectContaining({ code: 'server.malformed_response' }));
    expect(parseConverseResponse(answer([{ reasoningContent: { reasoningText: null } }, { text: 'ok' }]), 'aws').text).toBe('ok');
  });

  it('refuses an answer without output.message.content as a malformed response', () => {
    expect(() => parseConverseResponse({ stopReason: 'end_turn' }, 'aws')).toThrow(/aws returned a Converse answer without output\.message\.content/);
  });

  it.each([
    ['end_turn', 'stop'],
    ['stop_sequence', 'stop'],
    ['max_tokens', 'length'],
    ['model_context_window_exceeded', 'length'],
    ['tool_use', 'tool_calls'],
    ['guardrail_intervened', 'content_filter'],
    ['content_filtered', 'content_filter'],
    ['malformed_tool_use', 'other'],
  ] as const)('stopReason %s → %s', (raw, unified) => {
    expect(mapConverseStopReason(raw)).toBe(unified);
  });
});
