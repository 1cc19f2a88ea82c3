/**
 * Thinking for the Gemini API, per the thinking guide (ai.google.dev/gemini-api/docs/thinking) and
 * the thought-signatures guide (ai.google.dev/gemini-api/docs/thought-signatures):
 *
 * - request: `reasoning` becomes `generationConfig.thinkingConfig: { thinkingBudget, includeThoughts:
 *   true }`; an effort level is a budget from `GEMINI_EFFORT_BUDGETS`. Models without thinking
 *   (Gemini 1.x and 2.0) get none;
 * - answers: thought summaries (`{ text, thought: true }` parts) and the `thoughtSignature` Gemini
 *   puts on a part become one reasoning part (`provider: 'gemini'`): the summaries' text, and the
 *   signature (the first function call's when the answer called functions, else the last one seen);
 * - history: the signature goes back where Gemini put it: on the first `functionCall` part of the
 *   model turn, or on its last text part when it called none. Summaries are not sent back (only the
 *   signature carries the model's reasoning state). Parts of other providers are dropped.
 */
import type { ReasoningOption, ReasoningPart } from '../../src/types.js';

/** The provider type Gemini reasoning parts carry. */
export const GEMINI_REASONING_PROVIDER = 'gemini';

/** `thinkingBudget` per effort level. Documented in docs/requests.md ("Reasoning"). */
export const GEMINI_EFFORT_BUDGETS: Readonly<Record<'low' | 'medium' | 'high', number>> = { low: 1024, medium: 4096, high: 16384 };

/** `generationConfig.thinkingConfig`. */
export interface GeminiThinkingConfig {
  readonly thinkingBudget: number;
  readonly includeThoughts: boolean;
}

/** Gemini 1.x and 2.0 models have no thinking; 2.5 and later do. */
export function geminiModelThinks(model: string): boolean {
  return !/^(models\/)?gemini-(1\.|2\.0|pro\b|pro-)/.test(model);
}

/** The `thinkingConfig` for a request, or undefined when it asks for none or the model has none. */
export function geminiThinkingConfig(option: ReasoningOption | undefined, model: string): GeminiThinkingConfig | undefined {
  if (option === undefined || !geminiModelThinks(model)) return undefined;
  const thinkingBudget = 'effort' in option ? GEMINI_EFFORT_BUDGETS[option.effort] : option.budgetTokens;
  return { thinkingBudget, includeThoughts: true };
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
