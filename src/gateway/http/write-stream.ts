/**
 * Writes a stream's SSE frames to a client with bounded buffering: the next frame is pulled from
 * upstream only once the socket has taken the last one, so a client that reads slowly slows the
 * upstream read instead of growing memory; a client that stops reading for `stallMs`, or lets
 * more than `maxBufferedBytes` pile up, has its stream cut (and the upstream call with it).
 */
import type { ServerResponse } from 'node:http';

/** Limits on what a streaming client may leave unread. */
export interface StreamWriteLimits {
  /** Bytes that may wait in the socket's buffer before the stream is cut. */
  readonly maxBufferedBytes: number;
  /** How long the client may leave the buffer full before the stream is cut, ms. */
  readonly stallMs: number;
}

/** How a stream's writing ended. */
export type StreamWriteEnd = 'complete' | 'client-gone' | 'client-stalled';

/**
 * Writes every frame of `frames` to `response` and ends it. Stops early (returning the
 * iterator, which ends the upstream call) when the client goes away or stalls.
 */
export async function writeStream(response: ServerResponse, frames: AsyncIterable<string>, limits: StreamWriteLimits): Promise<StreamWriteEnd> {
  const iterator = frames[Symbol.asyncIterator]();
  let end: StreamWriteEnd = 'complete';
  // A function, not the property: the client may go while a frame is awaited, after a check said it had not.
  const clientGone = (): boolean => response.destroyed;
  try {
    for (;;) {
      if (clientGone()) {
        end = 'client-gone';
        break;
      }
      const next = await iterator.next();
      if (next.done === true) break;
      if (clientGone()) {
        end = 'client-gone';
        break;
      }
      const flushed = response.write(next.value);
      if (!flushed) {
        if (response.writableLength > limits.maxBufferedBytes) {
          end = 'client-stalled';
          break;
        }
        const drained = await waitForDrain(response, limits.stallMs);
        if (drained !== 'drained') {
          end = drained === 'closed' ? 'client-gone' : 'client-stalled';
          break;
        }
      }
    }
  } finally {
    if (end !== 'complete') {
      await iterator.return?.().catch(() => undefined);
      response.destroy();
    }
  }
  if (end === 'complete') response.end();
  return end;
}

function waitForDrain(response: ServerResponse, stallMs: number): Promise<'drained' | 'closed' | 'stalled'> {
  return new Promise((resolve) => {
    const finish = (outcome: 'drained' | 'closed' | 'stalled'): void => {
      clearTimeout(timer);
      response.off('drain', onDrain);
      response.off('close', onClose);
      resolve(outcome);
    };
    const onDrain = (): void => finish('drained');
    const onClose = (): void => finish('closed');
    const timer = setTimeout(() => finish('stalled'), stallMs);
    response.on('drain', onDrain);
    response.on('close', onClose);
  });
}
