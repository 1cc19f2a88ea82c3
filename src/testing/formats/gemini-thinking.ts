/**
 * Thinking as the simulated Gemini API speaks it, from the thinking guide
 * (ai.google.dev/gemini-api/docs/thinking) and the thought-signatures guide
 * (ai.google.dev/gemini-api/docs/thought-signatures): `generationConfig.thinkingConfig` read and
 * checked; with `includeThoughts`, a thought summary part (`thought: true`) first; a
 * `thoughtSignature` on the first function call, or on the last part of an answer without calls
 * (in a stream: on the final chunk's empty text part, as the service sends it); and
 * `usageMetadata.thoughtsTokenCount`, with `candidatesTokenCount` counting only the answer.
 *
 * Gemini 3 and later: `thinkingLevel` instead of `thinkingBudget` (both in one request is a 400;
 * Gemini 3 Pro takes only `low` and `high`; an earlier model refuses a level), function calls are
 * always signed, and the signatures of the current turn's function calls are checked when they come
 * back (a missing or changed one is answered 400, the documented dummy values pass), as
 * https://ai.google.dev/gemini-api/docs/thought-signatures describes. The error texts are the
 * service's, as quoted in https://docs.apiyi.com/en/faq/gemini-thought-signature-missing.
 */
import { canonicalJson } from '../../canonical-json.js';
import { signThinking, thinkingSignatureValid, type SimReasoningRequest } from '../sim-reasoning.js';
import type { SimAnswer, SimParsedRequest } from '../wire-format.js';
import { isObject } from './wire-helpers.js';

type Part = Record<string, unknown>;

/**
 * The dummy signatures the thought-signatures guide allows for function calls Gemini did not make
 * ("FAQs"); Vertex AI documents the second one.
 */
const DUMMY_SIGNATURES = new Set(['context_engineering_is_the_way_to_go', 'skip_thought_signature_validator']);

/** The levels of `ThinkingConfig.thinkingLevel` (the REST guide writes them in lower case, the SDKs in upper). */
const THINKING_LEVELS = new Set(['minimal', 'low', 'medium', 'high']);

/** Gemini 3 and later: thinking levels, signed and checked function calls. */
export function simGemini3OrLater(model: string): boolean {
  const major = /^(?:models\/)?gemini-(\d+)(?:[.-]|$)/.exec(model)?.[1];
  return major !== undefined && Number(major) >= 3;
}

/** `thinkingLevel` checked against the model: the level in lower case, or a 400's message. */
function readThinkingLevel(level: unknown, model: string): { readonly level: string } | string {
  const name = typeof level === 'string' ? level.toLowerCase() : undefined;
  if (name === undefined || !THINKING_LEVELS.has(name)) return `generationConfig.thinkingConfig.thinkingLevel: invalid value ${JSON.stringify(level)}`;
  if (!simGemini3OrLater(model)) return `thinking_level is not supported by ${model}; use thinking_budget`;
  if (/^(?:models\/)?gemini-3-pro(?:-|$)/.test(model) && name !== 'low' && name !== 'high') return `thinking_level ${name.toUpperCase()} is not supported by ${model}`;
  return { level: name };
}

/** `generationConfig.thinkingConfig` as reasoning asked for (`undefined`: none), or a 400's message. */
export function readGeminiThinking(config: unknown, model: string): SimReasoningRequest | undefined | string {
  if (!isObject(config) || config.thinkingConfig === undefined) return undefined;
  const thinking = config.thinkingConfig;
  if (!isObject(thinking)) return 'generationConfig.thinkingConfig must be an object';
  const { thinkingBudget, includeThoughts, thinkingLevel } = thinking;
  if (thinkingLevel !== undefined) {
    if (thinkingBudget !== undefined) return 'generationConfig.thinkingConfig: thinking_budget and thinking_level cannot both be set';
    const read = readThinkingLevel(thinkingLevel, model);
    if (typeof read === 'string') return read;
    if (includeThoughts !== undefined && typeof includeThoughts !== 'boolean') return 'generationConfig.thinkingConfig.includeThoughts must be a boolean';
    return { effort: read.level, includeThoughts: includeThoughts === true };
  }
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
  const signed = geminiSignedCallParts(parts, answer, request);
  if (answer.reasoning === undefined) return signed;
  if (answer.toolCalls.length === 0) {
    const last = signed.length - 1;
    if (last >= 0) signed[last] = { ...signed[last], thoughtSignature: signThinking(answer.reasoning) };
    else signed.push({ text: '', thoughtSignature: signThinking(answer.reasoning) });
  }
  const thought = geminiThoughtPart(answer, request);
  return thought === undefined ? signed : [thought, ...signed];
}

/**
 * What a function-call signature signs: the step's calls (names and arguments), so a signature sent
 * back on other calls, or on changed arguments, fails as it would at Google.
 */
function signedCallsText(parts: readonly Part[]): string {
  const calls = parts.filter((part) => isObject(part.functionCall)).map((part) => part.functionCall);
  return `gemini-function-calls:${canonicalJson(calls)}`;
}

/**
 * Function-call parts with the signature on the first one (parallel calls: only the first is
 * signed). Gemini 3 signs its calls always; earlier models when they thought.
 */
export function geminiSignedCallParts(parts: readonly Part[], answer: SimAnswer, request: SimParsedRequest): Part[] {
  const signed = [...parts];
  if (answer.reasoning === undefined && !simGemini3OrLater(request.model)) return signed;
  const first = signed.findIndex((part) => part.functionCall !== undefined);
  if (first >= 0) signed[first] = { ...signed[first], thoughtSignature: signThinking(signedCallsText(signed)) };
  return signed;
}

/**
 * Gemini 3's check of the current turn (every turn since the last user turn with more than
 * function responses): the first function call of each model turn must carry the signature it was
 * answered with, or a documented dummy. Returns the 400's message, or undefined when it passes.
 */
export function checkGeminiThoughtSignatures(contents: readonly unknown[], model: string): string | undefined {
  if (!simGemini3OrLater(model)) return undefined;
  let start = 0;
  contents.forEach((content, index) => {
    const parts = isObject(content) && Array.isArray(content.parts) ? (content.parts as unknown[]) : [];
    if (isObject(content) && (content.role ?? 'user') === 'user' && parts.some((part) => !isObject(part) || part.functionResponse === undefined)) start = index + 1;
  });
  for (let index = start; index < contents.length; index += 1) {
    const content = contents[index];
    if (!isObject(content) || content.role !== 'model' || !Array.isArray(content.parts)) continue;
    const parts = (content.parts as unknown[]).filter(isObject);
    const first = parts.findIndex((part) => part.functionCall !== undefined);
    if (first < 0) continue;
    const call = parts[first] as Part;
    const signature = call.thoughtSignature;
    if (signature === undefined) {
      const name = isObject(call.functionCall) && typeof call.functionCall.name === 'string' ? call.functionCall.name : '';
      return `Function call is missing a thought_signature in functionCall parts. This is required for tools to work correctly, and missing thought_signature may lead to degraded model performance. Additional data, function call \`default_api:${name}\` , position ${first + 1}. Please refer to https://ai.google.dev/gemini-api/docs/thought-signatures for more details.`;
    }
    if (typeof signature === 'string' && DUMMY_SIGNATURES.has(signature)) continue;
    if (!thinkingSignatureValid(signedCallsText(parts), signature)) return 'Corrupted thought signature.';
  }
  return undefined;
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
