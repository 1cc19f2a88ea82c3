/**
 * Helpers for the Chat Completions adapter tests: golden SSE transcripts from `__fixtures__`,
 * byte-level re-chunking, and draining async iterables. Test-only; nothing in the library uses it.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const FIXTURES = fileURLToPath(new URL('./__fixtures__/', import.meta.url));

/** Reads a fixture file as text. */
export function readFixture(name: string): string {
  return readFileSync(`${FIXTURES}${name}`, 'utf8');
}

/** Reads a JSON fixture; the caller states what shape it holds. */
export function readJsonFixture(name: string): unknown {
  return JSON.parse(readFixture(name));
}

/** The data payloads of a `.chunks.txt` transcript (one per line, `#` lines are comments). */
export function loadChunks(name: string): string[] {
  return readFixture(name)
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('#'));
}

/** Options for `toSse`. */
export interface SseOptions {
  /** End lines with CRLF instead of LF. */
  readonly crlf?: boolean;
  /** Put a comment line (keep-alive) before every event. */
  readonly comments?: boolean;
}

/** Renders payloads as an SSE body: `data: <payload>` and a blank line each. */
export function toSse(payloads: readonly string[], options: SseOptions = {}): string {
  const end = options.crlf === true ? '\r\n' : '\n';
  return payloads.map((payload) => `${options.comments === true ? `: keep-alive${end}` : ''}data: ${payload}${end}${end}`).join('');
}

/** The UTF-8 bytes of `text` cut into pieces of `size` bytes (cutting through characters). */
export function splitBytes(text: string, size: number): Uint8Array[] {
  const bytes = new TextEncoder().encode(text);
  const pieces: Uint8Array[] = [];
  for (let offset = 0; offset < bytes.length; offset += size) pieces.push(bytes.subarray(offset, offset + size));
  return pieces;
}

/** An async iterable over the given chunks. */
export async function* fromChunks(chunks: readonly Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const chunk of chunks) yield chunk;
}

/** Reads an async iterable to the end. */
export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

/** Reads an async iterable until it throws; returns what it yielded and the error. */
export async function collectUntilError<T>(iterable: AsyncIterable<T>): Promise<{ items: T[]; error: unknown }> {
  const items: T[] = [];
  try {
    for await (const item of iterable) items.push(item);
  } catch (error) {
    return { items, error };
  }
  return { items, error: undefined };
}
