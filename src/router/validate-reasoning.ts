/**
 * Checks the reasoning fields of a unified request: `reasoning` (an effort level or a token budget)
 * and assistant messages' `reasoning` parts. Problems are `invalid_request` errors naming the field.
 */
import { invalidRequest } from '../errors.js';
import type { ChatRequest, Message } from '../types.js';
import { isRecord } from '../is-record.js';

const EFFORTS: ReadonlySet<unknown> = new Set(['low', 'medium', 'high']);

/** `request.reasoning`: `{ effort: 'low' | 'medium' | 'high' }` or `{ budgetTokens: n ≥ 1 }`. */
export function checkReasoningOption(option: ChatRequest['reasoning']): void {
  if (option === undefined) return;
  if (!isRecord(option)) throw invalidRequest('reasoning', 'expected { effort } or { budgetTokens }');
  const fields = option as Record<string, unknown>;
  const hasEffort = fields.effort !== undefined;
  const hasBudget = fields.budgetTokens !== undefined;
  if (hasEffort === hasBudget) throw invalidRequest('reasoning', 'give exactly one of effort or budgetTokens');
  if (hasEffort && !EFFORTS.has(fields.effort)) throw invalidRequest('reasoning.effort', 'expected low, medium or high');
  const budget = fields.budgetTokens;
  if (hasBudget && (typeof budget !== 'number' || !Number.isInteger(budget) || budget < 1)) {
    throw invalidRequest('reasoning.budgetTokens', 'expected a whole number ≥ 1');
  }
}

/** A message's `reasoning` parts: assistant messages only, each `{ type: 'reasoning', text, provider }`. */
export function checkMessageReasoning(message: Message, field: string): void {
  const parts: unknown = message.reasoning;
  if (parts === undefined) return;
  if (message.role !== 'assistant') throw invalidRequest(`${field}.reasoning`, 'only assistant messages carry reasoning');
  if (!Array.isArray(parts)) throw invalidRequest(`${field}.reasoning`, 'expected a list of reasoning parts');
  parts.forEach((part: unknown, index) => {
    const where = `${field}.reasoning[${index}]`;
    if (!isRecord(part) || part.type !== 'reasoning') throw invalidRequest(`${where}.type`, 'expected "reasoning"');
    if (typeof part.text !== 'string') throw invalidRequest(`${where}.text`, 'expected a string');
    if (typeof part.provider !== 'string' || part.provider === '') throw invalidRequest(`${where}.provider`, 'required: the provider type that produced it');
    for (const key of ['signature', 'redactedData'] as const) {
      if (part[key] !== undefined && typeof part[key] !== 'string') throw invalidRequest(`${where}.${key}`, 'expected a string');
    }
  });
}
