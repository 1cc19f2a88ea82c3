/**
 * Thinking for the Gemini API, per the thinking guide (ai.google.dev/gemini-api/docs/thinking) and
 * the thought-signatures guide (ai.google.dev/gemini-api/docs/thought-signatures):
 *
 * - request: `reasoning` becomes `generationConfig.thinkingConfig` with `includeThoughts: true`.
 *   Gemini 2.5 takes `thinkingBudget` (an effort level is a budget from `EFFORT_BUDGETS`, src/reasoning-effort.ts);
 *   Gemini 3 and later take `thinkingLevel` instead (the thinking guide's "thinking levels":
 *   https://ai.google.dev/gemini-api/docs/thinking#thinking-levels, and Vertex AI's
 *   https://cloud.google.com/vertex-ai/generative-ai/docs/thinking), a budget becoming the nearest
 *   level. Models without thinking (Gemini 1.x and 2.0) get none;
 * - answers: thought summaries (`{ text, thought: true }` parts) and the `thoughtSignature` Gemini
 *   puts on a part become one reasoning part (`provider: 'gemini'`): the summaries' text, and the
 *   signature (the first function call's when the answer called functions, else the last one seen);
 * - history: the signature goes back where Gemini put it: on the first `functionCall` part of the
 *   model turn, or on its last text part when it called none. Summaries are not sent back (only the
 *   signature carries the model's reasoning state). Parts of other providers are dropped.
 */
import { budgetOf, effortOf } from '../../src/reasoning-effort.js';
import type { ReasoningOption, ReasoningPart } from '../../src/types.js';

/** The provider type Gemini reasoning parts carry. */
export const GEMINI_REASONING_PROVIDER = 'gemini';


/**
 * The `thinkingLevel`s Switchyard sends to Gemini 3 models. `minimal` (about "no thinking") is never
 * sent: a request with `reasoning` asks the model to think.
 */
export type GeminiThinkingLevel = 'low' | 'medium' | 'high';

/** `generationConfig.thinkingConfig`: a budget (Gemini 2.5) or a level (Gemini 3), never both (the API refuses both). */
export type GeminiThinkingConfig =
  | { readonly thinkingBudget: number; readonly includeThoughts: boolean }
  | { readonly thinkingLevel: GeminiThinkingLevel; readonly includeThoughts: boolean };

/** Gemini 1.x and 2.0 models have no thinking; 2.5 and later do. */
export function geminiModelThinks(model: string): boolean {
  return !/^(models\/)?gemini-(1\.|2\.0|pro\b|pro-)/.test(model);
}

/**
 * Gemini 3 and later: thinking set by `thinkingLevel`, thought signatures validated on function
 * calls, media inside function responses.
 */
export function isGemini3OrLater(model: string): boolean {
  const major = /^(?:models\/)?gemini-(\d+)(?:[.-]|$)/.exec(model)?.[1];
  return major !== undefined && Number(major) >= 3;
}

/** Gemini 3 Pro (not 3.1 and later) takes only `low` and `high` (its model page and the thinking guide). */
function takesOnlyLowAndHigh(model: string): boolean {
  return /^(?:models\/)?gemini-3-pro(?:-|$)/.test(model);
}

/** The level for a reasoning option: an effort as it is, a budget the nearest level. */
function thinkingLevel(option: ReasoningOption, model: string): GeminiThinkingLevel {
  const level = effortOf(option);
  // Rounded up: asked for more than `low`, the model should not think less.
  return level === 'medium' && takesOnlyLowAndHigh(model) ? 'high' : level;
}

/** The `thinkingConfig` for a request, or undefined when it asks for none or the model has none. */
export function geminiThinkingConfig(option: ReasoningOption | undefined, model: string): GeminiThinkingConfig | undefined {
  if (option === undefined || !geminiModelThinks(model)) return undefined;
  if (isGemini3OrLater(model)) return { thinkingLevel: thinkingLevel(option, model), includeThoughts: true };
  return { thinkingBudget: budgetOf(option), includeThoughts: true };
}

/** The signature to send back with a model turn, from its reasoning parts. */
export function geminiSignatureOf(reasoning: readonly ReasoningPart[] | undefined): string | undefined {
  for (const part of reasoning ?? []) {
    if (part.provider === GEMINI_REASONING_PROVIDER && part.signature !== undefined && part.signature !== '') return part.signature;
  }
  return undefined;
}

/** Collects an answer's thought summaries and signature, part by part (whole answers and streams). */
export class GeminiReasoningCollector {
  private readonly texts: string[] = [];
  private callSignature: string | undefined;
  private lastSignature: string | undefined;

  /** Reads one part; returns the thought text it carried, if any (for `reasoning-delta`s). */
  add(part: Record<string, unknown>): string | undefined {
    const signature = typeof part.thoughtSignature === 'string' && part.thoughtSignature !== '' ? part.thoughtSignature : undefined;
    if (signature !== undefined) {
      this.lastSignature = signature;
      if (part.functionCall !== undefined && this.callSignature === undefined) this.callSignature = signature;
    }
    if (part.thought === true && typeof part.text === 'string' && part.text !== '') {
      this.texts.push(part.text);
      return part.text;
    }
    return undefined;
  }

  /** The answer's reasoning part, or undefined when it showed neither thoughts nor a signature. */
  part(): ReasoningPart | undefined {
    const signature = this.callSignature ?? this.lastSignature;
    if (this.texts.length === 0 && signature === undefined) return undefined;
    const text = this.texts.join('');
    return signature === undefined ? { type: 'reasoning', text, provider: GEMINI_REASONING_PROVIDER } : { type: 'reasoning', text, signature, provider: GEMINI_REASONING_PROVIDER };
  }
}
