/**
 * The adapter stream parts the Anthropic golden transcripts map to, shared by the adapter's own
 * stream test and the cross-provider replay in test/streaming/golden-transcripts.test.ts.
 */
/* eslint-disable @typescript-eslint/no-deprecated -- the adapter still fills the deprecated `cachedInputTokens` copy, and these fixtures pin it */
import type { AdapterStreamPart } from '../../../src/provider-spec.js';

/** What `text.chunks.txt` maps to, part by part. */
export const TEXT_PARTS: readonly AdapterStreamPart[] = [
  { type: 'response-metadata', id: 'msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY', servedModel: 'claude-sonnet-4-5-20250929' },
  { type: 'text-delta', text: 'Hello' },
  { type: 'text-delta', text: "! I'm doing well, " },
  { type: 'text-delta', text: 'thank you — ça va?' },
  { type: 'usage', usage: { inputTokens: 25, outputTokens: 15, totalTokens: 40, cacheReadInputTokens: 0, cacheWriteInputTokens: 0, cachedInputTokens: 0 } },
  { type: 'finish', finishReason: 'stop', rawFinishReason: 'end_turn' },
];

/** What `tool-use.chunks.txt` maps to, part by part. */
export const TOOL_PARTS: readonly AdapterStreamPart[] = [
  { type: 'response-metadata', id: 'msg_014p7gG3wDgGV9EUtLvnow3U', servedModel: 'claude-sonnet-4-5-20250929' },
  { type: 'text-delta', text: 'Okay' },
  { type: 'text-delta', text: ", let's check the weather for San Francisco, CA:" },
  // Each non-empty input_json_delta as it arrives (the first, empty one adds nothing).
  { type: 'tool-call-delta', toolCallId: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', toolName: 'get_weather', argumentsDelta: '{"location":' },
  { type: 'tool-call-delta', toolCallId: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', toolName: 'get_weather', argumentsDelta: ' "San' },
  { type: 'tool-call-delta', toolCallId: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', toolName: 'get_weather', argumentsDelta: ' Francisc' },
  { type: 'tool-call-delta', toolCallId: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', toolName: 'get_weather', argumentsDelta: 'o,' },
  { type: 'tool-call-delta', toolCallId: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', toolName: 'get_weather', argumentsDelta: ' CA"' },
  { type: 'tool-call-delta', toolCallId: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', toolName: 'get_weather', argumentsDelta: ', ' },
  { type: 'tool-call-delta', toolCallId: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', toolName: 'get_weather', argumentsDelta: '"unit": "fah' },
  { type: 'tool-call-delta', toolCallId: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', toolName: 'get_weather', argumentsDelta: 'renheit"}' },
  { type: 'tool-call', toolCall: { id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', name: 'get_weather', arguments: { location: 'San Francisco, CA', unit: 'fahrenheit' } } },
  { type: 'usage', usage: { inputTokens: 2572, outputTokens: 89, totalTokens: 2661, cacheReadInputTokens: 2000, cacheWriteInputTokens: 100, cachedInputTokens: 2000 } },
  { type: 'finish', finishReason: 'tool_calls', rawFinishReason: 'tool_use' },
];
