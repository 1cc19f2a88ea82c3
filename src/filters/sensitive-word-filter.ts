/**
 * The sensitive-word policy over a chat request: finds configured words in the system prompt and
 * in every text of every message, case and width folded, and, for `mask`, builds a copy of the
 * request with each occurrence replaced. The caller's request is never changed.
 */
import type { SensitiveWordsConfig } from '../config/types.js';
import type { ChatRequest, ContentPart, Message, TextPart } from '../types.js';
import { createWordMatcher, type WordMatch, type WordMatcher } from './aho-corasick.js';

/** What the filter found in a request. */
export interface ContentCheck {
  /** Occurrences found, overlapping ones included. */
  readonly hits: number;
  /** The request fields holding them, in request order (`system`, `messages[2].content`, `messages[0].content[1].text`). */
  readonly fields: readonly string[];
  /** For `mask` with hits: a masked copy; otherwise the request given. */
  readonly request: ChatRequest;
}

/** The sensitive-word policy, ready to run on requests. */
export interface SensitiveWordFilter {
  readonly action: SensitiveWordsConfig['action'];
  readonly matcher: WordMatcher;
  /** Looks for the words in `request` (and masks them, when the action is `mask`). */
  check(request: ChatRequest): ContentCheck;
}

/** Characters (code points, not UTF-16 units) between `start` and `end`. */
function countCodePoints(text: string, start: number, end: number): number {
  let count = 0;
  for (let index = start; index < end; index += 1) {
    const unit = text.charCodeAt(index);
    if (unit < 0xdc00 || unit > 0xdfff) count += 1; // a low surrogate belongs to the character before it
  }
  return count;
}

/**
 * Replaces every matched range with `maskCharacter`, one per character (code point) masked, so
 * `敏感词` becomes `***` and `Bad` becomes `***`. Overlapping ranges are masked once.
 */
export function maskMatches(text: string, matches: readonly WordMatch[], maskCharacter: string): string {
  if (matches.length === 0) return text;
  const ranges = matches.map((match) => [match.start, match.end] as const).sort((left, right) => left[0] - right[0]);
  let result = '';
  let copied = 0;
  for (const [start, end] of ranges) {
    const from = Math.max(start, copied);
    if (end <= from) continue;
    result += text.slice(copied, from);
    result += maskCharacter.repeat(countCodePoints(text, from, end));
    copied = end;
  }
  return result + text.slice(copied);
}

/** Creates the filter from `filters.sensitiveWords`. */
export function createSensitiveWordFilter(config: SensitiveWordsConfig): SensitiveWordFilter {
  const matcher = createWordMatcher(config.words);
  const masking = config.action === 'mask';

  return {
    action: config.action,
    matcher,
    check(request) {
      let hits = 0;
      const fields: string[] = [];
      /** Finds words in one text; returns the masked text when masking changed it. */
      const inspect = (text: string, field: string): string | undefined => {
        if (!masking) {
          const count = matcher.count(text);
          if (count > 0) {
            hits += count;
            fields.push(field);
          }
          return undefined;
        }
        const matches = matcher.findAll(text);
        if (matches.length === 0) return undefined;
        hits += matches.length;
        fields.push(field);
        return maskMatches(text, matches, config.maskCharacter);
      };

      const system = inspectSystem(request.system, inspect);
      let messages: Message[] | undefined;
      request.messages.forEach((message, messageIndex) => {
        const replaced = inspectMessage(message, `messages[${messageIndex}].content`, inspect);
        if (replaced === undefined) return;
        messages ??= [...request.messages];
        messages[messageIndex] = replaced;
      });
      if (system === undefined && messages === undefined) return { hits, fields, request };
      return {
        hits,
        fields,
        request: { ...request, ...(system === undefined ? {} : { system }), ...(messages === undefined ? {} : { messages }) },
      };
    },
  };
}

/** Inspects the system prompt (a string or text parts, kept with their `cache`); a masked copy when something was masked. */
function inspectSystem(system: ChatRequest['system'], inspect: (text: string, field: string) => string | undefined): ChatRequest['system'] {
  if (system === undefined) return undefined;
  if (typeof system === 'string') return inspect(system, 'system');
  let parts: TextPart[] | undefined;
  system.forEach((part, index) => {
    const masked = inspect(part.text, `system[${index}].text`);
    if (masked === undefined) return;
    parts ??= [...system];
    parts[index] = { ...part, text: masked };
  });
  return parts;
}

/** Inspects a message's texts; returns a masked copy when something was masked. */
function inspectMessage(message: Message, field: string, inspect: (text: string, field: string) => string | undefined): Message | undefined {
  if (typeof message.content === 'string') {
    const masked = inspect(message.content, field);
    return masked === undefined ? undefined : { ...message, content: masked };
  }
  const content = message.content;
  let parts: ContentPart[] | undefined;
  content.forEach((part, partIndex) => {
    if (part.type !== 'text') return;
    const masked = inspect(part.text, `${field}[${partIndex}].text`);
    if (masked === undefined) return;
    parts ??= [...content];
    parts[partIndex] = { ...part, text: masked };
  });
  return parts === undefined ? undefined : { ...message, content: parts };
}
