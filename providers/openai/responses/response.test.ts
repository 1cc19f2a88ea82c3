/**
 * Response object → `AdapterResult`, on golden fixtures from the API reference (sources in
 * `__fixtures__/README.md`).
 */
import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '../../../src/errors.js';
import { costAtPrice } from '../../../src/pricing.js';
import { buildResponsesBody } from './request.js';
import { parseResponsesAnswer } from './response.js';
import { responsesJsonFixture } from './test-fixtures.js';

function failure(run: () => unknown): SwitchyardError {
  try {
    run();
  } catch (error) {
    if (SwitchyardError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected an error');
}

describe('parseResponsesAnswer', () => {
  it('reads the reference text answer: text, id, model, status and usage', () => {
    const result = parseResponsesAnswer(responsesJsonFixture('text.response.json'), 'openai');
    expect(result).toMatchObject({
      id: 'resp_67ccd2bed1ec8190b14f964abc0542670bb6a6b452d3795b',
      toolCalls: [],
      finishReason: 'stop',
      rawFinishReason: 'completed',
      servedModel: 'gpt-4.1-2025-04-14',
      usage: { inputTokens: 36, outputTokens: 87, totalTokens: 123, cacheReadInputTokens: 0 },
    });
    expect(result.text).toMatch(/^In a peaceful grove beneath a silver moon/);
    expect(result.usage).not.toHaveProperty('reasoningTokens');
    expect(result.reasoning).toBeUndefined();
  });

  it('reads the reference function call: call_id is the tool call id, arguments parsed', () => {
    const result = parseResponsesAnswer(responsesJsonFixture('function-call.response.json'), 'openai');
    expect(result).toMatchObject({
      text: '',
      toolCalls: [{ id: 'call_unLAR8MvFNptuiZK6K6HCy5k', name: 'get_current_weather', arguments: { location: 'Boston, MA', unit: 'celsius' } }],
      finishReason: 'tool_calls',
      rawFinishReason: 'completed',
      usage: { inputTokens: 291, outputTokens: 23, totalTokens: 314 },
    });
    expect(result.usage).not.toHaveProperty('cacheReadInputTokens');
  });

  it('keeps a reasoning item as one opaque part that goes back to the Responses API unchanged', () => {
    const answer = responsesJsonFixture('reasoning-function-call.response.json');
    const result = parseResponsesAnswer(answer, 'openai');
    expect(result.usage).toMatchObject({ inputTokens: 81, outputTokens: 212, cacheReadInputTokens: 64, reasoningTokens: 192 });
    expect(result.reasoning).toHaveLength(1);
    const [part] = result.reasoning ?? [];
    expect(part).toMatchObject({
      type: 'reasoning',
      provider: 'openai-responses',
      text: '**Determining the weather**\n\nThe user asks about Boston; I should call the weather tool.\n\n**Choosing units**\n\nCelsius is the default.',
    });
    // The next turn carries the item with the same id and encrypted content, before its function call.
    const body = buildResponsesBody(
      {
        model: 'route',
        messages: [
          { role: 'user', content: 'Weather in Boston?' },
          { role: 'assistant', content: result.text, toolCalls: result.toolCalls, ...(result.reasoning === undefined ? {} : { reasoning: result.reasoning }) },
          { role: 'tool', toolCallId: 'call_gUgyR9t5eFE7BxPx5RtM0Jrv', content: '21 C' },
        ],
      },
      { model: 'o4-mini', stream: false },
    );
    const [original] = answer.output as Record<string, unknown>[];
    expect(body.input[1]).toMatchObject({ type: 'reasoning', id: original?.id, encrypted_content: original?.encrypted_content });
    expect(body.input[2]).toMatchObject({ type: 'function_call', call_id: 'call_gUgyR9t5eFE7BxPx5RtM0Jrv', name: 'get_current_weather' });
  });

  it('counts cached input inside the input and reasoning inside the output, so cost charges each once', () => {
    const { usage } = parseResponsesAnswer(responsesJsonFixture('reasoning-function-call.response.json'), 'openai');
    // o4-mini per million tokens: input 1.10, cached input 0.275, output 4.40 (reasoning billed as output).
    const cost = costAtPrice({ input: 1.1, output: 4.4, cacheRead: 0.275 }, usage);
    expect(cost).toBeCloseTo(((81 - 64) * 1.1 + 64 * 0.275 + 212 * 4.4) / 1e6, 12);
  });

  it('maps an answer cut by max_output_tokens to length, with the reason as the raw finish reason', () => {
    const result = parseResponsesAnswer(responsesJsonFixture('incomplete.response.json'), 'openai');
    expect(result).toMatchObject({ finishReason: 'length', rawFinishReason: 'max_output_tokens', text: 'Silent circuits hum,  \nThoughts emerge in data' });
  });

  it('maps a content-filtered answer and a refusal to content_filter', () => {
    const filtered = { ...responsesJsonFixture('incomplete.response.json'), incomplete_details: { reason: 'content_filter' } };
    expect(parseResponsesAnswer(filtered, 'openai').finishReason).toBe('content_filter');
    const refusal = { ...responsesJsonFixture('text.response.json'), output: [{ type: 'message', id: 'msg_1', status: 'completed', role: 'assistant', content: [{ type: 'refusal', refusal: "I can't help with that." }] }] };
    expect(parseResponsesAnswer(refusal, 'openai')).toMatchObject({ text: '', finishReason: 'content_filter', rawFinishReason: 'completed' });
  });

  it('throws the error of a failed response through the OpenAI mapping', () => {
    const failed = { ...responsesJsonFixture('text.response.json'), status: 'failed', output: [], error: { code: 'rate_limit_exceeded', message: 'Rate limit reached' } };
    expect(failure(() => parseResponsesAnswer(failed, 'openai'))).toMatchObject({ category: 'rate_limit', providerCode: 'rate_limit_exceeded' });
    const serverError = { ...failed, error: { code: 'server_error', message: 'The model failed' } };
    expect(failure(() => parseResponsesAnswer(serverError, 'openai'))).toMatchObject({ category: 'server' });
  });

  it('refuses a body that is not an object and a function call without a name', () => {
    expect(failure(() => parseResponsesAnswer('nope', 'openai'))).toMatchObject({ category: 'server' });
    const nameless = { ...responsesJsonFixture('function-call.response.json'), output: [{ type: 'function_call', call_id: 'call_1', arguments: '{}' }] };
    expect(failure(() => parseResponsesAnswer(nameless, 'openai'))).toMatchObject({ category: 'server' });
  });
});
