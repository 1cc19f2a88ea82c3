/**
 * The body field `provider_options` of the OpenAI and Anthropic ingresses → `ChatRequest.providerOptions`.
 * Both official SDKs send a field their types do not know as it is (openai: "Undocumented request
 * params"; @anthropic-ai/sdk likewise), so `{ provider_options: { anthropic: { top_k: 5 } } }` reaches
 * the gateway from either.
 *
 * The router's own check (`checkProviderOptions`: JSON only, never the fields the adapter owns:
 * `model`, the conversation, `stream`) runs first, its field renamed to the wire's; then the
 * fields the gateway itself must control are refused, since a virtual key's holder is not trusted
 * the way a library caller is:
 * what bounds the output (the quota reservation is sized from the unified `max_tokens` and thinking
 * budget), the number of answers, the service tier (its price is not in the price table) and
 * `tools` (server tools are billed per use, outside token usage; the ingresses refuse them).
 */
import { invalidRequest, SwitchyardError } from '../../errors.js';
import { checkProviderOptions } from '../../provider-options.js';
import type { ChatRequest } from '../../types.js';
import { childPath, isJsonObject, wrongType } from './request-fields.js';

/** The body field's name, as clients send it. */
const FIELD = 'provider_options';

/**
 * Top-level fields of any provider's body that the gateway controls: output bounds (OpenAI
 * `max_tokens`/`max_completion_tokens`, Responses-style `max_output_tokens`), thinking (Anthropic
 * `thinking`, OpenAI `reasoning_effort`/`reasoning`), answer count (`n`), stream usage reporting
 * (`stream_options`), service tiers, tools, and what would bring in unreserved context or run
 * outside the call (Responses `background`, `store`, `previous_response_id`, `conversation`,
 * `prompt`; Gemini `cachedContent`).
 */
const GATEWAY_FIELDS: ReadonlySet<string> = new Set([
  'max_tokens',
  'max_completion_tokens',
  'max_output_tokens',
  'thinking',
  'reasoning_effort',
  'reasoning',
  'n',
  'stream_options',
  'service_tier',
  'tools',
  // OpenAI Responses: a background response settles before it runs, and stored state or prompts
  // bring in context the reservation never saw (the adapter sends `store: false`).
  'background',
  'store',
  'previous_response_id',
  'conversation',
  'prompt',
  // Bedrock Converse's tiers, priced apart; Gemini's cached content, context held upstream.
  'serviceTier',
  'performanceConfig',
  'cachedContent',
]);

/**
 * Fields inside objects that merge field by field into the body, so a nested field would override
 * the adapter's: Gemini's `generationConfig` (output bound, answer count, thinking), Bedrock
 * Converse's `inferenceConfig` (output bound) and `additionalModelRequestFields` (the model's own
 * body, where Anthropic models take `thinking` and `max_tokens`).
 */
const GATEWAY_NESTED_FIELDS: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ['generationConfig', new Set(['maxOutputTokens', 'candidateCount', 'thinkingConfig'])],
  ['inferenceConfig', new Set(['maxTokens'])],
  ['additionalModelRequestFields', GATEWAY_FIELDS],
]);

/**
 * Keys that are never data: merged into a body they would set its prototype instead of a field.
 * Checked at any depth.
 */
const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** `providerOptions.openai.seed` → `provider_options.openai.seed`, the problem text kept. */
function inWireTerms(error: unknown): unknown {
  if (!SwitchyardError.isInstance(error) || error.field?.startsWith('providerOptions') !== true) return error;
  const problem = error.message.startsWith(`${error.field}: `) ? error.message.slice(error.field.length + 2) : error.message;
  return invalidRequest(`${FIELD}${error.field.slice('providerOptions'.length)}`, problem);
}

function refuseForbiddenKeys(value: unknown, field: string): void {
  if (Array.isArray(value)) {
    value.forEach((item: unknown, index) => {
      refuseForbiddenKeys(item, `${field}[${index}]`);
    });
    return;
  }
  if (!isJsonObject(value)) return;
  for (const [key, item] of Object.entries(value)) {
    if (FORBIDDEN_KEYS.has(key)) throw invalidRequest(childPath(field, key), 'not a field a provider takes');
    refuseForbiddenKeys(item, childPath(field, key));
  }
}

function refuseGatewayFields(options: Readonly<Record<string, Readonly<Record<string, unknown>>>>): void {
  for (const [type, fields] of Object.entries(options)) {
    const field = childPath(FIELD, type);
    for (const [name, value] of Object.entries(fields)) {
      if (GATEWAY_FIELDS.has(name)) throw invalidRequest(childPath(field, name), 'set by the gateway from the request itself; send it as the ordinary request field');
      const controlled = GATEWAY_NESTED_FIELDS.get(name);
      if (controlled === undefined || !isJsonObject(value)) continue;
      for (const nested of Object.keys(value)) {
        if (controlled.has(nested)) throw invalidRequest(childPath(childPath(field, name), nested), 'set by the gateway from the request itself; send it as the ordinary request field');
      }
    }
  }
}

/**
 * The body's `provider_options`, checked, as `ChatRequest.providerOptions`; undefined when absent
 * (`null` counts as absent, as for every optional field).
 *
 * @throws SwitchyardError `invalid_request` naming the field (`provider_options.openai.max_tokens`).
 */
export function parseProviderOptionsField(value: unknown): ChatRequest['providerOptions'] {
  if (value === undefined || value === null) return undefined;
  if (!isJsonObject(value)) throw wrongType(FIELD, 'an object keyed by provider type', value);
  refuseForbiddenKeys(value, FIELD);
  try {
    checkProviderOptions(value);
  } catch (error) {
    throw inWireTerms(error);
  }
  // checkProviderOptions has just established this shape.
  const options = value as Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  refuseGatewayFields(options);
  return options;
}
