/**
 * Reads a request body as JSON under a size limit and a time limit. A body over the limit is
 * refused as soon as its `content-length` says so or its bytes pass the limit, without reading
 * the rest into memory.
 */
import type { IncomingMessage } from 'node:http';
import { SwitchyardError } from '../../errors.js';
import { GatewayHttpError } from './gateway-http-error.js';

/** Limits on one request body. */
export interface BodyLimits {
  /** Largest body accepted, bytes. */
  readonly maxBytes: number;
  /** Time the client has to send the whole body, ms. */
  readonly timeoutMs: number;
}

const EMPTY = Buffer.alloc(0);

/** The body's bytes, or a `GatewayHttpError` (413 too large, 408 too slow, 400 cut off). */
export function readBody(request: IncomingMessage, limits: BodyLimits): Promise<Buffer> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limits.maxBytes) {
    request.resume(); // drain, so the connection can answer
    return Promise.reject(tooLarge(limits.maxBytes));
  }
  // The whole body already arrived (a small request comes in the packet of its headers): take it
  // from the stream's buffer, without listeners, a timer and a promise to wait on.
  if (request.complete && request.readableLength <= limits.maxBytes) {
    const buffered = request.readableLength === 0 ? null : (request.read() as Buffer | null);
    if (request.readableLength === 0) return Promise.resolve(buffered ?? EMPTY);
    if (buffered !== null) request.unshift(buffered);
  }
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const finish = (error: Error | undefined): void => {
      clearTimeout(timer);
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onError);
      request.off('aborted', onAborted);
      if (error === undefined) resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, received));
      else reject(error);
    };
    const onData = (chunk: Buffer): void => {
      received += chunk.length;
      if (received > limits.maxBytes) {
        request.resume();
        finish(tooLarge(limits.maxBytes));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => finish(undefined);
    const onError = (): void => finish(new GatewayHttpError(400, invalid('the request body could not be read')));
    const onAborted = (): void => finish(new GatewayHttpError(400, invalid('the client closed the connection before sending the whole body')));
    const timer = setTimeout(() => {
      finish(new GatewayHttpError(408, invalid(`the request body did not arrive within ${limits.timeoutMs} ms`)));
      request.destroy();
    }, limits.timeoutMs);
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', onError);
    request.on('aborted', onAborted);
  });
}

/** Parses a body as a JSON object; anything else is a 400 naming what was wrong. */
export function parseJsonObject(body: Buffer): Record<string, unknown> {
  if (body.length === 0) throw new GatewayHttpError(400, invalid('the request body is empty; expected a JSON object'));
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch (error) {
    const detail = error instanceof SyntaxError ? error.message : 'malformed JSON';
    throw new GatewayHttpError(400, invalid(`the request body is not valid JSON: ${detail}`));
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new GatewayHttpError(400, invalid(`the request body must be a JSON object, not ${Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value}`));
  }
  return value as Record<string, unknown>;
}

function invalid(message: string): SwitchyardError {
  return new SwitchyardError({ category: 'invalid_request', message });
}

function tooLarge(maxBytes: number): GatewayHttpError {
  return new GatewayHttpError(413, invalid(`the request body is larger than the gateway's limit of ${maxBytes} bytes (gateway.bodyLimit)`));
}
