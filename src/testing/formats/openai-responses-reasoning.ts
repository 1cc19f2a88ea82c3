/**
 * Reasoning as the simulated OpenAI Responses API speaks it, statelessly (`store: false`):
 *
 * - a reasoning model's answer starts with a `reasoning` item (`rs_…`) whose `encrypted_content` the
 *   simulator issues only when the request's `include` asks for `reasoning.encrypted_content`
 *   (https://platform.openai.com/docs/api-reference/responses/create, `include`); the content is an
 *   HMAC over the item's id and summary under the simulator's process key (sim-reasoning.ts), so an
 *   altered or made-up one fails, as OpenAI's does;
 * - reasoning items given back are checked the way the API answers (wording and codes from
 *   reports of the real API: 404 "Item with id … not found. Items are not persisted when `store` is
 *   set to false…" for an item without encrypted content, openai/openai-agents-js#546; 400
 *   `invalid_encrypted_content` "The encrypted content for item … could not be verified.",
 *   openai/codex#8145 and anomalyco/opencode#5104);
 * - `include: ['reasoning.encrypted_content']` for a model without reasoning is refused with
 *   "Encrypted content is not supported with this model." (OpenHands/software-agent-sdk#1208).
 *
 * The simulator's own strictness, documented in docs/requests.md: with reasoning on, a request
 * whose input ends with `function_call_output` items must carry, before the `function_call` items
 * they answer, a reasoning item the simulator issued. The real API only recommends giving reasoning
 * back in a tool loop (reasoning guide, "Keeping reasoning items in context"); refusing it here makes
 * a test fail when an adapter drops it, as `anthropic-thinking.ts` does for Anthropic's rule.
 */
import { signThinking, thinkingSignatureValid } from '../sim-reasoning.js';
import type { SimAnswer, SimRejection } from '../wire-format.js';
import { isObject, type JsonObject } from './wire-helpers.js';

/** OpenAI models with reasoning, by name: the o-series, GPT-5 and Codex models, but not the `-chat` variants. */
export function responsesModelReasons(model: string): boolean {
  return /^(openai\/)?(o\d|gpt-5|codex-)/i.test(model) && !/-chat(-|$)/i.test(model);
}

/** What the encrypted content is computed over: the item's id and its summary text. */
function sealed(id: string, summary: string): string {
  return `openai-responses\n${id}\n${summary}`;
}

/** The simulator's encrypted content for a reasoning item: the summary (base64url) and its HMAC. */
function encryptReasoning(id: string, summary: string): string {
  return `gAAAAA${Buffer.from(summary).toString('base64url')}.${signThinking(sealed(id, summary))}`;
}

/** Whether `value` is the encrypted content the simulator issued for the item `id`. */
function encryptedValid(id: string, value: string): boolean {
  const match = /^gAAAAA([A-Za-z0-9_-]*)\.(.+)$/s.exec(value);
  if (match === null) return false;
  const summary = Buffer.from(match[1] ?? '', 'base64url').toString('utf8');
  return thinkingSignatureValid(sealed(id, summary), match[2]);
}

/** The id of the answer's reasoning item. */
export function reasoningItemId(answer: SimAnswer): string {
  return `rs_${answer.id}`;
}

/** The reasoning output item of an answer that reasoned, complete (with encrypted content when asked). */
export function responsesReasoningItem(answer: SimAnswer, includeEncrypted: boolean, withSummary: boolean): JsonObject | undefined {
  if (answer.reasoning === undefined) return undefined;
  const id = reasoningItemId(answer);
  return {
    id,
    type: 'reasoning',
    summary: withSummary ? [{ type: 'summary_text', text: answer.reasoning }] : [],
    ...(includeEncrypted ? { encrypted_content: encryptReasoning(id, answer.reasoning) } : {}),
  };
}

function rejection(status: number, message: string, code: string | null, param: string | null = null): SimRejection {
  return { status, body: { error: { message, type: 'invalid_request_error', param, code } } };
}

/** The first problem with the reasoning items of `input`, as the API answers it. */
function checkReasoningItems(input: readonly unknown[]): SimRejection | undefined {
  for (const item of input) {
    if (!isObject(item) || item.type !== 'reasoning') continue;
    const id = typeof item.id === 'string' ? item.id : '';
    const encrypted = item.encrypted_content;
    if (typeof encrypted !== 'string' || encrypted === '') {
      return rejection(404, `Item with id '${id}' not found. Items are not persisted when \`store\` is set to false. Try again with \`store\` set to true, or remove this item from your input.`, null, 'input');
    }
    if (!encryptedValid(id, encrypted)) return rejection(400, `The encrypted content for item ${id} could not be verified.`, 'invalid_encrypted_content');
  }
  return undefined;
}

/** With reasoning on: the `function_call` items the trailing outputs answer must follow a reasoning item of their turn. */
function checkToolLoop(input: readonly unknown[]): SimRejection | undefined {
  let first = input.length;
  while (first > 0 && isObject(input[first - 1]) && (input[first - 1] as JsonObject).type === 'function_call_output') first -= 1;
  if (first === input.length) return undefined;
  const answered = new Set(input.slice(first).map((item) => (item as JsonObject).call_id));
  for (let index = first - 1; index >= 0; index -= 1) {
    const item = input[index];
    if (!isObject(item)) continue;
    if (item.type === 'reasoning') return undefined;
    if (item.type === 'message' && item.role === 'user') break;
  }
  const callId = [...answered].find((id): id is string => typeof id === 'string') ?? '';
  return rejection(
    400,
    `Item of type 'function_call' with call_id '${callId}' was provided without its required 'reasoning' item. ` +
      'With store set to false, give the reasoning items of the turn back with their encrypted_content (include reasoning.encrypted_content). [simulator]',
    null,
    'input',
  );
}

/**
 * Checks a Responses body's reasoning the way the simulator enforces it (see the module's
 * description): a rejection to answer with, or undefined when the body passes.
 */
export function checkResponsesReasoning(body: JsonObject): SimRejection | undefined {
  const model = typeof body.model === 'string' ? body.model : '';
  const include = Array.isArray(body.include) ? body.include : [];
  const reasons = responsesModelReasons(model);
  if (include.includes('reasoning.encrypted_content') && !reasons) return rejection(400, 'Encrypted content is not supported with this model.', null, 'include');
  if (isObject(body.reasoning) && body.reasoning.effort !== undefined && body.reasoning.effort !== null && !reasons) {
    return rejection(400, "Unsupported parameter: 'reasoning.effort' is not supported with this model.", 'unsupported_parameter', 'reasoning.effort');
  }
  const input = Array.isArray(body.input) ? body.input : [];
  const items = checkReasoningItems(input);
  if (items !== undefined) return items;
  const reasoningOn = reasons && isObject(body.reasoning) && typeof body.reasoning.effort === 'string';
  return reasoningOn ? checkToolLoop(input) : undefined;
}
