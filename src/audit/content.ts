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
import type { ChatRequest, ChatResponse, ContentPart, Message, ToolCall } from '../types.js';
import { sha256OfCanonical } from './hash-chain.js';
import type { AuditContent, AuditMessage } from './record.js';

/** SHA-256 of the canonical JSON of `{ system, messages, tools }`. */
export function promptHashOf(request: ChatRequest): string {
  return sha256OfCanonical({ system: request.system, messages: request.messages, tools: request.tools });
}

/** SHA-256 of the canonical JSON of `{ text, toolCalls: [{ id, name, arguments }] }`. */
export function responseHashOf(response: ChatResponse): string {
  return sha256OfCanonical({ text: response.text, toolCalls: response.toolCalls.map((call) => ({ id: call.id, name: call.name, arguments: call.arguments })) });
}

/** The kinds to apply to content: the configured ones in `redacted` mode, secrets only in `full` mode. */
export function contentKinds(audit: AuditConfig): readonly RedactionKind[] {
  if (audit.content === 'full') return ['secret'];
  return audit.redact.includes('secret') ? audit.redact : [...audit.redact, 'secret'];
}

function sha256(text: string): string {
  return hash('sha256', text, 'hex');
}

function recordPart(part: ContentPart, kinds: readonly RedactionKind[]): Record<string, unknown> {
  if (part.type === 'text') return { type: 'text', text: redact(part.text, kinds) };
  const isDataUrl = part.url?.startsWith('data:') ?? false;
  return {
    type: 'image',
    ...(part.mediaType === undefined ? {} : { mediaType: part.mediaType }),
    ...(part.url === undefined || isDataUrl ? {} : { url: redact(part.url, kinds) }),
    ...(part.data !== undefined ? { sha256: sha256(part.data) } : isDataUrl && part.url !== undefined ? { sha256: sha256(part.url) } : {}),
  };
}

function recordToolCalls(calls: readonly ToolCall[], kinds: readonly RedactionKind[]): { id: string; name: string; arguments: unknown }[] {
  return calls.map((call) => ({ id: call.id, name: call.name, arguments: redactDeep(call.arguments, kinds) }));
}

function recordMessage(message: Message, kinds: readonly RedactionKind[]): AuditMessage {
  return {
    role: message.role,
    content: typeof message.content === 'string' ? redact(message.content, kinds) : message.content.map((part) => recordPart(part, kinds)),
    ...(message.toolCalls === undefined ? {} : { toolCalls: recordToolCalls(message.toolCalls, kinds) }),
    ...(message.toolCallId === undefined ? {} : { toolCallId: message.toolCallId }),
    ...(message.name === undefined ? {} : { name: message.name }),
  };
}

/** The content block of a record, or undefined in modes `none` and `hash`. */
export function recordContent(audit: AuditConfig, request: ChatRequest, response: ChatResponse | undefined): AuditContent | undefined {
  if (audit.content === 'none' || audit.content === 'hash') return undefined;
  const kinds = contentKinds(audit);
  return {
    ...(request.system === undefined ? {} : { system: redact(request.system, kinds) }),
    messages: request.messages.map((message) => recordMessage(message, kinds)),
    ...(response === undefined ? {} : { response: { text: redact(response.text, kinds), toolCalls: recordToolCalls(response.toolCalls, kinds) } }),
  };
}
