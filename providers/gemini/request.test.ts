import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '../../src/errors.js';
import type { ChatRequest } from '../../src/types.js';
import { buildGeminiRequest, SKIP_THOUGHT_SIGNATURE } from './request.js';

const weatherTool = {
  name: 'weather',
  description: 'Current weather',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false },
};

function request(partial: Partial<ChatRequest>): ChatRequest {
  return { model: 'route', messages: [{ role: 'user', content: 'hi' }], ...partial };
}

function captureError(run: () => unknown): SwitchyardError {
  try {
    run();
  } catch (error) {
    if (SwitchyardError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected an error');
}

describe('buildGeminiRequest', () => {
  it('puts the system prompt and system messages in systemInstruction, in order', () => {
    const body = buildGeminiRequest(
      request({ system: 'Be brief.', messages: [{ role: 'system', content: 'Answer in French.' }, { role: 'user', content: 'hi' }] }),
      'gemini-2.5-flash',
    );
    expect(body.systemInstruction).toEqual({ parts: [{ text: 'Be brief.' }, { text: 'Answer in French.' }] });
    expect(body.contents).toEqual([{ role: 'user', parts: [{ text: 'hi' }] }]);
  });

  it('omits systemInstruction, tools, toolConfig and generationConfig when there is nothing to send', () => {
    const body = buildGeminiRequest(request({}), 'gemini-2.5-flash');
    expect(Object.keys(body)).toEqual(['contents']);
  });

  it('speaks as model for the assistant and turns tool calls into functionCall parts', () => {
    const body = buildGeminiRequest(
      request({
        messages: [
          { role: 'user', content: 'weather?' },
          { role: 'assistant', content: 'Looking.', toolCalls: [{ id: 'a', name: 'weather', arguments: { city: 'Oslo' } }] },
        ],
      }),
      'gemini-2.5-flash',
    );
    expect(body.contents[1]).toEqual({
      role: 'model',
      parts: [{ text: 'Looking.' }, { functionCall: { name: 'weather', args: { city: 'Oslo' } } }],
    });
  });

  it('adds the documented thought-signature placeholder to the first replayed call for Gemini 3 models only', () => {
    const messages: ChatRequest['messages'] = [
      { role: 'user', content: 'weather?' },
      {
        role: 'assistant',
        content: '',
        toolCalls: [
          { id: 'a', name: 'weather', arguments: { city: 'Oslo' } },
          { id: 'b', name: 'weather', arguments: { city: 'Rome' } },
        ],
      },
    ];
    const gemini3 = buildGeminiRequest(request({ messages }), 'gemini-3-pro-preview');
    expect(gemini3.contents[1]?.parts).toEqual([
      { functionCall: { name: 'weather', args: { city: 'Oslo' } }, thoughtSignature: SKIP_THOUGHT_SIGNATURE },
      { functionCall: { name: 'weather', args: { city: 'Rome' } } },
    ]);
    const gemini25 = buildGeminiRequest(request({ messages }), 'gemini-2.5-flash');
    expect(JSON.stringify(gemini25)).not.toContain('thoughtSignature');
  });

  it('sends tool results as functionResponse parts in one user turn, naming the tool from history', () => {
    const body = buildGeminiRequest(
      request({
        messages: [
          { role: 'user', content: 'weather in two cities?' },
          {
            role: 'assistant',
            content: '',
            toolCalls: [
              { id: 'call-1', name: 'weather', arguments: { city: 'Oslo' } },
              { id: 'call-2', name: 'forecast', arguments: { city: 'Rome' } },
            ],
          },
          { role: 'tool', toolCallId: 'call-1', content: '{"temperature":3}' },
          { role: 'tool', toolCallId: 'call-2', content: 'sunny' },
          { role: 'tool', name: 'explicit', content: '[1,2]' },
        ],
      }),
      'gemini-2.5-flash',
    );
    expect(body.contents).toHaveLength(3);
    expect(body.contents[2]).toEqual({
      role: 'user',
      parts: [
        { functionResponse: { name: 'weather', response: { temperature: 3 } } },
        { functionResponse: { name: 'forecast', response: { output: 'sunny' } } },
        { functionResponse: { name: 'explicit', response: { output: [1, 2] } } },
      ],
    });
  });

  it('rejects a tool result whose tool name cannot be found', () => {
    const error = captureError(() =>
      buildGeminiRequest(request({ messages: [{ role: 'user', content: 'x' }, { role: 'tool', toolCallId: 'nope', content: '1' }] }), 'gemini-2.5-flash'),
    );
    expect(error.category).toBe('invalid_request');
    expect(error.field).toBe('messages[1].name');
  });

  it.each([
    ['base64 data', { type: 'image' as const, data: 'iVBORw0KGgo=', mediaType: 'image/png' }, { inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } }],
    ['a data: URL', { type: 'image' as const, url: 'data:image/webp;base64,UklGRg==' }, { inlineData: { mimeType: 'image/webp', data: 'UklGRg==' } }],
    ['an https URL with a known extension', { type: 'image' as const, url: 'https://example.com/cat.JPG?size=2' }, { fileData: { fileUri: 'https://example.com/cat.JPG?size=2', mimeType: 'image/jpeg' } }],
    ['an https URL with an explicit media type', { type: 'image' as const, url: 'https://example.com/img', mediaType: 'image/gif' }, { fileData: { fileUri: 'https://example.com/img', mimeType: 'image/gif' } }],
    ['an https URL of unknown type', { type: 'image' as const, url: 'https://example.com/img' }, { fileData: { fileUri: 'https://example.com/img' } }],
  ])('maps an image given as %s', (_label, image, expected) => {
    const body = buildGeminiRequest(request({ messages: [{ role: 'user', content: [{ type: 'text', text: 'what is this?' }, image] }] }), 'gemini-2.5-flash');
    expect(body.contents[0]?.parts).toEqual([{ text: 'what is this?' }, expected]);
  });

  it('rejects base64 image data without a media type', () => {
    const error = captureError(() => buildGeminiRequest(request({ messages: [{ role: 'user', content: [{ type: 'image', data: 'AAAA' }] }] }), 'gemini-2.5-flash'));
    expect(error.field).toBe('messages[0].content[0].mediaType');
  });

  it('declares tools as functionDeclarations with the JSON Schema untouched', () => {
    const body = buildGeminiRequest(request({ tools: [weatherTool, { name: 'ping', parameters: { type: 'object' } }] }), 'gemini-2.5-flash');
    expect(body.tools).toEqual([
      {
        functionDeclarations: [
          { name: 'weather', description: 'Current weather', parametersJsonSchema: weatherTool.parameters },
          { name: 'ping', parametersJsonSchema: { type: 'object' } },
        ],
      },
    ]);
  });

  it.each([
    ['auto', { mode: 'AUTO' }],
    ['none', { mode: 'NONE' }],
    ['required', { mode: 'ANY' }],
    [{ name: 'weather' }, { mode: 'ANY', allowedFunctionNames: ['weather'] }],
  ] as const)('maps toolChoice %j to functionCallingConfig %j', (toolChoice, expected) => {
    const body = buildGeminiRequest(request({ tools: [weatherTool], toolChoice }), 'gemini-2.5-flash');
    expect(body.toolConfig).toEqual({ functionCallingConfig: expected });
  });

  it('rejects a tool choice that names a tool not offered, or requires tools when none are offered', () => {
    expect(captureError(() => buildGeminiRequest(request({ tools: [weatherTool], toolChoice: { name: 'other' } }), 'm')).field).toBe('toolChoice.name');
    expect(captureError(() => buildGeminiRequest(request({ toolChoice: 'required' }), 'm')).field).toBe('toolChoice');
  });

  it('maps sampling options to generationConfig', () => {
    const body = buildGeminiRequest(request({ maxTokens: 256, temperature: 0.2, topP: 0.9, stop: ['END', '###'] }), 'gemini-2.5-flash');
    expect(body.generationConfig).toEqual({ maxOutputTokens: 256, temperature: 0.2, topP: 0.9, stopSequences: ['END', '###'] });
  });

  it('never sends caller metadata upstream', () => {
    const body = buildGeminiRequest(request({ metadata: { intent: 'secret-intent' } }), 'gemini-2.5-flash');
    expect(JSON.stringify(body)).not.toContain('secret-intent');
  });

  it('drops an empty assistant turn and rejects a conversation with nothing to send', () => {
    const body = buildGeminiRequest(request({ messages: [{ role: 'user', content: 'a' }, { role: 'assistant', content: '' }, { role: 'user', content: 'b' }] }), 'm');
    expect(body.contents.map((content) => content.role)).toEqual(['user', 'user']);
    expect(captureError(() => buildGeminiRequest(request({ messages: [{ role: 'system', content: 'only system' }] }), 'm')).field).toBe('messages');
  });
});
