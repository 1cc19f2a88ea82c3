import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '../../src/errors.js';
import type { AdapterCall, ProviderSettings } from '../../src/provider-spec.js';
import type { ChatRequest } from '../../src/types.js';
import { buildConverseBody } from './converse-request.js';

// Expected bodies follow the Converse request syntax:
// https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html
// (ContentBlock, ToolResultBlock, ToolConfiguration, ToolChoice, InferenceConfiguration), and
// https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_CachePointBlock.html (`ttl`: 5m | 1h).

const SETTINGS: ProviderSettings = { id: 'aws', type: 'bedrock', api: 'converse', baseUrl: 'http://127.0.0.1', region: 'us-east-1', headers: {}, defaultMaxTokens: 1000 };
const PNG = 'iVBORw0KGgo=';
const PDF = 'JVBERi0xLjQ=';

function body(request: Omit<ChatRequest, 'model'>, model = 'anthropic.claude-sonnet-4-20250514-v1:0') {
  const call: AdapterCall = { request: { model: 'route', ...request }, model, signal: new AbortController().signal, firstByteTimeoutMs: 0, idleTimeoutMs: 0 };
  return buildConverseBody(call, SETTINGS);
}

function failure(run: () => unknown): SwitchyardError {
  try {
    run();
  } catch (error) {
    if (SwitchyardError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a failure');
}

describe('Converse request body', () => {
  it('lifts system text into system blocks, merges consecutive turns, and fills inferenceConfig', () => {
    expect(
      body({
        system: 'You are terse.',
        messages: [
          { role: 'system', content: 'Answer in French.' },
          { role: 'user', content: 'first' },
          { role: 'user', content: [{ type: 'text', text: 'second' }, { type: 'text', text: '' }] },
        ],
        maxTokens: 50,
        temperature: 0.3,
        topP: 0.9,
        stop: ['###'],
      }),
    ).toEqual({
      system: [{ text: 'You are terse.' }, { text: 'Answer in French.' }],
      messages: [{ role: 'user', content: [{ text: 'first' }, { text: 'second' }] }],
      inferenceConfig: { maxTokens: 50, temperature: 0.3, topP: 0.9, stopSequences: ['###'] },
    });
  });

  it('maps images and documents to base64 bytes with their formats and a name Bedrock accepts', () => {
    const { messages } = body({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image', data: PNG, mediaType: 'image/png' },
            { type: 'image', url: `data:image/jpeg;base64,${PNG}` },
            { type: 'document', data: PDF, mediaType: 'application/pdf', title: 'Q3 report_final.pdf' },
            { type: 'document', data: 'aGVsbG8=', mediaType: 'text/plain' },
            { type: 'image', url: 's3://bucket/cat.webp', mediaType: 'image/webp' },
          ],
        },
      ],
    });
    expect(messages[0]?.content).toEqual([
      { image: { format: 'png', source: { bytes: PNG } } },
      { image: { format: 'jpeg', source: { bytes: PNG } } },
      { document: { format: 'pdf', name: 'Q3 report final pdf', source: { bytes: PDF } } },
      { document: { format: 'txt', name: 'document-2', source: { bytes: 'aGVsbG8=' } } },
      { image: { format: 'webp', source: { s3Location: { uri: 's3://bucket/cat.webp' } } } },
    ]);
  });

  it('refuses what Converse cannot take, naming the field', () => {
    expect(failure(() => body({ messages: [{ role: 'user', content: [{ type: 'image', url: 'https://example.com/cat.png' }] }] })).message).toContain('messages[0].content[0].url');
    expect(failure(() => body({ messages: [{ role: 'user', content: [{ type: 'image', data: PNG, mediaType: 'image/tiff' }] }] })).message).toContain('messages[0].content[0].mediaType');
    expect(failure(() => body({ messages: [{ role: 'user', content: 'x' }], responseFormat: { type: 'json_schema', schema: {}, method: 'tool' } })).message).toContain('responseFormat.method');
    expect(failure(() => body({ messages: [{ role: 'tool', content: 'x' }] })).message).toContain('messages[0].toolCallId');
  });

  it('sends tool calls as toolUse and results as toolResult, an error result with status error', () => {
    const result = body({
      messages: [
        { role: 'user', content: 'weather?' },
        { role: 'assistant', content: 'Checking.', toolCalls: [{ id: 'tooluse_1', name: 'weather', arguments: { city: 'Oslo' } }, { id: 'tooluse_2', name: 'weather', arguments: { city: 'Rome' } }] },
        { role: 'tool', toolCallId: 'tooluse_1', content: 'rain' },
        { role: 'tool', toolCallId: 'tooluse_2', content: 'service down', isError: true },
      ],
      tools: [{ name: 'weather', description: 'Weather by city', parameters: { type: 'object', properties: { city: { type: 'string' } } } }],
      toolChoice: { name: 'weather' },
    });
    expect(result.messages.slice(1)).toEqual([
      { role: 'assistant', content: [{ text: 'Checking.' }, { toolUse: { toolUseId: 'tooluse_1', name: 'weather', input: { city: 'Oslo' } } }, { toolUse: { toolUseId: 'tooluse_2', name: 'weather', input: { city: 'Rome' } } }] },
      {
        role: 'user',
        content: [{ toolResult: { toolUseId: 'tooluse_1', content: [{ text: 'rain' }] } }, { toolResult: { toolUseId: 'tooluse_2', content: [{ text: 'service down' }], status: 'error' } }],
      },
    ]);
    expect(result.toolConfig).toEqual({ tools: [{ toolSpec: { name: 'weather', description: 'Weather by city', inputSchema: { json: { type: 'object', properties: { city: { type: 'string' } } } } } }], toolChoice: { tool: { name: 'weather' } } });
  });

  it('maps tool choices: auto, required as any, none leaves the tools out unless the history needs them', () => {
    const tools = [{ name: 't', parameters: { type: 'object' } }];
    expect(body({ messages: [{ role: 'user', content: 'x' }], tools, toolChoice: 'auto' }).toolConfig?.toolChoice).toEqual({ auto: {} });
    expect(body({ messages: [{ role: 'user', content: 'x' }], tools, toolChoice: 'required' }).toolConfig?.toolChoice).toEqual({ any: {} });
    expect(body({ messages: [{ role: 'user', content: 'x' }], tools, toolChoice: 'none' }).toolConfig).toBeUndefined();
    const loop = body({ messages: [{ role: 'user', content: 'x' }, { role: 'assistant', content: '', toolCalls: [{ id: 'a', name: 't', arguments: {} }] }, { role: 'tool', toolCallId: 'a', content: 'y' }], tools, toolChoice: 'none' });
    expect(loop.toolConfig).toEqual({ tools: [{ toolSpec: { name: 't', inputSchema: { json: { type: 'object' } } } }] });
  });

  it('puts a cachePoint after each block that ends a cache breakpoint: tools, system, messages, tool results', () => {
    const result = body({
      system: [{ type: 'text', text: 'stable', cache: { ttl: '1h' } }],
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'doc', cache: true }, { type: 'text', text: 'question' }] },
        { role: 'assistant', content: '', toolCalls: [{ id: 'a', name: 't', arguments: {} }] },
        { role: 'tool', toolCallId: 'a', content: [{ type: 'text', text: 'big result', cache: true }] },
      ],
      tools: [{ name: 't', parameters: { type: 'object' }, cache: true }],
    });
    expect(result.toolConfig?.tools).toEqual([{ toolSpec: { name: 't', inputSchema: { json: { type: 'object' } } } }, { cachePoint: { type: 'default' } }]);
    expect(result.system).toEqual([{ text: 'stable' }, { cachePoint: { type: 'default', ttl: '1h' } }]);
    expect(result.messages[0]?.content).toEqual([{ text: 'doc' }, { cachePoint: { type: 'default' } }, { text: 'question' }]);
    expect(result.messages[2]?.content).toEqual([{ toolResult: { toolUseId: 'a', content: [{ text: 'big result' }] } }, { cachePoint: { type: 'default' } }]);
  });

  it('keeps a one-hour breakpoint inside a tool result one hour long', () => {
    const result = body({
      messages: [
        { role: 'user', content: 'go' },
        { role: 'assistant', content: '', toolCalls: [{ id: 'a', name: 't', arguments: {} }] },
        { role: 'tool', toolCallId: 'a', content: [{ type: 'text', text: 'part', cache: true }, { type: 'text', text: 'big result', cache: { ttl: '1h' } }] },
      ],
      tools: [{ name: 't', parameters: { type: 'object' } }],
    });
    expect(result.messages[2]?.content).toEqual([{ toolResult: { toolUseId: 'a', content: [{ text: 'part' }, { text: 'big result' }] } }, { cachePoint: { type: 'default', ttl: '1h' } }]);
  });

  it('asks Anthropic models (and their inference profiles) for thinking in additionalModelRequestFields, and no other family', () => {
    const thinking = body({ messages: [{ role: 'user', content: 'x' }], reasoning: { budgetTokens: 2000 }, maxTokens: 1000, temperature: 0.5 }, 'us.anthropic.claude-sonnet-4-20250514-v1:0');
    expect(thinking.additionalModelRequestFields).toEqual({ thinking: { type: 'enabled', budget_tokens: 2000 } });
    expect(thinking.inferenceConfig).toEqual({ maxTokens: 3000 });
    expect(body({ messages: [{ role: 'user', content: 'x' }], reasoning: { effort: 'high' } }, 'amazon.nova-pro-v1:0').additionalModelRequestFields).toBeUndefined();
    expect(body({ messages: [{ role: 'user', content: 'x' }], reasoning: { effort: 'high' } }, 'anthropic.claude-3-5-sonnet-20240620-v1:0').additionalModelRequestFields).toBeUndefined();
    // A forced tool and thinking do not go together on Anthropic models.
    expect(body({ messages: [{ role: 'user', content: 'x' }], reasoning: { effort: 'low' }, tools: [{ name: 't', parameters: {} }], toolChoice: 'required' }).additionalModelRequestFields).toBeUndefined();
  });

  it('sends back only signed Bedrock reasoning, first in the assistant turn', () => {
    const result = body({
      messages: [
        { role: 'user', content: 'x' },
        {
          role: 'assistant',
          content: 'answer',
          reasoning: [
            { type: 'reasoning', text: 'thought', signature: 'sig', provider: 'bedrock' },
            { type: 'reasoning', text: '', redactedData: 'b3BhcXVl', provider: 'bedrock' },
            { type: 'reasoning', text: 'unsigned', provider: 'bedrock' },
            { type: 'reasoning', text: 'other', signature: 's', provider: 'gemini' },
          ],
        },
        { role: 'user', content: 'y' },
      ],
    });
    expect(result.messages[1]?.content).toEqual([{ reasoningContent: { reasoningText: { text: 'thought', signature: 'sig' } } }, { reasoningContent: { redactedContent: 'b3BhcXVl' } }, { text: 'answer' }]);
  });

  it('asks for structured output with outputConfig, the schema as a JSON string', () => {
    // https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_OutputFormat.html and API_runtime_JsonSchemaDefinition.html
    const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false };
    expect(body({ messages: [{ role: 'user', content: 'x' }], responseFormat: { type: 'json_schema', schema, name: 'place' } }).outputConfig).toEqual({
      textFormat: { type: 'json_schema', structure: { jsonSchema: { schema: JSON.stringify(schema), name: 'place' } } },
    });
    expect(body({ messages: [{ role: 'user', content: 'x' }], responseFormat: { type: 'json' } }).outputConfig).toEqual({
      textFormat: { type: 'json_schema', structure: { jsonSchema: { schema: '{"type":"object"}', name: 'response' } } },
    });
  });

  it('merges providerOptions.bedrock: Converse fields at the top, anything else into additionalModelRequestFields', () => {
    const result = body({
      messages: [{ role: 'user', content: 'x' }],
      reasoning: { budgetTokens: 1024 },
      providerOptions: { bedrock: { top_k: 40, thinking: { budget_tokens: 2048 }, performanceConfig: { latency: 'optimized' }, inferenceConfig: { topP: 0.5 } }, openai: { seed: 1 } },
    });
    expect(result.additionalModelRequestFields).toEqual({ thinking: { type: 'enabled', budget_tokens: 2048 }, top_k: 40 });
    expect(result).toMatchObject({ performanceConfig: { latency: 'optimized' }, inferenceConfig: { maxTokens: 2024, topP: 0.5 } });
    expect(result).not.toHaveProperty('seed');
  });
});
