/**
 * Unified request → Responses API body. Field names from the create reference
 * (https://platform.openai.com/docs/api-reference/responses/create) and the SDK's request types
 * (openai/openai-node `src/resources/responses/responses.ts`: `EasyInputMessage`,
 * `ResponseInputImage`, `ResponseInputFile`, `ResponseFunctionToolCall`, `FunctionCallOutput`,
 * `FunctionTool`, `ToolChoiceFunction`, `ResponseFormatTextJSONSchemaConfig`).
 */
import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '../../../src/errors.js';
import type { ChatRequest, ReasoningPart } from '../../../src/types.js';
import { buildResponsesBody } from './request.js';
import { RESPONSES_REASONING_PROVIDER } from './reasoning.js';

const base: ChatRequest = { model: 'route', messages: [{ role: 'user', content: 'Hi' }] };

function build(request: Partial<ChatRequest>, model = 'gpt-4.1', stream = false): Record<string, unknown> {
  return buildResponsesBody({ ...base, ...request }, { model, stream, defaultMaxTokens: 4096 }) as unknown as Record<string, unknown>;
}

/** A part as the response parser makes it from a reasoning item (reasoning.ts packs id and encrypted content). */
const OWN_REASONING: ReasoningPart = {
  type: 'reasoning',
  text: 'Weather needs a tool.',
  signature: JSON.stringify({ id: 'rs_1', encrypted_content: 'gAAAAAB-secret' }),
  provider: RESPONSES_REASONING_PROVIDER,
};

