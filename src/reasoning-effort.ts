/**
 * The one mapping between a reasoning option's two forms, shared by every adapter: an effort level
 * stands for a thinking budget (Anthropic, Gemini 2.5), and a budget for the nearest effort level
 * (OpenAI `reasoning_effort`, Gemini 3 `thinkingLevel`). Documented in docs/requests.md ("Reasoning").
 */
import type { ReasoningOption } from './types.js';

/** An effort level. */
export type ReasoningEffort = 'low' | 'medium' | 'high';

/** The thinking budget each effort level stands for, in tokens. */
export const EFFORT_BUDGETS: Readonly<Record<ReasoningEffort, number>> = { low: 1024, medium: 4096, high: 16384 };

/** A budget as an effort: up to 2,048 tokens `low`, up to 8,192 `medium`, more `high`. */
export function effortForBudget(budgetTokens: number): ReasoningEffort {
  if (budgetTokens <= 2048) return 'low';
  if (budgetTokens <= 8192) return 'medium';
  return 'high';
}

/** The effort level of a reasoning option: an effort as it is, a budget the nearest level. */
export function effortOf(option: ReasoningOption): ReasoningEffort {
  return 'effort' in option ? option.effort : effortForBudget(option.budgetTokens);
}

/** The thinking budget of a reasoning option: a budget as it is, an effort its level's budget. */
export function budgetOf(option: ReasoningOption): number {
  return 'effort' in option ? EFFORT_BUDGETS[option.effort] : option.budgetTokens;
}
