/**
 * A `ServerResponse` that counts the body bytes written through it, for the response-bytes metric.
 * Given to `createServer` as its `ServerResponse` class, so counting costs a field and two
 * methods on a shared prototype, not two bound functions and two closures made per request around
 * the response's own `write` and `end`.
 */
import { ServerResponse, type IncomingMessage } from 'node:http';

/** A response that knows how many body bytes it was handed. */
export class CountingServerResponse<Request extends IncomingMessage = IncomingMessage> extends ServerResponse<Request> {
  /** Body bytes handed to `write` and `end` (headers excluded). */
  bodyBytes = 0;
}

type Write = (this: CountingServerResponse, chunk: unknown, ...rest: unknown[]) => boolean;
type End = (this: CountingServerResponse, chunk?: unknown, ...rest: unknown[]) => CountingServerResponse;

/** The byte length of a chunk as `write` and `end` take it (a callback in its place counts 0). */
function byteLengthOf(chunk: unknown, encoding: unknown): number {
  if (typeof chunk === 'string') return Buffer.byteLength(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
  if (chunk instanceof Uint8Array) return chunk.byteLength;
  return 0;
}

// The originals, always called with `.call(this, …)` below.
// eslint-disable-next-line @typescript-eslint/unbound-method -- called with .call(this) below
const write = ServerResponse.prototype.write as unknown as Write;
// eslint-disable-next-line @typescript-eslint/unbound-method -- called with .call(this) below
const end = ServerResponse.prototype.end as unknown as End;
(CountingServerResponse.prototype as unknown as { write: Write }).write = function (this: CountingServerResponse, chunk: unknown, ...rest: unknown[]): boolean {
  this.bodyBytes += byteLengthOf(chunk, rest[0]);
  return write.call(this, chunk, ...rest);
};
(CountingServerResponse.prototype as unknown as { end: End }).end = function (this: CountingServerResponse, chunk?: unknown, ...rest: unknown[]): CountingServerResponse {
  this.bodyBytes += byteLengthOf(chunk, rest[0]);
  return end.call(this, chunk, ...rest);
};

/** Body bytes a response was handed, when it is a `CountingServerResponse` (else 0). */
export function bodyBytesOf(response: ServerResponse): number {
  return response instanceof CountingServerResponse ? response.bodyBytes : 0;
}
