/**
 * Thinking as the simulated Gemini API speaks it, from the thinking guide
 * (ai.google.dev/gemini-api/docs/thinking) and the thought-signatures guide
 * (ai.google.dev/gemini-api/docs/thought-signatures): `generationConfig.thinkingConfig` read and
 * checked; with `includeThoughts`, a thought summary part (`thought: true`) first; a
 * `thoughtSignature` on the first function call, or on the last part of an answer without calls
 * (in a stream: on the final chunk's empty text part, as the service sends it); and
 * `usageMetadata.thoughtsTokenCount`, with `candidatesTokenCount` counting only the answer.
 */
import { signThinking, type SimReasoningRequest } from '../sim-reasoning.js';
import type { SimAnswer, SimParsedRequest } from '../wire-format.js';
import { isObject } from './wire-helpers.js';

type Part = Record<string, unknown>;

/** `generationConfig.thinkingConfig` as reasoning asked for (`undefined`: none), or a 400's message. */
export function readGeminiThinking(config: unknown): SimReasoningRequest | undefined | string {
  if (!isObject(config) || config.thinkingConfig === undefined) return undefined;
  const thinking = config.thinkingConfig;
  if (!isObject(thinking)) return 'generationConfig.thinkingConfig must be an object';
  const { thinkingBudget, includeThoughts } = thinking;
  if (thinkingBudget !== undefined && (!Number.isInteger(thinkingBudget) || (thinkingBudget as number) < -1 || (thinkingBudget as number) > 32768)) {
    return 'generationConfig.thinkingConfig.thinkingBudget must be an integer from -1 to 32768';
  }
  if (includeThoughts !== undefined && typeof includeThoughts !== 'boolean') return 'generationConfig.thinkingConfig.includeThoughts must be a boolean';
  if (thinkingBudget === 0) return undefined;
  return { ...(typeof thinkingBudget === 'number' ? { budgetTokens: thinkingBudget } : {}), includeThoughts: includeThoughts === true };
}

/** The thought summary part, when the request asked for thoughts. */
export function geminiThoughtPart(answer: SimAnswer, request: SimParsedRequest): Part | undefined {
  if (answer.reasoning === undefined || request.reasoning?.includeThoughts !== true) return undefined;
  return { text: answer.reasoning, thought: true };
}

/** A whole answer's parts with the thought summary first and the signature where Gemini puts it. */
export function geminiThinkingParts(parts: readonly Part[], answer: SimAnswer, request: SimParsedRequest): Part[] {
  if (answer.reasoning === undefined) return [...parts];
  const signed = geminiSignedCallParts(parts, answer);
  if (answer.toolCalls.length === 0) {
    const last = signed.length - 1;
    if (last >= 0) signed[last] = { ...signed[last], thoughtSignature: signThinking(answer.reasoning) };
    else signed.push({ text: '', thoughtSignature: signThinking(answer.reasoning) });
  }
  const thought = geminiThoughtPart(answer, request);
  return thought === undefined ? signed : [thought, ...signed];
}

/** Function-call parts with the signature on the first one. */
export function geminiSignedCallParts(parts: readonly Part[], answer: SimAnswer): Part[] {
  const signed = [...parts];
  if (answer.reasoning === undefined) return signed;
  const first = signed.findIndex((part) => part.functionCall !== undefined);
  if (first >= 0) signed[first] = { ...signed[first], thoughtSignature: signThinking(answer.reasoning) };
  return signed;
}

/** A stream's final part: empty text, carrying the signature when the answer called no function. */
export function geminiFinalPart(answer: SimAnswer): Part {
  return answer.reasoning === undefined || answer.toolCalls.length > 0 ? { text: '' } : { text: '', thoughtSignature: signThinking(answer.reasoning) };
}

/** `usageMetadata` with the thinking tokens apart from the answer's. */
export function geminiThinkingUsage(metadata: Record<string, number>, answer: SimAnswer): Record<string, number> {
  const thoughts = answer.usage.reasoningTokens ?? 0;
  if (thoughts === 0) return metadata;
  return { ...metadata, candidatesTokenCount: Math.max(0, (metadata.candidatesTokenCount ?? 0) - thoughts), thoughtsTokenCount: thoughts };
}
