/**
 * Shared by the leak tests: how a value is rendered every way a caller may print it, how to look for
 * a key or any 8-character slice of it, and a raw TCP upstream that misbehaves on purpose.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { inspect } from 'node:util';

/** Every place `key` or any 8-character slice of it shows up in `text`. */
export function leaksOf(text: string, key: string): string[] {
  const found: string[] = [];
  for (let start = 0; start + 8 <= key.length; start += 1) {
    const slice = key.slice(start, start + 8);
    if (text.includes(slice)) found.push(slice);
  }
  return found;
}

/** Every representation of a value a caller may print or serialise. */
export function renderings(value: unknown): string[] {
  const texts = [inspect(value, { depth: Infinity }), inspect(value, { depth: Infinity, showHidden: true }), String(value)];
  try {
    texts.push(JSON.stringify(value) ?? '');
  } catch (error) {
    texts.push(String(error));
  }
  return texts;
}

/** The error, each cause in its chain (and an AggregateError's errors), rendered every way. */
export function errorRenderings(error: unknown): string[] {
  const texts: string[] = [];
  const seen = new Set<unknown>();
  const walk = (value: unknown): void => {
    if (value === undefined || value === null || seen.has(value)) return;
    seen.add(value);
    texts.push(...renderings(value));
    if (typeof value !== 'object') return;
    for (const name of Object.getOwnPropertyNames(value)) {
      const field: unknown = (value as Record<string, unknown>)[name];
      if (typeof field === 'string') texts.push(field);
    }
    walk((value as { cause?: unknown }).cause);
    const errors = (value as { errors?: unknown }).errors;
    if (Array.isArray(errors)) errors.forEach(walk);
  };
  walk(error);
  return texts;
}

export function expectNoLeak(texts: readonly string[], key: string, what: string): void {
  for (const text of texts) {
    const leaks = leaksOf(text, key);
    if (leaks.length > 0) throw new Error(`${what} shows ${leaks.length} slices of the key (${leaks[0]}…) in:\n${text.slice(0, 2000)}`);
  }
}

/** What the upstream does with the next request: `head` is the request head (request line and headers). */
export type Behaviour = (head: string, socket: Socket, key: string) => void;

/** The request head with its line ends made into \x01, so it reads as one (invalid) header value. */
export function oneLine(head: string): string {
  return head.replace(/\r\n/g, '\u0001 ');
}

/** Answers with a complete response and closes the connection. */
export function respond(socket: Socket, status: number, contentType: string, body: string, headers: Readonly<Record<string, string>> = {}): void {
  const extra = Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  socket.end(`HTTP/1.1 ${status} X\r\ncontent-type: ${contentType}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n${extra}connection: close\r\n\r\n${body}`);
}

/** A raw TCP upstream whose answer to each request is `behaviour`. */
export class RawUpstream {
  behaviour: Behaviour = (_head, socket) => socket.destroy();
  key = '';
  readonly server: Server;
  private readonly sockets = new Set<Socket>();

  constructor() {
    this.server = createServer((socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => undefined);
      let received = '';
      socket.on('data', (chunk) => {
        if (received.includes('\r\n\r\n')) return;
        received += chunk.toString('latin1');
        const end = received.indexOf('\r\n\r\n');
        if (end >= 0) this.behaviour(received.slice(0, end), socket, this.key);
      });
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** A URL on a port that was just free: connecting to it is refused. */
export async function refusedUrl(): Promise<string> {
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  return url;
}