describe('buildResponsesBody', () => {
  it('puts the system prompt in instructions, user text in input_text parts, and is stateless', () => {
    const body = build({ system: [{ type: 'text', text: 'Be terse.' }, { type: 'text', text: 'Docs.', cache: true }], temperature: 0.2, topP: 0.9 });
    expect(body).toEqual({
      model: 'gpt-4.1',
      instructions: 'Be terse.\n\nDocs.',
      input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Hi' }] }],
      max_output_tokens: 4096,
      temperature: 0.2,
      top_p: 0.9,
      store: false,
    });
  });

  it('maps images, documents and uploaded files to input parts', () => {
    const body = build({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Compare' },
            { type: 'image', url: 'https://example.com/a.png', detail: 'low' },
            { type: 'image', data: 'iVBOR', mediaType: 'image/png' },
            { type: 'document', data: 'JVBERi0', mediaType: 'application/pdf', title: 'report.pdf' },
            { type: 'document', url: 'https://example.com/letter.pdf', mediaType: 'application/pdf' },
            { type: 'document', file: { id: 'file-abc', provider: 'openai' }, mediaType: 'application/pdf' },
          ],
        },
      ],
    });
    expect(body.input).toEqual([
      {
        type: 'message',
        role: 'user',
        content: [
          { type: 'input_text', text: 'Compare' },
          { type: 'input_image', image_url: 'https://example.com/a.png', detail: 'low' },
          { type: 'input_image', image_url: 'data:image/png;base64,iVBOR', detail: 'auto' },
          { type: 'input_file', filename: 'report.pdf', file_data: 'data:application/pdf;base64,JVBERi0' },
          { type: 'input_file', file_url: 'https://example.com/letter.pdf' },
          { type: 'input_file', file_id: 'file-abc' },
        ],
      },
    ]);
  });

  it('sends an assistant turn as its own reasoning, its text and its function calls, and tool results by call_id', () => {
    const foreign: ReasoningPart = { type: 'reasoning', text: 'Claude thought', signature: 'sig', provider: 'anthropic' };
    const unsigned: ReasoningPart = { type: 'reasoning', text: 'no encrypted content', provider: RESPONSES_REASONING_PROVIDER };
    const body = build(
      {
        messages: [
          { role: 'user', content: 'Weather in Paris?' },
          { role: 'assistant', content: 'Let me look.', reasoning: [foreign, OWN_REASONING, unsigned], toolCalls: [{ id: 'call_1', name: 'weather', arguments: { city: 'Paris' } }] },
          { role: 'tool', toolCallId: 'call_1', content: '21 degrees' },
          { role: 'tool', toolCallId: 'call_2', content: [{ type: 'text', text: 'chart' }, { type: 'image', url: 'https://example.com/c.png' }] },
        ],
      },
      'o4-mini',
    );
    expect(body.input).toEqual([
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Weather in Paris?' }] },
      { type: 'reasoning', id: 'rs_1', encrypted_content: 'gAAAAAB-secret', summary: [{ type: 'summary_text', text: 'Weather needs a tool.' }] },
      { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Let me look.' }] },
      { type: 'function_call', call_id: 'call_1', name: 'weather', arguments: '{"city":"Paris"}' },
      { type: 'function_call_output', call_id: 'call_1', output: '21 degrees' },
      { type: 'function_call_output', call_id: 'call_2', output: [{ type: 'input_text', text: 'chart' }, { type: 'input_image', image_url: 'https://example.com/c.png', detail: 'auto' }] },
    ]);
    expect(body.include).toEqual(['reasoning.encrypted_content']);
  });

  it('sends no reasoning back, and asks for none, to a model without reasoning (OpenAI refuses encrypted content there)', () => {
    const messages: ChatRequest['messages'] = [{ role: 'user', content: 'x' }, { role: 'assistant', content: 'y', reasoning: [OWN_REASONING] }, { role: 'user', content: 'z' }];
    const body = build({ messages }, 'gpt-4.1');
    expect((body.input as { type: string }[]).map((item) => item.type)).toEqual(['message', 'message', 'message']);
    expect(body).not.toHaveProperty('include');
    expect((build({ messages }, 'gpt-5-mini').input as { type: string }[]).map((item) => item.type)).toEqual(['message', 'reasoning', 'message', 'message']);
  });

  it('sends flat, non-strict function tools, the tool choice and parallel_tool_calls', () => {
    const parameters = { type: 'object', properties: { city: { type: 'string' } } };
    const body = build({ tools: [{ name: 'weather', description: 'Weather now', parameters }, { name: 'time', parameters }], toolChoice: { name: 'weather' }, parallelToolCalls: false });
    expect(body.tools).toEqual([
      { type: 'function', name: 'weather', description: 'Weather now', parameters, strict: false },
      { type: 'function', name: 'time', parameters, strict: false },
    ]);
    expect(body.tool_choice).toEqual({ type: 'function', name: 'weather' });
    expect(body.parallel_tool_calls).toBe(false);
    expect(build({ tools: [{ name: 'weather', parameters }], toolChoice: 'required' }).tool_choice).toBe('required');
    expect(build({ toolChoice: 'none', parallelToolCalls: true })).not.toHaveProperty('tool_choice');
  });

  it('maps structured output to text.format', () => {
    const schema = { type: 'object', properties: { a: { type: 'number' } }, required: ['a'] };
    expect(build({ responseFormat: { type: 'json_schema', schema, name: 'answer', strict: true } }).text).toEqual({ format: { type: 'json_schema', name: 'answer', schema, strict: true } });
    expect(build({ responseFormat: { type: 'json_schema', schema } }).text).toEqual({ format: { type: 'json_schema', name: 'response', schema } });
    expect(build({ responseFormat: { type: 'json' } }).text).toEqual({ format: { type: 'json_object' } });
  });

  it('sends reasoning effort (a budget as the nearest effort) with summaries to reasoning models only', () => {
    expect(build({ reasoning: { effort: 'high' } }, 'o3')).toMatchObject({ reasoning: { effort: 'high', summary: 'auto' }, include: ['reasoning.encrypted_content'], store: false });
    expect(build({ reasoning: { budgetTokens: 1000 } }, 'gpt-5').reasoning).toEqual({ effort: 'low', summary: 'auto' });
    expect(build({ reasoning: { budgetTokens: 8000 } }, 'gpt-5').reasoning).toEqual({ effort: 'medium', summary: 'auto' });
    expect(build({ reasoning: { budgetTokens: 20000 } }, 'gpt-5').reasoning).toEqual({ effort: 'high', summary: 'auto' });
    const plain = build({ reasoning: { effort: 'low' } }, 'gpt-4.1');
    expect(plain).not.toHaveProperty('reasoning');
    expect(plain).not.toHaveProperty('include');
  });

  it('caps the output with max_output_tokens and marks streams', () => {
    expect(build({ maxTokens: 300 }, 'gpt-4.1', true)).toMatchObject({ max_output_tokens: 300, stream: true });
  });

  it('refuses a limit below the Responses API minimum of 16 before sending, naming the field', () => {
    const refusal = (request: Partial<ChatRequest>, defaultMaxTokens?: number): unknown => {
      try {
        buildResponsesBody({ ...base, ...request }, { model: 'gpt-4.1', stream: false, ...(defaultMaxTokens === undefined ? {} : { defaultMaxTokens }) });
      } catch (caught) {
        return caught;
      }
      return undefined;
    };
    const tooSmall = refusal({ maxTokens: 15 });
    expect(SwitchyardError.isInstance(tooSmall)).toBe(true);
    expect(tooSmall).toMatchObject({ category: 'invalid_request', field: 'maxTokens' });
    expect((tooSmall as Error).message).toMatch(/at least 16/);
    expect(refusal({}, 8)).toMatchObject({ category: 'invalid_request', field: 'defaultMaxTokens' });
    expect(build({ maxTokens: 16 })).toMatchObject({ max_output_tokens: 16 });
  });

  it('refuses stop sequences, which the Responses API does not have, naming the field', () => {
    let error: unknown;
    try {
      build({ stop: ['END'] });
    } catch (caught) {
      error = caught;
    }
    expect(SwitchyardError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ category: 'invalid_request', field: 'stop' });
    expect(build({ stop: [] })).not.toHaveProperty('stop');
  });

  it('sends an assistant answer in pieces (a cited answer) as one output_text each, so nothing is inserted between them', () => {
    const body = build({ messages: [{ role: 'assistant', content: [{ type: 'text', text: 'The sky is ' }, { type: 'text', text: 'blue' }, { type: 'text', text: '' }] }] });
    expect(body.input).toEqual([{ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'The sky is ' }, { type: 'output_text', text: 'blue' }] }]);
  });

  it('names the message of a tool result without a call id and of a non-text assistant part', () => {
    expect(() => build({ messages: [{ role: 'tool', content: 'x' }] })).toThrow(/messages\[0\]\.toolCallId/);
    expect(() => build({ messages: [{ role: 'assistant', content: [{ type: 'image', url: 'https://example.com/a.png' }] }] })).toThrow(/messages\[0\]\.content\[0\]/);
  });
});
