/**
 * Reasoning for the OpenAI Responses API, stateless: every request is sent with `store: false`, so
 * the model's reasoning survives between turns only as the `encrypted_content` of its reasoning
 * items, which the request asks for with `include: ['reasoning.encrypted_content']` (reasoning guide,
 * https://platform.openai.com/docs/guides/reasoning, "Encrypted reasoning items"; item shape from
 * openai/openai-node `src/resources/responses/responses.ts`, `ResponseReasoningItem`).
 *
 * - request: `reasoning` becomes `reasoning: { effort, summary: 'auto' }` for models whose name says
 *   they reason (the API refuses it for others); a token budget becomes the nearest effort
 *   (`effortForBudget`: ≤ 2,048 low, ≤ 8,192 medium, more high);
 * - answers: a `reasoning` output item becomes one reasoning part with `provider: 'openai-responses'`:
 *   its summary texts joined by a blank line as `text`, and its `id` and `encrypted_content` packed
 *   into `signature` (opaque to everyone else);
 * - history: an assistant message's parts from `openai-responses` that carry encrypted content go
 *   back as `reasoning` input items before its text and tool calls, unchanged; parts of other
 *   providers (and ones without encrypted content, which a stateless request cannot use) are dropped.
 */
import type { ReasoningOption, ReasoningPart } from '../../../src/types.js';
import { effortOf, type ReasoningEffort } from '../../../src/reasoning-effort.js';
import { openAIModelReasons } from '../reasoning.js';

/** The provider type Responses reasoning parts (and citations) carry: only a `responses` provider takes reasoning back. */
export const RESPONSES_REASONING_PROVIDER = 'openai-responses';

/** What `include` asks for so reasoning can go back in a stateless request. */
export const ENCRYPTED_REASONING_INCLUDE = 'reasoning.encrypted_content';

/** A reasoning item as it goes back in `input`. */
export interface ResponsesReasoningItem {
  readonly type: 'reasoning';
  readonly id: string;
  readonly encrypted_content: string;
  readonly summary: readonly { readonly type: 'summary_text'; readonly text: string }[];
}

/** `reasoning` of the request body. */
export interface ResponsesReasoningConfig {
  readonly effort: ReasoningEffort;
  readonly summary: 'auto';
}

/** What a part's `signature` holds: the item's id and encrypted content. */
interface PackedReasoning {
  readonly id: string;
  readonly encrypted_content: string;
}

function unpack(signature: string | undefined): PackedReasoning | undefined {
  if (signature === undefined || signature === '') return undefined;
  try {
    const value = JSON.parse(signature) as Partial<PackedReasoning> | null;
    if (typeof value?.id === 'string' && value.id !== '' && typeof value.encrypted_content === 'string' && value.encrypted_content !== '') {
      return { id: value.id, encrypted_content: value.encrypted_content };
    }
  } catch {
    // Not ours (or altered): not sendable.
  }
  return undefined;
}

/** `reasoning` for the request, or undefined when the request asks none or the model has none. */
export function responsesReasoningConfig(option: ReasoningOption | undefined, model: string): ResponsesReasoningConfig | undefined {
  if (option === undefined || !openAIModelReasons(model)) return undefined;
  return { effort: effortOf(option), summary: 'auto' };
}

/** The reasoning items to send back for an assistant message's parts (see the module's description). */
export function responsesReasoningItems(reasoning: readonly ReasoningPart[] | undefined): ResponsesReasoningItem[] {
  const items: ResponsesReasoningItem[] = [];
  for (const part of reasoning ?? []) {
    if (part.provider !== RESPONSES_REASONING_PROVIDER) continue;
    const packed = unpack(part.signature);
    if (packed === undefined) continue;
    items.push({ type: 'reasoning', id: packed.id, encrypted_content: packed.encrypted_content, summary: part.text === '' ? [] : [{ type: 'summary_text', text: part.text }] });
  }
  return items;
}

/** The summary texts of a reasoning item, joined by a blank line. */
function summaryText(summary: unknown): string {
  if (!Array.isArray(summary)) return '';
  return summary
    .filter((entry): entry is { text: string } => typeof entry === 'object' && entry !== null && typeof (entry as { text?: unknown }).text === 'string')
    .map((entry) => entry.text)
    .join('\n\n');
}

/** A `reasoning` output item as a reasoning part; its id and encrypted content kept opaque in `signature`. */
export function responsesReasoningPart(item: Record<string, unknown>): ReasoningPart {
  const text = summaryText(item.summary);
  const id = typeof item.id === 'string' ? item.id : '';
  const encrypted = typeof item.encrypted_content === 'string' ? item.encrypted_content : '';
  if (id === '' || encrypted === '') return { type: 'reasoning', text, provider: RESPONSES_REASONING_PROVIDER };
  const packed: PackedReasoning = { id, encrypted_content: encrypted };
  return { type: 'reasoning', text, signature: JSON.stringify(packed), provider: RESPONSES_REASONING_PROVIDER };
}
