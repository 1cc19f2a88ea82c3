/**
 * The simple endpoint the article's Python client calls: `POST /v1/{route}/complete` with
 * `{ "prompt": "…" }` (and optionally `system`, `max_tokens`, `temperature`, `user`), answering
 * `{ id, model, text, usage }`. Errors use the OpenAI error shape, which most HTTP clients already
 * know how to read.
 */
import { invalidRequest, type SwitchyardError } from '../../errors.js';
import type { ChatResponse } from '../../types.js';
import type { IngressCall, IngressErrorAnswer } from './ingress-call.js';
import { openAIError } from './openai/index.js';

/** The answer of the simple endpoint. */
export interface CompleteAnswer {
  readonly id: string;
  readonly model: string;
  readonly text: string;
  readonly usage: { readonly input_tokens: number; readonly output_tokens: number; readonly total_tokens: number };
}

function optionalField<T>(body: Record<string, unknown>, field: string, check: (value: unknown) => value is T, expected: string): T | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (!check(value)) throw invalidRequest(field, `expected ${expected}`);
  return value;
}

const isString = (value: unknown): value is string => typeof value === 'string';
const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
const isPositiveInteger = (value: unknown): value is number => Number.isInteger(value) && (value as number) > 0;

/** `{ prompt, system?, max_tokens?, temperature?, user? }` → a call on `route`. */
export function parseCompleteRequest(body: Record<string, unknown>, route: string): IngressCall {
  const prompt = body['prompt'];
  if (typeof prompt !== 'string' || prompt === '') throw invalidRequest('prompt', 'required: the prompt, a non-empty string');
  const system = optionalField(body, 'system', isString, 'a string');
  const maxTokens = optionalField(body, 'max_tokens', isPositiveInteger, 'a positive integer');
  const temperature = optionalField(body, 'temperature', isNumber, 'a number');
  const user = optionalField(body, 'user', isString, 'a string');
  return {
    request: {
      model: route,
      messages: [{ role: 'user', content: prompt }],
      ...(system === undefined ? {} : { system }),
      ...(maxTokens === undefined ? {} : { maxTokens }),
      ...(temperature === undefined ? {} : { temperature }),
    },
    stream: false,
    requestedModel: route,
    includeUsage: false,
    ...(user === undefined ? {} : { user }),
  };
}

/** A whole answer as `{ id, model, text, usage }`. */
export function toCompleteAnswer(response: ChatResponse, model: string): CompleteAnswer {
  return {
    id: response.id,
    model,
    text: response.text,
    usage: { input_tokens: response.usage.inputTokens, output_tokens: response.usage.outputTokens, total_tokens: response.usage.totalTokens },
  };
}

/** An error in the OpenAI shape (`{ error: { message, type, code } }`). */
export function completeError(error: SwitchyardError): IngressErrorAnswer {
  return openAIError(error);
}
