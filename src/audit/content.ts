/**
 * What a record keeps of prompts and answers, per `audit.content`:
 * - `none`: nothing, not even hashes;
 * - `hash`: `promptHash` and `responseHash` only;
 * - `redacted`: the hashes, and the content with every `audit.redact` kind replaced;
 * - `full`: the hashes, and the content as sent, secrets still replaced.
 * The hashes are over the original content (canonical JSON), so a party holding a prompt can show it
 * is the one recorded. Image bytes are never copied into a record: an image part keeps its media
 * type, its URL (unless a `data:` URL) and the SHA-256 of its data.
 */
import { hash } from 'node:crypto';
import type { AuditConfig, RedactionKind } from '../config/types.js';
import { redact, redactDeep } from '../redaction/redact.js';
import type { ChatRequest, ChatResponse, ContentPart, Message, ReasoningPart, ToolCall } from '../types.js';
import { sha256OfCanonical } from './hash-chain.js';
import type { AuditContent, AuditMessage } from './record.js';
import { systemPromptText } from '../system-prompt.js';
import type { Mutable } from '../mutable.js';

/** SHA-256 of the canonical JSON of `{ system, messages, tools }`. */
export function promptHashOf(request: ChatRequest): string {
  return sha256OfCanonical({ messages: request.messages, system: request.system, tools: request.tools });
}

/** SHA-256 of the canonical JSON of `{ text, toolCalls: [{ id, name, arguments }] }`. */
export function responseHashOf(response: ChatResponse): string {
  return sha256OfCanonical({ text: response.text, toolCalls: response.toolCalls.map((call) => ({ arguments: call.arguments, id: call.id, name: call.name })) });
}

/** The kinds to apply to content: the configured ones in `redacted` mode, secrets only in `full` mode. */
export function contentKinds(audit: AuditConfig): readonly RedactionKind[] {
  if (audit.content === 'full') return ['secret'];
  return audit.redact.includes('secret') ? audit.redact : [...audit.redact, 'secret'];
}

function sha256(text: string): string {
  return hash('sha256', text, 'hex');
}

// The objects below are built with their keys in sorted order, the order of the record's line.

function recordPart(part: ContentPart, kinds: readonly RedactionKind[]): Record<string, unknown> {
  if (part.type === 'text') return { text: redact(part.text, kinds), type: 'text' };
  const isDataUrl = part.url?.startsWith('data:') ?? false;
  const recorded: Record<string, unknown> = {};
  if (part.type === 'document' && part.context !== undefined) recorded.context = redact(part.context, kinds);
  // An uploaded file is recorded by reference, as the provider knows it: never its contents.
  if (part.file !== undefined) recorded.file = { id: part.file.id, provider: part.file.provider };
  if (part.mediaType !== undefined) recorded.mediaType = part.mediaType;
  if (part.data !== undefined) recorded.sha256 = sha256(part.data);
  else if (isDataUrl && part.url !== undefined) recorded.sha256 = sha256(part.url);
  if (part.type === 'document' && part.title !== undefined) recorded.title = redact(part.title, kinds);
  recorded.type = part.type;
  if (part.url !== undefined && !isDataUrl) recorded.url = redact(part.url, kinds);
  return recorded;
}

function recordToolCalls(calls: readonly ToolCall[], kinds: readonly RedactionKind[]): { arguments: unknown; id: string; name: string }[] {
  return calls.map((call) => ({ arguments: redactDeep(call.arguments, kinds), id: call.id, name: call.name }));
}

function recordMessage(message: Message, kinds: readonly RedactionKind[]): AuditMessage {
  const recorded = {
    content: typeof message.content === 'string' ? redact(message.content, kinds) : message.content.map((part) => recordPart(part, kinds)),
  } as Mutable<AuditMessage>;
  if (message.name !== undefined) recorded.name = message.name;
  const reasoning = reasoningText(message.reasoning);
  if (reasoning !== undefined) recorded.reasoning = redact(reasoning, kinds);
  recorded.role = message.role;
  if (message.toolCallId !== undefined) recorded.toolCallId = message.toolCallId;
  if (message.toolCalls !== undefined) recorded.toolCalls = recordToolCalls(message.toolCalls, kinds);
  return recorded;
}

/** The text of reasoning parts, joined by a blank line; undefined when there is none. Signatures and redacted data are opaque, not content. */
function reasoningText(parts: readonly ReasoningPart[] | undefined): string | undefined {
  if (parts === undefined) return undefined;
  const text = parts.map((part) => part.text).filter((piece) => piece !== '').join('\n\n');
  return text === '' ? undefined : text;
}

/** The content block of a record, or undefined in modes `none` and `hash`. */
export function recordContent(audit: AuditConfig, request: ChatRequest, response: ChatResponse | undefined): AuditContent | undefined {
  if (audit.content === 'none' || audit.content === 'hash') return undefined;
  const kinds = contentKinds(audit);
  const content: Mutable<AuditContent> = { messages: request.messages.map((message) => recordMessage(message, kinds)) };
  if (response !== undefined) {
    const reasoning = reasoningText(response.reasoning);
    content.response =
      reasoning === undefined
        ? { text: redact(response.text, kinds), toolCalls: recordToolCalls(response.toolCalls, kinds) }
        : { reasoning: redact(reasoning, kinds), text: redact(response.text, kinds), toolCalls: recordToolCalls(response.toolCalls, kinds) };
  }
  // A system prompt given as parts is recorded as its joined text (breakpoints are billing, not content).
  const system = systemPromptText(request.system);
  if (system !== undefined) content.system = redact(system, kinds);
  return content;
}
